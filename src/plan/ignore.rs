//! `lifecycle.ignore_changes`: hidden from the diff, and kept as they are live when an
//! update is sent. A PUT replaces the whole group, so an ignored field must carry its
//! live value in the body, or the update would silently reset it (Terraform does the
//! same with the prior state's value).

use serde_json::{Map, Value};

/// Copies the live values of the ignored paths into `desired`. Returns the ignored
/// paths this version cannot carry over (they are still hidden from the diff; the
/// planner refuses an update that would reset them).
pub fn keep_ignored(desired: &mut Value, live: &Value, ignore: &[String]) -> Vec<String> {
    let mut unsupported = Vec::new();
    for path in ignore {
        if !keep_one(desired, live, path) {
            unsupported.push(path.clone());
        }
    }
    unsupported
}

/// Whether the ignored `path` can be kept; keeps it when it can.
fn keep_one(desired: &mut Value, live: &Value, path: &str) -> bool {
    let segments: Vec<&str> = path.split('.').collect();
    match segments.as_slice() {
        ["tags"] => {
            keep_all_tags(desired, live);
            true
        }
        ["tags", name] => {
            copy_map_entry(desired, live, "tags", name);
            true
        }
        [
            list @ ("containers" | "init_containers"),
            container,
            rest @ ..,
        ] => {
            let arm_list = if *list == "containers" {
                "containers"
            } else {
                "initContainers"
            };
            let Some(live_props) = container_props(live, arm_list, container) else {
                return true; // nothing live to keep
            };
            let live_props = live_props.clone();
            let Some(props) = container_props_mut(desired, arm_list, container) else {
                return true; // the container goes away anyway
            };
            match rest {
                ["image"] => copy_key(props, &live_props, "image"),
                ["command"] => copy_key(props, &live_props, "command"),
                ["env"] => copy_env(props, &live_props, None),
                ["env", name] => copy_env(props, &live_props, Some(name)),
                _ => return false,
            }
            true
        }
        _ => false,
    }
}

/// All tags as they are live, except aciform's own, which stay as planned (ownership,
/// secret hashes and the run-state marker must stay true).
fn keep_all_tags(desired: &mut Value, live: &Value) {
    let is_ours = |k: &str| k.to_ascii_lowercase().starts_with("aciform-");
    let mut tags: Map<String, Value> = live
        .get("tags")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !is_ours(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    if let Some(ours) = desired.get("tags").and_then(Value::as_object) {
        tags.extend(
            ours.iter()
                .filter(|(k, _)| is_ours(k))
                .map(|(k, v)| (k.clone(), v.clone())),
        );
    }
    if let Some(obj) = desired.as_object_mut() {
        obj.insert("tags".into(), Value::Object(tags));
    }
}

/// `ignore_changes` paths as canonical keys (tag names and registry hosts fold).
pub fn ignore_keys(paths: &[(String, crate::spec::Origin)]) -> Vec<String> {
    paths
        .iter()
        .map(|(p, _)| {
            if p.starts_with("tags.") || p.starts_with("image_registry_credentials.") {
                p.to_ascii_lowercase()
            } else {
                p.clone()
            }
        })
        .collect()
}

/// Sets `key` of `to` to its value in `from`, or removes it when `from` lacks it.
fn copy_key(to: &mut Map<String, Value>, from: &Map<String, Value>, key: &str) {
    match from.get(key) {
        Some(v) => {
            to.insert(key.to_string(), v.clone());
        }
        None => {
            to.remove(key);
        }
    }
}

/// One entry of a map field (tags), matched case-insensitively as ARM does.
fn copy_map_entry(desired: &mut Value, live: &Value, field: &str, name: &str) {
    let live_entry = live
        .get(field)
        .and_then(Value::as_object)
        .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
        .map(|(k, v)| (k.clone(), v.clone()));
    let Some(obj) = desired.as_object_mut() else {
        return;
    };
    let map = obj
        .entry(field)
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(map) = map.as_object_mut() else {
        return;
    };
    map.retain(|k, _| !k.eq_ignore_ascii_case(name));
    if let Some((k, v)) = live_entry {
        map.insert(k, v);
    }
}

/// Plain environment variables (all, or one by name) as they are live. Secure ones
/// cannot be copied (ARM does not return them) and stay as the spec says.
fn copy_env(to: &mut Map<String, Value>, from: &Map<String, Value>, only: Option<&str>) {
    let is_plain = |v: &Value| v.get("value").is_some_and(|x| !x.is_null());
    let name_of = |v: &Value| v.get("name").and_then(Value::as_str).map(String::from);
    let selected = |v: &Value| only.is_none_or(|n| name_of(v).as_deref() == Some(n));

    let live_vars: Vec<Value> = from
        .get("environmentVariables")
        .and_then(Value::as_array)
        .map(|vars| {
            vars.iter()
                .filter(|v| is_plain(v) && selected(v))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let vars = to
        .entry("environmentVariables")
        .or_insert_with(|| Value::Array(Vec::new()));
    let Some(vars) = vars.as_array_mut() else {
        return;
    };
    vars.retain(|v| !(is_plain(v) && selected(v)));
    vars.extend(live_vars);
}

fn container_props<'a>(body: &'a Value, list: &str, name: &str) -> Option<&'a Map<String, Value>> {
    body.get("properties")?
        .get(list)?
        .as_array()?
        .iter()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(name))?
        .get("properties")?
        .as_object()
}

fn container_props_mut<'a>(
    body: &'a mut Value,
    list: &str,
    name: &str,
) -> Option<&'a mut Map<String, Value>> {
    body.pointer_mut(&format!("/properties/{list}"))?
        .as_array_mut()?
        .iter_mut()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(name))?
        .get_mut("properties")?
        .as_object_mut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn group(image: &str, env: Value, tags: Value) -> Value {
        json!({"tags": tags, "properties": {"containers": [{"name": "web", "properties": {
            "image": image, "environmentVariables": env}}]}})
    }

    #[test]
    fn an_ignored_image_keeps_its_live_value() {
        let mut desired = group("nginx:spec", json!([]), json!({}));
        let live = group("nginx:deployed-by-ci", json!([]), json!({}));
        let left = keep_ignored(&mut desired, &live, &["containers.web.image".into()]);
        assert!(left.is_empty());
        assert_eq!(
            desired["properties"]["containers"][0]["properties"]["image"],
            "nginx:deployed-by-ci"
        );
    }

    #[test]
    fn ignored_env_and_tags_keep_live_values_and_secrets_stay() {
        let mut desired = group(
            "x",
            json!([{"name": "A", "value": "spec"}, {"name": "S", "secureValue": "s"}]),
            json!({"team": "spec", "owner": "me"}),
        );
        let live = group(
            "x",
            json!([{"name": "A", "value": "live"}, {"name": "S"}]),
            json!({"Team": "live"}),
        );
        let ignore = vec!["containers.web.env.A".to_string(), "tags.team".to_string()];
        assert!(keep_ignored(&mut desired, &live, &ignore).is_empty());
        let env = &desired["properties"]["containers"][0]["properties"]["environmentVariables"];
        assert_eq!(
            env,
            &json!([{"name": "S", "secureValue": "s"}, {"name": "A", "value": "live"}])
        );
        assert_eq!(desired["tags"], json!({"owner": "me", "Team": "live"}));
    }

    #[test]
    fn ignoring_all_tags_keeps_aciforms_own() {
        let mut desired = group(
            "x",
            json!([]),
            json!({"aciform-stack": "s", "team": "spec"}),
        );
        let live = group(
            "x",
            json!([]),
            json!({"aciform-stack": "old", "added-by-policy": "1"}),
        );
        assert!(keep_ignored(&mut desired, &live, &["tags".into()]).is_empty());
        assert_eq!(
            desired["tags"],
            json!({"added-by-policy": "1", "aciform-stack": "s"})
        );
    }

    #[test]
    fn paths_that_cannot_be_kept_are_reported() {
        let mut desired = group("x", json!([]), json!({}));
        let live = desired.clone();
        let left = keep_ignored(&mut desired, &live, &["volumes.cache".into()]);
        assert_eq!(left, ["volumes.cache"]);
    }
}
