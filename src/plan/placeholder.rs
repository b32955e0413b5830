//! Values known only after apply (another group's IP or FQDN before it exists) are
//! lowered as placeholders: a marker the user cannot write, since specs reject NUL
//! characters. The diff shows them as `(known after apply)`; the executor lowers the
//! resource again once its dependencies are done, so a placeholder never reaches ARM.

use serde_json::Value;

const MARK: char = '\u{0}';

/// The placeholder for attribute `attr` of the resource at `address`.
pub fn placeholder(address: &str, attr: &str) -> String {
    format!("{MARK}{address}.{attr}{MARK}")
}

/// Whether `value` holds a placeholder anywhere.
pub fn has_placeholder(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains(MARK),
        Value::Array(items) => items.iter().any(has_placeholder),
        Value::Object(map) => map.values().any(has_placeholder),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_are_found_at_any_depth() {
        let p = placeholder("container_group.db", "ip");
        assert!(has_placeholder(
            &json!({"a": [{"b": format!("http://{p}:80")}]})
        ));
        assert!(!has_placeholder(&json!({"a": ["container_group.db.ip"]})));
    }
}
