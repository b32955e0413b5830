//! Every stack of specs/examples through its whole life (see `scenario`), each with an
//! edit that exercises a different kind of change: an image, an environment value, a
//! probe, a tag, a variable, a secret, and a field that forces a replacement.

use super::Sandbox;
use super::scenario::{
    Change, Edit, create_and_converge, destroy_and_plan_again, edit_and_converge, full_lifecycle,
};

/// Every example directory with a test below; `every_example_has_a_scenario` keeps
/// this list honest.
const COVERED: &[&str] = &[
    "aci-linuxcontainer-healthprobe",
    "aci-linuxcontainer-public-ip",
    "aci-linuxcontainer-secure-environmentvariables",
    "aci-linuxcontainer-volume-emptydir",
    "aci-udp",
    "full",
    "minimal",
    "multi-rg",
    "storefront",
];

#[test]
fn every_example_has_a_scenario() {
    let dir = crate::support::repo_root().join("specs/examples");
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .expect("specs/examples reads")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(found, COVERED, "add a scenario for each new example");
}

#[test]
fn minimal_updates_an_image_in_place() {
    let edit = Edit {
        change: Change::File {
            file: "main.toml",
            from: "aci-helloworld:latest",
            to: "aci-helloworld:v2",
        },
        address: "container_group.web",
        action: "update",
        paths: &["containers.web.image"],
    };
    full_lifecycle(&mut Sandbox::new("minimal"), &edit);
}

#[test]
fn healthprobe_quickstart_changes_a_probe_in_place() {
    let edit = Edit {
        change: Change::File {
            file: "main.toml",
            from: "period_seconds = 5",
            to: "period_seconds = 10",
        },
        address: "container_group.healthprobe",
        action: "update",
        paths: &["containers.container1.liveness_probe.period_seconds"],
    };
    full_lifecycle(&mut Sandbox::new("aci-linuxcontainer-healthprobe"), &edit);
}

#[test]
fn public_ip_quickstart_replaces_the_group_for_less_memory() {
    let edit = Edit {
        change: Change::File {
            file: "main.toml",
            from: "memory_gb = 2",
            to: "memory_gb = 1.5",
        },
        address: "container_group.helloworld",
        action: "replace",
        paths: &["containers.acilinuxpublicipcontainergroup.memory_gb"],
    };
    full_lifecycle(&mut Sandbox::new("aci-linuxcontainer-public-ip"), &edit);
}

#[test]
fn secure_env_quickstart_sees_a_new_secret_without_showing_it() {
    let mut sandbox = Sandbox::new("aci-linuxcontainer-secure-environmentvariables");
    sandbox.secret("ACI_SECURE_VALUE", "first-secret-4c1f9a");
    let edit = Edit {
        change: Change::Secret {
            name: "ACI_SECURE_VALUE",
            value: "second-secret-77d2e0",
        },
        address: "container_group.secure",
        action: "update",
        paths: &["containers.secure-container.secure_env.SECRET_VALUE"],
    };
    full_lifecycle(&mut sandbox, &edit);
}

#[test]
fn emptydir_quickstart_changes_a_command_in_place() {
    let edit = Edit {
        change: Change::File {
            file: "main.toml",
            from: "while sleep 5;",
            to: "while sleep 10;",
        },
        address: "container_group.emptydir",
        action: "update",
        paths: &["containers.reader.command"],
    };
    full_lifecycle(
        &mut Sandbox::new("aci-linuxcontainer-volume-emptydir"),
        &edit,
    );
}

#[test]
fn udp_quickstart_changes_an_image_variable() {
    let edit = Edit {
        change: Change::File {
            file: "main.toml",
            from: "aciudptest:latest",
            to: "aciudptest:v2",
        },
        address: "container_group.udp",
        action: "update",
        paths: &["containers.udptest.image"],
    };
    full_lifecycle(&mut Sandbox::new("aci-udp"), &edit);
}

#[test]
fn multi_rg_changes_an_environment_value() {
    let edit = Edit {
        change: Change::File {
            file: "data.toml",
            from: r#"POSTGRES_DB = "orders""#,
            to: r#"POSTGRES_DB = "orders_v2""#,
        },
        address: "container_group.db",
        action: "update",
        paths: &["containers.postgres.env.POSTGRES_DB"],
    };
    full_lifecycle(&mut Sandbox::new("multi-rg"), &edit);
}

#[test]
fn storefront_rolls_out_a_new_app_tag_through_a_saved_plan() {
    let mut sandbox = Sandbox::new("storefront");
    sandbox.secret("STOREFRONT_DB_PASSWORD", "pg-secret-0b5e27");
    create_and_converge(&sandbox, &[]);

    // The edit goes through `plan -o` and `apply FILE`, as a reviewed change would.
    sandbox.edit("stack.toml", r#"app_tag = "2.4.1""#, r#"app_tag = "2.5.0""#);
    let plan_file = sandbox.root().join("release.plan");
    let plan_arg = plan_file.to_str().expect("UTF-8 path");
    sandbox.run(&["plan", "-o", plan_arg]).expect(0, "plan -o");
    let saved = std::fs::read_to_string(&plan_file).expect("the plan file");
    assert!(
        !saved.contains("pg-secret-0b5e27"),
        "the plan file holds a secret"
    );
    let applied = sandbox
        .run(&["apply", plan_arg, "--auto-approve"])
        .expect(0, "apply the saved plan");
    assert!(applied.stdout.contains("1 changed"), "{}", applied.stdout);
    super::scenario::assert_converged(&sandbox, "plan after the saved plan");

    let edit = Edit {
        change: Change::File {
            file: "jobs.toml",
            from: r#"env = { DB_HOST"#,
            to: r#"env = { REPORT_FORMAT = "pdf", DB_HOST"#,
        },
        address: "container_group.reports",
        action: "update",
        paths: &["containers.reports.env.REPORT_FORMAT"],
    };
    edit_and_converge(&mut sandbox, &edit);
    destroy_and_plan_again(&sandbox, &[]);
}

#[test]
fn full_protects_what_it_must_and_reads_an_existing_group() {
    let mut sandbox = Sandbox::new("full");
    for (name, value) in [
        ("SHOP_API_KEY", "api-key-93ac1d"),
        ("SHOP_DB_URL", "postgres://shop:db-pass-51fe@db/shop"),
        ("ACR_PASSWORD", "acr-pass-2b77e4"),
        ("LAW_KEY", "law-key-c0ffee"),
        ("STORAGE_KEY", "storage-key-8e1d3a"),
    ] {
        sandbox.secret(name, value);
    }

    // `resource_group.network` is `existing = true`: someone else creates it first.
    let network = sandbox.root().join("network");
    std::fs::create_dir_all(&network).expect("mkdir");
    std::fs::write(
        network.join("main.toml"),
        "[stack]\nname = \"network\"\nlocation = \"westeurope\"\n\n\
         [resource_group.network]\nname = \"rg-network\"\n",
    )
    .expect("write the network stack");
    sandbox
        .run_in(&network, &["apply", "--auto-approve"])
        .expect(0, "apply the network stack");

    let existing = ["resource_group.network"];
    create_and_converge(&sandbox, &existing);
    let edit = Edit {
        change: Change::File {
            file: "web.toml",
            from: r#"tier = "front""#,
            to: r#"tier = "edge""#,
        },
        address: "container_group.web",
        action: "update",
        paths: &["tags.tier"],
    };
    edit_and_converge(&mut sandbox, &edit);

    // prevent_destroy refuses, pointing at the line; without it, destroy proceeds.
    let refused = sandbox
        .run(&["destroy", "--auto-approve"])
        .expect(1, "destroy with prevent_destroy");
    assert!(
        refused.stderr.contains("prevent_destroy"),
        "{}",
        refused.stderr
    );
    sandbox.edit(
        "stack.toml",
        "lifecycle = { prevent_destroy = true }",
        "lifecycle = { prevent_destroy = false }",
    );
    sandbox.edit(
        "web.toml",
        "lifecycle = { prevent_destroy = true,",
        "lifecycle = { prevent_destroy = false,",
    );
    destroy_and_plan_again(&sandbox, &existing);
}
