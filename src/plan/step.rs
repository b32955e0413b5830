//! A step: what the executor must do for one resource change, beyond what the plan
//! shows. Steps hold no secret: the executor lowers the spec again to get the bodies,
//! with the salt and location recorded here so they come out as planned.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::canon::{Canon, CanonValue};
use super::model::Action;
use crate::spec::{Address, RunState};

/// How an in-place update reaches ARM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateMode {
    /// No update.
    None,
    /// Tags only: PATCH, no restart.
    PatchTags,
    /// Full PUT of the desired body: ACI restarts every container.
    Put,
}

/// A resource as Azure names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureName {
    pub resource_group: String,
    /// The container group's name; `None` for a resource group.
    pub name: Option<String>,
}

impl AzureName {
    pub fn resource_group(rg: &str) -> AzureName {
        AzureName {
            resource_group: rg.to_string(),
            name: None,
        }
    }

    pub fn container_group(rg: &str, name: &str) -> AzureName {
        AzureName {
            resource_group: rg.to_string(),
            name: Some(name.to_string()),
        }
    }
}

/// One resource change for the executor.
#[derive(Debug, Clone)]
pub struct Step {
    pub address: Address,
    pub action: Action,
    /// Where the resource lives (for a replacement: where the new one goes).
    pub azure: AzureName,
    /// For a replacement that moves the resource (a new name or resource group): the
    /// old one, deleted before the new one is created (a DNS label may move with it).
    pub previous: Option<AzureName>,
    pub update: UpdateMode,
    /// Desired run state of a container group.
    pub state: Option<RunState>,
    /// The location the body was lowered with.
    pub location: Option<String>,
    /// The secret-hash salt the body was lowered with.
    pub salt: Option<String>,
    /// The group is being deleted (outside this plan): create it only once it is gone.
    pub after_delete: bool,
    /// The desired canonical body as planned (never serialized: it holds secrets).
    pub desired: Canon,
}

impl Step {
    pub fn new(address: &Address, action: Action, azure: AzureName, desired: &Canon) -> Step {
        Step {
            address: address.clone(),
            action,
            azure,
            previous: None,
            update: UpdateMode::None,
            state: None,
            location: None,
            salt: None,
            after_delete: false,
            desired: desired.clone(),
        }
    }

    pub fn with_update(mut self, update: UpdateMode) -> Step {
        self.update = update;
        self
    }

    pub fn with_state(mut self, state: RunState) -> Step {
        self.state = Some(state);
        self
    }

    pub fn with_previous(mut self, previous: Option<AzureName>) -> Step {
        self.previous = previous;
        self
    }

    pub fn after_delete(mut self, waiting: bool) -> Step {
        self.after_delete = waiting;
        self
    }

    pub fn with_lowering(mut self, location: &str, salt: &str) -> Step {
        self.location = Some(location.to_string());
        self.salt = Some(salt.to_string());
        self
    }
}

/// A fingerprint of a live resource: everything ARM returned except what changes on
/// its own (instance view, provisioning state), plus the run state when it was read.
/// Two reads of an untouched resource give the same fingerprint.
///
/// The body is hashed as it is written out, in the compact JSON form with numbers
/// normalized (`1.0` as `1`), skipping those fields on the way: a plan fingerprints
/// every live group, and copying each body first cost more than hashing it.
pub fn fingerprint(live: &Value, run_state: Option<RunState>) -> String {
    let mut h = HashWriter(Sha256::new());
    write_json(&mut h, live, Level::Root);
    if let Some(state) = run_state {
        h.0.update(state.as_str().as_bytes());
    }
    hex(&h.0.finalize()[..16])
}

/// Where in a container group body a value sits, for the fields a fingerprint skips.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    Root,
    /// `properties`: `instanceView` and `provisioningState` are skipped.
    Properties,
    /// `properties.containers`.
    Containers,
    /// One element of `properties.containers`.
    Container,
    /// `properties.containers[].properties`: `instanceView` is skipped.
    ContainerProperties,
    Other,
}

impl Level {
    fn skips(self, key: &str) -> bool {
        match self {
            Level::Properties => key == "instanceView" || key == "provisioningState",
            Level::ContainerProperties => key == "instanceView",
            _ => false,
        }
    }

    fn child(self, key: &str) -> Level {
        match (self, key) {
            (Level::Root, "properties") => Level::Properties,
            (Level::Properties, "containers") => Level::Containers,
            (Level::Container, "properties") => Level::ContainerProperties,
            _ => Level::Other,
        }
    }
}

/// Sha-256 as an `io::Write`, so serde_json can write straight into it.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes `value` as `normalize_numbers(value).to_string()` would, minus skipped fields.
fn write_json(w: &mut HashWriter, value: &Value, level: Level) {
    use std::io::Write;
    // Writing into a hasher cannot fail; serde_json only fails on its writer's errors.
    match value {
        Value::Object(map) => {
            let _ = w.write_all(b"{");
            let mut first = true;
            for (key, v) in map.iter().filter(|(k, _)| !level.skips(k)) {
                if !first {
                    let _ = w.write_all(b",");
                }
                first = false;
                let _ = serde_json::to_writer(&mut *w, key);
                let _ = w.write_all(b":");
                write_json(w, v, level.child(key));
            }
            let _ = w.write_all(b"}");
        }
        Value::Array(items) => {
            let _ = w.write_all(b"[");
            let item_level = match level {
                Level::Containers => Level::Container,
                _ => Level::Other,
            };
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    let _ = w.write_all(b",");
                }
                write_json(w, item, item_level);
            }
            let _ = w.write_all(b"]");
        }
        Value::Number(_) => {
            let _ = serde_json::to_writer(&mut *w, &super::canon::normalize_numbers(value));
        }
        other => {
            let _ = serde_json::to_writer(&mut *w, other);
        }
    }
}

/// A digest of a desired canonical body, secrets included through a salted hash, so a
/// saved plan can tell whether the stack still lowers to what was planned without
/// holding any secret.
pub fn desired_digest(desired: &Canon, salt: &str) -> String {
    let mut h = Sha256::new();
    for (key, entry) in &desired.entries {
        h.update(key.as_bytes());
        h.update([0]);
        match &entry.value {
            CanonValue::Plain { cmp, .. } => h.update(cmp.to_string().as_bytes()),
            CanonValue::Secret(Some(v)) => {
                h.update(super::secrets::digest(salt, key, v).as_bytes());
            }
            CanonValue::Secret(None) => h.update(b"(withheld)"),
        }
        h.update([0]);
    }
    hex(&h.finalize()[..16])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fingerprints_ignore_what_changes_on_its_own() {
        let a = json!({"name": "web", "properties": {"provisioningState": "Succeeded",
            "instanceView": {"state": "Running"}, "osType": "Linux"}});
        let b = json!({"name": "web", "properties": {"provisioningState": "Updating",
            "osType": "Linux"}});
        assert_eq!(fingerprint(&a, None), fingerprint(&b, None));
        let c = json!({"name": "web", "properties": {"osType": "Windows"}});
        assert_ne!(fingerprint(&a, None), fingerprint(&c, None));
        assert_ne!(
            fingerprint(&a, Some(RunState::Running)),
            fingerprint(&a, Some(RunState::Stopped))
        );
    }

    /// The fingerprint as first written (copy, strip, normalize, serialize, hash): the
    /// streaming one must give the same digests, so saved plans stay comparable.
    fn fingerprint_by_copy(live: &Value, run_state: Option<RunState>) -> String {
        let mut body = live.clone();
        if let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut) {
            props.remove("instanceView");
            props.remove("provisioningState");
            if let Some(cs) = props.get_mut("containers").and_then(Value::as_array_mut) {
                for c in cs {
                    if let Some(p) = c.get_mut("properties").and_then(Value::as_object_mut) {
                        p.remove("instanceView");
                    }
                }
            }
        }
        let mut h = Sha256::new();
        let text = crate::plan::canon::normalize_numbers(&body).to_string();
        h.update(text.as_bytes());
        if let Some(state) = run_state {
            h.update(state.as_str().as_bytes());
        }
        hex(&h.finalize()[..16])
    }

    #[test]
    fn streaming_fingerprints_equal_the_copying_ones() {
        let bodies = [
            json!({"id": "/x", "name": "web", "tags": {"a": "b\"q\u{e9}\n"},
                "properties": {"provisioningState": "Succeeded", "instanceView": {"state": "x"},
                "containers": [{"name": "c", "properties": {"image": "nginx", "resources":
                {"requests": {"cpu": 1.0, "memoryInGB": 1.5}}, "instanceView": {"restarts": 3},
                "ports": [{"port": 80}]}}, {"name": "d"}, 7],
                "osType": "Linux", "extra": {"instanceView": 1, "n": [1.0, 2.5, -3.0, 1e300]}}}),
            json!({"properties": [], "containers": {"instanceView": 1}}),
            json!([1.0, {"properties": {"provisioningState": 1}}]),
            json!("text"),
            json!(null),
        ];
        for body in &bodies {
            for state in [None, Some(RunState::Stopped)] {
                assert_eq!(
                    fingerprint(body, state),
                    fingerprint_by_copy(body, state),
                    "{body}"
                );
            }
        }
    }
}
