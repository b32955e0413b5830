//! `aciform plan`: compare the stack with live state and print what apply would do.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::Args;

use super::session::Session;
use super::{CliError, EXIT_CHANGES, EXIT_OK, Output, PlanFormat, StackArgs};
use crate::plan::file::{PlanFile, looks_like_plan_file};
use crate::plan::live::{LiveGroup, LiveReads, LiveState, ReadOptions};
use crate::plan::planner::{PlanRequest, PlannedStack, build_plan_with};
use crate::plan::prelower::{Prelowered, prelower};
use crate::render;
use crate::spec::{Address, suggest};

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

    /// Read every group's run state (one GET each) to see groups stopped outside
    /// aciform; by default only groups that are or should be stopped are read.
    #[arg(long)]
    pub refresh_state: bool,
}

pub async fn cmd_plan(out: &Output, args: &PlanArgs) -> Result<u8, CliError> {
    let (session, reads) = Session::open_for_plan(out, &args.stack).await?;
    let (planned, live) =
        make_plan(&session, reads, &args.targets, args.refresh_state, false).await?;

    let mut text = match args.format {
        PlanFormat::Text => render::plan_text(&planned.plan, out.color_stdout),
        PlanFormat::Markdown => render::plan_markdown(&planned.plan),
        PlanFormat::Json => render::plan_json(&planned.plan),
    };
    if args.format != PlanFormat::Json
        && let Some(note) = target_note(&args.targets)
    {
        text.push_str(&note);
    }
    out.print(&text);

    if let Some(path) = &args.out {
        refuse_to_overwrite(path)?;
        let stack_path = absolute(&args.stack.path);
        let var_names = args
            .stack
            .vars
            .iter()
            .map(|v| v.split('=').next().unwrap_or(v).to_string());
        let file = PlanFile::new(
            &planned,
            &live,
            &stack_path,
            var_names.collect(),
            args.targets.clone(),
        );
        write_atomically(path, &file.to_json())?;
        out.note(&format!(
            "Saved the plan to {}; apply it with `aciform apply {}`.",
            path.display(),
            path.display()
        ));
    }

    let code = if args.detailed_exitcode && planned.plan.has_changes() {
        EXIT_CHANGES
    } else {
        EXIT_OK
    };
    let Session { stack, graph, .. } = session;
    leak_at_exit((stack, graph, planned, live));
    Ok(code)
}

/// Hands `value` to the operating system instead of freeing it: the process ends right
/// after, and freeing a large stack, its plan and live state allocation by allocation
/// costs more CPU (a tenth of a 1,000-group plan) than reclaiming them at exit.
fn leak_at_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Reads live state and plans; shared by plan, apply and destroy.
pub(crate) async fn make_plan(
    session: &Session,
    reads: LiveReads,
    targets: &[String],
    refresh_state: bool,
    destroy: bool,
) -> Result<(PlannedStack, LiveState), CliError> {
    let only = target_closure(session, targets)?;
    let options = ReadOptions { refresh_state };

    // The reads run on the runtime's workers; meanwhile this thread lowers the spec
    // as far as it can without live state, so little is left once the answers are in.
    let started = std::time::Instant::now();
    // (A destroy plans no desired state: nothing to lower.)
    let mut prelowered = match destroy {
        false => prelower(&session.stack, &session.info.subscription),
        true => Prelowered::default(),
    };
    let ms = |t: std::time::Instant| t.elapsed().as_millis() as u64;
    tracing::info!(groups = prelowered.len(), ms = ms(started), "lowered ahead");
    // Each group is compared with its form lowered ahead as its answer comes in.
    let stack = &session.stack;
    let mut arrived = |group: &LiveGroup| prelowered.prepare(stack, group);
    let live = reads
        .finish_with(&session.client, stack, &options, &mut arrived)
        .await
        .map_err(|e| CliError::context("cannot read live state", &e))?;
    let groups = live.container_groups.len();
    let requests = session.client.stats().requests;
    tracing::info!(groups, requests, ms = ms(started), "live state read");
    let request = PlanRequest {
        stack: &session.stack,
        graph: &session.graph,
        live: &live,
        subscription: &session.info.subscription,
        target: session.info.clone(),
        only,
        destroy,
    };
    let planned =
        build_plan_with(&request, Some(&prelowered)).map_err(|e| CliError::from(e.into_report()));
    // Freeing a thousand lowered groups takes a few milliseconds: not while the user
    // waits for the plan.
    std::thread::spawn(move || drop(prelowered));
    let planned = planned?;
    let s = &planned.plan.summary;
    let (create, update, replace, delete) = (s.create, s.update, s.replace, s.delete);
    let (start, stop, no_op) = (s.start, s.stop, s.no_op);
    tracing::info!(
        create,
        update,
        replace,
        delete,
        start,
        stop,
        no_op,
        ms = ms(started),
        "plan ready"
    );
    Ok((planned, live))
}

/// `--target` addresses with everything they depend on; `None` when none were given.
fn target_closure(
    session: &Session,
    targets: &[String],
) -> Result<Option<BTreeSet<Address>>, CliError> {
    if targets.is_empty() {
        return Ok(None);
    }
    let known: Vec<String> = session
        .stack
        .addresses()
        .iter()
        .map(Address::to_string)
        .collect();
    let mut addresses = Vec::new();
    for raw in targets {
        let address: Option<Address> = raw
            .parse()
            .ok()
            .filter(|a: &Address| known.contains(&a.to_string()));
        match address {
            Some(a) => addresses.push(a),
            None => {
                let mut err =
                    CliError::msg(format!("--target {raw}: no such resource in the stack"));
                // A bare KEY (`web`) names its address (`container_group.web`).
                let by_key = known
                    .iter()
                    .find(|a| a.split_once('.').is_some_and(|(_, k)| k == raw));
                let near = by_key
                    .map(String::as_str)
                    .or_else(|| suggest(raw, known.iter().map(String::as_str)));
                if let Some(near) = near {
                    err = err.with_hint(format!("did you mean `{near}`?"));
                }
                return Err(err);
            }
        }
    }
    Ok(Some(session.graph.with_dependencies(&addresses)))
}

fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// What a plan limited by `--target` must say: it did not look at everything.
pub(crate) fn target_note(targets: &[String]) -> Option<String> {
    (!targets.is_empty()).then(|| {
        format!(
            "\nNote: --target limited this plan to {} and what it depends on; changes to \
             the rest of the stack (deletes of resources that left it included) are not \
             shown.\n",
            targets.join(", ")
        )
    })
}

/// A saved plan is JSON: refuse to write it over a stack file (`plan -o main.toml`) or
/// over anything that is not a saved plan already.
fn refuse_to_overwrite(path: &Path) -> Result<(), CliError> {
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    // Anything there that is not a saved plan is foreign: binary files included.
    let existing = std::fs::read(path).ok();
    let foreign = existing.as_deref().is_some_and(|bytes| {
        let plan = std::str::from_utf8(bytes).is_ok_and(looks_like_plan_file);
        !bytes.is_empty() && !plan
    });
    if is_toml || foreign {
        return Err(CliError::msg(format!(
            "refusing to write the plan to {}: {}",
            path.display(),
            if is_toml {
                "a .toml file would become part of the stack"
            } else {
                "it exists and is not a saved plan"
            }
        ))
        .with_hint("save it under another name, e.g. `-o release.plan`"));
    }
    Ok(())
}

/// Writes through a temporary file and a rename, so a reader never sees half a plan.
pub(crate) fn write_atomically(path: &Path, text: &str) -> Result<(), CliError> {
    let tmp = path.with_extension("tmp-aciform");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| CliError::msg(format!("cannot write {}: {e}", path.display())))
}
