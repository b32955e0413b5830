//! `aciform status`: a live table of the stack's resources.

use clap::Args;

use super::{CliError, Output, StackArgs, TableFormat};

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub stack: StackArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    pub format: TableFormat,
}

pub async fn cmd_status(_out: &Output, _args: &StatusArgs) -> Result<u8, CliError> {
    Err(CliError::msg("`aciform status` is not implemented yet"))
}
