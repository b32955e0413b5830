//! Spec errors as miette diagnostics: one `SpecError` per mistake, all of a run
//! gathered in `SpecErrors`.
//!
//! Loading records `Issue`s (an origin, a message, labels, a help line) and turns them
//! into diagnostics only at the end, once sensitive literals are masked in the text the
//! diagnostics quote. Messages never quote a value that may be secret: they name
//! fields, and the label points at the source, where a secret literal shows as `***`.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};
use thiserror::Error;

use super::source::{Origin, SourceMap};

/// One mistake in a stack, with the file, the labelled span and an optional help line.
#[derive(Error, Diagnostic)]
#[error("{message}")]
pub struct SpecError {
    message: Box<str>,
    // Boxed parts keep the error small enough to pass around in `Result`s.
    #[source_code]
    src: Arc<NamedSource<Arc<str>>>,
    #[label(collection)]
    labels: Vec<LabeledSpan>,
    #[help]
    help: Option<Box<str>>,
    /// Labels that sit in other files than the first one.
    #[related]
    notes: Vec<SpecError>,
    origin: Option<Origin>,
}

impl SpecError {
    /// An error that points at no file (a path that cannot be read, a bad `--var`).
    pub fn plain(message: impl Into<String>, help: Option<String>) -> SpecError {
        SpecError {
            message: crate::terminal::sanitize(&message.into()).into(),
            src: Arc::new(NamedSource::new("", Arc::from(""))),
            labels: Vec::new(),
            help: help.map(|h| Box::from(crate::terminal::sanitize(&h))),
            notes: Vec::new(),
            origin: None,
        }
    }

    /// The headline, e.g. "unknown field `imagee` in a container".
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The help line, when there is one.
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// Where the error points first (None for errors outside any file).
    pub fn origin(&self) -> Option<&Origin> {
        self.origin.as_ref()
    }

    /// Every labelled origin of the error with its label, notes in other files included.
    pub fn label_origins(&self) -> Vec<(Origin, String)> {
        let mut out = Vec::new();
        if let Some(origin) = &self.origin {
            for l in &self.labels {
                let at = Origin::new(origin.file(), l.offset()..l.offset() + l.len());
                out.push((at, l.label().unwrap_or_default().to_string()));
            }
        }
        for note in &self.notes {
            out.extend(note.label_origins());
        }
        out
    }
}

impl fmt::Debug for SpecError {
    // Derived Debug would dump the whole source file, secrets included.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpecError")
            .field("message", &self.message)
            .field("file", &self.src.name())
            .field("labels", &self.labels)
            .field("help", &self.help)
            .field("notes", &self.notes)
            .finish()
    }
}

/// Every error of one load or graph build, sorted by file and position.
#[derive(Debug, Error, Diagnostic)]
#[error("{summary}")]
pub struct SpecErrors {
    summary: String,
    #[related]
    errors: Vec<SpecError>,
}

impl SpecErrors {
    /// Gathers errors; the summary counts them.
    pub fn new(mut errors: Vec<SpecError>) -> SpecErrors {
        errors.sort_by(|a, b| {
            a.origin
                .cmp(&b.origin)
                .then_with(|| a.message.cmp(&b.message))
        });
        let summary = match errors.len() {
            1 => "the stack has 1 error".to_string(),
            n => format!("the stack has {n} errors"),
        };
        SpecErrors { summary, errors }
    }

    /// The errors, in file and position order.
    pub fn errors(&self) -> &[SpecError] {
        &self.errors
    }

    /// Appends the errors of `other` (e.g. graph errors after load errors).
    pub fn extend(self, other: SpecErrors) -> SpecErrors {
        let mut all = self.errors;
        all.extend(other.errors);
        SpecErrors::new(all)
    }

    /// A report for the CLI: a single error shows on its own, several under a count.
    pub fn into_report(mut self) -> miette::Report {
        if self.errors.len() == 1
            && let Some(only) = self.errors.pop()
        {
            return miette::Report::new(only);
        }
        miette::Report::new(self)
    }
}

impl From<SpecError> for SpecErrors {
    fn from(err: SpecError) -> Self {
        SpecErrors::new(vec![err])
    }
}

/// A mistake found while loading, turned into a `SpecError` once sources are final.
#[derive(Debug, Clone)]
pub(crate) struct Issue {
    pub at: Origin,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    /// Further labelled places (e.g. the first definition of a duplicate).
    pub also: Vec<(Origin, String)>,
}

impl Issue {
    pub fn new(at: &Origin, message: impl Into<String>, label: impl Into<String>) -> Issue {
        Issue {
            at: at.clone(),
            message: message.into(),
            label: label.into(),
            help: None,
            also: Vec::new(),
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Issue {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Issue {
        self.help = help;
        self
    }

    pub fn also(mut self, at: &Origin, label: impl Into<String>) -> Issue {
        self.also.push((at.clone(), label.into()));
        self
    }

    /// Builds the diagnostic: labels in the primary file go on it, labels in other
    /// files become related notes.
    pub fn into_error(self, sources: &SourceMap) -> SpecError {
        // A note shows as a block of its own: its title says it is the same error.
        let continued = format!("{} (continued in another file)", self.message);
        let mut err = error_at(sources, &self.at, self.message, self.label, self.help);
        for (at, label) in self.also {
            if at.file() == self.at.file() {
                // An error whose line is too long to quote has no snippet to label.
                if !err.labels.is_empty() && !on_long_line(sources, &at) {
                    err.labels
                        .push(LabeledSpan::new_with_span(Some(label), span_of(&at)));
                }
            } else {
                let note = error_at(sources, &at, continued.clone(), label, None);
                err.notes.push(note);
            }
        }
        err
    }
}

/// Collects issues during a load.
#[derive(Debug, Default)]
pub(crate) struct Issues {
    list: Vec<Issue>,
}

impl Issues {
    pub fn push(&mut self, issue: Issue) {
        self.list.push(issue);
    }

    /// Appends the issues of another collection (e.g. of a file parsed on a thread).
    pub fn extend(&mut self, other: Issues) {
        self.list.extend(other.list);
    }

    /// Shorthand for an issue without help.
    pub fn at(&mut self, at: &Origin, message: impl Into<String>, label: impl Into<String>) {
        self.list.push(Issue::new(at, message, label));
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Turns every issue into a diagnostic against the (masked) sources.
    pub fn into_errors(self, sources: &SourceMap) -> Vec<SpecError> {
        self.list
            .into_iter()
            .map(|i| i.into_error(sources))
            .collect()
    }
}

/// A diagnostic with one primary label at `at`.
pub(crate) fn error_at(
    sources: &SourceMap,
    at: &Origin,
    message: String,
    label: String,
    help: Option<String>,
) -> SpecError {
    let (name, text) = match sources.file(at.file()) {
        Some(f) => (f.name.clone(), f.shown.clone()),
        None => (String::new(), Arc::from("")),
    };
    // Messages quote keys and names from the file: escapes in them must not act on
    // the terminal either.
    let clean = crate::terminal::sanitize;
    let mut error = SpecError {
        message: clean(&message).into(),
        src: Arc::new(NamedSource::new(name.clone(), text.clone())),
        labels: vec![LabeledSpan::new_primary_with_span(
            Some(clean(&label)),
            span_of(at),
        )],
        help: help.map(|h| Box::from(clean(&h))),
        notes: Vec::new(),
        origin: Some(at.clone()),
    };
    if on_long_line(sources, at) {
        // miette cannot draw a snippet that far to the right (it panics past column
        // 65,535), and nobody could read one: the place goes into the message instead.
        let (line, column) = line_and_column(&text, at.span().start);
        let place = format!("{name}, line {line}, column {column}");
        error.message = format!(
            "{} ({}: the line is too long to quote; {})",
            error.message,
            clean(&place),
            clean(&label)
        )
        .into();
        error.src = Arc::new(NamedSource::new(name, Arc::from("")));
        error.labels.clear();
    }
    error
}

/// Lines longer than this are not quoted in diagnostics.
const LONGEST_QUOTED_LINE: usize = 4096;

/// Whether `at` starts on a line longer than diagnostics quote.
fn on_long_line(sources: &SourceMap, at: &Origin) -> bool {
    let Some(file) = sources.file(at.file()) else {
        return false;
    };
    let text: &str = &file.shown;
    let start = at.span().start.min(text.len());
    let (before, after) = (
        text.get(..start).unwrap_or(""),
        text.get(start..).unwrap_or(""),
    );
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = after.find('\n').map_or(text.len(), |i| start + i);
    line_end - line_start > LONGEST_QUOTED_LINE
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn span_of(at: &Origin) -> SourceSpan {
    let span = at.span();
    SourceSpan::from((span.start, span.len()))
}

/// The closest of `candidates` to `word`, when one is close enough to be a likely
/// typo: Jaro-Winkler above 0.8, or a single edit (a swap counts as one) for short
/// names, where Jaro-Winkler is harsh (`tga` for `tag`).
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let lower = c.to_lowercase();
        let mut score = strsim::jaro_winkler(&word, &lower);
        if strsim::osa_distance(&word, &lower) <= 1 && word.len() >= 2 {
            score = score.max(0.81);
        }
        if score > 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// "did you mean `x`?" for the closest candidate, if any.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    suggest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// Renders a diagnostic as the CLI shows it without colour, at a fixed width: for
/// tests and snapshots.
pub fn render_plain(diagnostic: &dyn Diagnostic) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false);
    let mut out = String::new();
    let _ = handler.render_report(&mut out, diagnostic);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_pick_the_closest_name() {
        assert_eq!(
            suggest("imagee", ["name", "image", "command"]),
            Some("image")
        );
        assert_eq!(suggest("zzz", ["name", "image"]), None);
    }

    #[test]
    fn debug_does_not_dump_the_source() {
        let mut map = SourceMap::default();
        let id = map.add(
            std::path::Path::new("a"),
            "a".into(),
            "password = \"x1\"".into(),
        );
        let err = error_at(&map, &Origin::new(id, 0..8), "m".into(), "l".into(), None);
        assert!(!format!("{err:?}").contains("x1"));
    }
}
