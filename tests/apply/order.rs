//! Order: creates and updates after what they depend on, deletes before it, a
//! replacement as delete then create, values known after apply filled in from the
//! finished dependencies, and a walk driven by the graph rather than by levels.

use std::time::Duration;

use serde_json::Value;

use super::{Fixture, group_toml, head, line_of};

/// `a` <- `b`, `c` <- `d` (a diamond through references and depends_on), and `slow`,
/// which depends on nothing and takes a second and a half longer than the others.
fn diamond() -> String {
    let mut toml = head("diamond", "rg-diamond");
    toml += &group_toml("a", "nginx:1.27", "", "");
    let env = r#"env = { UPSTREAM = "${container_group.a.ip}" }"#;
    toml += &group_toml("b", "nginx:1.27", "", env);
    let label = r#"ip_address = { type = "Public", dns_name_label = "diamond-c" }"#;
    toml += &group_toml("c", "nginx:1.27", label, env);
    let deps = r#"depends_on = ["container_group.b", "container_group.c"]"#;
    let env = r#"env = { B = "${container_group.b.ip}", C = "${container_group.c.fqdn}" }"#;
    toml += &group_toml("d", "nginx:1.27", deps, env);
    toml += &group_toml("slow", "nginx:1.27", "", "");
    toml
}

fn env_of(group: &Value, name: &str) -> Option<String> {
    group
        .pointer("/properties/containers/0/properties/environmentVariables")?
        .as_array()?
        .iter()
        .find(|v| v["name"] == name)?
        .get("value")?
        .as_str()
        .map(String::from)
}

fn ip_of(group: &Value) -> String {
    group
        .pointer("/properties/ipAddress/ip")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_diamond_is_created_in_dependency_order_and_destroyed_in_reverse() {
    let fx = Fixture::quick(&diamond()).await;
    fx.cloud.faults().slow("slow", Duration::from_millis(1500));

    let run = fx.apply_ok(&[]).await;
    let out = &run.stdout;
    let done = |key: &str| line_of(out, &format!("container_group.{key}: Creation complete"));
    let starts = |key: &str| line_of(out, &format!("container_group.{key}: Creating..."));
    assert!(line_of(out, "resource_group.main: Creation complete") < starts("a"));
    assert!(done("a") < starts("b") && done("a") < starts("c"), "{out}");
    assert!(done("b") < starts("d") && done("c") < starts("d"), "{out}");
    // b and c are independent of each other: both run before either is done.
    assert!(starts("b") < done("c") && starts("c") < done("b"), "{out}");
    // Not level by level: `slow` shares a level with `a`, yet the whole diamond is
    // done before it is.
    assert!(done("d") < done("slow"), "{out}");
    assert!(
        out.contains("Resources: 6 added, 0 changed, 0 destroyed."),
        "{out}"
    );

    // What was known only after apply went into the dependents' bodies.
    let a = fx.group("rg-diamond", "a").await.expect("a exists");
    let b = fx.group("rg-diamond", "b").await.expect("b exists");
    let c = fx.group("rg-diamond", "c").await.expect("c exists");
    let d = fx.group("rg-diamond", "d").await.expect("d exists");
    assert!(!ip_of(&a).is_empty());
    assert_eq!(env_of(&b, "UPSTREAM"), Some(ip_of(&a)));
    assert_eq!(env_of(&c, "UPSTREAM"), Some(ip_of(&a)));
    assert_eq!(env_of(&d, "B"), Some(ip_of(&b)));
    let c_fqdn = c
        .pointer("/properties/ipAddress/fqdn")
        .and_then(Value::as_str);
    assert!(c_fqdn.is_some_and(|f| f.starts_with("diamond-c")), "{c}");
    assert_eq!(env_of(&d, "C").as_deref(), c_fqdn);

    let run = fx.destroy().await;
    assert_eq!(run.code, Some(0), "{}", run.both());
    let out = &run.stdout;
    let gone = |key: &str| line_of(out, &format!("container_group.{key}: Destruction complete"));
    let goes = |key: &str| line_of(out, &format!("container_group.{key}: Destroying..."));
    assert!(gone("d") < goes("b") && gone("d") < goes("c"), "{out}");
    assert!(gone("b") < goes("a") && gone("c") < goes("a"), "{out}");
    let rg_goes = line_of(out, "resource_group.main: Destroying...");
    assert!(
        ["a", "b", "c", "d", "slow"]
            .iter()
            .all(|k| gone(k) < rg_goes),
        "{out}"
    );
    assert!(
        out.contains("Destroy complete! Resources: 6 destroyed."),
        "{out}"
    );
    assert_eq!(fx.arm_get(&super::rg_path("rg-diamond")).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replacement_deletes_then_creates_and_dependents_get_its_new_address() {
    let mut toml = head("replace", "rg-replace");
    toml += &group_toml("db", "postgres:16", "", "");
    let env = r#"env = { DB = "${container_group.db.ip}" }"#;
    toml += &group_toml("api", "shop/api:1", "", env);
    let fx = Fixture::quick(&toml).await;
    fx.apply_ok(&[]).await;
    let old_ip = ip_of(&fx.group("rg-replace", "db").await.expect("db"));

    // Resources of a running group cannot change in place: the group is replaced.
    fx.write(&toml.replacen("cpu = 0.5", "cpu = 1.0", 1));
    let plan = fx.plan().await;
    assert_eq!(plan.code, Some(2), "{}", plan.both());
    assert!(
        plan.stdout.contains("container_group.db must be replaced"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("(known after apply)"),
        "{}",
        plan.stdout
    );

    let run = fx.apply_ok(&[]).await;
    let out = &run.stdout;
    let destroyed = line_of(out, "container_group.db: Destruction complete");
    assert!(
        line_of(out, "container_group.db: Destroying...") < destroyed,
        "{out}"
    );
    assert!(
        destroyed < line_of(out, "container_group.db: Creating..."),
        "{out}"
    );
    let created = line_of(out, "container_group.db: Creation complete");
    assert!(
        created < line_of(out, "container_group.api: Modifying..."),
        "{out}"
    );
    assert!(
        out.contains("Resources: 1 added, 1 changed, 1 destroyed."),
        "{out}"
    );

    let db = fx.group("rg-replace", "db").await.expect("db");
    let api = fx.group("rg-replace", "api").await.expect("api");
    assert_ne!(ip_of(&db), old_ip, "a new group gets a new address");
    assert_eq!(env_of(&api, "DB"), Some(ip_of(&db)));
}

/// Locations the spec leaves to Azure resolve in apply as they did in the plan: an
/// existing resource group's (read from Azure), and a group's that takes its resource
/// group's, even when that group is not changed by the apply.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locations_read_from_azure_resolve_in_apply() {
    let toml = r#"[stack]
name = "located"

[resource_group.net]
name = "rg-located"
existing = true

[container_group.first]
resource_group = "net"
[[container_group.first.containers]]
name = "app"
image = "nginx:1.27"
cpu = 0.5
memory_gb = 0.5
env = { RG_LOCATION = "${resource_group.net.location}" }

[container_group.second]
resource_group = "net"
[[container_group.second.containers]]
name = "app"
image = "nginx:IMAGE"
cpu = 0.5
memory_gb = 0.5
env = { FIRST_LOCATION = "${container_group.first.location}" }
"#;
    let fixture = Fixture::quick(&toml.replace("IMAGE", "1.27")).await;
    let body = serde_json::json!({ "location": "northeurope" });
    let created = fixture
        .arm_send(reqwest::Method::PUT, &super::rg_path("rg-located"), &body)
        .await;
    assert!(created == 200 || created == 201, "{created}");

    fixture.apply_ok(&[]).await;
    let env = |group: &Value| {
        group["properties"]["containers"][0]["properties"]["environmentVariables"][0]["value"]
            .clone()
    };
    let first = fixture.group("rg-located", "first").await.expect("created");
    assert_eq!(env(&first), "northeurope");
    assert_eq!(first["location"], "northeurope");
    fixture.assert_converged().await;

    // Only `second` changes now: `first`, untouched by this apply, still resolves.
    fixture.write(&toml.replace("IMAGE", "1.28"));
    fixture.apply_ok(&[]).await;
    let second = fixture
        .group("rg-located", "second")
        .await
        .expect("updated");
    assert_eq!(env(&second), "northeurope");
    fixture.assert_converged().await;
}
