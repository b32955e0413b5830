//! Round-trips of the models over every official example (tests/fixtures/aci-api/examples), plus
//! unknown-field and secret-redaction checks.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::*;

/// The official examples, vendored in tests/fixtures (see its README).
fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aci-api/examples")
}

/// Numbers compare by value: ARM writes `"cpu": 1`, the model writes `1.0`.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// Parses `value` as `T`, writes it back and demands the same JSON; returns the model.
fn round_trip<T: Serialize + DeserializeOwned + std::fmt::Debug>(value: &Value, what: &str) -> T {
    let model: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("{what}: does not parse: {e}"));
    let back = serde_json::to_value(&model).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        same_json(value, &back),
        "{what}: round trip changed the JSON\n{value:#}\n{back:#}"
    );
    let debug = format!("{model:?}");
    assert!(
        !debug.contains("extra: {\""),
        "{what}: a documented field fell into extra: {debug}"
    );
    model
}

/// Which model an example's bodies are, or `None` for operations aciform does not use
/// (profiles, NGroups, exec/attach, capabilities, usage, ...).
fn model_of(file: &str) -> Option<&'static str> {
    match file {
        "ContainerGroupAsyncOperation.json" => Some("operation"),
        "ContainerListLogs.json" => Some("logs"),
        "ContainerGroupsList.json" | "ContainerGroupsListByResourceGroup.json" => Some("list"),
        f if f.starts_with("ContainerGroupsGetOutbound") => None,
        f if f.starts_with("ContainerGroups") || f.starts_with("ContainerGroupCreate") => {
            Some("group")
        }
        "ContainerGroupEncryptionProperties.json" | "ContainerGroupExtensions.json" => {
            Some("group")
        }
        _ => None,
    }
}

#[test]
fn every_container_group_example_round_trips() {
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(examples_dir())
        .expect("examples dir reads")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();

    for path in entries {
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default()
            .to_string();
        let Some(model) = model_of(&file) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).expect("example reads");
        let example: Value = serde_json::from_str(&text).expect("example is JSON");

        let mut bodies: Vec<(String, &Value)> = Vec::new();
        for key in ["containerGroup", "Resource"] {
            if let Some(body) = example["parameters"].get(key) {
                bodies.push((format!("{file} request {key}"), body));
            }
        }
        for (status, response) in example["responses"].as_object().expect("responses") {
            if let Some(body) = response.get("body").filter(|b| b.is_object()) {
                bodies.push((format!("{file} response {status}"), body));
            }
        }

        for (what, body) in bodies {
            let is_tags_patch = what.ends_with("request Resource");
            match model {
                _ if is_tags_patch => assert!(body.get("tags").is_some(), "{what}"),
                "group" => drop(round_trip::<ContainerGroup>(body, &what)),
                "list" => drop(round_trip::<ListPage<ContainerGroup>>(body, &what)),
                "operation" => drop(round_trip::<OperationStatus>(body, &what)),
                "logs" => drop(round_trip::<Logs>(body, &what)),
                _ => unreachable!("model_of returns only these"),
            }
            checked += 1;
        }
    }
    assert_eq!(
        checked, 31,
        "example bodies checked (a new example needs a model_of entry)"
    );
}

#[test]
fn example_fields_land_in_typed_fields_and_secrets_stay_hidden() {
    let text = std::fs::read_to_string(examples_dir().join("ContainerGroupsCreateOrUpdate.json"))
        .expect("example reads");
    let example: Value = serde_json::from_str(&text).expect("JSON");
    let group: ContainerGroup =
        serde_json::from_value(example["parameters"]["containerGroup"].clone()).expect("parses");

    let container = &group.containers()[0];
    assert_eq!(container.properties.image.as_deref(), Some("nginx"));
    let requests = container
        .properties
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref());
    assert_eq!(requests.and_then(|r| r.cpu), Some(1.0));
    assert_eq!(group.properties.os_type.as_deref(), Some("Linux"));
    let volumes = group.properties.volumes.as_deref().unwrap_or_default();
    let secret = volumes[2].secret.as_ref().expect("secret volume");
    assert_eq!(secret.expose()["secretKey1"], "SecretValue1InBase64");

    let debug = format!("{group:?}");
    for secret in ["accountKey", "SecretValue1InBase64", "workspaceKey\""] {
        assert!(!debug.contains(secret), "{secret} leaked into Debug");
    }
}

#[test]
fn unknown_fields_are_kept_at_every_level() {
    let body = json!({
        "location": "westeurope",
        "futureTopLevel": {"a": 1},
        "properties": {
            "futureProperty": [1, 2],
            "containers": [{
                "name": "web",
                "futureContainerField": true,
                "properties": {
                    "image": "nginx",
                    "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5, "futureUnit": "x"}},
                    "environmentVariables": [{"name": "A", "secureValue": "s", "futureEnv": 3}]
                }
            }],
            "ipAddress": {"type": "Public", "ports": [{"port": 80, "futurePort": null}]}
        }
    });
    let group: ContainerGroup = serde_json::from_value(body.clone()).expect("parses");
    assert_eq!(group.extra["futureTopLevel"], json!({"a": 1}));
    assert_eq!(group.properties.extra["futureProperty"], json!([1, 2]));
    assert!(
        group.containers()[0]
            .extra
            .contains_key("futureContainerField")
    );
    assert!(same_json(
        &serde_json::to_value(&group).expect("writes"),
        &body
    ));
}

#[test]
fn absent_and_empty_stay_distinct() {
    let body = json!({"properties": {"containers": [], "volumes": []}});
    let group: ContainerGroup = serde_json::from_value(body.clone()).expect("parses");
    assert_eq!(serde_json::to_value(&group).expect("writes"), body);
    assert!(group.properties.init_containers.is_none());
}

#[test]
fn resource_groups_and_error_bodies_round_trip() {
    let rg = json!({
        "id": "/subscriptions/s/resourceGroups/rg",
        "name": "rg",
        "type": "Microsoft.Resources/resourceGroups",
        "location": "westeurope",
        "tags": {"aciform-stack": "shop"},
        "properties": {"provisioningState": "Succeeded"}
    });
    let model = round_trip::<ResourceGroup>(&rg, "resource group");
    assert_eq!(model.provisioning_state(), Some("Succeeded"));

    let page = json!({"value": [rg], "nextLink": "https://x/next"});
    let model = round_trip::<ListPage<ResourceGroup>>(&page, "resource group list");
    assert_eq!(model.next_link.as_deref(), Some("https://x/next"));

    let put = serde_json::to_value(ResourceGroup::new("westeurope", Default::default()));
    assert_eq!(
        put.expect("writes"),
        json!({"location": "westeurope", "tags": {}})
    );
}

#[test]
fn terminal_states() {
    for state in ["Succeeded", "failed", "Canceled"] {
        assert!(is_terminal_state(state), "{state}");
    }
    for state in ["InProgress", "Creating", "Running", "Deleting", ""] {
        assert!(!is_terminal_state(state), "{state}");
    }
}
