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
    /// The desired canonical body as planned (never serialized: it holds secrets).
    pub desired: Canon,
    /// A fingerprint of the live resource as read, `None` when it did not exist.
    pub live_fingerprint: Option<String>,
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
            desired: desired.clone(),
            live_fingerprint: None,
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

    pub fn with_lowering(mut self, location: &str, salt: &str) -> Step {
        self.location = Some(location.to_string());
        self.salt = Some(salt.to_string());
        self
    }

    pub fn with_live(mut self, live: &Value, run_state: Option<RunState>) -> Step {
        self.live_fingerprint = Some(fingerprint(live, run_state));
        self
    }
}

/// A fingerprint of a live resource: everything ARM returned except what changes on
/// its own (instance view, provisioning state), plus the run state when it was read.
/// Two reads of an untouched resource give the same fingerprint.
pub fn fingerprint(live: &Value, run_state: Option<RunState>) -> String {
    let mut body = live.clone();
    if let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut) {
        props.remove("instanceView");
        props.remove("provisioningState");
        if let Some(containers) = props.get_mut("containers").and_then(Value::as_array_mut) {
            for c in containers {
                if let Some(p) = c.get_mut("properties").and_then(Value::as_object_mut) {
                    p.remove("instanceView");
                }
            }
        }
    }
    let mut h = Sha256::new();
    h.update(
        super::canon::normalize_numbers(&body)
            .to_string()
            .as_bytes(),
    );
    if let Some(state) = run_state {
        h.update(state.as_str().as_bytes());
    }
    hex(&h.finalize()[..16])
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
}
