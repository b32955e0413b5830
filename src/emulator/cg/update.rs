//! What ACI refuses when a PUT changes an existing group: properties that need a
//! delete-and-recreate (`InvalidContainerGroupUpdate`, aci-api/README.md §9), a
//! different location (ARM's `InvalidResourceLocation`), and secure values left out of
//! the new body although the group had them (they are never returned, so a client that
//! echoes a GET body loses them).

use axum::http::StatusCode;
use serde_json::Value;

use super::super::error::ArmError;
use super::super::records::CgRecord;
use super::super::regions;
use super::{containers, entry_name, str_at};

/// Top-level properties that force a delete-and-recreate, with the name ACI's message
/// uses for them.
const IMMUTABLE: &[(&str, &str)] = &[
    ("/properties/osType", "OsType"),
    ("/properties/restartPolicy", "RestartPolicy"),
    ("/properties/sku", "Sku"),
    ("/properties/priority", "Priority"),
    ("/properties/ipAddress/type", "IpAddress type"),
    (
        "/properties/confidentialComputeProperties",
        "ConfidentialComputeProperties",
    ),
    ("/properties/encryptionProperties", "EncryptionProperties"),
];

/// Checks a normalized (secrets still present) `new` body against the stored group.
pub fn check_update(
    existing: &CgRecord,
    new: &Value,
    invalid_status: StatusCode,
) -> Result<(), ArmError> {
    check_location(existing, new)?;
    let old = &existing.body;
    let reject = |what: &str, before: &str, after: &str| {
        ArmError::new(
            invalid_status,
            "InvalidContainerGroupUpdate",
            format!(
                "The updates on container group '{}' are invalid. If you are going to update \
                 the {what} (old \"{before}\", new \"{after}\") for a container group, you must \
                 delete it first and then create a new one.",
                existing.name
            ),
        )
    };

    for (pointer, what) in IMMUTABLE {
        let (before, after) = (old.pointer(pointer), new.pointer(pointer));
        // Adding or removing a whole IP address block is a network change ACI allows;
        // only a different type on both sides is refused.
        if *what == "IpAddress type" && (before.is_none() || after.is_none()) {
            continue;
        }
        if !same(before, after) {
            return Err(reject(what, &show(before), &show(after)));
        }
    }
    if !same_list(old.pointer("/zones"), new.pointer("/zones")) {
        return Err(reject(
            "Zones",
            &show(old.pointer("/zones")),
            &show(new.pointer("/zones")),
        ));
    }
    let (old_subnets, new_subnets) = (subnet_ids(old), subnet_ids(new));
    if old_subnets != new_subnets {
        return Err(reject(
            "network profile",
            &old_subnets.join(","),
            &new_subnets.join(","),
        ));
    }
    let (old_diag, new_diag) = (diagnostics(old), diagnostics(new));
    if old_diag != new_diag {
        return Err(reject("Diagnostics", &old_diag, &new_diag));
    }

    for container in containers(new) {
        let name = entry_name(container);
        let Some(before) = containers(old).iter().find(|c| entry_name(c) == name) else {
            continue;
        };
        let (b, a) = (
            before.pointer("/properties/resources"),
            container.pointer("/properties/resources"),
        );
        if !same(b, a) {
            let what = format!("CPU, memory or GPU resources of container '{name}'");
            return Err(reject(&what, &show(b), &show(a)));
        }
    }
    check_secure_values(existing, new)
}

fn check_location(existing: &CgRecord, new: &Value) -> Result<(), ArmError> {
    let (before, after) = (
        str_at(&existing.body, "/location"),
        str_at(new, "/location"),
    );
    if regions::fold(before) == regions::fold(after) {
        return Ok(());
    }
    Err(ArmError::new(
        StatusCode::CONFLICT,
        "InvalidResourceLocation",
        format!(
            "The resource '{}' already exists in location '{}' in resource group '{}'. A \
             resource with the same name cannot be created in location '{}'. Please select a \
             new resource name.",
            existing.name,
            regions::fold(before),
            existing.rg,
            regions::fold(after)
        ),
    ))
}

/// A secure variable the group had must come back with a value or a reference.
fn check_secure_values(existing: &CgRecord, new: &Value) -> Result<(), ArmError> {
    for container in containers(new) {
        let name = entry_name(container);
        let Some(secure) = existing.secure_env.get(&name) else {
            continue;
        };
        let vars = container
            .pointer("/properties/environmentVariables")
            .and_then(Value::as_array);
        for var in vars.into_iter().flatten() {
            let var_name = str_at(var, "/name");
            let has_value = ["value", "secureValue", "secureValueReference"]
                .iter()
                .any(|k| var.get(*k).is_some_and(|v| !v.is_null()));
            if secure.iter().any(|s| s == var_name) && !has_value {
                return Err(ArmError::bad_request(
                    "MissingSecureEnvironmentVariableValue",
                    format!(
                        "The secure environment variable '{var_name}' in container '{name}' of \
                         container group '{}' has no value. Secure values are never returned \
                         by GET and must be sent again on every update.",
                        existing.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    let null = Value::Null;
    a.unwrap_or(&null) == b.unwrap_or(&null)
}

fn same_list(a: Option<&Value>, b: Option<&Value>) -> bool {
    let empty = Value::Array(Vec::new());
    let norm = |v: Option<&Value>| v.filter(|v| !v.is_null()).unwrap_or(&empty).clone();
    norm(a) == norm(b)
}

fn subnet_ids(body: &Value) -> Vec<String> {
    let subnets = body
        .pointer("/properties/subnetIds")
        .and_then(Value::as_array);
    let mut ids: Vec<String> = subnets
        .into_iter()
        .flatten()
        .map(|s| str_at(s, "/id").to_lowercase())
        .collect();
    ids.sort();
    ids
}

/// The parts of diagnostics that survive storage (the key never does).
fn diagnostics(body: &Value) -> String {
    let la = body.pointer("/properties/diagnostics/logAnalytics");
    match la {
        Some(la) => format!(
            "{} {} {}",
            str_at(la, "/workspaceId"),
            str_at(la, "/logType"),
            la.get("metadata").map(Value::to_string).unwrap_or_default()
        ),
        None => String::new(),
    }
}

fn show(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::records::{OpKindRecord, OpState, RunState};
    use serde_json::json;

    fn record(body: Value) -> CgRecord {
        CgRecord {
            sub: "s".into(),
            rg: "rg".into(),
            name: "web".into(),
            body,
            secure_env: [("web".to_string(), vec!["KEY".to_string()])].into(),
            created_ms: 0,
            op: OpState {
                id: "op".into(),
                kind: OpKindRecord::Create,
                started_ms: 0,
                ends_ms: 0,
                failed: None,
                stuck: false,
            },
            run: RunState::default(),
            deleting: None,
        }
    }

    fn body(policy: &str, cpu: f64, env: Value) -> Value {
        json!({ "location": "westus", "properties": { "osType": "Linux", "restartPolicy": policy,
            "containers": [{ "name": "web", "properties": { "image": "nginx",
                "environmentVariables": env,
                "resources": { "requests": { "cpu": cpu, "memoryInGB": 1.0 } } } }] } })
    }

    #[test]
    fn immutable_changes_are_refused_with_the_field_named() {
        let existing = record(body("Always", 1.0, json!([])));
        let err = check_update(
            &existing,
            &body("Never", 1.0, json!([{"name": "KEY", "value": "v"}])),
            StatusCode::CONFLICT,
        )
        .unwrap_err();
        assert_eq!(err.code, "InvalidContainerGroupUpdate");
        assert!(
            err.message
                .contains("RestartPolicy (old \"Always\", new \"Never\")"),
            "{}",
            err.message
        );
        let err = check_update(
            &existing,
            &body("Always", 2.0, json!([])),
            StatusCode::BAD_REQUEST,
        )
        .unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(err.message.contains("CPU, memory or GPU"));
    }

    #[test]
    fn a_secure_value_must_be_sent_again() {
        let existing = record(body("Always", 1.0, json!([])));
        let err = check_update(
            &existing,
            &body("Always", 1.0, json!([{ "name": "KEY" }])),
            StatusCode::CONFLICT,
        )
        .unwrap_err();
        assert_eq!(err.code, "MissingSecureEnvironmentVariableValue");
        let resent = body(
            "Always",
            1.0,
            json!([{ "name": "KEY", "secureValue": "x" }]),
        );
        assert!(check_update(&existing, &resent, StatusCode::CONFLICT).is_ok());
    }
}
