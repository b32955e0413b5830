//! The read-back check: after ARM says an operation succeeded, compare what it now
//! has with what was sent, attribute by attribute, through the same normalizer the
//! planner uses. Tools in use today sometimes "apply" a change that never reaches
//! Azure; this is where aciform notices.

use serde_json::Value;

use crate::plan::canon::canonicalize_container_group;
use crate::plan::diff::{DiffRules, diff};
use crate::plan::secrets::SecretHashes;
use crate::render::value_text;

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
}
