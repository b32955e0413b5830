//! The files of a stack and the places inside them: `SourceMap` owns every file's text,
//! `Origin` names a byte range in one of them, `Located<T>` ties a value to its origin.
//!
//! Diagnostics are built from these at the very end of a load, so that the text they
//! quote can have sensitive literals masked first (see `SourceMap::mask`).

use std::ops::{Deref, Range};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in a `SourceMap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub(crate) u32);

impl FileId {
    /// The position of the file in its `SourceMap` (the order files were read in).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where a spec value came from: a file and a byte range in it.
///
/// Every resource, container, volume and field that a later error may blame carries
/// one, so that planning errors can point at the line the user wrote.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    file: FileId,
    start: usize,
    end: usize,
}

impl Origin {
    /// An origin in `file` covering `span`.
    pub fn new(file: FileId, span: Range<usize>) -> Origin {
        Origin {
            file,
            start: span.start,
            end: span.end.max(span.start),
        }
    }

    /// The file this origin is in.
    pub fn file(&self) -> FileId {
        self.file
    }

    /// The byte range in the file.
    pub fn span(&self) -> Range<usize> {
        self.start..self.end
    }

    /// A sub-range of this origin, given relative to its start (clamped to it).
    pub(crate) fn narrow(&self, rel: Range<usize>) -> Origin {
        let start = (self.start + rel.start).min(self.end);
        let end = (self.start + rel.end).clamp(start, self.end);
        Origin {
            file: self.file,
            start,
            end,
        }
    }
}

/// A value with the origin it was read from. Dereferences to the value; equality and
/// ordering look at the value only, so two ports read from different lines compare
/// equal when they are the same port.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Located<T> {
    /// Ties `value` to `origin`.
    pub fn new(value: T, origin: Origin) -> Self {
        Located { value, origin }
    }
}

impl<T> Deref for Located<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: PartialEq> PartialEq for Located<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Located<T> {}

/// One file of a stack.
#[derive(Clone)]
pub struct SourceFile {
    /// The path as it was found (joined onto the path the user gave).
    pub path: PathBuf,
    /// The name diagnostics show: the path as the user would type it.
    pub name: String,
    /// The file's text.
    pub text: Arc<str>,
    /// The text diagnostics quote: `text` with sensitive literals replaced by `*`,
    /// byte for byte, so every span stays valid.
    pub(crate) shown: Arc<str>,
}

impl std::fmt::Debug for SourceFile {
    // The text may hold literal secrets: Debug shows only the name and size.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceFile")
            .field("name", &self.name)
            .field("bytes", &self.text.len())
            .finish()
    }
}

/// Every file of a stack, by `FileId`.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Adds a file and returns its id.
    pub fn add(&mut self, path: &Path, name: String, text: String) -> FileId {
        let text: Arc<str> = Arc::from(text);
        let id = FileId(self.files.len() as u32);
        // What diagnostics quote: escape sequences in the file must not act on the
        // terminal (byte offsets stay as they are).
        let shown = if crate::terminal::is_plain_ascii(&text) {
            text.clone()
        } else {
            Arc::from(crate::terminal::sanitize_same_length(&text))
        };
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            name: crate::terminal::sanitize(&name),
            shown,
            text,
        });
        id
    }

    /// The file with this id.
    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// All files, in the order they were read (sorted by name for a directory).
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// The source text under an origin, or "" when the origin is out of range.
    pub fn slice(&self, at: &Origin) -> &str {
        self.file(at.file)
            .and_then(|f| f.text.get(at.span()))
            .unwrap_or("")
    }

    /// Masks the bytes of every span of `all` in the text that diagnostics quote (line
    /// breaks are kept so line numbers do not move), in one pass per file: a stack of a
    /// thousand groups has a thousand secrets, and copying the file once per secret
    /// would be quadratic.
    pub(crate) fn mask_all(&mut self, all: &[Origin]) {
        for (index, file) in self.files.iter_mut().enumerate() {
            let mine = all.iter().filter(|at| at.file.0 as usize == index);
            let mut bytes: Option<Vec<u8>> = None;
            for at in mine {
                let Some(part) = file.shown.get(at.span()) else {
                    continue;
                };
                if part.is_empty() {
                    continue;
                }
                let bytes = bytes.get_or_insert_with(|| file.shown.as_bytes().to_vec());
                // Every byte of the span becomes `*` except line breaks: the result is
                // still UTF-8 (spans start and end on character boundaries) and every
                // offset stays where it was.
                for b in &mut bytes[at.span()] {
                    if *b != b'\n' && *b != b'\r' {
                        *b = b'*';
                    }
                }
            }
            if let Some(bytes) = bytes
                && let Ok(text) = String::from_utf8(bytes)
            {
                file.shown = Arc::from(text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_offsets_and_lines() {
        let mut map = SourceMap::default();
        let id = map.add(
            Path::new("a.toml"),
            "a.toml".into(),
            "k = \"sé\ncret\"\n".into(),
        );
        let at = Origin::new(id, 5..13);
        map.mask_all(std::slice::from_ref(&at));
        let file = map.file(id).unwrap();
        assert_eq!(file.shown.len(), file.text.len());
        assert_eq!(&*file.shown, "k = \"***\n****\"\n");
        assert_eq!(map.slice(&at), "sé\ncret");
    }

    #[test]
    fn narrowing_stays_inside() {
        let at = Origin::new(FileId(0), 10..20);
        assert_eq!(at.narrow(2..5).span(), 12..15);
        assert_eq!(at.narrow(8..50).span(), 18..20);
    }
}
