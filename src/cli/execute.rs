//! Shared by `apply` and `destroy`: show the plan, ask for confirmation, run the
//! executor while printing its progress, handle Ctrl-C, and print the outcome.

use std::io::{BufRead, Write};
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::session::Session;
use super::{CliError, EXIT_ERROR, EXIT_OK, Output};
use crate::apply::{ApplyContext, ApplyReport, Event, StepResult, apply_steps, counts};
use crate::plan::live::LiveState;
use crate::plan::planner::PlannedStack;
use crate::render;
use crate::render::progress::{StepLine, apply_summary, destroy_summary, skipped};

/// Which command is executing (for words and the summary line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Apply,
    Destroy,
}

/// Prints the plan, confirms, executes and reports. Returns the exit code.
pub async fn execute(
    out: &Output,
    session: Session,
    planned: PlannedStack,
    live: LiveState,
    parallelism: usize,
    auto_approve: bool,
    verb: Verb,
) -> Result<u8, CliError> {
    out.print(&render::plan_text(&planned.plan, out.color_stdout));
    if !planned.plan.has_changes() {
        return Ok(EXIT_OK);
    }
    if !auto_approve {
        confirm(out, verb)?;
    }

    let (tx, rx) = mpsc::unbounded_channel();
    let printer = tokio::spawn(print_events(out.clone(), rx));
    let (cancel_tx, cancel_rx) = watch::channel(false);
    let cx = Arc::new(ApplyContext::new(
        session.client.clone(),
        Arc::new(session.stack),
        Arc::new(live),
        session.info.subscription.clone(),
        tx,
    ));

    let run = apply_steps(
        cx.clone(),
        &session.graph,
        planned.steps,
        parallelism,
        cancel_rx,
    );
    tokio::pin!(run);
    let report = tokio::select! {
        report = &mut run => report,
        _ = tokio::signal::ctrl_c() => {
            out.note("\nInterrupt received: starting nothing new and waiting for the operations \
                      in flight to finish. Press Ctrl-C again to stop waiting.");
            let _ = cancel_tx.send(true);
            tokio::select! {
                report = &mut run => report,
                _ = tokio::signal::ctrl_c() => {
                    out.note("Stopped waiting. Operations already sent may still complete in \
                              Azure: run `aciform plan` to see what is left.");
                    return Ok(EXIT_ERROR);
                }
            }
        }
    };
    drop(cx);
    let _ = printer.await;

    out.print(&outcome_text(&report, verb));
    Ok(if report.is_success() {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
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

/// Prints one line per event as it happens.
async fn print_events(out: Output, mut rx: mpsc::UnboundedReceiver<Event>) {
    while let Some(event) = rx.recv().await {
        let line = match &event {
            Event::Started { address, phase, id } => StepLine {
                address,
                step: *phase,
                id: id.as_deref(),
            }
            .started(),
            Event::Still {
                address,
                phase,
                elapsed,
            } => StepLine {
                address,
                step: *phase,
                id: None,
            }
            .still_running(*elapsed),
            Event::Completed {
                address,
                phase,
                elapsed,
                id,
            } => StepLine {
                address,
                step: *phase,
                id: id.as_deref(),
            }
            .completed(*elapsed),
            Event::Failed {
                address,
                phase,
                elapsed,
            } => StepLine {
                address,
                step: *phase,
                id: None,
            }
            .failed(*elapsed),
            Event::Note { address, message } => format!("{address}: {message}"),
        };
        out.print(&format!("{line}\n"));
    }
}

/// The failures with ARM's words, what was skipped, and the summary line.
fn outcome_text(report: &ApplyReport, verb: Verb) -> String {
    let mut text = String::from("\n");
    for (step, result) in &report.results {
        let address = step.address.to_string();
        match result {
            StepResult::Done(_) => {}
            StepResult::Failed(f) => {
                text.push_str(&format!("Error: {address}: {}\n", f.message));
            }
            StepResult::Skipped { because } => {
                text.push_str(&format!("{}\n", skipped(&address, because)));
            }
            StepResult::NotStarted => {
                text.push_str(&format!("{address}: Not started (interrupted)\n"));
            }
            StepResult::Unknown => {
                text.push_str(&format!(
                    "{address}: Interrupted while running; run `aciform plan` to see its state\n"
                ));
            }
        }
    }
    let counts = counts(report);
    let summary = match verb {
        Verb::Apply => apply_summary(&counts),
        Verb::Destroy => destroy_summary(&counts),
    };
    text.push_str(&summary);
    text.push('\n');
    text
}
