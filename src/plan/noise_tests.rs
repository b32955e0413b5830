//! Regression tests for each kind of noise the normalizer removes, built as "the
//! desired body says X, Azure returns Y, the diff is empty", plus the changes that must
//! still show through.

use serde_json::{Value, json};

use super::canon::canonicalize_container_group;
use super::diff::{Diff, DiffRules, diff};
use super::rules::replacement_reason;
use super::secrets::{SecretHashes, secret_tags};
use crate::sensitive::Sensitive;

fn desired_body() -> Value {
    json!({
        "location": "westeurope",
        "tags": {"aciform-stack": "shop", "team": "web"},
        "properties": {
            "osType": "Linux",
            "containers": [
                {"name": "web", "properties": {
                    "image": "nginx:1.25",
                    "ports": [{"port": 80}, {"port": 53, "protocol": "UDP"}],
                    "environmentVariables": [
                        {"name": "MODE", "value": "prod"},
                        {"name": "A", "value": "1"}
                    ],
                    "resources": {"requests": {"cpu": 1.0, "memoryInGB": 1.5}}
                }},
                {"name": "sidecar", "properties": {
                    "image": "busybox",
                    "resources": {"requests": {"cpu": 0.5, "memoryInGB": 0.5}}
                }}
            ],
            "ipAddress": {"type": "Public", "ports": [{"port": 80, "protocol": "TCP"}]}
        }
    })
}

fn run(desired: &Value, live: &Value) -> Diff {
    run_with(desired, live, None)
}

fn run_with(desired: &Value, live: &Value, secrets: Option<&SecretHashes>) -> Diff {
    let rules = DiffRules {
        replacement: &replacement_reason,
        secrets,
        ignore: &[],
    };
    diff(
        &canonicalize_container_group(desired),
        &canonicalize_container_group(live),
        &rules,
    )
}

fn paths(d: &Diff) -> Vec<&str> {
    d.attributes.iter().map(|a| a.path.as_str()).collect()
}

/// What Azure sends back for `desired_body()`: every kind of reshaping at once.
fn azure_returns() -> Value {
    json!({
        "id": "/subscriptions/s/resourcegroups/RG/providers/Microsoft.ContainerInstance/\
               containerGroups/web",
        "name": "web",
        "type": "Microsoft.ContainerInstance/containerGroups",
        "location": "West Europe",
        "tags": {"team": "web", "aciform-stack": "shop"},
        "properties": {
            "provisioningState": "Succeeded",
            "isCreatedFromStandbyPool": false,
            "sku": "Standard",
            "restartPolicy": "Always",
            "priority": "Regular",
            "osType": "linux",
            "initContainers": [],
            "imageRegistryCredentials": [],
            "instanceView": {"state": "Running", "events": []},
            "containers": [
                {"name": "sidecar", "properties": {
                    "image": "busybox",
                    "command": [],
                    "ports": [],
                    "environmentVariables": [],
                    "resources": {"requests": {"cpu": 0.5, "memoryInGB": 0.5}},
                    "instanceView": {"restartCount": 0}
                }},
                {"name": "web", "properties": {
                    "image": "nginx:1.25",
                    "command": [],
                    "ports": [{"port": 53, "protocol": "Udp"}, {"port": 80}],
                    "environmentVariables": [
                        {"name": "A", "value": "1"},
                        {"name": "MODE", "value": "prod"}
                    ],
                    "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}}
                }}
            ],
            "ipAddress": {
                "type": "public", "ip": "20.1.2.3",
                "ports": [{"port": 80, "protocol": "TCP"}],
                "fqdn": ""
            }
        }
    })
}

#[test]
fn azure_reshaping_of_an_unchanged_group_is_no_diff() {
    let d = run(&desired_body(), &azure_returns());
    assert!(d.is_empty(), "unexpected changes: {:?}", d.attributes);
    assert!(d.unchanged > 10);
}

#[test]
fn location_case_and_spaces_are_not_a_change() {
    let mut live = azure_returns();
    live["location"] = json!("WESTEUROPE");
    assert!(run(&desired_body(), &live).is_empty());
}

#[test]
fn ids_compare_segment_by_segment_case_insensitively() {
    let subnet = "/subscriptions/S/resourceGroups/Net/providers/Microsoft.Network/\
                  virtualNetworks/v/subnets/aci";
    let identity = "/subscriptions/S/resourceGroups/Id/providers/\
                    Microsoft.ManagedIdentity/userAssignedIdentities/web";
    let mut desired = desired_body();
    desired["properties"]["subnetIds"] = json!([{ "id": subnet }]);
    desired["identity"] =
        json!({"type": "UserAssigned", "userAssignedIdentities": { identity: {} }});

    // Azure answers with its own casing of every segment.
    let live_subnet = subnet.to_lowercase();
    let live_identity = identity
        .replace("resourceGroups/Id", "resourcegroups/id")
        .replace("web", "WEB");
    let mut live = azure_returns();
    live["properties"]["subnetIds"] = json!([{ "id": live_subnet, "name": "aci" }]);
    live["identity"] = json!({"type": "userassigned", "principalId": "p", "tenantId": "t",
        "userAssignedIdentities": { live_identity: {"principalId": "x", "clientId": "y"} }});
    let d = run(&desired, &live);
    assert!(d.is_empty(), "unexpected changes: {:?}", d.attributes);
}

#[test]
fn an_identity_of_type_none_is_no_identity() {
    let mut live = azure_returns();
    live["identity"] = json!({"type": "None"});
    assert!(run(&desired_body(), &live).is_empty());
}

#[test]
fn an_image_change_shows_and_updates_in_place() {
    let mut desired = desired_body();
    desired["properties"]["containers"][0]["properties"]["image"] = json!("nginx:1.27");
    let d = run(&desired, &azure_returns());
    assert_eq!(paths(&d), ["containers.web.image"]);
    assert_eq!(d.attributes[0].before, Some(json!("nginx:1.25")));
    assert_eq!(d.attributes[0].after, Some(json!("nginx:1.27")));
    assert!(d.replace_reasons.is_empty());
}

#[test]
fn a_removed_env_var_shows_as_removed() {
    let mut desired = desired_body();
    desired["properties"]["containers"][0]["properties"]["environmentVariables"] =
        json!([{"name": "MODE", "value": "prod"}]);
    let d = run(&desired, &azure_returns());
    assert_eq!(paths(&d), ["containers.web.env.A"]);
    assert_eq!(d.attributes[0].after, None);
}

#[test]
fn a_memory_change_forces_replacement_and_names_the_field() {
    let mut desired = desired_body();
    desired["properties"]["containers"][0]["properties"]["resources"]["requests"]["memoryInGB"] =
        json!(2);
    let d = run(&desired, &azure_returns());
    assert_eq!(paths(&d), ["containers.web.memory_gb"]);
    assert!(d.attributes[0].forces_replacement);
    assert!(d.replace_reasons[0].starts_with("containers.web.memory_gb: "));
}

#[test]
fn a_tag_change_is_tags_only() {
    let mut desired = desired_body();
    desired["tags"]["team"] = json!("platform");
    let d = run(&desired, &azure_returns());
    assert!(d.only_tags());
}

#[test]
fn tag_names_match_case_insensitively_but_values_do_not() {
    let mut live = azure_returns();
    live["tags"] = json!({"TEAM": "web", "aciform-stack": "shop"});
    assert!(run(&desired_body(), &live).is_empty());
    live["tags"] = json!({"team": "Web", "aciform-stack": "shop"});
    assert_eq!(paths(&run(&desired_body(), &live)), ["tags.team"]);
}

#[test]
fn a_server_assigned_ip_is_not_drift_but_a_spec_ip_is_compared() {
    let mut desired = desired_body();
    desired["properties"]["ipAddress"]["ip"] = json!("10.0.0.4");
    assert_eq!(paths(&run(&desired, &azure_returns())), ["ip_address.ip"]);
}

#[test]
fn a_restart_policy_set_outside_the_spec_shows_against_the_default() {
    let mut live = azure_returns();
    live["properties"]["restartPolicy"] = json!("OnFailure");
    let d = run(&desired_body(), &live);
    assert_eq!(paths(&d), ["restart_policy"]);
    assert!(d.attributes[0].forces_replacement);
}

#[test]
fn a_field_aciform_does_not_model_shows_when_set_outside() {
    let mut live = azure_returns();
    live["properties"]["extensions"] = json!([{"name": "kube-proxy", "properties": {
        "extensionType": "kube-proxy", "version": "1.0",
        "protectedSettings": {"token": "hush"}}}]);
    let d = run(&desired_body(), &live);
    // The secret inside is its own, sensitive attribute.
    assert_eq!(
        paths(&d),
        ["extensions", "extensions.0.properties.protected_settings"]
    );
    assert!(d.attributes[1].sensitive);
    let text = format!("{:?}", d.attributes);
    assert!(
        !text.contains("hush"),
        "a secret inside an unknown field leaked: {text}"
    );
}

#[test]
fn secrets_are_compared_by_recorded_hash_only() {
    let secret = Sensitive::new("s3cret".to_string());
    let mut desired = desired_body();
    desired["properties"]["containers"][0]["properties"]["environmentVariables"] = json!([
        {"name": "MODE", "value": "prod"}, {"name": "A", "value": "1"},
        {"name": "KEY", "secureValue": "s3cret"}
    ]);
    let mut live = azure_returns();
    live["properties"]["containers"][1]["properties"]["environmentVariables"] = json!([
        {"name": "A", "value": "1"}, {"name": "MODE", "value": "prod"}, {"name": "KEY"}
    ]);

    let key = "containers.web.secure_env.KEY";
    let tags = secret_tags("salt", &[(key, &secret)]);
    let recorded: serde_json::Map<String, Value> = tags
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let hashes = SecretHashes::from_tags(&recorded).expect("parses");
    assert!(run_with(&desired, &live, Some(&hashes)).is_empty());

    // Without a record (a group made outside aciform), the value may differ: show it.
    let d = run_with(&desired, &live, None);
    assert_eq!(paths(&d), [key]);
    assert!(d.attributes[0].sensitive);
    assert_eq!(
        (
            d.attributes[0].before.clone(),
            d.attributes[0].after.clone()
        ),
        (None, None)
    );

    // A changed value no longer matches the record.
    desired["properties"]["containers"][0]["properties"]["environmentVariables"][2]["secureValue"] =
        json!("rotated");
    let d = run_with(&desired, &live, Some(&hashes));
    assert_eq!(paths(&d), [key]);
    assert!(!format!("{d:?}").contains("rotated"));
}

#[test]
fn withheld_storage_keys_and_secret_volumes_are_not_drift_when_recorded() {
    let mut desired = desired_body();
    desired["properties"]["volumes"] = json!([
        {"name": "files", "azureFile": {"shareName": "s", "storageAccountName": "a",
            "storageAccountKey": "k3y"}},
        {"name": "conf", "secret": {"app.conf": "YQ=="}}
    ]);
    let mut live = azure_returns();
    live["properties"]["volumes"] = json!([
        {"name": "conf", "secret": {}},
        {"name": "files",
         "azureFile": {"shareName": "s", "storageAccountName": "a", "readOnly": false}}
    ]);
    let key_entry = Sensitive::new("k3y".to_string());
    let conf_entry = Sensitive::new(json!({"app.conf": "YQ=="}).to_string());
    let tags = secret_tags(
        "salt",
        &[
            ("volumes.files.azure_file.storage_account_key", &key_entry),
            ("volumes.conf.secret", &conf_entry),
        ],
    );
    let recorded: serde_json::Map<String, Value> = tags
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let hashes = SecretHashes::from_tags(&recorded).expect("parses");
    let d = run_with(&desired, &live, Some(&hashes));
    assert!(d.is_empty(), "unexpected changes: {:?}", d.attributes);
}

#[test]
fn log_analytics_fields_azure_does_not_return_are_compared_by_hash() {
    use super::canon::canonicalize_container_group as canon;
    use super::diff::write_only_value;

    let mut desired = desired_body();
    desired["properties"]["diagnostics"] = json!({"logAnalytics": {"workspaceId": "w",
        "workspaceKey": "k", "logType": "ContainerInstanceLogs", "metadata": {"team": "shop"}}});
    let mut live = azure_returns();
    live["properties"]["diagnostics"] = json!({"logAnalytics": {"workspaceId": "w"}});

    let c = canon(&desired);
    let recorded: Vec<(String, Sensitive<String>)> = c
        .entries
        .iter()
        .filter(|(k, _)| super::rules::is_write_only(k))
        .map(|(k, e)| (k.clone(), write_only_value(e).expect("plain")))
        .chain([(
            "diagnostics.log_analytics.workspace_key".to_string(),
            Sensitive::new("k".to_string()),
        )])
        .collect();
    let pairs: Vec<(&str, &Sensitive<String>)> =
        recorded.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let tags: serde_json::Map<String, Value> = secret_tags("salt", &pairs)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let hashes = SecretHashes::from_tags(&tags).expect("parses");
    let d = run_with(&desired, &live, Some(&hashes));
    assert!(d.is_empty(), "unexpected changes: {:?}", d.attributes);

    desired["properties"]["diagnostics"]["logAnalytics"]["logType"] = json!("ContainerInsights");
    let d = run_with(&desired, &live, Some(&hashes));
    assert_eq!(paths(&d), ["diagnostics.log_analytics.log_type"]);
    assert!(d.attributes[0].forces_replacement);
}
