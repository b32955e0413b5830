//! Helpers for the spec tests: load stacks from in-memory files with a fake
//! environment, and look at each error's message, labelled source text and position.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use aciform::graph::ResourceGraph;
use aciform::spec::{LoadOptions, SpecError, SpecErrors, Stack, StackFile, load_files};

/// The head of a valid stack, to which cases append resources.
pub const HEAD: &str = r#"[stack]
name = "test"
location = "westeurope"

[vars]
tag = "1.0"

[resource_group.main]
"#;

/// A valid container group `web` with one container `web` exposing port 80.
pub const WEB: &str = r#"
[container_group.web]
resource_group = "main"

[[container_group.web.containers]]
name = "web"
image = "nginx:${vars.tag}"
cpu = 1.0
memory_gb = 1.5
ports = [80]
"#;

/// One error as a test sees it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub message: String,
    /// The source text under the primary label.
    pub span: String,
    /// `file:line:col` of the primary label.
    pub at: String,
    pub help: Option<String>,
    /// The diagnostic as the CLI prints it, without colour.
    pub rendered: String,
}

/// Loads files (name, text) with an environment; `main.toml` is the usual name.
pub fn load(files: &[(&str, &str)], env: &[(&str, &str)]) -> Result<Stack, SpecErrors> {
    load_with(files, env, &[])
}

/// `load` with `--var` overrides.
pub fn load_with(
    files: &[(&str, &str)],
    env: &[(&str, &str)],
    vars: &[(&str, &str)],
) -> Result<Stack, SpecErrors> {
    let files = stack_files(files);
    let opts = LoadOptions {
        vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
    };
    load_files(PathBuf::from("."), files, &opts)
}

/// In-memory stack files from (name, text) pairs.
pub fn stack_files(files: &[(&str, &str)]) -> Vec<StackFile> {
    files
        .iter()
        .map(|(name, text)| StackFile {
            path: PathBuf::from(name),
            name: name.to_string(),
            text: text.to_string(),
        })
        .collect()
}

/// Loads and builds the graph; every error of either step.
pub fn errors(files: &[(&str, &str)], env: &[(&str, &str)]) -> Vec<Seen> {
    let result = load(files, env).and_then(|stack| ResourceGraph::build(&stack).map(|_| ()));
    match result {
        Ok(()) => Vec::new(),
        Err(errors) => errors.errors().iter().map(|e| seen(files, e)).collect(),
    }
}

/// The errors of one stack file `main.toml`.
pub fn errors_in(text: &str) -> Vec<Seen> {
    errors(&[("main.toml", text)], &[])
}

fn seen(files: &[(&str, &str)], e: &SpecError) -> Seen {
    let rendered = aciform::spec::render_plain(e);
    let (span, at) = match e.origin() {
        Some(o) => {
            let (name, text) = files[o.file().index()];
            let span = text.get(o.span()).unwrap_or("").to_string();
            let before = &text[..o.span().start];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            (span, format!("{name}:{line}:{col}"))
        }
        None => (String::new(), String::new()),
    };
    Seen {
        message: e.message().to_string(),
        span,
        at,
        help: e.help_text().map(str::to_string),
        rendered,
    }
}

/// Asserts that the stack has an error with exactly this message, labelled at exactly
/// this source text, and that the rendered diagnostic shows its position. Returns it.
#[track_caller]
pub fn expect_error(all: &[Seen], message: &str, span: &str) -> Seen {
    let found = all.iter().find(|s| s.message == message);
    let Some(found) = found else {
        panic!(
            "no error `{message}`; got: {:#?}",
            all.iter().map(|s| &s.message).collect::<Vec<_>>()
        );
    };
    assert_eq!(found.span, span, "span of `{message}`");
    assert!(
        found.rendered.contains(&found.at),
        "rendered shows {}:\n{}",
        found.at,
        found.rendered
    );
    found.clone()
}
