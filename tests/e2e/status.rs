//! `aciform status` and `aciform logs` on the embedded local cloud: a crash-looping
//! container shows its restarts and the BackOff warning, logs name environment
//! variables but never their values, groups dropped from the stack show as leftovers,
//! and mistakes in an address get a hint.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::Sandbox;

/// A group with a crash-looping container beside a healthy one holding a secret.
const STACK: &str = r#"
[stack]
name = "status-demo"
location = "westeurope"

[resource_group.main]
name = "rg-status-demo"

[container_group.shop]
resource_group = "main"
name = "status-shop"
ip_address = { type = "Public", dns_name_label = "status-shop-demo" }

[[container_group.shop.containers]]
name = "app"
image = "shop/app:crashloop"
cpu = 1
memory_gb = 1
ports = [8080]

[[container_group.shop.containers]]
name = "proxy"
image = "nginx:1.27"
cpu = 0.5
memory_gb = 0.5
secure_env = { UPSTREAM_TOKEN = "${env.STATUS_DEMO_TOKEN}" }

[container_group.batch]
resource_group = "main"
restart_policy = "Never"
state = "stopped"

[[container_group.batch.containers]]
name = "report"
image = "shop/report:batch"
cpu = 1
memory_gb = 1
"#;

/// The embedded cloud's container cycle in these tests: a crash and a restart take
/// about this long.
const CYCLE_MS: u64 = 200;

fn sandbox() -> Sandbox {
    let mut sandbox = Sandbox::with_stack(STACK);
    sandbox
        .secret("STATUS_DEMO_TOKEN", "proxy-token-6d1e0b")
        .env("ACIFORM_LOCAL_CYCLE_MS", &CYCLE_MS.to_string());
    sandbox
}

fn resource<'a>(status: &'a Value, address: &str) -> &'a Value {
    status["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["address"] == address))
        .unwrap_or_else(|| panic!("{address} in {status}"))
}

#[test]
fn status_shows_restarts_and_the_latest_warning_of_a_crash_loop() {
    let sandbox = sandbox();
    let before = sandbox.run(&["status"]).expect(0, "status before apply");
    assert!(before.stdout.contains("not deployed"), "{}", before.stdout);
    assert!(
        before.stderr.starts_with("Target: local cloud"),
        "{}",
        before.stderr
    );

    sandbox.run(&["apply", "--auto-approve"]).expect(0, "apply");

    // Containers run on the cloud's clock: wait until the crash loop has gone round.
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        let status = sandbox
            .run(&["status", "--format", "json"])
            .expect(0, "status")
            .json();
        let shop = resource(&status, "container_group.shop");
        let restarts = shop["containers"][0]["restart_count"].as_i64().unwrap_or(0);
        if restarts >= 1 && !shop["last_warning"].is_null() {
            break status;
        }
        assert!(Instant::now() < deadline, "no restart seen: {status}");
        std::thread::sleep(Duration::from_millis(CYCLE_MS));
    };

    let shop = resource(&status, "container_group.shop");
    assert_eq!(shop["desired"], "running");
    assert_eq!(shop["name"], "status-shop");
    assert_eq!(shop["resource_group"], "rg-status-demo");
    assert!(
        shop["ip"]
            .as_str()
            .is_some_and(|ip| ip.split('.').count() == 4)
    );
    assert!(
        shop["fqdn"]
            .as_str()
            .is_some_and(|f| f.starts_with("status-shop-demo."))
    );
    assert_eq!(shop["last_warning"]["name"], "BackOff");
    assert_eq!(shop["last_warning"]["container"], "app");
    assert_eq!(shop["containers"][1]["name"], "proxy");
    assert_eq!(shop["containers"][1]["state"], "Running");
    let batch = resource(&status, "container_group.batch");
    assert_eq!(
        (&batch["desired"], &batch["live"]),
        (&"stopped".into(), &"Stopped".into())
    );

    let text = sandbox.run(&["status"]).expect(0, "status as text");
    let header = text.stdout.lines().next().unwrap_or_default();
    for column in [
        "ADDRESS", "NAME", "DESIRED", "LIVE", "IP", "FQDN", "RESTARTS",
    ] {
        assert!(header.contains(column), "{header}");
    }
    assert!(
        text.stdout.contains("Latest warning events:"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("container app  BackOff"),
        "{}",
        text.stdout
    );
}

#[test]
fn logs_show_a_containers_lines_but_never_a_secret_value() {
    let sandbox = sandbox();
    let missing = sandbox
        .run(&["logs", "container_group.shop"])
        .expect(1, "logs before apply");
    assert!(
        missing.stderr.contains("is not deployed"),
        "{}",
        missing.stderr
    );
    assert!(
        missing.stderr.contains("aciform apply"),
        "{}",
        missing.stderr
    );

    sandbox.run(&["apply", "--auto-approve"]).expect(0, "apply");
    let proxy = sandbox
        .run(&["logs", "container_group.shop", "--container", "proxy"])
        .expect(0, "logs of proxy");
    assert!(
        proxy.stdout.contains("from image nginx:1.27"),
        "{}",
        proxy.stdout
    );
    // The name is listed; `run` already failed the test if the value appeared.
    assert!(proxy.stdout.contains("UPSTREAM_TOKEN"), "{}", proxy.stdout);

    // The first container is the default; --tail keeps the last lines.
    let app = sandbox
        .run(&["logs", "container_group.shop"])
        .expect(0, "logs");
    assert!(app.stdout.contains("shop/app:crashloop"), "{}", app.stdout);
    let tail = sandbox
        .run(&["logs", "container_group.shop", "--tail", "1"])
        .expect(0, "logs --tail 1");
    assert_eq!(tail.stdout.lines().count(), 1, "{}", tail.stdout);
}

#[test]
fn logs_mistakes_get_a_hint_and_exit_1() {
    let sandbox = sandbox();
    let typo = sandbox
        .run(&["logs", "container_group.shp"])
        .expect(1, "typo");
    assert!(
        typo.stderr.contains("did you mean `container_group.shop`?"),
        "{}",
        typo.stderr
    );
    let short = sandbox.run(&["logs", "shop"]).expect(1, "shorthand");
    assert!(
        short
            .stderr
            .contains("did you mean `container_group.shop`?"),
        "{}",
        short.stderr
    );
    let rg = sandbox
        .run(&["logs", "resource_group.main"])
        .expect(1, "a resource group");
    assert!(rg.stderr.contains("is a resource group"), "{}", rg.stderr);
    let container = sandbox
        .run(&["logs", "container_group.shop", "--container", "db"])
        .expect(1, "unknown container");
    assert!(
        container.stderr.contains("(it has: app, proxy)"),
        "{}",
        container.stderr
    );
}

#[test]
fn a_group_dropped_from_the_stack_shows_as_a_leftover_until_applied() {
    let sandbox = sandbox();
    sandbox.run(&["apply", "--auto-approve"]).expect(0, "apply");
    let main = sandbox.stack.join("main.toml");
    let text = std::fs::read_to_string(&main).expect("read");
    let without_batch = text
        .split("[container_group.batch]")
        .next()
        .expect("the text before the batch group");
    std::fs::write(&main, without_batch).expect("write");

    let status = sandbox
        .run(&["status", "--format", "json"])
        .expect(0, "status")
        .json();
    let batch = resource(&status, "container_group.batch");
    assert_eq!(batch["desired"], "absent");
    assert_eq!(batch["name"], "batch");

    sandbox
        .run(&["apply", "--auto-approve"])
        .expect(0, "apply deletes the leftover");
    let status = sandbox
        .run(&["status", "--format", "json"])
        .expect(0, "status")
        .json();
    let addresses: Vec<&str> = status["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["address"].as_str())
        .collect();
    assert_eq!(addresses, ["resource_group.main", "container_group.shop"]);
}
