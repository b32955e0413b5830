//! `aciform destroy`: delete everything the stack owns, dependents first.

use clap::Args;

use super::execute::{ExecuteOptions, Verb, execute};
use super::lock::StackLock;
use super::plan::make_plan;
use super::session::Session;
use super::{CliError, Output, StackArgs};

#[derive(Debug, Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub stack: StackArgs,

    /// Destroy without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,

    /// How many resource operations may run at once.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub parallelism: u32,
}

pub async fn cmd_destroy(out: &Output, args: &DestroyArgs) -> Result<u8, CliError> {
    let (session, reads) = Session::open_for_plan(out, &args.stack).await?;
    let _lock = StackLock::acquire(&session.stack.dir)?;
    let (planned, live) = make_plan(&session, reads, &[], false, true).await?;
    let parallelism = args.parallelism as usize;
    execute(
        out,
        session,
        planned,
        live,
        &ExecuteOptions {
            parallelism,
            auto_approve: args.auto_approve,
            verb: Verb::Destroy,
            targets: &[],
        },
    )
    .await
}
