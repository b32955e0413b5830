//! One regression test per kind of noise: the user wrote X, the emulator returns it
//! the way Azure does (Y), and the plan after apply says "no changes".

use super::{Lab, renderings};

/// A stack with one group whose extra settings are `group` and whose container
/// settings are `container`.
fn stack(location: &str, group: &str, container: &str, more: &str) -> String {
    format!(
        r#"
[stack]
name = "noise"
location = "{location}"

[resource_group.main]
name = "rg-noise"

[container_group.app]
resource_group = "main"
{group}

[[container_group.app.containers]]
name = "app"
image = "nginx:1.25"
cpu = 1.0
memory_gb = 1.5
{container}
{more}
"#
    )
}

async fn assert_no_changes_after_apply(toml: &str, env: &[(&str, &str)]) {
    let mut lab = Lab::new().await;
    for (k, v) in env {
        lab.env.insert((*k).into(), (*v).into());
    }
    lab.write(toml);
    lab.apply().await;
    let (planned, ..) = lab.plan().await;
    assert!(
        !planned.plan.has_changes(),
        "noise after apply:\n{}",
        renderings(&planned)
    );
}

#[tokio::test]
async fn location_written_with_spaces_and_capitals() {
    assert_no_changes_after_apply(&stack("West Europe", "", "", ""), &[]).await;
}

#[tokio::test]
async fn numbers_written_as_floats_come_back_as_integers() {
    let container = "cpu_limit = 1.0\nmemory_gb_limit = 1.5";
    assert_no_changes_after_apply(&stack("westeurope", "", container, ""), &[]).await;
}

#[tokio::test]
async fn defaults_the_service_fills_in() {
    // restart policy, sku, priority, TCP as the protocol, read_only false.
    let group = "ip_address = { type = \"Public\" }";
    let container =
        "ports = [80, \"53/udp\"]\nvolume_mounts = [{ name = \"cache\", mount_path = \"/c\" }]";
    let more = "[[container_group.app.volumes]]\nname = \"cache\"\nempty_dir = {}";
    assert_no_changes_after_apply(&stack("westeurope", group, container, more), &[]).await;
}

#[tokio::test]
async fn lists_in_another_order_than_the_service_keeps() {
    let container = "env = { ZED = \"1\", ALPHA = \"2\", MIDDLE = \"3\" }\nports = [8080, 80, 443]";
    let more = r#"
[[container_group.app.containers]]
name = "sidecar-z"
image = "busybox"
cpu = 0.5
memory_gb = 0.5

[[container_group.app.containers]]
name = "sidecar-a"
image = "busybox"
cpu = 0.5
memory_gb = 0.5
"#;
    assert_no_changes_after_apply(&stack("westeurope", "", container, more), &[]).await;
}

#[tokio::test]
async fn secrets_the_service_never_returns() {
    let group = r#"diagnostics.log_analytics.workspace_id = "ws"
diagnostics.log_analytics.workspace_key = "${env.LAW}"
diagnostics.log_analytics.log_type = "ContainerInsights"
diagnostics.log_analytics.metadata = { team = "a" }"#;
    let container = r#"secure_env = { TOKEN = "${env.TOKEN}" }
volume_mounts = [
    { name = "files", mount_path = "/f" },
    { name = "config", mount_path = "/conf" },
]"#;
    let more = r#"
[[container_group.app.volumes]]
name = "files"
azure_file = { share_name = "s", storage_account_name = "acct", storage_account_key = "${env.KEY}" }

[[container_group.app.volumes]]
name = "config"
secret = { "app.conf" = "YXBwPTEK" }

[[container_group.app.image_registry_credentials]]
server = "example.azurecr.io"
username = "puller"
password = "${env.PULL}"
"#;
    let env = [
        ("LAW", "law-key"),
        ("TOKEN", "tok"),
        ("KEY", "storage"),
        ("PULL", "pull-pw"),
    ];
    assert_no_changes_after_apply(&stack("westeurope", group, container, more), &env).await;
}

#[tokio::test]
async fn resource_ids_in_other_casing() {
    let id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/RG-ID/\
              providers/microsoft.managedidentity/userAssignedIdentities/App";
    let group = format!("identity.type = \"UserAssigned\"\nidentity.user_assigned = [\"{id}\"]");
    let group = group.as_str();
    assert_no_changes_after_apply(&stack("westeurope", group, "", ""), &[]).await;
}

#[tokio::test]
async fn dns_settings_with_loose_spacing() {
    let group = r#"ip_address.type = "Public"
ip_address.dns_name_label = "noise-app-label"
ip_address.ports = [80]
dns_config.name_servers = ["10.0.0.10"]
dns_config.search_domains = "a.local  b.local"
dns_config.options = "ndots:2""#;
    let container = "ports = [80]";
    assert_no_changes_after_apply(&stack("westeurope", group, container, ""), &[]).await;
}

#[tokio::test]
async fn probes_init_containers_and_empty_lists() {
    let container = r#"command = []
env = {}
liveness_probe = { http_get = { path = "/healthz", port = 80 }, period_seconds = 10 }
readiness_probe = { exec = ["cat", "/tmp/ready"] }
ports = [80]"#;
    let more = r#"
[[container_group.app.init_containers]]
name = "init"
image = "busybox"
command = ["sh", "-c", "echo ready"]
"#;
    assert_no_changes_after_apply(&stack("westeurope", "", container, more), &[]).await;
}

#[tokio::test]
async fn a_stopped_batch_group_stays_planned_as_stopped() {
    let group = "restart_policy = \"Never\"\nstate = \"stopped\"";
    assert_no_changes_after_apply(&stack("westeurope", group, "", ""), &[]).await;
}

#[tokio::test]
async fn a_finished_job_is_not_restarted() {
    let group = "restart_policy = \"OnFailure\"";
    let toml = stack("westeurope", group, "", "").replace("nginx:1.25", "example/report:job");
    assert_no_changes_after_apply(&toml, &[]).await;
}

#[tokio::test]
async fn a_group_tag_overrides_the_stacks_whatever_its_case() {
    let toml = stack("westeurope", "tags = { Owner = \"team-web\" }", "", "").replace(
        "location = \"westeurope\"\n",
        "location = \"westeurope\"\ntags = { owner = \"platform\" }\n",
    );
    let mut lab = Lab::new().await;
    lab.env.clear();
    lab.write(&toml);
    lab.apply().await;
    let body = lab
        .arm(
            reqwest::Method::GET,
            "/resourceGroups/rg-noise/providers/Microsoft.ContainerInstance/containerGroups/app",
            None,
        )
        .await;
    let owners: Vec<_> = body["tags"]
        .as_object()
        .expect("tags")
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("owner"))
        .collect();
    assert_eq!(owners.len(), 1, "{owners:?}");
    assert_eq!(owners[0].1, "team-web");
    let (planned, ..) = lab.plan().await;
    assert!(!planned.plan.has_changes(), "{}", renderings(&planned));
}
