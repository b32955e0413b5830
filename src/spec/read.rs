//! Finding the files of a stack: one `.toml` file, or every `*.toml` file directly in
//! a directory, in name order.

use std::path::{Path, PathBuf};

use super::error::SpecError;

/// A file of a stack, read but not parsed.
#[derive(Debug, Clone)]
pub struct StackFile {
    pub path: PathBuf,
    /// The name diagnostics show.
    pub name: String,
    pub text: String,
}

/// Reads the stack at `path`. Returns the stack's directory and its files.
pub(crate) fn read_stack_files(path: &Path) -> Result<(PathBuf, Vec<StackFile>), SpecError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        SpecError::plain(
            format!("cannot read stack `{}`: {}", path.display(), io_reason(&e)),
            None,
        )
    })?;

    if meta.is_file() {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        return Ok((dir, vec![read_file(path)?]));
    }

    let entries = std::fs::read_dir(path).map_err(|e| {
        let message = format!(
            "cannot list stack directory `{}`: {}",
            path.display(),
            io_reason(&e)
        );
        SpecError::plain(message, None)
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && is_stack_file(p))
        .collect();
    paths.sort();

    if paths.is_empty() {
        return Err(no_toml_files(path));
    }
    let files = paths
        .iter()
        .map(|p| read_file(p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((path.to_path_buf(), files))
}

/// Whether a `*.toml` entry of the directory is one of the stack's files. Anything but
/// a directory is, a broken link included: skipping a file that cannot be read would
/// plan to destroy what it declares, so reading it must fail loudly instead. Emacs's
/// lock files (`.#name.toml`, links to nowhere by design) are left out.
fn is_stack_file(path: &Path) -> bool {
    let lock = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with(".#"));
    !lock && !path.is_dir()
}

/// The largest stack file read. Stacks of a thousand groups are under 1 MiB; a file
/// far larger is a mistake (a link to `/dev/zero`, a log named `*.toml`), and reading
/// it whole would exhaust memory.
const MAX_FILE_BYTES: u64 = 16 << 20;

fn read_file(path: &Path) -> Result<StackFile, SpecError> {
    use std::io::Read;

    let name = display_name(path);
    let cannot = |e: std::io::Error| {
        SpecError::plain(format!("cannot read `{name}`: {}", io_reason(&e)), None)
    };
    // A FIFO or a device would block or never end: only regular files (through links).
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        let message = format!("`{name}` is not a regular file");
        let help = "a stack is made of regular `*.toml` files (or links to them)";
        return Err(SpecError::plain(message, Some(help.into())));
    }
    let too_large = || {
        let message = format!("`{name}` is larger than {} MiB", MAX_FILE_BYTES >> 20);
        SpecError::plain(message, Some("is it really a stack file?".into()))
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    let file = std::fs::File::open(path).map_err(cannot)?;
    // The size may have been wrong (a file still growing): never read past the limit.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let message = format!("`{name}` is not valid UTF-8 (at byte {at})");
        SpecError::plain(message, Some("stack files must be UTF-8 text".into()))
    })?;
    Ok(StackFile {
        path: path.to_path_buf(),
        name,
        text,
    })
}

/// A path as users type it: without a leading `./`.
fn display_name(path: &Path) -> String {
    let shown = path.strip_prefix(".").unwrap_or(path);
    shown.display().to_string()
}

/// The error for a directory without `*.toml` files; names the subdirectories that
/// are stacks, since `specs/examples` holds one stack per directory.
fn no_toml_files(path: &Path) -> SpecError {
    let mut stacks: Vec<String> = std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && has_toml(p))
        .map(|p| display_name(&p))
        .collect();
    stacks.sort();
    let help = match stacks.as_slice() {
        [] => "a stack is a directory of *.toml files, or one .toml file".to_string(),
        found => format!("these subdirectories are stacks: {}", found.join(", ")),
    };
    let message = format!("no .toml files in `{}`", display_name(path));
    SpecError::plain(message, Some(help))
}

fn has_toml(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .any(|e| e.path().extension().is_some_and(|x| x == "toml"))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string().to_lowercase(),
    }
}
