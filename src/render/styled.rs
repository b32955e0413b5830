//! The markup layer: text as spans tagged with a meaning, resolved to plain text or ANSI
//! colour only at the very end.
//!
//! Renderers never write escape codes themselves. They say "this span is a create symbol"
//! and the caller decides, once, whether colour is wanted. Tests compare the plain form,
//! so a colour tweak never churns a snapshot. Making span text safe for a terminal is the
//! builders' job (see `value::sanitize`); this layer only joins and colours.

use std::fmt::Write as _;

/// What a span means; the colour follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// No styling.
    Plain,
    /// Something created: green.
    Create,
    /// Something changed in place (also start and stop): yellow.
    Update,
    /// Something destroyed: red.
    Delete,
    /// Something replaced, or the reason for it: magenta.
    Replace,
    /// Secondary information such as hidden counts: dimmed.
    Dim,
    /// Headings: bold.
    Bold,
}

impl Style {
    /// The terminal style of this meaning, or `None` for plain text.
    fn ansi(self) -> Option<owo_colors::Style> {
        let base = owo_colors::Style::new();
        match self {
            Style::Plain => None,
            Style::Create => Some(base.green()),
            Style::Update => Some(base.yellow()),
            Style::Delete => Some(base.red()),
            Style::Replace => Some(base.magenta()),
            Style::Dim => Some(base.dimmed()),
            Style::Bold => Some(base.bold()),
        }
    }
}

/// A buffer of styled spans. Newlines are plain spans of their own, so colour never
/// runs across a line break.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Styled {
    spans: Vec<(Style, String)>,
}

impl Styled {
    /// An empty buffer.
    pub fn new() -> Styled {
        Styled::default()
    }

    /// Appends `text` with `style`. Empty text is dropped.
    pub fn push(&mut self, style: Style, text: impl Into<String>) -> &mut Styled {
        let text = text.into();
        if !text.is_empty() {
            self.spans.push((style, text));
        }
        self
    }

    /// Appends unstyled text.
    pub fn plain(&mut self, text: impl Into<String>) -> &mut Styled {
        self.push(Style::Plain, text)
    }

    /// Ends the current line.
    pub fn newline(&mut self) -> &mut Styled {
        self.push(Style::Plain, "\n")
    }

    /// Appends every span of `other`.
    pub fn append(&mut self, other: Styled) -> &mut Styled {
        self.spans.extend(other.spans);
        self
    }

    /// The spans, in order.
    pub fn spans(&self) -> &[(Style, String)] {
        &self.spans
    }

    /// The text without any styling.
    pub fn to_plain(&self) -> String {
        self.spans.iter().map(|(_, text)| text.as_str()).collect()
    }

    /// The text with ANSI colour codes around every styled span.
    pub fn to_ansi(&self) -> String {
        let mut out = String::new();
        for (style, text) in &self.spans {
            match style.ansi() {
                // Writing to a String cannot fail.
                Some(ansi) => {
                    let _ = write!(out, "{}", ansi.style(text));
                }
                None => out.push_str(text),
            }
        }
        out
    }

    /// Plain text, or ANSI-coloured text when `color` is true.
    pub fn render(&self, color: bool) -> String {
        if color {
            self.to_ansi()
        } else {
            self.to_plain()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Styled {
        let mut s = Styled::new();
        s.push(Style::Create, "  +").plain(" name").newline();
        s.push(Style::Dim, "# hidden").push(Style::Plain, "");
        s
    }

    #[test]
    fn plain_rendering_has_no_escape_codes() {
        let text = sample().render(false);
        assert_eq!(text, "  + name\n# hidden");
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn colour_rendering_wraps_styled_spans_only() {
        let text = sample().render(true);
        assert!(text.contains("\x1b[32m  +\x1b[0m"), "{text:?}");
        assert!(text.contains("\x1b[2m# hidden\x1b[0m"), "{text:?}");
        assert!(text.contains(" name\n"));
    }

    #[test]
    fn empty_text_adds_no_span() {
        let mut s = Styled::new();
        s.push(Style::Bold, "");
        assert!(s.spans().is_empty());
    }
}
