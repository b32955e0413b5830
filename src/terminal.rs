//! Making untrusted text safe to print on a terminal. Spec files, ARM error messages
//! and names come from outside; a control character or a bidirectional override in
//! them could move the cursor, recolour the screen, set the window title or reorder a
//! line. Such characters are shown as escapes instead.

/// Whether `c` could act on a terminal rather than show as text.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character written as an escape (`\u{1b}`).
pub fn sanitize(text: &str) -> String {
    escape_unsafe(text, |_| false)
}

/// `sanitize`, keeping line breaks and tabs: for multi-line text such as logs.
pub fn sanitize_lines(text: &str) -> String {
    if is_plain_ascii(text) {
        return text.to_string();
    }
    escape_unsafe(text, |c| matches!(c, '\n' | '\t'))
}

fn escape_unsafe(text: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) && !keep(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` with every unsafe character replaced by a visible one of the same length in
/// bytes (line breaks and tabs kept), so byte offsets into it stay valid: for source
/// snippets whose labels are byte spans.
pub fn sanitize_same_length(text: &str) -> String {
    if is_plain_ascii(text) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\n' | '\r' | '\t') || !is_unsafe(c) {
            out.push(c);
            continue;
        }
        let fill = match c.len_utf8() {
            1 => "?",
            2 => "\u{bf}",
            3 => "\u{fffd}",
            _ => "????",
        };
        out.push_str(fill);
    }
    out
}

/// Whether `text` is printable ASCII with line breaks and tabs only: nothing to
/// escape (the common case, checked a byte at a time).
pub fn is_plain_ascii(text: &str) -> bool {
    text.bytes()
        .all(|b| (0x20..0x7f).contains(&b) || matches!(b, b'\n' | b'\r' | b'\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_overrides() {
        assert_eq!(sanitize("a\u{1b}[2Jb\u{202e}c"), "a\\u{1b}[2Jb\\u{202e}c");
        assert_eq!(sanitize("line\nnext"), "line\\nnext");
    }

    #[test]
    fn lines_keep_breaks_and_tabs_only() {
        assert_eq!(sanitize_lines("a\tb\nc"), "a\tb\nc");
        assert_eq!(
            sanitize_lines("x\u{1b}[2J\r\ny\u{202e}"),
            "x\\u{1b}[2J\\r\ny\\u{202e}"
        );
    }

    #[test]
    fn same_length_keeps_offsets_and_line_breaks() {
        let text = "a\u{1b}]0;x\u{7}\u{202e}\u{85}b\nc";
        let clean = sanitize_same_length(text);
        assert_eq!(clean.len(), text.len());
        assert!(!clean.chars().any(|c| is_unsafe(c) && c != '\n'));
        assert!(clean.ends_with("b\nc"));
    }
}
