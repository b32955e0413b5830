//! The human plan, in the spirit of `terraform plan`: a legend of the symbols in use,
//! one block per changed resource and a summary line.
//!
//! It reads only the [`Plan`]; no-op resources are left out, and the counts come from
//! the plan's summary, the same numbers the JSON plan carries.

use super::block::{self, Sym};
use super::styled::{Style, Styled};
use super::value;
use crate::plan::{Action, Plan, Summary};

/// What a plan without changes prints, instead of legend, blocks and summary.
pub const NO_CHANGES: &str = "No changes. Live state matches the stack.";

/// The plan as text; ANSI-coloured only when `color` is true.
pub fn plan_text(plan: &Plan, color: bool) -> String {
    plan_styled(plan).render(color)
}

/// The plan as styled spans, for callers that resolve colour themselves.
pub fn plan_styled(plan: &Plan) -> Styled {
    let mut out = Styled::new();
    if !plan.has_changes() {
        out.push(Style::Bold, NO_CHANGES).newline();
        write_notes(plan, &mut out);
        return out;
    }

    write_legend(plan, &mut out);
    out.newline()
        .plain("aciform will perform the following actions:")
        .newline();

    for change in plan.changes.iter().filter(|c| c.action.is_change()) {
        out.newline();
        let address = value::sanitize(&change.address);
        out.plain("  ").push(
            Style::Bold,
            format!("# {address} {}", heading(change.action)),
        );
        out.newline();
        for reason in &change.reasons {
            out.plain(format!("  # ({})", value::sanitize(reason)))
                .newline();
        }
        block::write_text(&block::block(change), &mut out);
    }

    write_notes(plan, &mut out);
    out.newline()
        .push(Style::Bold, "Plan:")
        .plain(format!(" {}", counts(&plan.summary)));
    out.newline();
    out
}

/// Resources left alone for a reason worth knowing (a resource group kept because it
/// holds what the stack does not own): one line each, after the blocks.
fn write_notes(plan: &Plan, out: &mut Styled) {
    let kept: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| !c.action.is_change() && !c.reasons.is_empty())
        .collect();
    if kept.is_empty() {
        return;
    }
    out.newline();
    for change in kept {
        let address = value::sanitize(&change.address);
        let reasons: Vec<String> = change.reasons.iter().map(|r| value::sanitize(r)).collect();
        out.push(
            Style::Dim,
            format!("  # {address} is left as it is ({})", reasons.join("; ")),
        )
        .newline();
    }
}

/// The words after the address in a block's heading comment.
pub(crate) fn heading(action: Action) -> &'static str {
    match action {
        Action::Create => "will be created",
        Action::Update => "will be updated in-place",
        Action::Replace => "must be replaced",
        Action::Delete => "will be destroyed",
        Action::Start => "will be started",
        Action::Stop => "will be stopped",
        Action::NoOp => "has no changes",
    }
}

/// The symbols legend, listing only the kinds of action present. Start and stop share
/// `~` with in-place updates, so they join its line.
fn write_legend(plan: &Plan, out: &mut Styled) {
    let has = |action: Action| plan.changes.iter().any(|c| c.action == action);
    let tilde: Vec<&str> = [
        (Action::Update, "update in-place"),
        (Action::Start, "start"),
        (Action::Stop, "stop"),
    ]
    .into_iter()
    .filter(|(action, _)| has(*action))
    .map(|(_, words)| words)
    .collect();

    let mut entries = Vec::new();
    if has(Action::Create) {
        entries.push((Sym::Create, "create".to_string()));
    }
    if !tilde.is_empty() {
        entries.push((Sym::Update, tilde.join(", ")));
    }
    if has(Action::Delete) {
        entries.push((Sym::Delete, "destroy".to_string()));
    }
    if has(Action::Replace) {
        entries.push((
            Sym::Replace,
            "destroy and then create replacement".to_string(),
        ));
    }

    out.plain("Resource actions are indicated with the following symbols:")
        .newline();
    for (sym, words) in entries {
        out.push(sym.style(), sym.text())
            .plain(format!(" {words}"))
            .newline();
    }
}

/// `1 to add, 0 to change, 1 to destroy.`, plus start and stop counts when present.
/// A replacement counts as one add and one destroy.
pub(crate) fn counts(summary: &Summary) -> String {
    let add = summary.create + summary.replace;
    let destroy = summary.delete + summary.replace;
    let mut text = format!(
        "{add} to add, {} to change, {destroy} to destroy",
        summary.update
    );
    if summary.start > 0 {
        text.push_str(&format!(", {} to start", summary.start));
    }
    if summary.stop > 0 {
        text.push_str(&format!(", {} to stop", summary.stop));
    }
    text.push('.');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures;

    #[test]
    fn snapshots() {
        for (name, plan) in fixtures::all() {
            insta::assert_snapshot!(format!("text_{name}"), plan_text(&plan, false));
        }
    }

    #[test]
    fn colour_appears_only_when_asked() {
        let plan = fixtures::update_in_place();
        let plain = plan_text(&plan, false);
        let coloured = plan_text(&plan, true);
        assert!(!plain.contains('\x1b'));
        assert!(coloured.contains("\x1b[33m  ~\x1b[0m"), "{coloured}");
        assert!(coloured.contains("\x1b[1m"), "{coloured}");
        assert_eq!(strip_ansi(&coloured), plain);
    }

    #[test]
    fn no_change_plan_is_one_line() {
        assert_eq!(
            plan_text(&fixtures::no_change(), false),
            format!("{NO_CHANGES}\n")
        );
    }

    #[test]
    fn summary_counts_replace_twice_and_names_start_stop() {
        let summary = Summary {
            replace: 1,
            update: 2,
            stop: 1,
            ..Summary::default()
        };
        assert_eq!(
            counts(&summary),
            "1 to add, 2 to change, 1 to destroy, 1 to stop."
        );
        let summary = Summary {
            stop: 1,
            ..Summary::default()
        };
        assert_eq!(
            counts(&summary),
            "0 to add, 0 to change, 0 to destroy, 1 to stop."
        );
    }

    #[test]
    fn secrets_left_in_a_plan_are_still_hidden() {
        let shown = plan_text(&fixtures::leaky_sensitive(), true);
        assert!(!shown.contains(fixtures::LEAKED_SECRET), "{shown}");
        assert!(shown.contains("(sensitive value)"));
    }

    fn strip_ansi(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                chars.by_ref().find(|c| *c == 'm');
            } else {
                out.push(c);
            }
        }
        out
    }
}
