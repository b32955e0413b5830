//! `aciform logs ADDR`: a container's logs.

use std::path::PathBuf;

use clap::Args;

use super::{CliError, Output};

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

pub async fn cmd_logs(_out: &Output, _args: &LogsArgs) -> Result<u8, CliError> {
    Err(CliError::msg("`aciform logs` is not implemented yet"))
}
