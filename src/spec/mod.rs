//! The spec language: TOML stacks read with spans, `${…}` substitution, ACI's rules
//! checked up front, and every mistake reported as a miette diagnostic pointing at the
//! line the user wrote. No network is involved.
//!
//! `load_stack` is the entry point: it reads a directory of `*.toml` files (or one
//! file), merges them, substitutes variables and environment values, resolves names
//! and locations, applies the defaults SPEC.md fixes and checks every rule, collecting
//! every error it can. What it returns (`Stack`) is what the graph, the planner and the
//! executor work from; references that only exist after apply stay in `Text`s.

mod address;
mod decode;
mod decode_container;
mod decode_group;
mod decode_parts;
mod error;
mod load;
mod mask;
mod model;
mod read;
mod resolve;
mod rules;
mod scope;
mod skeleton;
mod source;
mod stack_table;
mod template;
mod text;
mod walk;

use std::collections::BTreeMap;
use std::path::Path;

pub use address::{Address, AddressError, ResourceKind, is_valid_key};
pub(crate) use error::Issue;
pub use error::{SpecError, SpecErrors, render_plain, suggest};
pub use load::{load_files, load_files_early};
pub use model::*;
pub use read::StackFile;
pub use skeleton::Skeleton;
pub use source::{FileId, Located, Origin, SourceFile, SourceMap};
pub use stack_table::parse_var_overrides;
pub use text::{Part, Reference, Text};

/// What a load needs besides the files: `--var` overrides and the environment.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--var` overrides, in the order given.
    pub vars: Vec<(String, String)>,
    /// The environment `${env.…}` reads (tests pass a fake one).
    pub env: BTreeMap<String, String>,
}

impl LoadOptions {
    /// Options with the process environment (variables that are not UTF-8 are left
    /// out: they could never be substituted into TOML text anyway).
    pub fn from_process(vars: Vec<(String, String)>) -> Self {
        let env = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        LoadOptions { vars, env }
    }
}

/// Reads, merges, resolves vars/env and validates a stack (a directory or a file).
/// Collects every error it can.
pub fn load_stack(path: &Path, opts: &LoadOptions) -> Result<Stack, SpecErrors> {
    let (dir, files) = read::read_stack_files(path)?;
    load_files(dir, files, opts)
}

/// `load_stack`, calling `early` with the stack's [`Skeleton`] as soon as it is known.
pub fn load_stack_early(
    path: &Path,
    opts: &LoadOptions,
    early: &mut dyn FnMut(Skeleton),
) -> Result<Stack, SpecErrors> {
    let (dir, files) = read::read_stack_files(path)?;
    load_files_early(dir, files, opts, early)
}

impl Stack {
    /// A diagnostic at a spec span, for errors found later (planning:
    /// prevent_destroy, adoption conflicts). Renders exactly like load-time errors.
    pub fn error_at(
        &self,
        at: &Origin,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> SpecError {
        error::error_at(&self.sources, at, message.into(), label.into(), help)
    }
}
