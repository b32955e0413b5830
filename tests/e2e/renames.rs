//! Renaming in Azure: a container group or resource group given a new Azure name is
//! replaced (the old one deleted, the new one created), and nothing is left behind.

use super::scenario::assert_converged;
use super::{Sandbox, actions};

#[test]
fn a_renamed_container_group_is_replaced_and_the_old_one_deleted() {
    let sandbox = Sandbox::new("minimal");
    sandbox.run(&["apply", "--auto-approve"]).expect(0, "apply");
    sandbox.edit(
        "main.toml",
        "resource_group = \"main\"",
        "resource_group = \"main\"\nname = \"hello-web\"",
    );

    let plan = sandbox.plan_json();
    let changed: Vec<_> = actions(&plan)
        .into_iter()
        .filter(|(_, action)| action != "no-op")
        .collect();
    assert_eq!(
        changed,
        [("container_group.web".to_string(), "replace".to_string())]
    );
    sandbox
        .run(&["apply", "--auto-approve"])
        .expect(0, "apply the rename");
    assert_converged(&sandbox, "plan after the rename");

    let status = sandbox
        .run(&["status", "--format", "json"])
        .expect(0, "status")
        .json();
    let names: Vec<&str> = status["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["rg-hello", "hello-web"],
        "no leftover of the old name"
    );
}

#[test]
fn a_renamed_resource_group_leaves_nothing_behind() {
    let sandbox = Sandbox::new("minimal");
    sandbox.run(&["apply", "--auto-approve"]).expect(0, "apply");
    sandbox.edit("main.toml", "name = \"rg-hello\"", "name = \"rg-hello-2\"");
    sandbox
        .run(&["apply", "--auto-approve"])
        .expect(0, "apply the rename");
    assert_converged(&sandbox, "plan after the rename");

    // A second stack that expects the old name to exist must find it gone.
    let probe = sandbox.root().join("probe");
    std::fs::create_dir_all(&probe).expect("mkdir");
    std::fs::write(
        probe.join("main.toml"),
        "[stack]\nname = \"probe\"\n\n[resource_group.old]\nname = \"rg-hello\"\nexisting = true\n",
    )
    .expect("write the probe stack");
    let run = sandbox
        .run_in(&probe, &["plan"])
        .expect(1, "the old group is gone");
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
}
