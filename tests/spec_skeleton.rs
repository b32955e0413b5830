//! The stack's skeleton, told before the resources are decoded: what it says must be
//! what the full load says, whichever files it was told from.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aciform::spec::{LoadOptions, Skeleton, load_files_early};

use crate::spec_support::{WEB, stack_files};

/// Loads `files`; the skeletons told, in order, and whether the stack loaded.
fn told(files: &[(&str, &str)]) -> (Vec<Skeleton>, bool) {
    let files = stack_files(files);
    let opts = LoadOptions {
        vars: vec![("prefix".into(), "prod".into())],
        env: BTreeMap::new(),
    };
    let mut seen = Vec::new();
    let loaded = load_files_early(PathBuf::from("."), files, &opts, &mut |s| seen.push(s));
    (seen, loaded.is_ok())
}

const MAIN: &str = r#"[stack]
name = "shop"
subscription = "00000000-0000-0000-0000-000000000001"

[vars]
prefix = "dev"
tag = "1.0"

[resource_group.main]
name = "${vars.prefix}-main"
location = "westeurope"
"#;

const MORE_RGS: &str = r#"[resource_group.extra]
location = "westeurope"

[resource_group.derived]
name = "${resource_group.main.name}-2"
location = "westeurope"
"#;

#[test]
fn the_skeleton_from_the_first_files_is_the_full_one() {
    let (seen, loaded) = told(&[
        ("main.toml", MAIN),
        ("web.toml", WEB),
        ("rgs.toml", MORE_RGS),
    ]);
    assert!(loaded);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].name, "shop");
    assert_eq!(
        seen[0].subscription.as_deref(),
        Some("00000000-0000-0000-0000-000000000001")
    );
    // --var overrides apply; names made of references are left to the full load.
    assert_eq!(seen[0].resource_groups, ["prod-main", "extra"]);
}

#[test]
fn a_variable_in_a_file_not_guessed_delays_the_skeleton_but_never_changes_it() {
    // A quoted key with an escape hides `[vars]` from the guess: the first files then
    // cannot resolve the name, and the skeleton waits for the whole stack.
    let main = MAIN.replace("[vars]\nprefix = \"dev\"\ntag = \"1.0\"\n", "");
    let hidden = "[\"v\\u0061rs\"]\nprefix = \"dev\"\ntag = \"1.0\"\n";
    let (seen, loaded) = told(&[("main.toml", &main), ("web.toml", WEB), ("v.toml", hidden)]);
    assert!(loaded);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].resource_groups, ["prod-main"]);
}

#[test]
fn a_broken_stack_tells_no_skeleton() {
    let broken = format!("{MAIN}\n[resource_group.main]\nlocation = \"x\"\n");
    let (seen, loaded) = told(&[("main.toml", &broken), ("web.toml", WEB)]);
    assert!(!loaded);
    assert!(seen.is_empty(), "{seen:?}");
}
