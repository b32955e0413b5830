//! `aciform graph`: the resource graph as Graphviz DOT on stdout.

use clap::Args;

use super::{CliError, Output, StackArgs};

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub stack: StackArgs,
}

pub async fn cmd_graph(_out: &Output, _args: &GraphArgs) -> Result<u8, CliError> {
    Err(CliError::msg("`aciform graph` is not implemented yet"))
}
