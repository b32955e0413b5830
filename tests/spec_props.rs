//! The reader never panics: arbitrary bytes, and valid specs mutated token by token,
//! go through load and graph build and come out as a stack or as errors.

use proptest::prelude::*;

use crate::spec_support::{HEAD, WEB, load};

/// Loads and builds the graph; only a panic fails (proptest catches it).
fn load_anything(text: &str) {
    let env = [
        ("LAW_KEY", "k"),
        ("SHOP_API_KEY", "a"),
        ("ACR_PASSWORD", "p"),
    ];
    if let Ok(stack) = load(&[("main.toml", text), ("more.toml", WEB)], &env) {
        let graph = aciform::graph::ResourceGraph::build(&stack);
        if let Ok(graph) = graph {
            let _ = graph.to_dot();
            let _ = graph.order();
        }
    }
}

/// Valid stacks to mutate: the examples plus a few spots with references and secrets.
fn seeds() -> Vec<String> {
    let root = crate::support::repo_root().join("specs/examples");
    let mut seeds = vec![format!("{HEAD}{WEB}")];
    for dir in ["minimal", "full", "multi-rg"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        let text: String = files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        seeds.push(text);
    }
    seeds
}

/// Fragments that TOML and the spec language treat specially.
const TOKENS: &[&str] = &[
    "\"",
    "'",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    ",",
    ".",
    "\n",
    "#",
    "${",
    "$${",
    "}",
    "${vars.",
    "${env.",
    "${container_group.web.",
    "${resource_group.main.name}",
    "\\u0000",
    "\"\"\"",
    "-1",
    "0",
    "1e400",
    "nan",
    "99999999999999999999",
    "0.001",
    "true",
    "é",
    "\r\n",
    "[container_group.x]",
    "[[container_group.web.containers]]",
    "[resource_group.main]",
    "depends_on = [\"container_group.web\"]",
    "ports = [80, \"53/udp\"]",
    "os_type = \"Windows\"",
    "priority = \"Spot\"",
    "ip_address = { type = \"Public\" }",
    "cpu = 64",
    "name = \"\"",
];

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, usize),
    DuplicateLine(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Edit::Delete(at, len)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, t)| Edit::Insert(at, t)),
        any::<usize>().prop_map(Edit::DuplicateLine),
    ]
}

/// Applies an edit at a char boundary chosen from `at`.
fn apply(text: &mut String, e: &Edit) {
    let boundary = |text: &String, at: usize| {
        let mut i = if text.is_empty() {
            0
        } else {
            at % (text.len() + 1)
        };
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    match *e {
        Edit::Delete(at, len) => {
            let start = boundary(text, at);
            let end = boundary(text, start.saturating_add(len).min(text.len()));
            text.replace_range(start..end.max(start), "");
        }
        Edit::Insert(at, t) => {
            let i = boundary(text, at);
            text.insert_str(i, TOKENS[t]);
        }
        Edit::DuplicateLine(at) => {
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            if lines.is_empty() {
                return;
            }
            let n = at % lines.len();
            let mut out: String = lines[..=n].concat();
            out.push_str(lines[n]);
            out.push_str(&lines[n + 1..].concat());
            *text = out;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        load_anything(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        load_anything(&text);
    }

    #[test]
    fn mutated_valid_specs_never_panic(
        seed in 0usize..4,
        edits in proptest::collection::vec(edit(), 1..8),
    ) {
        let seeds = seeds();
        let mut text = seeds[seed % seeds.len()].clone();
        for e in &edits {
            apply(&mut text, e);
        }
        load_anything(&text);
    }
}
