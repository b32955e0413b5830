//! Hand-built plans for the renderers' snapshot tests, one per situation a user meets.
//!
//! They stand in for the planner's output: paths, reasons and values are the ones the
//! planner is expected to produce, so the snapshots double as a picture of real plans.

use serde_json::{Value, json};

use crate::plan::{
    Action, AttributeChange, ChangeKind, Plan, ResourceChange, TargetInfo, TargetKind,
};

/// A secret value some of these plans wrongly carry; no rendering may contain it.
pub const LEAKED_SECRET: &str = "hunter2-do-not-print";

const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";
const RESTARTS: &str = "an in-place update restarts every container of the group";

/// Every fixture with a name for its snapshot files.
pub fn all() -> Vec<(&'static str, Plan)> {
    vec![
        ("create_from_nothing", create_from_nothing()),
        ("update_in_place", update_in_place()),
        ("replacement", replacement()),
        ("delete_leftover", delete_leftover()),
        ("stop_start", stop_start()),
        ("secure_value_changed", secure_value_changed()),
        ("known_after_apply_reference", known_after_apply_reference()),
        ("no_change", no_change()),
        ("long_command", long_command()),
        ("leaky_sensitive", leaky_sensitive()),
    ]
}

fn plan(changes: Vec<ResourceChange>) -> Plan {
    let target = TargetInfo {
        kind: TargetKind::Local,
        endpoint: "http://127.0.0.1:40123".into(),
        subscription: SUBSCRIPTION.into(),
    };
    Plan::new("shop-dev".into(), target, changes)
}

fn change(address: &str, action: Action, attributes: Vec<AttributeChange>) -> ResourceChange {
    let id = (action != Action::Create).then(|| id_of(address));
    ResourceChange {
        address: address.into(),
        id,
        action,
        attributes,
        reasons: vec![],
        unchanged_attributes: 0,
    }
}

fn id_of(address: &str) -> String {
    let rg = format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-shop-dev");
    match address.split_once('.') {
        Some(("container_group", key)) => {
            format!("{rg}/providers/Microsoft.ContainerInstance/containerGroups/shop-{key}")
        }
        _ => rg,
    }
}

fn with(mut c: ResourceChange, reasons: &[&str], unchanged: usize) -> ResourceChange {
    c.reasons = reasons.iter().map(|r| r.to_string()).collect();
    c.unchanged_attributes = unchanged;
    c
}

fn attr(path: &str, before: Option<Value>, after: Option<Value>) -> AttributeChange {
    AttributeChange {
        path: path.into(),
        change: ChangeKind::between(before.as_ref(), after.as_ref(), false),
        before,
        after,
        sensitive: false,
        known_after_apply: false,
        forces_replacement: false,
    }
}

fn set(path: &str, after: Value) -> AttributeChange {
    attr(path, None, Some(after))
}

fn changed(path: &str, before: Value, after: Value) -> AttributeChange {
    attr(path, Some(before), Some(after))
}

fn gone(path: &str, before: Value) -> AttributeChange {
    attr(path, Some(before), None)
}

fn secret(path: &str) -> AttributeChange {
    AttributeChange {
        sensitive: true,
        ..attr(path, None, None)
    }
}

fn later(path: &str, before: Option<Value>) -> AttributeChange {
    AttributeChange {
        known_after_apply: true,
        ..attr(path, before, None)
    }
}

fn forcing(a: AttributeChange) -> AttributeChange {
    AttributeChange {
        forces_replacement: true,
        ..a
    }
}

fn no_op(address: &str) -> ResourceChange {
    with(change(address, Action::NoOp, vec![]), &[], 12)
}

/// A new stack: a resource group and a group with a public IP and a secure env var.
pub fn create_from_nothing() -> Plan {
    let rg = change(
        "resource_group.main",
        Action::Create,
        vec![
            set("location", json!("westeurope")),
            set("name", json!("rg-shop-dev")),
            set("tags.aciform-stack", json!("shop-dev")),
        ],
    );
    let web = change(
        "container_group.web",
        Action::Create,
        vec![
            set("containers.web.cpu", json!(1.0)),
            set("containers.web.env.MODE", json!("prod")),
            set("containers.web.image", json!("nginx:1.25.3")),
            set("containers.web.memory_gb", json!(1.5)),
            set("containers.web.ports", json!([80, "53/udp"])),
            secret("containers.web.secure_env.API_KEY"),
            set("ip_address.dns_name_label", json!("shop-web-dev")),
            later("ip_address.fqdn", None),
            later("ip_address.ip", None),
            set("ip_address.type", json!("Public")),
            set("name", json!("shop-web")),
            set("os_type", json!("Linux")),
            set("volumes.cache.empty_dir", json!({})),
        ],
    );
    plan(vec![rg, web])
}

/// A new image and env for one group (restarts it) and a tags-only patch for another.
pub fn update_in_place() -> Plan {
    let web = change(
        "container_group.web",
        Action::Update,
        vec![
            set("containers.web.env.FEATURE_X", json!("on")),
            changed("containers.web.env.MODE", json!("dev"), json!("prod")),
            gone("containers.web.env.OLD_FLAG", json!("1")),
            changed(
                "containers.web.image",
                json!("nginx:1.25.2"),
                json!("nginx:1.25.3"),
            ),
        ],
    );
    let worker = change(
        "container_group.worker",
        Action::Update,
        vec![
            set("tags.cost_center", json!("42")),
            changed("tags.team", json!("a"), json!("b")),
        ],
    );
    plan(vec![
        with(web, &[RESTARTS], 14),
        with(worker, &["only tags change: patched without a restart"], 21),
        no_op("resource_group.main"),
    ])
}

/// A change of `os_type`, which ACI cannot make in place.
pub fn replacement() -> Plan {
    let web = change(
        "container_group.web",
        Action::Replace,
        vec![
            secret("containers.web.secure_env.API_KEY"),
            later(
                "ip_address.fqdn",
                Some(json!("shop-web-dev.westeurope.azurecontainer.io")),
            ),
            later("ip_address.ip", Some(json!("20.51.3.7"))),
            forcing(changed("os_type", json!("Linux"), json!("Windows"))),
        ],
    );
    plan(vec![with(web, &["os_type cannot be changed in place"], 4)])
}

/// A group the stack owns but no longer declares.
pub fn delete_leftover() -> Plan {
    let old = change(
        "container_group.old-api",
        Action::Delete,
        vec![
            attr("containers.api.cpu", Some(json!(0.5)), None),
            attr("containers.api.image", Some(json!("shop/api:0.9")), None),
            secret("containers.api.secure_env.DB_URL"),
            attr("name", Some(json!("shop-old-api")), None),
            attr("tags.aciform-stack", Some(json!("shop-dev")), None),
        ],
    );
    let reason = "no longer in the stack; tagged aciform-stack = shop-dev, so the stack owns it";
    plan(vec![with(old, &[reason], 0), no_op("container_group.web")])
}

/// One group to stop and one to start.
pub fn stop_start() -> Plan {
    let batch = change(
        "container_group.batch",
        Action::Stop,
        vec![changed("state", json!("running"), json!("stopped"))],
    );
    let web = change(
        "container_group.web",
        Action::Start,
        vec![changed("state", json!("stopped"), json!("running"))],
    );
    plan(vec![with(batch, &[], 17), with(web, &[], 9)])
}

/// Only a secret changed: the plan must say so without saying what it is.
pub fn secure_value_changed() -> Plan {
    let web = change(
        "container_group.web",
        Action::Update,
        vec![secret("containers.web.secure_env.API_KEY")],
    );
    plan(vec![with(web, &[RESTARTS], 16)])
}

/// The database group is replaced, so the API's env var holding its IP is unknown.
pub fn known_after_apply_reference() -> Plan {
    let api = change(
        "container_group.api",
        Action::Update,
        vec![later("containers.api.env.DB_HOST", Some(json!("10.0.0.4")))],
    );
    let db = change(
        "container_group.db",
        Action::Replace,
        vec![
            later("ip_address.ip", Some(json!("10.0.0.4"))),
            forcing(changed(
                "subnet_ids",
                json!(["/subnets/a"]),
                json!(["/subnets/b"]),
            )),
        ],
    );
    plan(vec![
        with(api, &[RESTARTS], 11),
        with(db, &["subnet_ids cannot be changed in place"], 8),
    ])
}

/// Live state matches the stack.
pub fn no_change() -> Plan {
    plan(vec![
        no_op("container_group.web"),
        no_op("resource_group.main"),
    ])
}

/// A long command array with one element changed, and a multi-line script.
pub fn long_command() -> Plan {
    let args = |level: &str| {
        let mut args: Vec<Value> = ["python", "-m", "worker", "--queue", "orders", "--batch"]
            .into_iter()
            .map(Value::from)
            .collect();
        args.extend(["100", "--log-level", level, "--metrics-port", "9100"].map(Value::from));
        Value::Array(args)
    };
    let script = |retries: &str| {
        json!(format!(
            "set -eu\nwait-for db:5432\nmigrate --retries {retries}\necho migrated\nexec worker\n"
        ))
    };
    let worker = change(
        "container_group.worker",
        Action::Update,
        vec![
            changed("containers.worker.command", args("info"), args("debug")),
            set(
                "init_containers.migrate.command",
                json!([
                    "/bin/sh",
                    "-c",
                    "exec ./migrate --all --wait-for-database --retries 5"
                ]),
            ),
            changed(
                "init_containers.migrate.env.SCRIPT",
                script("3"),
                script("5"),
            ),
        ],
    );
    plan(vec![with(worker, &[RESTARTS], 9)])
}

/// Sensitive attributes that, against the model's rule, carry values.
pub fn leaky_sensitive() -> Plan {
    let leak = |path: &str| AttributeChange {
        before: Some(json!(format!("old-{LEAKED_SECRET}"))),
        after: Some(json!(LEAKED_SECRET)),
        ..secret(path)
    };
    let created = change(
        "container_group.new",
        Action::Create,
        vec![leak("password")],
    );
    let updated = change(
        "container_group.web",
        Action::Update,
        vec![leak("password")],
    );
    let deleted = change(
        "container_group.old",
        Action::Delete,
        vec![leak("password")],
    );
    plan(vec![created, updated, deleted])
}
