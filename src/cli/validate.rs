//! `aciform validate`: parse, resolve and check a stack without any API call.

use clap::Args;

use super::{CliError, Output, StackArgs};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub stack: StackArgs,
}

pub async fn cmd_validate(_out: &Output, _args: &ValidateArgs) -> Result<u8, CliError> {
    Err(CliError::msg("`aciform validate` is not implemented yet"))
}
