//! The read-back check: after ARM says an operation succeeded, compare what it now
//! has with what was sent, attribute by attribute, through the same normalizer the
//! planner uses. Tools in use today sometimes "apply" a change that never reaches
//! Azure; this is where aciform notices. Starts and stops are checked against the
//! instance state, tags-only updates against the tags.

use serde_json::Value;

use super::StepFailure;
use super::run::string_tags;
use crate::plan::canon::canonicalize_container_group;
use crate::plan::diff::{DiffRules, diff};
use crate::plan::secrets::SecretHashes;
use crate::plan::step::Step;
use crate::render::progress::Step as Phase;
use crate::render::value_text;
use crate::spec::RunState;

/// Planned attributes the returned group does not have, one description each; empty
/// when everything landed. Secrets are checked through the hashes the group carries.
pub fn unlanded_changes(sent: &Value, returned: &Value) -> Vec<String> {
    let tags = returned.get("tags").and_then(Value::as_object);
    let secrets = tags.and_then(SecretHashes::from_tags);
    let no_replacement = |_: &str| None;
    let rules = DiffRules {
        replacement: &no_replacement,
        secrets: secrets.as_ref(),
        ignore: &[],
    };
    let d = diff(
        &canonicalize_container_group(sent),
        &canonicalize_container_group(returned),
        &rules,
    );
    d.attributes
        .iter()
        .map(|a| {
            if a.sensitive {
                return format!("{} (sensitive) is not what was sent", a.path);
            }
            let now = a
                .before
                .as_ref()
                .map(value_text)
                .unwrap_or_else(|| "absent".into());
            let planned = a
                .after
                .as_ref()
                .map(value_text)
                .unwrap_or_else(|| "absent".into());
            format!("{} is {now} in Azure, planned {planned}", a.path)
        })
        .collect()
}

/// Why the instance state `seen` after a start or stop shows it did not take; `None`
/// when it did (or ARM showed no state to judge by).
pub(super) fn run_state_mismatch(wanted: RunState, seen: Option<&str>) -> Option<String> {
    let seen = seen?;
    let stopped = seen.eq_ignore_ascii_case("Stopped");
    let (landed, verb) = match wanted {
        // Right after a start the containers may still be pulling: anything but
        // Stopped means it took.
        RunState::Running => (!stopped, "start"),
        RunState::Stopped => (stopped, "stop"),
    };
    (!landed)
        .then(|| format!("ARM accepted the {verb} but the group's instance state is still {seen}"))
}

/// The read-back check of a PUT: every planned attribute of `sent` is in `returned`.
pub(super) fn check_landed(
    step: &Step,
    which: Phase,
    sent: &Value,
    returned: &Value,
) -> Result<(), StepFailure> {
    let missing = unlanded_changes(sent, returned);
    if missing.is_empty() {
        return Ok(());
    }
    let message = format!(
        "ARM accepted the request but these planned changes did not land: {}",
        missing.join("; ")
    );
    Err(StepFailure::new(step, which, message, None))
}

/// The read-back check of a tags-only PATCH: the tags, nothing else, were planned.
pub(super) fn check_tags_landed(
    step: &Step,
    sent: &Value,
    returned: &Value,
) -> Result<(), StepFailure> {
    let now = string_tags(returned);
    let missing: Vec<String> = string_tags(sent)
        .into_iter()
        .filter(|(k, v)| now.get(k) != Some(v))
        .map(|(k, _)| format!("tags.{k} is not what was sent"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let message = format!(
        "ARM accepted the request but these planned changes did not land: {}",
        missing.join("; ")
    );
    Err(StepFailure::new(step, Phase::Modify, message, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_change_azure_dropped_is_reported() {
        let sent = json!({"location": "westeurope", "properties": {"osType": "Linux",
            "containers": [{"name": "web", "properties": {"image": "nginx:1.27",
                "resources": {"requests": {"cpu": 1, "memoryInGB": 1}}}}]}});
        let mut returned = sent.clone();
        assert!(unlanded_changes(&sent, &returned).is_empty());
        returned["properties"]["containers"][0]["properties"]["image"] = json!("nginx:1.25");
        assert_eq!(
            unlanded_changes(&sent, &returned),
            ["containers.web.image is \"nginx:1.25\" in Azure, planned \"nginx:1.27\""]
        );
    }

    #[test]
    fn a_start_or_stop_that_did_not_take_is_reported() {
        assert_eq!(run_state_mismatch(RunState::Stopped, Some("Stopped")), None);
        assert_eq!(run_state_mismatch(RunState::Running, Some("Pending")), None);
        assert_eq!(run_state_mismatch(RunState::Running, None), None);
        assert_eq!(
            run_state_mismatch(RunState::Stopped, Some("Running")).as_deref(),
            Some("ARM accepted the stop but the group's instance state is still Running")
        );
        assert!(run_state_mismatch(RunState::Running, Some("stopped")).is_some());
    }
}
