//! The plan as markdown for pull-request comments: the summary as a heading, a table of
//! changed resources, then each resource's block in a ```` ```diff ```` fence so GitHub
//! colours added, removed and changed lines.
//!
//! Anything from the plan that lands in markdown is escaped for where it lands: table
//! cells cannot break the table, code spans and fences cannot be closed early.

use super::block;
use super::text::{counts, heading};
use super::value;
use crate::plan::{Plan, TargetKind};

/// The plan as GitHub-flavoured markdown.
pub fn plan_markdown(plan: &Plan) -> String {
    let mut out = String::new();
    let stack = code_span(&plan.stack);
    let target = match plan.target.kind {
        TargetKind::Local => "local",
        TargetKind::Endpoint => "endpoint",
        TargetKind::Azure => "azure",
    };

    if !plan.has_changes() {
        out.push_str("### No changes\n\n");
        out.push_str(&format!(
            "Live state matches the stack {stack} (target {target}).\n"
        ));
        return out;
    }

    out.push_str(&format!("### Plan: {}\n\n", counts(&plan.summary)));
    out.push_str(&format!("Stack {stack}, target {target}.\n\n"));

    out.push_str("| Address | Action | Reason |\n| --- | --- | --- |\n");
    let changes: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| c.action.is_change())
        .collect();
    for change in &changes {
        let action = serde_json::to_value(change.action)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let reasons = change.reasons.join("; ");
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            table_cell(&change.address),
            table_cell(&action),
            table_cell(&reasons)
        ));
    }

    for change in changes {
        let title = format!("{} {}", code_span(&change.address), heading(change.action));
        let mut body = String::new();
        block::write_diff(&block::block(change), &mut body);
        let fence = "`".repeat(longest_backtick_run(&body).max(2) + 1);
        out.push_str(&format!("\n#### {title}\n\n{fence}diff\n{body}{fence}\n"));
    }
    out
}

/// Text safe inside a table cell: no pipe, backtick, HTML or line break can act.
fn table_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in value::sanitize(&text.replace(['\r', '\n'], " ")).chars() {
        match c {
            '\\' | '|' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// `text` as an inline code span whose delimiters outnumber any backtick run inside it.
fn code_span(text: &str) -> String {
    let text = value::sanitize(&text.replace(['\r', '\n'], " "));
    let ticks = "`".repeat(longest_backtick_run(&text) + 1);
    if text.starts_with('`') || text.ends_with('`') {
        format!("{ticks} {text} {ticks}")
    } else {
        format!("{ticks}{text}{ticks}")
    }
}

fn longest_backtick_run(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures;

    #[test]
    fn snapshots() {
        for (name, plan) in fixtures::all() {
            insta::assert_snapshot!(format!("markdown_{name}"), plan_markdown(&plan));
        }
    }

    #[test]
    fn table_cells_cannot_break_the_table() {
        assert_eq!(table_cell("a|b `c`\nd <e>"), r"a\|b \`c\` d &lt;e&gt;");
        assert_eq!(table_cell(r"back\slash"), r"back\\slash");
    }

    #[test]
    fn code_spans_and_fences_outlast_backticks_inside() {
        assert_eq!(code_span("web"), "`web`");
        assert_eq!(code_span("a``b"), "```a``b```");
        assert_eq!(code_span("`x"), "`` `x ``");

        let mut plan = fixtures::update_in_place();
        plan.changes[0].attributes[0].after = Some(serde_json::json!("```` fence"));
        let shown = plan_markdown(&plan);
        assert!(shown.contains("`````diff\n"), "{shown}");
    }

    #[test]
    fn reasons_land_in_the_table_escaped() {
        let mut plan = fixtures::update_in_place();
        plan.changes[0].reasons = vec!["a | b".into(), "`c`".into()];
        let shown = plan_markdown(&plan);
        assert!(
            shown.contains(r"| container_group.web | update | a \| b; \`c\` |"),
            "{shown}"
        );
    }

    #[test]
    fn secrets_left_in_a_plan_are_still_hidden() {
        let shown = plan_markdown(&fixtures::leaky_sensitive());
        assert!(!shown.contains(fixtures::LEAKED_SECRET), "{shown}");
        assert!(shown.contains("(sensitive value)"));
    }
}
