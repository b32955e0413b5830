//! Value helpers of the normalizer: name-keyed lists, ARM's "absent", numbers compared
//! as numbers, snake_case names, and secrets stripped out of fields aciform does not
//! model.

use super::*;

/// The entries of a name-keyed ARM list, in name order. Entries without the key are
/// skipped: ARM rejects them anyway.
pub(super) fn named_items<'v>(value: &'v Value, key: &str) -> Vec<(String, &'v Value)> {
    let mut items: Vec<(String, &Value)> = value
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|item| {
                    let name = item.get(key)?.as_str()?.to_string();
                    Some((name, item))
                })
                .collect()
        })
        .unwrap_or_default();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items
}

/// Whether ARM treats a value as "not set": null, an empty string, list or object.
pub fn is_absent(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Numbers compared as numbers: `1.0` becomes `1`, so ARM's re-encoding never diffs.
pub fn normalize_numbers(value: &Value) -> Value {
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                return Value::from(f as i64);
            }
            value.clone()
        }
        Value::Array(items) => Value::Array(items.iter().map(normalize_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalize_numbers(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

pub(super) fn as_u64(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0)
            .map(|f| f as u64)
    })
}

/// `camelCase` to `snake_case`, for fields aciform shows under ARM's own name.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Stable JSON text (serde_json maps are sorted) for hashing structured secrets.
pub(super) fn canonical_json(value: &Value) -> String {
    normalize_numbers(value).to_string()
}

pub(super) fn join(at: &str, segment: &str) -> String {
    if at.is_empty() {
        segment.to_string()
    } else {
        format!("{at}.{segment}")
    }
}

/// Removes secret-named keys from a subtree, returning the clean value and the secrets
/// found with their dotted paths.
pub(super) fn strip_secrets(value: &Value) -> (Value, Vec<(String, Value)>) {
    let mut secrets = Vec::new();
    let clean = strip_into(value, "", &mut secrets);
    (clean, secrets)
}

pub(super) fn strip_into(value: &Value, at: &str, secrets: &mut Vec<(String, Value)>) -> Value {
    match value {
        Value::Object(map) => {
            let mut clean = Map::new();
            for (k, v) in map {
                let path = join(at, &snake_case(k));
                if SECRET_KEYS.contains(&k.as_str()) {
                    if !v.is_null() {
                        secrets.push((path, v.clone()));
                    }
                } else if !READ_ONLY.contains(&k.as_str()) {
                    clean.insert(k.clone(), strip_into(v, &path, secrets));
                }
            }
            Value::Object(clean)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| strip_into(v, &join(at, &i.to_string()), secrets))
                .collect(),
        ),
        other => other.clone(),
    }
}
