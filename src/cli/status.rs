//! `aciform status`: a live table of the stack's resources, the everyday "is it
//! running?" question (what `az container show` and Get-AzContainerGroup answer).

use clap::Args;

use super::session::Session;
use super::{CliError, EXIT_OK, Output, StackArgs, TableFormat};
use crate::status::{StatusError, read_status, status_json, status_styled};

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub stack: StackArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    pub format: TableFormat,
}

/// Reads every resource of the stack (one GET per deployed container group) and prints
/// the table or the JSON; a resource that is not deployed is a row, not an error.
pub async fn cmd_status(out: &Output, args: &StatusArgs) -> Result<u8, CliError> {
    let session = Session::open(out, &args.stack).await?;
    let report = read_status(&session.client, &session.stack, &session.info)
        .await
        .map_err(|e| status_error(&e))?;

    let text = match args.format {
        TableFormat::Text => status_styled(&report).render(out.color_stdout),
        TableFormat::Json => status_json(&report),
    };
    out.print(&text);
    Ok(EXIT_OK)
}

/// A status or logs error as the CLI shows it, with a hint where one helps.
pub(crate) fn status_error(err: &StatusError) -> CliError {
    let cli = CliError::chain(err);
    match err {
        StatusError::UnknownAddress {
            suggestion: Some(near),
            ..
        } => cli.with_hint(format!("did you mean `{near}`?")),
        StatusError::UnknownAddress { .. } => {
            cli.with_hint("`aciform status` lists the stack's addresses")
        }
        StatusError::NotAContainerGroup { .. } => {
            cli.with_hint("give a container_group address, e.g. container_group.web")
        }
        _ => cli,
    }
}
