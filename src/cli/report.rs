//! The error a command returns, and how it is shown: jj's layout of `Error:`, numbered
//! `Caused by:` lines and a `Hint:`; spec errors keep miette's source snippets.

use std::fmt;

/// What a command failed with. Every variant is printed to stderr and exits 1.
pub enum CliError {
    /// A diagnostic with source spans (spec errors), rendered by miette.
    Diagnostic(miette::Report),
    /// A plain error: a headline, its causes (outermost first) and an optional hint.
    Message {
        message: String,
        causes: Vec<String>,
        hint: Option<String>,
    },
}

impl CliError {
    /// An error with only a headline.
    pub fn msg(message: impl Into<String>) -> Self {
        CliError::Message {
            message: message.into(),
            causes: Vec::new(),
            hint: None,
        }
    }

    /// An error built from a source chain: the error's Display is the headline and each
    /// `source()` becomes a numbered cause.
    pub fn chain(err: &(dyn std::error::Error + 'static)) -> Self {
        let mut causes = Vec::new();
        let mut next = err.source();
        while let Some(cause) = next {
            causes.push(cause.to_string());
            next = cause.source();
        }
        CliError::Message {
            message: err.to_string(),
            causes,
            hint: None,
        }
    }

    /// An error with a headline of ours, caused by `err` and its chain.
    pub fn context(message: impl Into<String>, err: &(dyn std::error::Error + 'static)) -> Self {
        let mut causes = vec![err.to_string()];
        let mut next = err.source();
        while let Some(cause) = next {
            causes.push(cause.to_string());
            next = cause.source();
        }
        CliError::Message {
            message: message.into(),
            causes,
            hint: None,
        }
    }

    /// Adds a hint (replacing any earlier one); diagnostics keep their own help.
    pub fn with_hint(mut self, text: impl Into<String>) -> Self {
        if let CliError::Message { hint, .. } = &mut self {
            *hint = Some(text.into());
        }
        self
    }
}

impl From<miette::Report> for CliError {
    fn from(report: miette::Report) -> Self {
        CliError::Diagnostic(report)
    }
}

impl fmt::Debug for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Diagnostic(r) => write!(f, "{r:?}"),
            CliError::Message {
                message,
                causes,
                hint,
            } => f
                .debug_struct("CliError")
                .field("message", message)
                .field("causes", causes)
                .field("hint", hint)
                .finish(),
        }
    }
}

/// Renders a plain error as text without colour; the caller decides on styling.
pub(crate) fn render_message(message: &str, causes: &[String], hint: Option<&str>) -> String {
    unsafe_free(&render_lines(message, causes, hint))
}

/// Escapes what could act on a terminal in every line (errors quote ARM's messages
/// and names from outside), keeping the line breaks.
fn unsafe_free(text: &str) -> String {
    let lines: Vec<String> = text.split('\n').map(crate::terminal::sanitize).collect();
    lines.join("\n")
}

fn render_lines(message: &str, causes: &[String], hint: Option<&str>) -> String {
    let mut text = format!("Error: {message}\n");
    match causes {
        [] => {}
        [only] => text.push_str(&format!("Caused by: {only}\n")),
        many => {
            text.push_str("Caused by:\n");
            for (i, cause) in many.iter().enumerate() {
                text.push_str(&format!("{}: {cause}\n", i + 1));
            }
        }
    }
    if let Some(hint) = hint {
        text.push_str(&format!("Hint: {hint}\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_in_messages_are_shown_not_acted_on() {
        let text = render_message("bad \u{1b}]0;pwned\u{7}", &["a\nb\u{202e}".into()], None);
        assert_eq!(
            text,
            "Error: bad \\u{1b}]0;pwned\\u{7}\nCaused by: a\nb\\u{202e}\n"
        );
    }

    #[test]
    fn one_cause_reads_on_one_line() {
        let text = render_message("apply failed", &["quota exceeded".into()], Some("ask"));
        assert_eq!(
            text,
            "Error: apply failed\nCaused by: quota exceeded\nHint: ask\n"
        );
    }

    #[test]
    fn several_causes_are_numbered() {
        let text = render_message("a", &["b".into(), "c".into()], None);
        assert_eq!(text, "Error: a\nCaused by:\n1: b\n2: c\n");
    }
}
