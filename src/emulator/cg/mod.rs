//! Container groups as ACI treats them: what it does to a PUT body (defaults, enum
//! casing, location form), which bodies it rejects, which updates need a
//! delete-and-recreate, how containers run over time, and what GET and LIST return.

pub mod logs;
pub mod normalize;
pub mod render;
pub mod runtime;
pub mod secrets;
pub mod update;
pub mod validate;

use serde_json::Value;

/// `body.pointer(path)` as a string, or "".
pub(crate) fn str_at<'a>(body: &'a Value, path: &str) -> &'a str {
    body.pointer(path).and_then(Value::as_str).unwrap_or("")
}

/// The containers of a body (empty when absent).
pub(crate) fn containers(body: &Value) -> &[Value] {
    body.pointer("/properties/containers")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The lower-cased name of a container or volume entry.
pub(crate) fn entry_name(entry: &Value) -> String {
    entry
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase()
}
