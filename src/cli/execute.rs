//! Shared by `apply` and `destroy`: show the plan, ask for confirmation, run the
//! executor while printing its progress, handle Ctrl-C, and print the outcome.
//!
//! Ctrl-C once: nothing new starts, the operations in flight are awaited and reported.
//! Twice: aciform stops waiting; what was in flight is reported as unknown (the next
//! plan shows where it got). Either way the summary is printed and the exit code is 1.

use std::io::{BufRead, Write};
use std::sync::Arc;

use indicatif::ProgressDrawTarget;
use tokio::sync::{mpsc, watch};

use super::live::{self, Progress};
use super::session::Session;
use super::summary::outcome_text;
use super::{CliError, EXIT_ERROR, EXIT_OK, Output};
use crate::apply::{ApplyContext, ApplyReport, Event, Stop, apply_steps};
use crate::plan::live::LiveState;
use crate::plan::planner::PlannedStack;
use crate::render;

pub use super::summary::Verb;

/// Prints the plan, confirms, executes and reports. Returns the exit code.
/// How to execute: the command's flags.
pub struct ExecuteOptions<'a> {
    pub parallelism: usize,
    pub auto_approve: bool,
    pub verb: Verb,
    /// `--target` addresses, if the plan was limited by them.
    pub targets: &'a [String],
}

pub async fn execute(
    out: &Output,
    session: Session,
    planned: PlannedStack,
    live: LiveState,
    options: &ExecuteOptions<'_>,
) -> Result<u8, CliError> {
    let ExecuteOptions {
        parallelism,
        auto_approve,
        verb,
        targets,
    } = *options;
    let mut text = render::plan_text(&planned.plan, out.color_stdout);
    text.push_str(&super::plan::target_note(targets).unwrap_or_default());
    out.print(&text);
    if !planned.plan.has_changes() {
        return Ok(EXIT_OK);
    }
    if !auto_approve {
        confirm(out, verb)?;
    }

    let (tx, rx) = mpsc::unbounded_channel();
    let printer = tokio::spawn(print_events(out.clone(), rx));
    let (stop_tx, stop_rx) = watch::channel(Stop::Run);
    let cx = Arc::new(ApplyContext::new(
        session.client.clone(),
        Arc::new(session.stack),
        Arc::new(live),
        session.info.subscription.clone(),
        tx,
    ));

    let run = apply_steps(cx, &session.graph, planned.steps, parallelism, stop_rx);
    let report = run_until_done(out, run, &stop_tx).await;
    // Every sender is gone once the executor returns: the printer drains and ends.
    let _ = printer.await;

    out.print(&outcome_text(&report, verb));
    Ok(if report.is_success() {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
}

/// Awaits the executor, turning the first Ctrl-C into "start nothing new" and the
/// second into "stop waiting".
async fn run_until_done(
    out: &Output,
    run: impl std::future::Future<Output = ApplyReport>,
    stop: &watch::Sender<Stop>,
) -> ApplyReport {
    tokio::pin!(run);
    tokio::select! {
        report = &mut run => return report,
        _ = tokio::signal::ctrl_c() => {}
    }
    live::suspend(|| {
        out.note(
            "\nInterrupt received: starting nothing new and waiting for the operations in \
             flight to finish. Press Ctrl-C again to stop waiting.",
        )
    });
    let _ = stop.send(Stop::NoNewWork);

    tokio::select! {
        report = &mut run => return report,
        _ = tokio::signal::ctrl_c() => {}
    }
    live::suspend(|| {
        out.note(
            "\nStopped waiting. Operations already sent may still complete in Azure: run \
             `aciform plan` to see what is left.",
        )
    });
    let _ = stop.send(Stop::Abandon);
    run.await
}

/// Asks for `yes` on a terminal; refuses where nobody can answer.
fn confirm(out: &Output, verb: Verb) -> Result<(), CliError> {
    let what = match verb {
        Verb::Apply => "perform these actions",
        Verb::Destroy => "destroy these resources",
    };
    if !out.interactive {
        return Err(CliError::msg(format!(
            "refusing to {what} without confirmation: standard input is not a terminal"
        ))
        .with_hint("review the plan, then re-run with --auto-approve"));
    }
    let mut stderr = std::io::stderr();
    let _ = write!(
        stderr,
        "\nDo you want to {what}? Only 'yes' will be accepted to approve.\n  Enter a value: "
    );
    let _ = stderr.flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if answer.trim() == "yes" {
        out.print("\n");
        Ok(())
    } else {
        Err(CliError::msg(format!(
            "{} cancelled",
            match verb {
                Verb::Apply => "apply",
                Verb::Destroy => "destroy",
            }
        )))
    }
}

/// Prints one line per event as it happens, with a live view on a terminal.
async fn print_events(out: Output, mut rx: mpsc::UnboundedReceiver<Event>) {
    let target = live::wanted().then(ProgressDrawTarget::stderr);
    let mut progress = Progress::new(target, |line: &str| out.print(&format!("{line}\n")));
    while let Some(event) = rx.recv().await {
        progress.event(&event);
    }
    progress.finish();
}
