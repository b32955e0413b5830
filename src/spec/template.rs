//! The `${…}` syntax of string values: splitting a string into literal runs and
//! expressions, and mapping positions in the decoded string back to the source.
//!
//! `$${` is a literal `${`; a `$` not followed by `{` is an ordinary character.
//! Evaluating expressions is `scope.rs`'s job.

use std::ops::Range;

/// A piece of a template string; ranges are byte ranges in the decoded string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment<'s> {
    /// Literal text (with `$${` already turned into `${`).
    Lit { text: String, range: Range<usize> },
    /// `${body}`; `range` covers the `${` and `}`.
    Expr { body: &'s str, range: Range<usize> },
}

/// An unterminated `${`, at the byte range from `${` to the end of the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unterminated(pub Range<usize>);

/// Splits a decoded string into literal runs and `${…}` expressions.
pub(crate) fn parse_template(s: &str) -> Result<Vec<Segment<'_>>, Unterminated> {
    let mut segments = Vec::new();
    let mut lit = String::new();
    let mut lit_start = 0;
    let mut i = 0;

    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with("$${") {
            lit.push_str("${");
            i += 3;
        } else if rest.starts_with("${") {
            let close = rest.find('}').ok_or(Unterminated(i..s.len()))?;
            if !lit.is_empty() {
                let text = std::mem::take(&mut lit);
                segments.push(Segment::Lit {
                    text,
                    range: lit_start..i,
                });
            }
            segments.push(Segment::Expr {
                body: &rest[2..close],
                range: i..i + close + 1,
            });
            i += close + 1;
            lit_start = i;
        } else {
            // Copy up to the next `$` in one go (after the first character, which may
            // be a `$` itself or a multi-byte character).
            let first = rest.chars().next().map_or(1, char::len_utf8);
            let next = rest[first..].find('$').map_or(rest.len(), |n| n + first);
            lit.push_str(&rest[..next]);
            i += next;
        }
    }

    if !lit.is_empty() {
        segments.push(Segment::Lit {
            text: lit,
            range: lit_start..s.len(),
        });
    }
    Ok(segments)
}

/// Where the decoded string starts inside the source text of a TOML string value,
/// when every decoded byte sits at the same offset in the source (no escapes): then
/// positions inside the string can be labelled exactly. `raw` is the value's source
/// text, quotes included.
pub(crate) fn exact_offset(raw: &str, decoded: &str) -> Option<usize> {
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| raw.starts_with(q))?;
    let inner = raw.strip_prefix(quote)?.strip_suffix(quote)?;
    if inner == decoded {
        return Some(quote.len());
    }
    // A line break right after an opening triple quote is not part of the value.
    for newline in ["\n", "\r\n"] {
        if quote.len() == 3 && inner.strip_prefix(newline) == Some(decoded) {
            return Some(quote.len() + newline.len());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(text: &str, range: Range<usize>) -> Segment<'static> {
        Segment::Lit {
            text: text.into(),
            range,
        }
    }

    #[test]
    fn splits_literals_and_expressions() {
        let segs = parse_template("nginx:${vars.tag}-x").unwrap();
        assert_eq!(
            segs,
            vec![
                lit("nginx:", 0..6),
                Segment::Expr {
                    body: "vars.tag",
                    range: 6..17
                },
                lit("-x", 17..19),
            ]
        );
    }

    #[test]
    fn double_dollar_is_a_literal() {
        assert_eq!(
            parse_template("a$${b}$c").unwrap(),
            vec![lit("a${b}$c", 0..8)]
        );
        assert_eq!(parse_template("$").unwrap(), vec![lit("$", 0..1)]);
    }

    #[test]
    fn unterminated_expressions_are_reported() {
        assert_eq!(parse_template("ab${vars.x"), Err(Unterminated(2..10)));
    }

    #[test]
    fn multibyte_text_keeps_boundaries() {
        let segs = parse_template("é$ü${env.X}").unwrap();
        assert_eq!(segs[0], lit("é$ü", 0..5));
    }

    #[test]
    fn exact_offsets_only_without_escapes() {
        assert_eq!(exact_offset("\"abc\"", "abc"), Some(1));
        assert_eq!(exact_offset("'''\nabc'''", "abc"), Some(4));
        assert_eq!(exact_offset("\"a\\tb\"", "a\tb"), None);
    }
}
