//! The JSON plan of SPEC.md ("JSON plan"): pretty-printed, keys in the order SPEC.md
//! lists them, secrets and not-yet-known values as `null`.
//!
//! The [`Plan`] struct already has SPEC.md's shape (its field order is the key order);
//! this file only enforces the two rules a consumer must be able to rely on even if a
//! plan was built carelessly: a sensitive attribute's `before` and `after` are `null`,
//! and a value known only after apply has an `after` of `null`.

use crate::plan::Plan;

/// The plan as SPEC.md's JSON, pretty-printed, ending in a newline.
pub fn plan_json(plan: &Plan) -> String {
    let mut plan = plan.clone();
    for attribute in plan
        .changes
        .iter_mut()
        .flat_map(|c| c.attributes.iter_mut())
    {
        if attribute.sensitive {
            attribute.before = None;
            attribute.after = None;
        }
        if attribute.known_after_apply {
            attribute.after = None;
        }
    }

    // Serializing cannot fail: the plan holds only structs, strings, numbers and
    // `serde_json::Value`s, whose map keys are always strings.
    let mut text = serde_json::to_string_pretty(&plan).expect("a plan always serializes to JSON");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{
        Action, AttributeChange, ChangeKind, ResourceChange, TargetInfo, TargetKind,
    };
    use crate::render::fixtures;
    use serde_json::{Value, json};

    /// SPEC.md's example, with its elisions (`…`) filled in.
    const SPEC_EXAMPLE: &str = r#"{
      "format_version": 1,
      "stack": "shop-dev",
      "target": { "kind": "local", "endpoint": "http://127.0.0.1:1", "subscription": "sub" },
      "changes": [
        {
          "address": "container_group.web",
          "id": "/subscriptions/sub/containerGroups/shop-web",
          "action": "update",
          "attributes": [
            { "path": "containers.web.image", "before": "nginx:1.25.2", "after": "nginx:1.25.3",
              "sensitive": false, "known_after_apply": false, "forces_replacement": false }
          ],
          "reasons": []
        }
      ],
      "summary": { "create": 0, "update": 1, "replace": 0, "delete": 0, "start": 0, "stop": 0,
                   "no_op": 2 }
    }"#;

    /// The plan SPEC.md's example describes.
    fn spec_plan() -> Plan {
        let web = ResourceChange {
            address: "container_group.web".into(),
            id: Some("/subscriptions/sub/containerGroups/shop-web".into()),
            action: Action::Update,
            attributes: vec![AttributeChange {
                path: "containers.web.image".into(),
                change: ChangeKind::Update,
                before: Some(json!("nginx:1.25.2")),
                after: Some(json!("nginx:1.25.3")),
                sensitive: false,
                known_after_apply: false,
                forces_replacement: false,
            }],
            reasons: vec![],
            unchanged_attributes: 0,
        };
        let no_op = |address: &str| ResourceChange {
            address: address.into(),
            action: Action::NoOp,
            attributes: vec![],
            id: Some("/subscriptions/sub/resourceGroups/rg".into()),
            ..web.clone()
        };
        let target = TargetInfo {
            kind: TargetKind::Local,
            endpoint: "http://127.0.0.1:1".into(),
            subscription: "sub".into(),
        };
        let changes = vec![
            web.clone(),
            no_op("resource_group.main"),
            no_op("resource_group.x"),
        ];
        Plan::new("shop-dev".into(), target, changes)
    }

    /// Every key of `spec` exists in `ours` with a value of the same JSON type, and the
    /// keys come in the same order in `ours_text` (searched from byte `from` on).
    fn assert_same_shape(spec: &Value, ours: &Value, at: &str, ours_text: &str, from: usize) {
        let type_of = |v: &Value| match v {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        assert_eq!(type_of(spec), type_of(ours), "type of {at}");

        match (spec, ours) {
            (Value::Object(spec), Value::Object(ours)) => {
                let mut last = from;
                for (key, spec_value) in spec_keys_in_order(spec, at) {
                    let ours_value = ours
                        .get(key)
                        .unwrap_or_else(|| panic!("{at}.{key} missing"));
                    let found = ours_text[last..].find(&format!("\"{key}\": "));
                    last += found.unwrap_or_else(|| panic!("{at}.{key} out of order"));
                    let path = format!("{at}.{key}");
                    assert_same_shape(spec_value, ours_value, &path, ours_text, last);
                }
            }
            (Value::Array(spec), Value::Array(ours)) => {
                for (i, spec_item) in spec.iter().enumerate() {
                    let path = format!("{at}[{i}]");
                    assert_same_shape(spec_item, &ours[i], &path, ours_text, from);
                }
            }
            _ => assert_eq!(spec, ours, "value of {at}"),
        }
    }

    /// The keys of an object of the example in SPEC.md's order (serde_json sorts them).
    fn spec_keys_in_order<'a>(
        object: &'a serde_json::Map<String, Value>,
        at: &str,
    ) -> Vec<(&'a str, &'a Value)> {
        let mut keys: Vec<_> = object.iter().map(|(k, v)| (k.as_str(), v)).collect();
        keys.sort_by_key(|(k, _)| {
            let needle = format!("\"{k}\":");
            SPEC_EXAMPLE
                .find(&needle)
                .unwrap_or_else(|| panic!("{at}.{k} not in the example"))
        });
        keys
    }

    #[test]
    fn matches_the_spec_example_field_by_field() {
        let spec: Value = serde_json::from_str(SPEC_EXAMPLE).expect("the example parses");
        let text = plan_json(&spec_plan());
        let ours: Value = serde_json::from_str(&text).expect("our JSON parses");
        assert_same_shape(&spec, &ours, "plan", &text, 0);
    }

    #[test]
    fn sensitive_and_unknown_values_are_null() {
        let text = plan_json(&fixtures::leaky_sensitive());
        assert!(!text.contains(fixtures::LEAKED_SECRET), "{text}");

        let mut plan = fixtures::known_after_apply_reference();
        plan.changes[0].attributes[0].after = Some(json!("${container_group.db.ip}"));
        let ours: Value = serde_json::from_str(&plan_json(&plan)).expect("parses");
        let attribute = &ours["changes"][0]["attributes"][0];
        assert_eq!(attribute["before"], json!("10.0.0.4"));
        assert_eq!(attribute["after"], Value::Null);
    }

    #[test]
    fn snapshots() {
        for (name, plan) in fixtures::all() {
            insta::assert_snapshot!(format!("json_{name}"), plan_json(&plan));
        }
    }
}
