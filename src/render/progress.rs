//! The executor's progress lines and closing summary, worded as Terraform's apply.
//!
//! `container_group.web: Creating...`, `Still creating... [00m10s elapsed]`,
//! `Creation complete after 12s [id=...]`, then `Apply complete! Resources: ...`.
//! Pure string functions: the executor measures time and counts outcomes and passes
//! them in; nothing here reads a clock or decides what happened.

use std::time::Duration;

use super::value;
use crate::plan::Action;

/// One unit of executor work on a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// A PUT of a new resource.
    Create,
    /// An in-place update (a PUT or a tags-only PATCH).
    Modify,
    /// A DELETE.
    Destroy,
    /// The `start` action of a stopped group.
    Start,
    /// The `stop` action of a running group.
    Stop,
}

impl Step {
    /// The steps that carry out `action`, in order. A replacement destroys, then creates;
    /// a no-op has none.
    pub fn for_action(action: Action) -> &'static [Step] {
        match action {
            Action::Create => &[Step::Create],
            Action::Update => &[Step::Modify],
            Action::Replace => &[Step::Destroy, Step::Create],
            Action::Delete => &[Step::Destroy],
            Action::Start => &[Step::Start],
            Action::Stop => &[Step::Stop],
            Action::NoOp => &[],
        }
    }

    /// The participle (`Creating`) and the noun (`Creation`) of the step.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Step::Create => ("Creating", "Creation"),
            Step::Modify => ("Modifying", "Modifications"),
            Step::Destroy => ("Destroying", "Destruction"),
            Step::Start => ("Starting", "Start"),
            Step::Stop => ("Stopping", "Stop"),
        }
    }
}

/// A step on one resource, as its progress lines name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepLine<'a> {
    /// `TYPE.KEY`.
    pub address: &'a str,
    /// What is being done to it.
    pub step: Step,
    /// The ARM id, when known; shown as `[id=...]` where Terraform shows it.
    pub id: Option<&'a str>,
}

impl StepLine<'_> {
    /// `container_group.web: Creating...`, with `[id=...]` when the id is known.
    pub fn started(&self) -> String {
        format!(
            "{}: {}...{}",
            self.address(),
            self.step.words().0,
            self.id_suffix()
        )
    }

    /// `container_group.web: Still creating... [00m10s elapsed]`.
    pub fn still_running(&self, elapsed: Duration) -> String {
        let participle = self.step.words().0.to_lowercase();
        format!(
            "{}: Still {participle}... [{} elapsed]",
            self.address(),
            clock(elapsed)
        )
    }

    /// `container_group.web: Creation complete after 12s [id=...]`.
    pub fn completed(&self, elapsed: Duration) -> String {
        let (_, noun) = self.step.words();
        let after = short(elapsed);
        format!(
            "{}: {noun} complete after {after}{}",
            self.address(),
            self.id_suffix()
        )
    }

    /// `container_group.web: Creation failed after 3s`; the error is printed apart.
    pub fn failed(&self, elapsed: Duration) -> String {
        let (_, noun) = self.step.words();
        format!("{}: {noun} failed after {}", self.address(), short(elapsed))
    }

    fn address(&self) -> String {
        value::sanitize(self.address)
    }

    fn id_suffix(&self) -> String {
        self.id
            .map(|id| format!(" [id={}]", value::sanitize(id)))
            .unwrap_or_default()
    }
}

/// `container_group.api: Skipped, because container_group.db failed`.
pub fn skipped(address: &str, failed_dependency: &str) -> String {
    let (address, dependency) = (value::sanitize(address), value::sanitize(failed_dependency));
    format!("{address}: Skipped, because {dependency} failed")
}

/// `00m10s`: minutes and seconds, as in the still-running lines.
fn clock(elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    format!("{:02}m{:02}s", secs / 60, secs % 60)
}

/// `12s`, `1m2s`, `1h0m5s`: as Terraform prints a completed step's duration.
fn short(elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

/// What an apply or destroy did, counted by the executor. A replacement counts as one
/// added and one destroyed, as in the plan summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyCounts {
    /// Resources created, replacements included.
    pub added: usize,
    /// Resources updated in place.
    pub changed: usize,
    /// Resources deleted, replacements included.
    pub destroyed: usize,
    /// Groups started.
    pub started: usize,
    /// Groups stopped.
    pub stopped: usize,
    /// Resources whose step failed.
    pub failed: usize,
    /// Resources not attempted because something they depend on failed.
    pub skipped: usize,
}

impl ApplyCounts {
    fn went_wrong(&self) -> bool {
        self.failed > 0 || self.skipped > 0
    }

    /// `, 1 failed, 2 skipped` when anything went wrong, else nothing.
    fn failure_suffix(&self) -> String {
        if self.went_wrong() {
            format!(", {} failed, {} skipped", self.failed, self.skipped)
        } else {
            String::new()
        }
    }
}

/// `Apply complete! Resources: 1 added, 0 changed, 0 destroyed.`, with start and stop
/// counts when any, and `Apply failed.` plus failed and skipped counts when any.
pub fn apply_summary(counts: &ApplyCounts) -> String {
    let head = if counts.went_wrong() {
        "Apply failed."
    } else {
        "Apply complete!"
    };
    let mut text = format!(
        "{head} Resources: {} added, {} changed, {} destroyed",
        counts.added, counts.changed, counts.destroyed
    );
    if counts.started > 0 {
        text.push_str(&format!(", {} started", counts.started));
    }
    if counts.stopped > 0 {
        text.push_str(&format!(", {} stopped", counts.stopped));
    }
    text.push_str(&counts.failure_suffix());
    text.push('.');
    text
}

/// `Destroy complete! Resources: 2 destroyed.`, or `Destroy failed.` plus failed and
/// skipped counts.
pub fn destroy_summary(counts: &ApplyCounts) -> String {
    let head = if counts.went_wrong() {
        "Destroy failed."
    } else {
        "Destroy complete!"
    };
    format!(
        "{head} Resources: {} destroyed{}.",
        counts.destroyed,
        counts.failure_suffix()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/\
                      containerGroups/shop-web";

    fn line(step: Step, id: Option<&'static str>) -> StepLine<'static> {
        StepLine {
            address: "container_group.web",
            step,
            id,
        }
    }

    #[test]
    fn create_lines() {
        let create = line(Step::Create, None);
        assert_eq!(create.started(), "container_group.web: Creating...");
        assert_eq!(
            create.still_running(Duration::from_secs(10)),
            "container_group.web: Still creating... [00m10s elapsed]"
        );
        let done = StepLine {
            id: Some(ID),
            ..create
        };
        assert_eq!(
            done.completed(Duration::from_millis(12_400)),
            format!("container_group.web: Creation complete after 12s [id={ID}]")
        );
    }

    #[test]
    fn every_step_has_its_words() {
        let cases = [
            (
                Step::Modify,
                "Modifying...",
                "Still modifying...",
                "Modifications complete after",
            ),
            (
                Step::Destroy,
                "Destroying...",
                "Still destroying...",
                "Destruction complete after",
            ),
            (
                Step::Start,
                "Starting...",
                "Still starting...",
                "Start complete after",
            ),
            (
                Step::Stop,
                "Stopping...",
                "Still stopping...",
                "Stop complete after",
            ),
        ];
        for (step, started, still, complete) in cases {
            let l = line(step, None);
            assert_eq!(l.started(), format!("container_group.web: {started}"));
            assert!(l.still_running(Duration::ZERO).contains(still));
            assert!(l.completed(Duration::ZERO).contains(complete));
        }
        let modify = line(Step::Modify, Some(ID));
        assert_eq!(
            modify.started(),
            format!("container_group.web: Modifying... [id={ID}]")
        );
    }

    #[test]
    fn replacement_destroys_then_creates() {
        assert_eq!(
            Step::for_action(Action::Replace),
            [Step::Destroy, Step::Create]
        );
        assert!(Step::for_action(Action::NoOp).is_empty());
    }

    #[test]
    fn durations() {
        assert_eq!(clock(Duration::from_secs(75)), "01m15s");
        assert_eq!(clock(Duration::from_secs(3600 + 5)), "60m05s");
        assert_eq!(short(Duration::from_secs(62)), "1m2s");
        assert_eq!(short(Duration::from_secs(3605)), "1h0m5s");
        let failed = line(Step::Create, None).failed(Duration::from_secs(3));
        assert_eq!(failed, "container_group.web: Creation failed after 3s");
    }

    #[test]
    fn summaries() {
        let ok = ApplyCounts {
            added: 1,
            ..ApplyCounts::default()
        };
        assert_eq!(
            apply_summary(&ok),
            "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."
        );

        let bad = ApplyCounts {
            added: 2,
            failed: 1,
            skipped: 2,
            ..ApplyCounts::default()
        };
        assert_eq!(
            apply_summary(&bad),
            "Apply failed. Resources: 2 added, 0 changed, 0 destroyed, 1 failed, 2 skipped."
        );

        let stopped = ApplyCounts {
            stopped: 1,
            ..ApplyCounts::default()
        };
        assert_eq!(
            apply_summary(&stopped),
            "Apply complete! Resources: 0 added, 0 changed, 0 destroyed, 1 stopped."
        );

        let destroyed = ApplyCounts {
            destroyed: 2,
            ..ApplyCounts::default()
        };
        assert_eq!(
            destroy_summary(&destroyed),
            "Destroy complete! Resources: 2 destroyed."
        );
        let partial = ApplyCounts {
            destroyed: 1,
            failed: 1,
            ..ApplyCounts::default()
        };
        assert_eq!(
            destroy_summary(&partial),
            "Destroy failed. Resources: 1 destroyed, 1 failed, 0 skipped."
        );
    }

    #[test]
    fn skipped_and_hostile_names() {
        assert_eq!(
            skipped("container_group.api", "container_group.db"),
            "container_group.api: Skipped, because container_group.db failed"
        );
        let evil = StepLine {
            address: "a\u{1b}[2J",
            step: Step::Create,
            id: None,
        };
        assert_eq!(evil.started(), r"a\u{1b}[2J: Creating...");
    }
}
