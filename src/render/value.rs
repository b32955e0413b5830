//! JSON values as a plan shows them: inline when short, as lines when long, and always
//! safe to print on a terminal.
//!
//! Values come from the spec and from the cloud, so any string may hold escape
//! sequences. Everything that reaches a renderer's output as text passes through
//! [`sanitize`] (directly or through [`inline`]), which makes terminal control
//! characters and bidirectional overrides visible instead of letting them act.

use serde_json::{Number, Value};

/// Arrays and objects whose inline form is longer than this are shown one element per
/// line. Fixed, so renderings do not depend on the terminal.
pub(crate) const MAX_INLINE: usize = 60;

/// A value shown one element per line between an opening and a closing token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lines {
    /// Printed after `name = `: `[`, `{` or `<<-EOT`.
    pub open: &'static str,
    /// One entry per element, key or line of text, already sanitized.
    pub body: Vec<String>,
    /// Printed on its own line at the end: `]`, `}` or `EOT`.
    pub close: &'static str,
}

/// Escapes control characters and bidirectional overrides so they show up as text
/// (`\u{1b}`) instead of moving the cursor, recolouring or reordering the line.
pub(crate) fn sanitize(text: &str) -> String {
    crate::terminal::sanitize(text)
}

/// The one-line form: strings quoted and escaped, whole numbers without a fraction,
/// arrays as `["a", "b"]`, objects as TOML-like inline tables `{ key = 1 }`.
pub(crate) fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::String(s) => quote(s),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) if map.is_empty() => "{}".to_string(),
        Value::Object(map) => {
            let pairs: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{} = {}", key(k), inline(v)))
                .collect();
            format!("{{ {} }}", pairs.join(", "))
        }
    }
}

/// A number as written in a spec: `1` rather than `1.0`, `0.5` as is.
fn number(n: &Number) -> String {
    match n.as_f64() {
        // Integers are exact already; only floats may carry a `.0` the user never wrote.
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        Some(f) if n.is_f64() => format!("{f}"),
        _ => n.to_string(),
    }
}

/// A JSON string literal, with whatever JSON leaves unescaped made safe too.
fn quote(s: &str) -> String {
    sanitize(&Value::String(s.to_string()).to_string())
}

/// An object key: bare when it is a plain identifier, quoted otherwise.
fn key(k: &str) -> String {
    let bare = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c));
    if bare { k.to_string() } else { quote(k) }
}

/// Whether `value` reads better one element per line: a string with a line break, or
/// an array or object too long to fit inline.
pub(crate) fn is_long(value: &Value) -> bool {
    match value {
        Value::String(s) => s.trim_end_matches('\n').contains('\n'),
        Value::Array(_) | Value::Object(_) => inline(value).chars().count() > MAX_INLINE,
        _ => false,
    }
}

/// The one-element-per-line form of a string, array or object; `None` for the rest.
pub(crate) fn lines(value: &Value) -> Option<Lines> {
    match value {
        Value::String(s) => {
            let text = s.strip_suffix('\n').unwrap_or(s);
            let body = text.split('\n').map(sanitize).collect();
            Some(Lines {
                open: "<<-EOT",
                body,
                close: "EOT",
            })
        }
        Value::Array(items) => {
            let body = items.iter().map(|v| format!("{},", inline(v))).collect();
            Some(Lines {
                open: "[",
                body,
                close: "]",
            })
        }
        Value::Object(map) => {
            let body = map
                .iter()
                .map(|(k, v)| format!("{} = {}", key(k), inline(v)))
                .collect();
            Some(Lines {
                open: "{",
                body,
                close: "}",
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_read_as_written() {
        assert_eq!(inline(&json!(1.0)), "1");
        assert_eq!(inline(&json!(1.5)), "1.5");
        assert_eq!(inline(&json!(0.1)), "0.1");
        assert_eq!(inline(&json!(80)), "80");
        assert_eq!(inline(&json!(-3)), "-3");
    }

    #[test]
    fn short_containers_are_inline() {
        let value = json!({ "path": "/healthz", "port": 80, "odd key": [1, "a"] });
        assert_eq!(
            inline(&value),
            r#"{ "odd key" = [1, "a"], path = "/healthz", port = 80 }"#
        );
        assert_eq!(inline(&json!([])), "[]");
        assert_eq!(inline(&json!({})), "{}");
        assert!(!is_long(&value));
    }

    #[test]
    fn long_values_become_lines() {
        let long = json!([
            "/bin/sh",
            "-c",
            "exec nginx -g 'daemon off;' && echo a long tail"
        ]);
        assert!(is_long(&long));
        let shown = lines(&long).expect("an array has lines");
        assert_eq!(shown.open, "[");
        assert_eq!(shown.body[0], r#""/bin/sh","#);

        let text = json!("line one\nline two\n");
        assert!(is_long(&text));
        assert_eq!(
            lines(&text).expect("a string").body,
            ["line one", "line two"]
        );
        assert!(!is_long(&json!("one line\n")));
    }

    #[test]
    fn terminal_escapes_are_made_visible() {
        let evil = json!("red\u{1b}[31m\u{9b}2J\u{202e}txt");
        let shown = inline(&evil);
        assert!(!shown.chars().any(crate::terminal::is_unsafe), "{shown}");
        assert_eq!(shown, r#""red\u001b[31m\u{9b}2J\u{202e}txt""#);
        assert_eq!(sanitize("a\tb\u{7f}"), r"a\tb\u{7f}");
    }
}
