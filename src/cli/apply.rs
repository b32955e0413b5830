//! `aciform apply`: plan (or load a saved plan), confirm, execute.

use std::path::Path;

use clap::Args;

use super::execute::{ExecuteOptions, Verb, execute};
use super::lock::StackLock;
use super::plan::make_plan;
use super::session::Session;
use super::{CliError, Output, StackArgs};
use crate::plan::file::{PlanFile, looks_like_plan_file};

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

    /// Read every group's run state (one GET each) to see groups stopped outside
    /// aciform.
    #[arg(long)]
    pub refresh_state: bool,
}

pub async fn cmd_apply(out: &Output, args: &ApplyArgs) -> Result<u8, CliError> {
    if let Some(saved) = read_saved_plan(&args.stack.path)? {
        return apply_saved(out, args, saved).await;
    }
    let (session, reads) = Session::open_for_plan(out, &args.stack).await?;
    let _lock = StackLock::acquire(&session.stack.dir)?;
    let (planned, live) =
        make_plan(&session, reads, &args.targets, args.refresh_state, false).await?;
    let parallelism = args.parallelism as usize;
    execute(
        out,
        session,
        planned,
        live,
        &ExecuteOptions {
            parallelism,
            auto_approve: args.auto_approve,
            verb: Verb::Apply,
            targets: &args.targets,
        },
    )
    .await
}

/// `apply PLAN_FILE`: plan again and run only if nothing moved since the saved plan.
async fn apply_saved(out: &Output, args: &ApplyArgs, saved: PlanFile) -> Result<u8, CliError> {
    if !args.targets.is_empty() {
        return Err(
            CliError::msg("--target cannot be combined with a saved plan")
                .with_hint("give --target to `aciform plan -o FILE` instead"),
        );
    }
    let given: Vec<String> = args
        .stack
        .vars
        .iter()
        .map(|v| v.split('=').next().unwrap_or(v).to_string())
        .collect();
    let (mut want, mut have) = (saved.var_names.clone(), given.clone());
    want.sort();
    have.sort();
    if want != have {
        return Err(
            CliError::msg("the saved plan was made with other --var overrides").with_hint(format!(
                "pass the same --var flags as to `aciform plan` (names: {})",
                if want.is_empty() {
                    "none".to_string()
                } else {
                    want.join(", ")
                }
            )),
        );
    }

    let stack_args = super::StackArgs {
        path: saved.stack_path.clone(),
        vars: args.stack.vars.clone(),
    };
    let (session, reads) = Session::open_for_plan(out, &stack_args).await?;
    let _lock = StackLock::acquire(&session.stack.dir)?;
    if let Some(moved) = saved.target_mismatch(&session.info) {
        return Err(CliError::msg(format!(
            "the saved plan was made for another target: {moved}"
        ))
        .with_hint("apply a plan against the cloud it was made for, or plan again here"));
    }
    let (planned, live) =
        make_plan(&session, reads, &saved.targets, args.refresh_state, false).await?;
    if let Err(stale) = saved.check_fresh(&planned, &live) {
        return Err(CliError::Message {
            message: "the saved plan is stale: live state or the stack changed since it was made"
                .into(),
            causes: stale.differences,
            hint: Some("run `aciform plan -o FILE` again and review the new plan".into()),
        });
    }
    let parallelism = args.parallelism as usize;
    execute(
        out,
        session,
        planned,
        live,
        &ExecuteOptions {
            parallelism,
            auto_approve: args.auto_approve,
            verb: Verb::Apply,
            targets: &saved.targets,
        },
    )
    .await
}

/// The saved plan at `path`, or `None` when `path` is a stack.
fn read_saved_plan(path: &Path) -> Result<Option<PlanFile>, CliError> {
    if !path.is_file() || path.extension().is_some_and(|e| e == "toml") {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::msg(format!("cannot read {}: {e}", path.display())))?;
    if !looks_like_plan_file(&text) {
        return Ok(None);
    }
    PlanFile::from_json(&text)
        .map(Some)
        .map_err(|e| CliError::msg(format!("{}: {e}", path.display())))
}
