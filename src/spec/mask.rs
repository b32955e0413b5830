//! Masking secrets in a file that does not parse. A TOML syntax error comes before
//! anything is known of the file's structure, so the values of sensitive fields cannot
//! be found exactly; instead every value on a line that may hold one (a sensitive key,
//! or any line inside a sensitive table) is masked in what diagnostics quote. Masking
//! too much is the safe side: the error's line and column still point at the spot.

use super::source::{FileId, Origin};

/// Field names whose values are sensitive, wherever they appear.
const SENSITIVE_KEYS: &[&str] = &[
    "secure_env",
    "password",
    "storage_account_key",
    "workspace_key",
    "secret",
];

/// Spans to mask on the lines of `text` that may hold a secret.
pub(crate) fn suspect_spans(file: FileId, text: &str) -> Vec<Origin> {
    let mut spans = Vec::new();
    let mut in_sensitive_table = false;
    // The delimiter of a multi-line string opened on a sensitive line: every line up
    // to the one that closes it is masked whole.
    let mut open_string: Option<&str> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(delim) = open_string {
            spans.extend(value_spans(line, offset, file));
            if line.contains(delim) {
                open_string = None;
            }
        } else if trimmed.starts_with('[') {
            in_sensitive_table = names_sensitive_key(trimmed);
        } else if let Some(eq) = line.find('=') {
            let key = &line[..eq];
            let value = &line[eq + 1..];
            if in_sensitive_table || names_sensitive_key(key) || names_sensitive_key(value) {
                spans.extend(value_spans(value, offset + eq + 1, file));
                open_string = opens_multiline(value);
            }
        } else if in_sensitive_table {
            spans.extend(value_spans(line, offset, file));
        }
        offset += line.len();
    }
    spans
}

/// The delimiter of a multi-line string left open at the end of `part`, if any.
fn opens_multiline(part: &str) -> Option<&'static str> {
    ["\"\"\"", "\'\'\'"]
        .into_iter()
        .find(|delim| part.matches(delim).count() % 2 == 1)
}

/// Whether `text` names a sensitive key as one of its dotted or bare words.
fn names_sensitive_key(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|word| SENSITIVE_KEYS.contains(&word))
}

/// The runs of value characters in `part` (everything but structure and spaces), so
/// keys of inline tables are masked too: over-masking is harmless.
fn value_spans(part: &str, base: usize, file: FileId) -> Vec<Origin> {
    let is_structure = |c: char| c.is_whitespace() || "{}[],=".contains(c);
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in part.char_indices() {
        match (start, is_structure(c)) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                spans.push(Origin::new(file, base + s..base + i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push(Origin::new(file, base + s..base + part.len()));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        let mut out = text.to_string().into_bytes();
        for at in suspect_spans(FileId(0), text) {
            for b in &mut out[at.span()] {
                *b = b'*';
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn values_of_sensitive_keys_are_masked_and_others_kept() {
        let text = "image = \"nginx\"\nsecure_env = { PW = \"s3cr3t\", PW = \"x\" }\n";
        assert_eq!(
            masked(text),
            "image = \"nginx\"\nsecure_env = { ** = ********, ** = *** }\n"
        );
    }

    #[test]
    fn lines_inside_a_sensitive_table_are_masked() {
        let text = "[container_group.w.containers.secure_env]\nPW = \"open sesame\nimage = 1\n";
        let out = masked(text);
        assert!(
            !out.contains("open sesame") && !out.contains("sesame"),
            "{out}"
        );
        assert!(out.starts_with("[container_group.w.containers.secure_env]\nPW = "));
    }

    #[test]
    fn a_multi_line_secret_is_masked_to_its_end() {
        let text =
            "secure_env = { A = \"\"\"line one\nline two\nline three\"\"\" }\nimage = \"x\"\n";
        let out = masked(text);
        assert!(!out.contains("line"), "{out}");
        assert!(out.ends_with("image = \"x\"\n"), "{out}");
    }

    #[test]
    fn dotted_keys_count() {
        let out = masked("password.x = \"hunter2\"\n");
        assert!(!out.contains("hunter2"), "{out}");
    }
}
