//! `aciform apply`: plan (or load a saved plan), confirm, execute.

use clap::Args;

use super::{CliError, Output, StackArgs};

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A stack directory, a TOML file, or a plan file saved by `plan -o`.
    #[command(flatten)]
    pub stack: StackArgs,

    /// Apply without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,

    /// How many resource operations may run at once.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub parallelism: u32,

    /// Limit the apply to ADDR and what it depends on. Repeatable.
    #[arg(long = "target", value_name = "ADDR")]
    pub targets: Vec<String>,
}

pub async fn cmd_apply(_out: &Output, _args: &ApplyArgs) -> Result<u8, CliError> {
    Err(CliError::msg("`aciform apply` is not implemented yet"))
}
