//! One resource's block of a plan, as lines shared by the text and markdown renderers.
//!
//! A block is the resource line (`  ~ container_group "web" {`), one or more lines per
//! changed attribute, the hidden-attribute count and the closing brace. Each line keeps
//! its nesting level and its action symbol apart from its content, so the text renderer
//! can put the symbol in Terraform's three-character column and the markdown renderer
//! can move it to column 0, where GitHub's `diff` highlighting looks for it.

use serde_json::Value;
use similar::{Algorithm, ChangeTag, capture_diff_slices, group_diff_ops};

use super::styled::{Style, Styled};
use super::value::{self, Lines};
use crate::plan::{Action, AttributeChange, ChangeKind, ResourceChange};

/// What secrets read as, whatever the plan holds for them.
pub(crate) const SENSITIVE: &str = "(sensitive value)";
/// What values the cloud assigns read as.
pub(crate) const KNOWN_AFTER_APPLY: &str = "(known after apply)";
/// Lines of context kept around each change of a multi-line value.
const CONTEXT_LINES: usize = 2;

/// The symbol of a line: Terraform's three-character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sym {
    Blank,
    Create,
    Update,
    Delete,
    Replace,
}

impl Sym {
    /// The symbol of a resource line for `action`; start and stop change `state` in place.
    pub(crate) fn of(action: Action) -> Sym {
        match action {
            Action::Create => Sym::Create,
            Action::Update | Action::Start | Action::Stop => Sym::Update,
            Action::Delete => Sym::Delete,
            Action::Replace => Sym::Replace,
            Action::NoOp => Sym::Blank,
        }
    }

    /// The three-character column.
    pub(crate) fn text(self) -> &'static str {
        match self {
            Sym::Blank => "   ",
            Sym::Create => "  +",
            Sym::Update => "  ~",
            Sym::Delete => "  -",
            Sym::Replace => "-/+",
        }
    }

    pub(crate) fn style(self) -> Style {
        match self {
            Sym::Blank => Style::Plain,
            Sym::Create => Style::Create,
            Sym::Update => Style::Update,
            Sym::Delete => Style::Delete,
            Sym::Replace => Style::Replace,
        }
    }

    /// The first character of a line in a markdown `diff` block: `+` and `-` colour as
    /// added and removed, `!` as changed.
    fn diff_marker(self) -> char {
        match self {
            Sym::Blank => ' ',
            Sym::Create => '+',
            Sym::Update | Sym::Replace => '!',
            Sym::Delete => '-',
        }
    }
}

/// One line of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    /// Nesting: 0 for the resource line, 1 for attributes, 2 for elements of a value.
    pub level: usize,
    pub sym: Sym,
    /// Already sanitized.
    pub content: Styled,
}

impl Line {
    fn new(level: usize, sym: Sym, content: Styled) -> Line {
        Line {
            level,
            sym,
            content,
        }
    }

    fn text(level: usize, sym: Sym, text: impl Into<String>) -> Line {
        let mut content = Styled::new();
        content.plain(text);
        Line::new(level, sym, content)
    }
}

/// The lines of `change`'s block, from the resource line to the closing brace.
pub(crate) fn block(change: &ResourceChange) -> Vec<Line> {
    let mut lines = vec![Line::text(
        0,
        Sym::of(change.action),
        resource_line(&change.address),
    )];

    let width = change
        .attributes
        .iter()
        .map(|a| value::sanitize(&a.path).chars().count());
    let width = width.max().unwrap_or(0);
    for attribute in &change.attributes {
        lines.extend(attribute_lines(change.action, attribute, width));
    }

    if change.unchanged_attributes > 0 {
        let n = change.unchanged_attributes;
        let mut hidden = Styled::new();
        hidden.push(
            Style::Dim,
            format!("# ({n} unchanged {} hidden)", plural(n, "attribute")),
        );
        lines.push(Line::new(1, Sym::Blank, hidden));
    }

    lines.push(Line::text(0, Sym::Blank, "}"));
    lines
}

/// `container_group "web" {` from `container_group.web`.
fn resource_line(address: &str) -> String {
    match address.split_once('.') {
        Some((kind, key)) => format!("{} {} {{", value::sanitize(kind), quoted(key)),
        None => format!("{} {{", quoted(address)),
    }
}

fn quoted(text: &str) -> String {
    value::inline(&Value::String(text.to_string()))
}

pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        noun.to_string()
    } else {
        format!("{noun}s")
    }
}

/// A value that is there: `None` for an absent value and for an explicit JSON `null`.
fn present(value: &Option<Value>) -> Option<&Value> {
    value.as_ref().filter(|v| !v.is_null())
}

/// One side of an attribute change as the block shows it.
#[derive(Debug, Clone, Copy)]
enum Side<'a> {
    Absent,
    Known(&'a Value),
    Unknown,
}

/// Before and after as shown: a create has no before and a delete no after, whatever
/// the attribute says, and an explicit JSON `null` counts as absent.
fn sides(action: Action, attribute: &AttributeChange) -> (Side<'_>, Side<'_>) {
    let before = match (action, present(&attribute.before)) {
        (Action::Create, _) | (_, None) => Side::Absent,
        (_, Some(v)) => Side::Known(v),
    };
    let after = match (action, present(&attribute.after)) {
        (Action::Delete, _) => Side::Absent,
        _ if attribute.known_after_apply => Side::Unknown,
        (_, None) => Side::Absent,
        (_, Some(v)) => Side::Known(v),
    };
    (before, after)
}

/// The lines of one attribute: one line, or an opening line, a line diff of the value
/// and a closing line when a value is too long for one line.
fn attribute_lines(action: Action, attribute: &AttributeChange, width: usize) -> Vec<Line> {
    let name = format!("{:<width$}", value::sanitize(&attribute.path));

    // A secret never reaches the output, even if the planner left a value in the plan.
    if attribute.sensitive {
        let (sym, text) = match (action, attribute.change) {
            (Action::Create, _) | (_, ChangeKind::Add) => (Sym::Create, SENSITIVE.to_string()),
            (Action::Delete, _) | (_, ChangeKind::Remove) => {
                (Sym::Delete, format!("{SENSITIVE} -> null"))
            }
            _ => (Sym::Update, SENSITIVE.to_string()),
        };
        return vec![single_line(sym, &name, &text, attribute.forces_replacement)];
    }

    let (before, after) = sides(action, attribute);
    if let Some(lines) = multi_line(&name, before, after, attribute.forces_replacement) {
        return lines;
    }

    let (sym, text) = match (before, after) {
        (Side::Known(b), Side::Known(a)) => (
            Sym::Update,
            format!("{} -> {}", value::inline(b), value::inline(a)),
        ),
        (Side::Known(b), Side::Unknown) => (
            Sym::Update,
            format!("{} -> {KNOWN_AFTER_APPLY}", value::inline(b)),
        ),
        (Side::Known(b), Side::Absent) => (Sym::Delete, format!("{} -> null", value::inline(b))),
        (_, Side::Known(a)) => (Sym::Create, value::inline(a)),
        (_, Side::Unknown) => (Sym::Create, KNOWN_AFTER_APPLY.to_string()),
        (_, Side::Absent) => (Sym::Update, "null".to_string()),
    };
    vec![single_line(sym, &name, &text, attribute.forces_replacement)]
}

fn single_line(sym: Sym, name: &str, text: &str, forces_replacement: bool) -> Line {
    let mut content = Styled::new();
    content.plain(format!("{name} = {text}"));
    if forces_replacement {
        content
            .plain(" ")
            .push(Style::Replace, "# forces replacement");
    }
    Line::new(1, sym, content)
}

/// The multi-line form, when either side is long and both sides (or the only side)
/// can be shown as lines of the same kind; `None` otherwise.
fn multi_line(name: &str, before: Side, after: Side, forces: bool) -> Option<Vec<Line>> {
    let (old, new, sym) = match (before, after) {
        (Side::Known(b), Side::Known(a)) if value::is_long(b) || value::is_long(a) => {
            (Some(value::lines(b)?), Some(value::lines(a)?), Sym::Update)
        }
        (Side::Absent, Side::Known(a)) if value::is_long(a) => {
            (None, Some(value::lines(a)?), Sym::Create)
        }
        (Side::Known(b), Side::Absent) if value::is_long(b) => {
            (Some(value::lines(b)?), None, Sym::Delete)
        }
        _ => return None,
    };
    let kind = old.as_ref().or(new.as_ref())?;
    if let (Some(o), Some(n)) = (&old, &new)
        && o.open != n.open
    {
        return None;
    }

    let open = kind.open;
    let close = if new.is_none() {
        format!("{} -> null", kind.close)
    } else {
        kind.close.into()
    };
    let mut lines = vec![single_line(sym, name, open, forces)];
    let empty = Vec::new();
    let old_body = old.as_ref().map_or(&empty, |l: &Lines| &l.body);
    let new_body = new.as_ref().map_or(&empty, |l: &Lines| &l.body);
    lines.extend(line_diff(old_body, new_body));
    lines.push(Line::text(1, Sym::Blank, close));
    Some(lines)
}

/// A unified line diff of two bodies with two lines of context; runs of unchanged
/// lines outside the context collapse to a count.
fn line_diff(old: &[String], new: &[String]) -> Vec<Line> {
    let groups = group_diff_ops(
        capture_diff_slices(Algorithm::Myers, old, new),
        CONTEXT_LINES,
    );

    let mut lines = Vec::new();
    let mut shown_until = 0;
    for group in &groups {
        let start = group.first().map_or(shown_until, |op| op.old_range().start);
        push_hidden_lines(&mut lines, start.saturating_sub(shown_until));
        for op in group {
            for change in op.iter_changes(old, new) {
                let sym = match change.tag() {
                    ChangeTag::Equal => Sym::Blank,
                    ChangeTag::Delete => Sym::Delete,
                    ChangeTag::Insert => Sym::Create,
                };
                lines.push(Line::text(2, sym, change.value()));
            }
            shown_until = op.old_range().end;
        }
    }
    push_hidden_lines(&mut lines, old.len().saturating_sub(shown_until));
    lines
}

fn push_hidden_lines(lines: &mut Vec<Line>, n: usize) {
    if n > 0 {
        let mut hidden = Styled::new();
        hidden.push(
            Style::Dim,
            format!("# ({n} unchanged {} hidden)", plural(n, "line")),
        );
        lines.push(Line::new(2, Sym::Blank, hidden));
    }
}

/// Writes `lines` as plan text: four spaces per level, the symbol column, a space.
pub(crate) fn write_text(lines: &[Line], out: &mut Styled) {
    for line in lines {
        out.plain("    ".repeat(line.level));
        out.push(line.sym.style(), line.sym.text());
        out.plain(" ");
        out.append(line.content.clone());
        out.newline();
    }
}

/// Writes `lines` for a markdown `diff` block: the symbol first, then the indentation.
pub(crate) fn write_diff(lines: &[Line], out: &mut String) {
    for line in lines {
        out.push(line.sym.diff_marker());
        out.push(' ');
        out.push_str(&"    ".repeat(line.level));
        out.push_str(&line.content.to_plain());
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attribute(path: &str, before: Option<Value>, after: Option<Value>) -> AttributeChange {
        AttributeChange {
            path: path.into(),
            change: ChangeKind::between(before.as_ref(), after.as_ref(), false),
            before,
            after,
            sensitive: false,
            known_after_apply: false,
            forces_replacement: false,
        }
    }

    fn text(lines: &[Line]) -> String {
        let mut out = Styled::new();
        write_text(lines, &mut out);
        out.to_plain()
    }

    #[test]
    fn attribute_forms_follow_terraform() {
        let cases = [
            (attribute("a", None, Some(json!("x"))), r#"      + a = "x""#),
            (
                attribute("a", Some(json!(1)), None),
                "      - a = 1 -> null",
            ),
            (
                attribute("a", Some(json!(1)), Some(json!(2.0))),
                "      ~ a = 1 -> 2",
            ),
            (
                attribute("a", Some(json!(null)), Some(json!(true))),
                "      + a = true",
            ),
        ];
        for (attr, expected) in cases {
            assert_eq!(
                text(&attribute_lines(Action::Update, &attr, 1)),
                format!("{expected}\n")
            );
        }
    }

    #[test]
    fn sensitive_values_never_show_even_when_present() {
        let mut attr = attribute("containers.web.secure_env.K", Some(json!("old")), None);
        attr.after = Some(json!("hunter2"));
        attr.sensitive = true;
        for action in [
            Action::Create,
            Action::Update,
            Action::Replace,
            Action::Delete,
        ] {
            let shown = text(&attribute_lines(action, &attr, 0));
            assert!(shown.contains(SENSITIVE), "{shown}");
            assert!(
                !shown.contains("hunter2") && !shown.contains("old"),
                "{shown}"
            );
        }
    }

    #[test]
    fn line_diff_hides_far_unchanged_lines() {
        let old: Vec<String> = (0..12).map(|i| format!("l{i}")).collect();
        let mut new = old.clone();
        new[6] = "changed".into();
        let shown = text(&line_diff(&old, &new));
        assert!(
            shown.starts_with("            # (4 unchanged lines hidden)\n"),
            "{shown}"
        );
        assert!(
            shown.contains("          - l6\n          + changed\n"),
            "{shown}"
        );
        assert!(
            shown.ends_with("            # (3 unchanged lines hidden)\n"),
            "{shown}"
        );
    }

    #[test]
    fn mixed_kinds_fall_back_to_one_line() {
        let long = json!(["a long element of an array", "another long element of it"]);
        let attr = attribute("a", Some(json!("short")), Some(long));
        let shown = text(&attribute_lines(Action::Update, &attr, 1));
        assert_eq!(shown.lines().count(), 1, "{shown}");
    }
}
