//! `aciform logs ADDR`: a container's logs, as ARM returns them (the same call as
//! `az container logs`).

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use super::session::Session;
use super::status::status_error;
use super::{CliError, EXIT_OK, Output, StackArgs};
use crate::status::logs_target;

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The container group's address, e.g. container_group.web.
    pub address: String,

    /// The container (default: the group's only or first container).
    #[arg(long)]
    pub container: Option<String>,

    /// A stack directory or a single TOML file.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Set a stack variable, overriding [vars]: NAME=VALUE. Repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    /// Only the last N lines.
    #[arg(long)]
    pub tail: Option<u32>,
}

/// Prints the container's log on stdout, exactly as the cloud returned it.
pub async fn cmd_logs(out: &Output, args: &LogsArgs) -> Result<u8, CliError> {
    let stack_args = StackArgs {
        path: args.path.clone(),
        vars: args.vars.clone(),
    };
    let session = Session::open(out, &stack_args).await?;
    let target = logs_target(&session.stack, &args.address, args.container.as_deref())
        .map_err(|e| status_error(&e))?;

    let logs = session
        .client
        .container_logs(
            &target.resource_group,
            &target.group,
            &target.container,
            args.tail,
        )
        .await;
    let content = match logs {
        Ok(content) => content,
        Err(e) if e.is_not_found() && e.code() == Some("ContainerNotFound") => {
            return Err(CliError::context(
                format!(
                    "the live {} has no container `{}` yet",
                    target.address, target.container
                ),
                &e,
            )
            .with_hint("the stack has changes not applied yet; see `aciform plan`"));
        }
        Err(e) if e.is_not_found() => {
            return Err(CliError::context(
                format!(
                    "{} ({} in {}) is not deployed",
                    target.address, target.group, target.resource_group
                ),
                &e,
            )
            .with_hint("create it with `aciform apply`"));
        }
        Err(e) => {
            return Err(CliError::context(
                format!("cannot read the logs of {}", target.address),
                &e,
            ));
        }
    };
    if content.is_empty() {
        out.note("(no log lines yet)");
    }
    // Container output is untrusted: on a terminal its control characters (line breaks
    // and tabs aside) show as escapes, so a log cannot drive the terminal; piped or
    // redirected, it is passed on as ACI keeps it.
    if std::io::stdout().is_terminal() {
        out.print(&crate::terminal::sanitize_lines(&content));
    } else {
        out.print(&content);
    }
    Ok(EXIT_OK)
}
