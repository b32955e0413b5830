//! ACI's rules, as data: how each field is compared, which fields the service fills in
//! on its own, and which changes ACI cannot apply in place.
//!
//! Sources: aci-api/README.md §5 (defaults), §9 (update vs delete-and-recreate) and
//! QUIRKS.md. Where the docs are silent we pick the safe side and say so.

use serde_json::Value;

/// Tag carrying the stack's name on every resource aciform creates.
pub const TAG_STACK: &str = "aciform-stack";
/// Tag carrying the resource's address in the stack.
pub const TAG_ADDRESS: &str = "aciform-address";
/// Tag (and prefix of overflow tags `aciform-secrets-2`, …) holding salted hashes of
/// the group's secret values.
pub const TAG_SECRETS: &str = "aciform-secrets";
/// Tag marking a group aciform stopped on purpose (`state = "stopped"`).
pub const TAG_STATE: &str = "aciform-state";

/// Tags aciform keeps for itself and compares through other attributes.
pub fn is_internal_tag(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with(TAG_SECRETS) || lower == TAG_STATE
}

/// How a value is folded before comparison; the shown value is never folded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// Compared exactly (images, env values, paths).
    None,
    /// Case-insensitive (DNS labels).
    Lower,
    /// Case-insensitive enumeration (`Linux`/`linux`, `TCP`/`Tcp`, `Noreuse`/`NoReuse`).
    Enum,
    /// Azure locations: case and spaces do not matter (`West US` == `westus`).
    Location,
    /// ARM resource ids: case-insensitive, segment by segment, no trailing slash.
    Id,
    /// `SystemAssigned, UserAssigned` in any order or spacing.
    IdentityType,
    /// Numbers by value: `1`, `1.0` and `"1.0"` are equal.
    Number,
    /// Whitespace-separated words (`dns_config.search_domains`).
    Words,
}

/// Folds `value` for comparison. Arrays fold element-wise.
pub fn fold(value: &Value, how: Fold) -> Value {
    match (value, how) {
        (Value::Array(items), _) => Value::Array(items.iter().map(|v| fold(v, how)).collect()),
        (Value::String(s), Fold::Lower | Fold::Enum) => Value::String(s.to_ascii_lowercase()),
        (Value::String(s), Fold::Location) => Value::String(
            s.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase(),
        ),
        (Value::String(s), Fold::Id) => {
            Value::String(s.trim().trim_end_matches('/').to_ascii_lowercase())
        }
        (Value::String(s), Fold::IdentityType) => {
            let mut parts: Vec<String> = s
                .split(',')
                .map(|p| p.trim().to_ascii_lowercase())
                .filter(|p| !p.is_empty())
                .collect();
            parts.sort();
            Value::String(parts.join(","))
        }
        (Value::String(s), Fold::Number) => match s.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => super::canon::normalize_numbers(&Value::from(f)),
            _ => value.clone(),
        },
        (Value::String(s), Fold::Words) => {
            Value::String(s.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        (Value::Number(_), _) => super::canon::normalize_numbers(value),
        _ => value.clone(),
    }
}

/// Changes ACI cannot make to an existing container group: the group must be deleted
/// and created again. Each pattern matches a canonical key; `*` is one path segment and
/// a trailing `**` any rest.
const REPLACE_RULES: &[(&str, &str)] = &[
    (
        "location",
        "a container group cannot move to another location",
    ),
    ("os_type", "ACI cannot change the OS type in place"),
    (
        "restart_policy",
        "ACI cannot change the restart policy in place",
    ),
    ("sku", "ACI cannot change the SKU in place"),
    ("priority", "ACI cannot change the priority in place"),
    (
        "zones",
        "ACI cannot move a group to another availability zone",
    ),
    (
        "subnet_ids",
        "ACI cannot change the network profile (subnets) in place",
    ),
    (
        "ip_address.type",
        "ACI cannot change the network profile (IP type) in place",
    ),
    (
        "containers.*.name",
        "adding or removing a container changes the group's resources",
    ),
    (
        "containers.*.cpu",
        "ACI cannot change CPU resources in place",
    ),
    (
        "containers.*.memory_gb",
        "ACI cannot change memory resources in place",
    ),
    (
        "containers.*.cpu_limit",
        "ACI cannot change CPU resources in place",
    ),
    (
        "containers.*.memory_gb_limit",
        "ACI cannot change memory resources in place",
    ),
    (
        "containers.*.gpu.**",
        "ACI cannot change GPU resources in place",
    ),
    (
        "containers.*.gpu_limit.**",
        "ACI cannot change GPU resources in place",
    ),
    (
        "diagnostics.**",
        "ACI rejects in-place changes to log analytics diagnostics",
    ),
    (
        "confidential_compute_properties**",
        "ACI cannot change confidential computing in place",
    ),
    (
        "encryption_properties**",
        "ACI cannot change encryption properties in place",
    ),
];

/// Fields the service fills in on its own when the request leaves them out: a live
/// value there is not drift unless the spec sets the field.
const SERVER_FILLED: &[&str] = &[
    "ip_address.ip",
    "ip_address.dns_name_label_reuse_policy",
    "containers.*.liveness_probe.initial_delay_seconds",
    "containers.*.liveness_probe.period_seconds",
    "containers.*.liveness_probe.failure_threshold",
    "containers.*.liveness_probe.success_threshold",
    "containers.*.liveness_probe.timeout_seconds",
    "containers.*.liveness_probe.http_get.scheme",
    "containers.*.readiness_probe.initial_delay_seconds",
    "containers.*.readiness_probe.period_seconds",
    "containers.*.readiness_probe.failure_threshold",
    "containers.*.readiness_probe.success_threshold",
    "containers.*.readiness_probe.timeout_seconds",
    "containers.*.readiness_probe.http_get.scheme",
];

/// Fields ARM accepts but may leave out of what it returns (the official examples of
/// container groups echo only `workspaceId` of log analytics). They are compared like
/// secrets, through the recorded hashes, whenever the live side lacks them; when ARM
/// does return them they are compared as usual.
const WRITE_ONLY: &[&str] = &[
    "diagnostics.log_analytics.log_type",
    "diagnostics.log_analytics.metadata.*",
    "diagnostics.log_analytics.workspace_resource_id",
];

/// Whether ARM may leave `key` out of its answers although it was sent.
pub fn is_write_only(key: &str) -> bool {
    WRITE_ONLY.iter().any(|pattern| matches(pattern, key))
}

/// Why changing the attribute at `key` forces a replacement of a container group, if
/// it does.
pub fn replacement_reason(key: &str) -> Option<&'static str> {
    REPLACE_RULES
        .iter()
        .find(|(pattern, _)| matches(pattern, key))
        .map(|(_, why)| *why)
}

/// Whether the service fills in `key` when the desired body leaves it out.
pub fn is_server_filled(key: &str) -> bool {
    SERVER_FILLED.iter().any(|pattern| matches(pattern, key))
}

/// Whether a canonical key is a tag (changed by PATCH, without a restart).
pub fn is_tag(key: &str) -> bool {
    key.starts_with("tags.")
}

/// Glob match over dot-separated segments: `*` is one segment, a trailing `**` (alone
/// or glued to the last literal) matches the rest, including nothing.
pub fn matches(pattern: &str, key: &str) -> bool {
    // Segment by segment without collecting: the planner asks this for every attribute
    // of every group against every rule.
    let segment = |p: &str, k: &str| p == "*" || p == k;
    let mut keys = key.split('.');
    if let Some(prefix) = pattern.strip_suffix("**") {
        let prefix = prefix.trim_end_matches('.');
        return prefix
            .split('.')
            .all(|p| keys.next().is_some_and(|k| segment(p, k)));
    }
    let mut patterns = pattern.split('.');
    loop {
        match (patterns.next(), keys.next()) {
            (None, None) => return true,
            (Some(p), Some(k)) if segment(p, k) => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn glob_matches_one_segment_per_star_and_rest_for_double_star() {
        assert!(matches("containers.*.cpu", "containers.web.cpu"));
        assert!(!matches("containers.*.cpu", "containers.web.cpu_limit"));
        assert!(matches(
            "diagnostics.**",
            "diagnostics.log_analytics.workspace_id"
        ));
        assert!(matches("encryption_properties**", "encryption_properties"));
        assert!(!matches("zones", "zones.x"));
    }

    #[test]
    fn image_and_env_update_in_place_but_resources_replace() {
        assert_eq!(replacement_reason("containers.web.image"), None);
        assert_eq!(replacement_reason("containers.web.env.MODE"), None);
        assert_eq!(replacement_reason("tags.team"), None);
        assert!(replacement_reason("containers.web.memory_gb").is_some());
        assert!(replacement_reason("os_type").is_some());
    }

    #[test]
    fn folds_follow_arm_case_rules() {
        assert_eq!(fold(&json!("West US"), Fold::Location), json!("westus"));
        assert_eq!(fold(&json!("1.0"), Fold::Number), json!(1));
        assert_eq!(
            fold(&json!("UserAssigned,SystemAssigned"), Fold::IdentityType),
            fold(&json!("SystemAssigned, UserAssigned"), Fold::IdentityType)
        );
        assert_eq!(
            fold(&json!("/subscriptions/S/resourcegroups/RG/"), Fold::Id),
            fold(&json!("/subscriptions/s/resourceGroups/rg"), Fold::Id)
        );
        assert_eq!(fold(&json!("a   b"), Fold::Words), json!("a b"));
    }
}
