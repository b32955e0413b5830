//! The closing report of an apply or destroy: what failed (with ARM's code and message
//! verbatim), what was skipped and because of what, what an interrupt left not started
//! or unknown, what was done, and the summary line. A clean run prints only the line:
//! the progress above it already said what was done.

use crate::apply::{ApplyReport, StepResult, counts};
use crate::plan::Action;
use crate::render::progress::{Step as Phase, apply_summary, destroy_summary, skipped};

/// Which command is reporting (for the summary line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Apply,
    Destroy,
}

/// The report, ending in a newline.
pub fn outcome_text(report: &ApplyReport, verb: Verb) -> String {
    let mut failed = Vec::new();
    let mut skips = Vec::new();
    let mut not_started = Vec::new();
    let mut unknown = Vec::new();
    let mut done = Vec::new();
    for (step, result) in &report.results {
        let address = clean(&step.address.to_string());
        match result {
            StepResult::Done(_) => done.push(format!("{address}: {}", done_word(step.action))),
            StepResult::Failed(f) => {
                let message = indent_rest(&clean(&f.message), "      ");
                failed.push(format!("{address}: {} failed: {message}", noun(f.phase)));
            }
            StepResult::Skipped { because } => skips.push(skipped(&address, because)),
            StepResult::NotStarted => not_started.push(address),
            StepResult::Unknown => unknown.push(address),
        }
    }

    let mut text = String::from("\n");
    if report.is_success() {
        text.push_str(&summary_line(report, verb));
        return text;
    }
    section(&mut text, "Failed:", &failed);
    section(&mut text, "Skipped:", &skips);
    section(&mut text, "Not started (interrupted):", &not_started);
    section(
        &mut text,
        "Unknown (interrupted while running; `aciform plan` shows where they are):",
        &unknown,
    );
    section(&mut text, "Done:", &done);
    text.push_str(&summary_line(report, verb));
    text
}

fn summary_line(report: &ApplyReport, verb: Verb) -> String {
    let counts = counts(report);
    let mut line = match verb {
        Verb::Apply => apply_summary(&counts),
        Verb::Destroy => destroy_summary(&counts),
    };
    line.push('\n');
    line
}

fn section(text: &mut String, title: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    text.push_str(title);
    text.push('\n');
    for line in lines {
        text.push_str(&format!("  {line}\n"));
    }
    text.push('\n');
}

fn done_word(action: Action) -> &'static str {
    match action {
        Action::Create => "created",
        Action::Update => "updated",
        Action::Replace => "replaced",
        Action::Delete => "destroyed",
        Action::Start => "started",
        Action::Stop => "stopped",
        Action::NoOp => "unchanged",
    }
}

fn noun(phase: Phase) -> &'static str {
    match phase {
        Phase::Create => "creation",
        Phase::Modify => "update",
        Phase::Destroy => "destruction",
        Phase::Start => "start",
        Phase::Stop => "stop",
    }
}

/// Lines after the first indented, so a multi-line ARM error stays under its resource.
fn indent_rest(text: &str, indent: &str) -> String {
    text.trim_end().replace('\n', &format!("\n{indent}"))
}

/// Control characters (other than line breaks) and bidi overrides escaped: an error
/// message comes from the service and must not drive the terminal.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let bidi = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}')
            || matches!(c, '\u{2066}'..='\u{2069}');
        if (c.is_control() && c != '\n') || bidi {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::{StepFailure, StepOutput};
    use crate::plan::canon::Canon;
    use crate::plan::step::{AzureName, Step};
    use crate::spec::{Address, ResourceKind};

    fn step(key: &str, action: Action) -> Step {
        let address = Address {
            kind: ResourceKind::ContainerGroup,
            key: key.into(),
        };
        Step::new(
            &address,
            action,
            AzureName::container_group("rg", key),
            &Canon::default(),
        )
    }

    #[test]
    fn a_clean_run_prints_only_the_summary_line() {
        let report = ApplyReport {
            results: vec![(
                step("web", Action::Create),
                StepResult::Done(StepOutput::default()),
            )],
        };
        assert_eq!(
            outcome_text(&report, Verb::Apply),
            "\nApply complete! Resources: 1 added, 0 changed, 0 destroyed.\n"
        );
    }

    #[test]
    fn failures_skips_interruptions_and_done_are_listed() {
        let failure = StepFailure {
            address: "container_group.api".into(),
            phase: Phase::Create,
            message: "InaccessibleImage: Image not found. (HTTP 400)\n  \
                      [x-ms-request-id r1]\u{1b}[2J"
                .into(),
            code: Some("InaccessibleImage".into()),
        };
        let report = ApplyReport {
            results: vec![
                (
                    step("db", Action::Update),
                    StepResult::Done(StepOutput::default()),
                ),
                (step("api", Action::Create), StepResult::Failed(failure)),
                (
                    step("front", Action::Create),
                    StepResult::Skipped {
                        because: "container_group.api".into(),
                    },
                ),
                (step("batch", Action::Create), StepResult::NotStarted),
                (step("cache", Action::Replace), StepResult::Unknown),
            ],
        };
        insta::assert_snapshot!(outcome_text(&report, Verb::Apply).trim_start(), @r"
        Failed:
          container_group.api: creation failed: InaccessibleImage: Image not found. (HTTP 400)
                [x-ms-request-id r1]\u{1b}[2J

        Skipped:
          container_group.front: Skipped, because container_group.api failed

        Not started (interrupted):
          container_group.batch

        Unknown (interrupted while running; `aciform plan` shows where they are):
          container_group.cache

        Done:
          container_group.db: updated

        Apply failed. Resources: 0 added, 1 changed, 0 destroyed, 2 failed, 2 skipped.
        ");
    }
}
