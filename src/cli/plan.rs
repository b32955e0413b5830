//! `aciform plan`: compare the stack with live state and print what apply would do.

use std::path::PathBuf;

use clap::Args;

use super::{CliError, Output, PlanFormat, StackArgs};

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub stack: StackArgs,

    /// Save the plan to FILE for `aciform apply FILE`.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,

    /// Exit 2 when the plan has changes, 0 when it has none.
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Limit the plan to ADDR and what it depends on. Repeatable.
    #[arg(long = "target", value_name = "ADDR")]
    pub targets: Vec<String>,
}

pub async fn cmd_plan(_out: &Output, _args: &PlanArgs) -> Result<u8, CliError> {
    Err(CliError::msg("`aciform plan` is not implemented yet"))
}
