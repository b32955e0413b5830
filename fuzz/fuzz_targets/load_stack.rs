//! Fuzzes the spec reader: arbitrary bytes as one or two stack files, through load,
//! graph build, ordering and DOT. Any panic is a bug: bad input must become errors.

#![no_main]

use std::path::PathBuf;

use aciform::graph::ResourceGraph;
use aciform::spec::{LoadOptions, StackFile, load_files};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // A NUL byte splits the input into two files, so merging is fuzzed too.
    let mut files: Vec<StackFile> = text
        .splitn(2, '\0')
        .enumerate()
        .map(|(i, part)| StackFile {
            path: PathBuf::from(format!("f{i}.toml")),
            name: format!("f{i}.toml"),
            text: part.to_string(),
        })
        .collect();
    files.truncate(2);

    let mut opts = LoadOptions::default();
    opts.env.insert("SET".into(), "value".into());
    opts.vars.push(("tag".into(), "1".into()));
    match load_files(PathBuf::from("."), files, &opts) {
        Ok(stack) => {
            if let Ok(graph) = ResourceGraph::build(&stack) {
                let _ = graph.order();
                let _ = graph.to_dot();
            }
        }
        Err(errors) => {
            let _ = aciform::spec::render_plain(&errors);
        }
    }
});
