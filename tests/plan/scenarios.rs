//! Each scenario of a plan people must be able to trust, in all three renderings.

use aciform::plan::file::PlanFile;
use aciform::plan::{Action, ChangeKind};
use reqwest::Method;
use serde_json::json;

use super::{Lab, actions, renderings, without_ips};

const SECRET: &str = "pw-that-must-never-show";

fn stack(web_image: &str, db_memory: &str, extra: &str) -> String {
    format!(
        r#"
[stack]
name = "shop"
location = "westeurope"

[resource_group.main]
name = "rg-shop"

[container_group.db]
resource_group = "main"
name = "shop-db"
ip_address = {{ type = "Public" }}

[[container_group.db.containers]]
name = "db"
image = "postgres:16"
cpu = 1.0
memory_gb = {db_memory}
ports = [5432]
secure_env = {{ POSTGRES_PASSWORD = "${{env.DB_PASSWORD}}" }}

[container_group.web]
resource_group = "main"
name = "shop-web"
ip_address = {{ type = "Public", dns_name_label = "shop-web-test" }}
{extra}

[[container_group.web.containers]]
name = "web"
image = "{web_image}"
cpu = 1.0
memory_gb = 1.5
ports = [80]
env = {{ MODE = "prod", DB_HOST = "${{container_group.db.ip}}" }}
"#
    )
}

/// A group that reads the web group's FQDN.
const FQDN_CLIENT: &str = r#"
[container_group.client]
resource_group = "main"
name = "shop-client"

[[container_group.client.containers]]
name = "client"
image = "busybox"
cpu = 0.5
memory_gb = 0.5
env = { WEB = "http://${container_group.web.fqdn}" }
"#;

async fn lab() -> Lab {
    let mut lab = Lab::new().await;
    lab.env.insert("DB_PASSWORD".into(), SECRET.into());
    lab
}

#[tokio::test]
async fn create_from_nothing() {
    let lab = lab().await;
    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    let (planned, ..) = lab.plan().await;
    let text = renderings(&planned);
    assert!(!text.contains(SECRET));
    insta::assert_snapshot!(text);
}

#[tokio::test]
async fn no_changes_after_apply() {
    let lab = lab().await;
    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    lab.apply().await;
    let (planned, ..) = lab.plan().await;
    assert!(!planned.plan.has_changes(), "{}", renderings(&planned));
    assert!(planned.steps.is_empty());
    insta::assert_snapshot!(renderings(&planned));
}

#[tokio::test]
async fn update_in_place() {
    let lab = lab().await;
    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    lab.apply().await;
    lab.write(&stack("nginx:1.27.0", "2.0", "").replace("MODE = \"prod\"", "MODE = \"canary\""));
    let (planned, ..) = lab.plan().await;
    assert_eq!(
        actions(&planned),
        [
            "container_group.db NoOp",
            "container_group.web Update",
            "resource_group.main NoOp"
        ]
    );
    insta::assert_snapshot!(renderings(&planned));
}

#[tokio::test]
async fn tags_only_update_is_a_patch() {
    let lab = lab().await;
    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    lab.apply().await;
    lab.write(&stack("nginx:1.25.3", "2.0", "tags = { team = \"web\" }"));
    let (planned, ..) = lab.plan().await;
    let web = &planned.plan.changes[1];
    assert_eq!(web.action, Action::Update);
    assert!(web.reasons[0].contains("PATCH"), "{:?}", web.reasons);
    insta::assert_snapshot!(without_ips(&aciform::render::plan_text(
        &planned.plan,
        false
    )));
}

#[tokio::test]
async fn replacement_names_the_field_and_unknowns_follow() {
    let lab = lab().await;
    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    lab.apply().await;
    lab.write(&stack("nginx:1.25.3", "4.0", ""));
    let (planned, ..) = lab.plan().await;
    assert_eq!(
        actions(&planned),
        [
            "container_group.db Replace",
            "container_group.web Update",
            "resource_group.main NoOp"
        ]
    );
    let web = &planned.plan.changes[1];
    let host = web
        .attributes
        .iter()
        .find(|a| a.path == "containers.web.env.DB_HOST");
    assert!(
        host.is_some_and(|a| a.known_after_apply),
        "{:?}",
        web.attributes
    );
    insta::assert_snapshot!(renderings(&planned));
}

#[tokio::test]
async fn delete_of_an_owned_leftover() {
    let lab = lab().await;
    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    lab.apply().await;
    let only_db = stack("nginx:1.25.3", "2.0", "");
    let cut = only_db.find("[container_group.web]").expect("web section");
    lab.write(&only_db[..cut]);
    let (planned, ..) = lab.plan().await;
    assert_eq!(
        actions(&planned),
        [
            "container_group.db NoOp",
            "container_group.web Delete",
            "resource_group.main NoOp"
        ]
    );
    insta::assert_snapshot!(renderings(&planned));
}

#[tokio::test]
async fn an_unowned_neighbour_is_never_touched() {
    let lab = lab().await;
    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    lab.apply().await;
    let neighbour = json!({"location": "westeurope", "properties": {"osType": "Linux",
        "containers": [{"name": "n", "properties": {"image": "busybox",
            "resources": {"requests": {"cpu": 0.5, "memoryInGB": 0.5}}}}]}});
    let path =
        "/resourceGroups/rg-shop/providers/Microsoft.ContainerInstance/containerGroups/neighbour";
    lab.arm(Method::PUT, path, Some(neighbour)).await;
    lab.settle().await;

    let (planned, ..) = lab.plan().await;
    assert!(!planned.plan.has_changes(), "{}", renderings(&planned));
    assert!(
        planned
            .plan
            .changes
            .iter()
            .all(|c| !c.address.contains("neighbour"))
    );

    let (destroy, ..) = lab.plan_with(true).await;
    assert_eq!(
        actions(&destroy),
        [
            "container_group.db Delete",
            "container_group.web Delete",
            "resource_group.main NoOp"
        ]
    );
    insta::assert_snapshot!(without_ips(&aciform::render::plan_text(
        &destroy.plan,
        false
    )));
}

#[tokio::test]
async fn stop_then_start() {
    let lab = lab().await;
    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    lab.apply().await;
    lab.write(&stack("nginx:1.25.3", "2.0", "state = \"stopped\""));
    let (stop, ..) = lab.plan().await;
    assert_eq!(stop.plan.changes[1].action, Action::Stop);
    lab.apply().await;
    let (after, ..) = lab.plan().await;
    assert!(!after.plan.has_changes(), "{}", renderings(&after));

    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    let (start, ..) = lab.plan().await;
    assert_eq!(start.plan.changes[1].action, Action::Start);
    let text = format!(
        "{}\n=====\n{}",
        renderings(&stop),
        without_ips(&aciform::render::plan_text(&start.plan, false))
    );
    insta::assert_snapshot!(text);
}

#[tokio::test]
async fn a_changed_secure_value_shows_as_sensitive() {
    let mut lab = lab().await;
    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    lab.apply().await;
    lab.env
        .insert("DB_PASSWORD".into(), "rotated-secret-value".into());
    let (planned, ..) = lab.plan().await;
    assert_eq!(planned.plan.changes[0].action, Action::Update);
    let text = renderings(&planned);
    assert!(!text.contains("rotated-secret-value") && !text.contains(SECRET));
    insta::assert_snapshot!(text);
}

#[tokio::test]
async fn a_saved_plan_holds_no_secret() {
    let lab = lab().await;
    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    let (planned, live, ..) = lab.plan().await;
    let file = PlanFile::new(&planned, &live, lab.dir.path(), vec![], vec![]);
    let text = file.to_json();
    assert!(!text.contains(SECRET), "the plan file leaks the secret");
    let back = PlanFile::from_json(&text).expect("round trip");
    assert_eq!(back, file);

    lab.apply().await;
    let (fresh, live, ..) = lab.plan().await;
    let stale = file
        .check_fresh(&fresh, &live)
        .expect_err("the world moved");
    assert!(
        stale
            .differences
            .iter()
            .any(|d| d.contains("container_group.db")),
        "{stale:?}"
    );
}

#[tokio::test]
async fn an_ignored_field_changed_outside_survives_an_update() {
    let lab = Lab::new().await;
    let toml = |mode: &str| {
        format!(
            r#"
[stack]
name = "ign"
location = "westeurope"

[resource_group.main]
name = "rg-ign"

[container_group.web]
resource_group = "main"
lifecycle = {{ ignore_changes = ["containers.web.image", "tags.deployed_by"] }}

[[container_group.web.containers]]
name = "web"
image = "nginx:1.25"
cpu = 1.0
memory_gb = 1.5
env = {{ MODE = "{mode}" }}
"#
        )
    };
    lab.write(&toml("a"));
    lab.apply().await;

    // A deployment pipeline rolls a new image and stamps a tag, outside aciform.
    let path = "/resourceGroups/rg-ign/providers/Microsoft.ContainerInstance/containerGroups/web";
    let mut live = lab.arm(Method::GET, path, None).await;
    live["properties"]["containers"][0]["properties"]["image"] = json!("nginx:1.27-ci");
    live["tags"]["deployed_by"] = json!("pipeline-42");
    lab.arm(Method::PUT, path, Some(live)).await;
    lab.settle().await;

    let (planned, ..) = lab.plan().await;
    assert!(!planned.plan.has_changes(), "{}", renderings(&planned));

    lab.write(&toml("b"));
    let (planned, ..) = lab.plan().await;
    let paths: Vec<&str> = planned.plan.changes[0]
        .attributes
        .iter()
        .map(|a| a.path.as_str())
        .collect();
    assert_eq!(paths, ["containers.web.env.MODE"]);
    lab.apply().await;

    let after = lab.arm(Method::GET, path, None).await;
    assert_eq!(
        after["properties"]["containers"][0]["properties"]["image"],
        "nginx:1.27-ci"
    );
    assert_eq!(after["tags"]["deployed_by"], "pipeline-42");
    let env = &after["properties"]["containers"][0]["properties"]["environmentVariables"];
    assert_eq!(env, &json!([{"name": "MODE", "value": "b"}]));

    // A replacement (more memory) keeps them too: the new group starts from the old.
    lab.write(&toml("b").replace("memory_gb = 1.5", "memory_gb = 2.0"));
    let (planned, ..) = lab.plan().await;
    assert_eq!(planned.plan.changes[0].action, Action::Replace);
    lab.apply().await;
    let after = lab.arm(Method::GET, path, None).await;
    let image = &after["properties"]["containers"][0]["properties"]["image"];
    assert_eq!(image, "nginx:1.27-ci");
    assert_eq!(after["tags"]["deployed_by"], "pipeline-42");
    let (again, ..) = lab.plan().await;
    assert!(!again.plan.has_changes(), "{}", renderings(&again));
}

#[tokio::test]
async fn a_group_being_deleted_is_created_again_once_gone() {
    let mut config = aciform::emulator::EmulatorConfig::for_tests();
    config.operation_time = std::time::Duration::from_millis(400);
    let mut lab = Lab::with(config).await;
    lab.env.insert("DB_PASSWORD".into(), SECRET.into());
    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    lab.apply().await;

    // Someone deletes the web group; the delete is still running when we plan.
    let groups = "/resourceGroups/rg-shop/providers/Microsoft.ContainerInstance/containerGroups";
    lab.arm(Method::DELETE, &format!("{groups}/shop-web"), None)
        .await;
    let (planned, ..) = lab.plan().await;
    let web = &planned.plan.changes[1];
    assert_eq!(web.action, Action::Create, "{}", renderings(&planned));
    assert!(
        web.reasons[0].contains("being deleted"),
        "{:?}",
        web.reasons
    );

    lab.apply().await;
    let (after, ..) = lab.plan().await;
    assert!(!after.plan.has_changes(), "{}", renderings(&after));
}

#[tokio::test]
async fn dependents_follow_the_new_ip_of_a_started_group() {
    let lab = lab().await;
    let stopped_db = stack("nginx:1.25.3", "2.0", "").replacen(
        "name = \"shop-db\"",
        "name = \"shop-db\"\nstate = \"stopped\"",
        1,
    );
    lab.write(&stopped_db);
    lab.apply().await;

    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    let (planned, ..) = lab.plan().await;
    assert_eq!(
        actions(&planned),
        [
            "container_group.db Start",
            "container_group.web Update",
            "resource_group.main NoOp"
        ]
    );
    let host = planned.plan.changes[1]
        .attributes
        .iter()
        .find(|a| a.path == "containers.web.env.DB_HOST");
    assert!(
        host.is_some_and(|a| a.known_after_apply),
        "{}",
        renderings(&planned)
    );

    lab.apply().await;
    let groups = "/resourceGroups/rg-shop/providers/Microsoft.ContainerInstance/containerGroups";
    let db = lab
        .arm(Method::GET, &format!("{groups}/shop-db"), None)
        .await;
    let web = lab
        .arm(Method::GET, &format!("{groups}/shop-web"), None)
        .await;
    let env = &web["properties"]["containers"][0]["properties"]["environmentVariables"];
    let db_host = env
        .as_array()
        .and_then(|vars| vars.iter().find(|v| v["name"] == "DB_HOST"));
    assert_eq!(
        db_host.map(|v| &v["value"]),
        Some(&db["properties"]["ipAddress"]["ip"])
    );
    let (after, ..) = lab.plan().await;
    assert!(!after.plan.has_changes(), "{}", renderings(&after));
}

#[tokio::test]
async fn a_replaced_group_keeps_its_fqdn_under_the_unsecure_scope() {
    let lab = lab().await;
    let with_client = |memory: &str| {
        let base = stack("nginx:1.25.3", "2.0", "").replace(
            "memory_gb = 1.5\nports = [80]",
            &format!("memory_gb = {memory}\nports = [80]"),
        );
        format!("{base}{FQDN_CLIENT}")
    };
    lab.write(&with_client("1.5"));
    lab.apply().await;
    lab.write(&with_client("2.0"));
    let (planned, ..) = lab.plan().await;
    assert_eq!(
        actions(&planned),
        [
            "container_group.client NoOp",
            "container_group.db NoOp",
            "container_group.web Replace",
            "resource_group.main NoOp"
        ]
    );
    let web = &planned.plan.changes[2];
    assert!(
        web.attributes.iter().all(|a| a.path != "ip_address.fqdn"),
        "{:?}",
        web.attributes
    );
    lab.apply().await;
    let (after, ..) = lab.plan().await;
    assert!(!after.plan.has_changes(), "{}", renderings(&after));
}

#[tokio::test]
async fn updating_a_stopped_group_says_it_will_run_for_a_moment() {
    let lab = lab().await;
    lab.write(&stack("nginx:1.25.3", "2.0", "state = \"stopped\""));
    lab.apply().await;
    lab.write(&stack("nginx:1.27.0", "2.0", "state = \"stopped\""));
    let (planned, ..) = lab.plan().await;
    let web = &planned.plan.changes[1];
    assert_eq!(web.action, Action::Update);
    assert!(
        web.reasons
            .iter()
            .any(|r| r.contains("the group is stopped") && r.contains("stops it")),
        "{:?}",
        web.reasons
    );
    lab.apply().await;
    let (after, ..) = lab.plan().await;
    assert!(!after.plan.has_changes(), "{}", renderings(&after));
}

#[tokio::test]
async fn a_group_stuck_deploying_is_not_called_settled() {
    let lab = lab().await;
    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    lab.apply().await;
    // Someone re-deploys the web group outside aciform, and it never finishes.
    lab.cloud.faults().stick("shop-web");
    let path =
        "/resourceGroups/rg-shop/providers/Microsoft.ContainerInstance/containerGroups/shop-web";
    let body = lab.arm(Method::GET, path, None).await;
    lab.arm(Method::PUT, path, Some(body)).await;

    let (planned, ..) = lab.plan().await;
    let web = &planned.plan.changes[1];
    assert_eq!(web.action, Action::NoOp);
    assert!(
        web.reasons[0].contains("an operation is still in progress"),
        "{:?}",
        web.reasons
    );
    let text = aciform::render::plan_text(&planned.plan, false);
    assert!(
        text.contains("container_group.web is left as it is"),
        "{text}"
    );
}

#[tokio::test]
async fn a_resource_group_holding_foreign_groups_is_never_replaced() {
    let lab = lab().await;
    lab.write(&stack("nginx:1.25.3", "2.0", ""));
    lab.apply().await;
    let foreign = json!({"location": "westeurope", "properties": {"osType": "Linux",
        "containers": [{"name": "f", "properties": {"image": "busybox",
            "resources": {"requests": {"cpu": 0.5, "memoryInGB": 0.5}}}}]}});
    let path = "/resourceGroups/rg-shop/providers/Microsoft.ContainerInstance/containerGroups/f";
    lab.arm(Method::PUT, path, Some(foreign)).await;
    lab.settle().await;

    lab.write(&stack("nginx:1.25.3", "2.0", "").replacen("westeurope", "northeurope", 1));
    let errors = lab.plan_errors().await;
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("replacing this resource group would delete `rg-shop`")),
        "{errors:?}"
    );
}

#[tokio::test]
async fn a_new_dns_label_reaches_the_groups_that_use_the_fqdn() {
    let lab = lab().await;
    let with_client = |label: &str| {
        let base = stack("nginx:1.25.3", "2.0", "").replace("shop-web-test", label);
        format!("{base}{FQDN_CLIENT}")
    };
    lab.write(&with_client("shop-web-one"));
    lab.apply().await;
    lab.write(&with_client("shop-web-two"));
    let (planned, ..) = lab.plan().await;
    assert_eq!(
        actions(&planned),
        [
            "container_group.client Update",
            "container_group.db NoOp",
            "container_group.web Update",
            "resource_group.main NoOp"
        ]
    );
    let client = &planned.plan.changes[0];
    assert!(
        client.attributes.iter().any(|a| a.known_after_apply),
        "{}",
        renderings(&planned)
    );
    lab.apply().await;
    let (after, ..) = lab.plan().await;
    assert!(!after.plan.has_changes(), "{}", renderings(&after));
}

#[tokio::test]
async fn replacing_a_group_without_an_ip_says_nothing_of_an_ip() {
    let lab = lab().await;
    let job = |memory: &str| {
        format!(
            "[stack]\nname = \"shop\"\nlocation = \"westeurope\"\n\n[resource_group.main]\n\
             name = \"rg-shop\"\n\n[container_group.job]\nresource_group = \"main\"\n\n\
             [[container_group.job.containers]]\nname = \"job\"\nimage = \"busybox:1.36\"\n\
             cpu = 1.0\nmemory_gb = {memory}\n"
        )
    };
    lab.write(&job("1.0"));
    lab.apply().await;
    lab.write(&job("2.0"));
    let (planned, ..) = lab.plan().await;
    let change = planned
        .plan
        .changes
        .iter()
        .find(|c| c.address == "container_group.job")
        .expect("job planned");
    assert_eq!(change.action, Action::Replace);
    let note = "the group is deleted and created again: its containers start afresh";
    assert!(
        change.reasons.iter().any(|r| r == note),
        "{:?}",
        change.reasons
    );
    assert!(!change.reasons.iter().any(|r| r.contains("IP address")));
}

#[tokio::test]
async fn secrets_added_and_removed_show_as_such() {
    let lab = lab().await;
    let with_secrets = |names: &[&str]| {
        let pairs: Vec<String> = names
            .iter()
            .map(|n| format!("{n} = \"value-of-{n}\""))
            .collect();
        stack("nginx:1.25.3", "2.0", "").replace(
            "env = { MODE",
            &format!("secure_env = {{ {} }}\nenv = {{ MODE", pairs.join(", ")),
        )
    };
    let first = with_secrets(&["S1", "S3"]);
    assert!(first.contains("value-of-S1"), "the stack takes secure_env");
    lab.write(&first);
    lab.apply().await;
    lab.write(&with_secrets(&["S1", "S2"]));
    let (planned, ..) = lab.plan().await;
    let web = planned
        .plan
        .changes
        .iter()
        .find(|c| c.address == "container_group.web")
        .expect("web planned");
    let kind = |path: &str| {
        let found = web.attributes.iter().find(|a| a.path == path);
        found.map(|a| (a.change, a.sensitive))
    };
    assert_eq!(
        kind("containers.web.secure_env.S2"),
        Some((ChangeKind::Add, true))
    );
    assert_eq!(
        kind("containers.web.secure_env.S3"),
        Some((ChangeKind::Remove, true))
    );
    assert_eq!(kind("containers.web.secure_env.S1"), None, "unchanged");
    let text = aciform::render::plan_text(&planned.plan, false);
    assert!(
        text.contains("+ containers.web.secure_env.S2 = (sensitive value)"),
        "{text}"
    );
    assert!(
        text.contains("- containers.web.secure_env.S3 = (sensitive value) -> null"),
        "{text}"
    );
    assert!(!text.contains("value-of-"), "{text}");
}
