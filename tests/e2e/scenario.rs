//! The life of a stack, in the steps a user takes: validate, plan (changes), apply,
//! plan (no changes), an edit, plan (exactly that edit), apply, destroy, plan (creates
//! again). Each step checks the exit code SPEC.md fixes and what the JSON plan and
//! `status` say.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Sandbox, actions};

/// Exit code of `plan --detailed-exitcode` with changes.
pub const CHANGES: i32 = 2;

/// One edit of a stack and the one change the plan must show for it.
pub struct Edit {
    pub change: Change,
    /// The only resource the plan may change.
    pub address: &'static str,
    /// `update`, `replace`, …
    pub action: &'static str,
    /// Every attribute path the plan shows for it, except values only known after
    /// apply (a replacement also shows the new IP as known after apply).
    pub paths: &'static [&'static str],
}

/// What the edit changes.
pub enum Change {
    /// Replace text (occurring once) in a stack file.
    File {
        file: &'static str,
        from: &'static str,
        to: &'static str,
    },
    /// Give a secret environment variable a new value.
    Secret {
        name: &'static str,
        value: &'static str,
    },
}

/// The whole life of a stack whose resources aciform may all create and delete.
pub fn full_lifecycle(sandbox: &mut Sandbox, edit: &Edit) {
    create_and_converge(sandbox, &[]);
    edit_and_converge(sandbox, edit);
    destroy_and_plan_again(sandbox, &[]);
}

/// validate, plan (every resource created), apply, plan (no changes), status (all
/// deployed, in their desired run state). `existing` lists resources the stack only
/// reads (`existing = true`): those plan as no-op.
pub fn create_and_converge(sandbox: &Sandbox, existing: &[&str]) {
    sandbox.run(&["validate"]).expect(0, "validate");
    sandbox
        .run(&["plan", "--detailed-exitcode"])
        .expect(CHANGES, "first plan");
    assert_all_created(&sandbox.plan_json(), existing);

    let applied = sandbox
        .run(&["apply", "--auto-approve", "--parallelism", "4"])
        .expect(0, "apply");
    assert!(
        applied.stdout.contains("Apply complete!"),
        "{}",
        applied.stdout
    );
    assert_converged(sandbox, "plan after apply");

    let status = sandbox
        .run(&["status", "--format", "json"])
        .expect(0, "status")
        .json();
    for resource in status["resources"].as_array().expect("resources") {
        let (desired, live) = (&resource["desired"], &resource["live"]);
        let expected = match desired.as_str() {
            Some("running") => "Running",
            Some("stopped") => "Stopped",
            _ => "exists",
        };
        assert_eq!(live, expected, "status after apply: {resource}");
    }
}

/// Makes the edit, checks the plan shows exactly it, applies it and checks that
/// nothing is left to do.
pub fn edit_and_converge(sandbox: &mut Sandbox, edit: &Edit) {
    match &edit.change {
        Change::File { file, from, to } => sandbox.edit(file, from, to),
        Change::Secret { name, value } => {
            sandbox.secret(name, value);
        }
    }
    sandbox
        .run(&["plan", "--detailed-exitcode"])
        .expect(CHANGES, "plan after the edit");
    let plan = sandbox.plan_json();
    let changed: Vec<(String, String)> = actions(&plan)
        .into_iter()
        .filter(|(_, action)| action != "no-op")
        .collect();
    assert_eq!(
        changed,
        [(edit.address.to_string(), edit.action.to_string())],
        "the plan after the edit changes exactly one resource"
    );

    let change = plan["changes"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["address"] == edit.address))
        .expect("the edited resource is in the plan");
    let shown: BTreeSet<&str> = change["attributes"]
        .as_array()
        .expect("attributes")
        .iter()
        .filter(|a| a["known_after_apply"] != true)
        .filter_map(|a| a["path"].as_str())
        .collect();
    let expected: BTreeSet<&str> = edit.paths.iter().copied().collect();
    assert_eq!(shown, expected, "attributes of {}: {change}", edit.address);

    sandbox
        .run(&["apply", "--auto-approve", "--parallelism", "4"])
        .expect(0, "apply of the edit");
    assert_converged(sandbox, "plan after applying the edit");
}

/// destroy, then status (nothing deployed) and plan (every resource created again).
pub fn destroy_and_plan_again(sandbox: &Sandbox, existing: &[&str]) {
    let destroyed = sandbox
        .run(&["destroy", "--auto-approve"])
        .expect(0, "destroy");
    assert!(
        destroyed.stdout.contains("Destroy complete!"),
        "{}",
        destroyed.stdout
    );

    let status = sandbox
        .run(&["status", "--format", "json"])
        .expect(0, "status after destroy")
        .json();
    for resource in status["resources"].as_array().expect("resources") {
        let address = resource["address"].as_str().unwrap_or_default();
        if !existing.contains(&address) {
            assert_eq!(
                resource["live"], "not deployed",
                "after destroy: {resource}"
            );
        }
    }

    sandbox
        .run(&["plan", "--detailed-exitcode"])
        .expect(CHANGES, "plan after destroy");
    assert_all_created(&sandbox.plan_json(), existing);
}

/// `plan --detailed-exitcode` exits 0 and says so.
pub fn assert_converged(sandbox: &Sandbox, what: &str) {
    let run = sandbox
        .run(&["plan", "--detailed-exitcode"])
        .expect(0, what);
    assert!(run.stdout.contains("No changes."), "{what}: {}", run.stdout);
}

fn assert_all_created(plan: &Value, existing: &[&str]) {
    let all = actions(plan);
    assert!(!all.is_empty(), "the plan lists the stack's resources");
    for (address, action) in all {
        let expected = if existing.contains(&address.as_str()) {
            "no-op"
        } else {
            "create"
        };
        assert_eq!(action, expected, "{address} in {plan}");
    }
}
