//! The plan as plain data: what will change, attribute by attribute.
//!
//! This is the value every renderer reads and the JSON of SPEC.md ("JSON plan")
//! serializes. It holds no secret in clear: a sensitive attribute keeps only its path
//! and flags. Everything the executor needs beyond this lives in the plan file.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The JSON plan's `format_version`.
pub const FORMAT_VERSION: u32 = 1;

/// A whole plan: one entry per resource of the stack and per owned resource to delete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    /// The stack's name.
    pub stack: String,
    pub target: TargetInfo,
    /// Sorted by address, so every rendering is stable.
    pub changes: Vec<ResourceChange>,
    pub summary: Summary,
}

/// Which cloud a plan was made against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetInfo {
    pub kind: TargetKind,
    /// The ARM base URL, e.g. `https://management.azure.com` or `http://127.0.0.1:PORT`.
    pub endpoint: String,
    pub subscription: String,
}

/// `target.kind` of the JSON plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// The embedded local cloud (an in-process emulator).
    Local,
    /// `ACIFORM_ENDPOINT`: an ARM-compatible endpoint such as `aciform emulator`.
    Endpoint,
    /// Azure Resource Manager.
    Azure,
}

/// What will happen to one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    /// `TYPE.KEY`, e.g. `container_group.web`.
    pub address: String,
    /// The ARM resource id (with the casing the service returned, when it exists).
    pub id: Option<String>,
    pub action: Action,
    /// Changed attributes only, sorted by path. For a create, every attribute set by the
    /// spec; for a delete, every attribute of the live resource.
    pub attributes: Vec<AttributeChange>,
    /// Plain-language reasons for the action, e.g. which field forces a replacement, or
    /// that an in-place update restarts every container of the group.
    pub reasons: Vec<String>,
    /// How many attributes are unchanged (rendered as "N unchanged attributes hidden").
    /// An extension of SPEC.md's JSON, documented in docs/plan-json.md.
    #[serde(default)]
    pub unchanged_attributes: usize,
}

/// `action` of a resource change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Create,
    /// In place: tags only (PATCH, no restart) or a full PUT (restarts every container).
    Update,
    /// Delete, then create.
    Replace,
    Delete,
    Start,
    Stop,
    NoOp,
}

impl Action {
    /// Every action but `no-op` is a change.
    pub fn is_change(self) -> bool {
        self != Action::NoOp
    }
}

/// What happens to one attribute: the only way to tell for a sensitive one, whose
/// values are never shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Set where it was not.
    Add,
    /// Set to another value (also one known only after apply). The default for plans
    /// saved before the field existed.
    #[default]
    Update,
    /// Unset.
    Remove,
}

impl ChangeKind {
    /// The kind of a change from a value (or none) to another (or none, or unknown).
    pub fn between(before: Option<&Value>, after: Option<&Value>, unknown: bool) -> ChangeKind {
        match (before.is_some(), after.is_some() || unknown) {
            (false, true) => ChangeKind::Add,
            (true, false) => ChangeKind::Remove,
            _ => ChangeKind::Update,
        }
    }
}

/// One attribute's change. Paths use names, not list positions:
/// `containers.web.image`, `volumes.cache.empty_dir`, `tags.team`, `state`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeChange {
    pub path: String,
    #[serde(default)]
    pub change: ChangeKind,
    /// The live value; `null` when absent, sensitive or unknown.
    pub before: Option<Value>,
    /// The desired value; `null` when removed, sensitive or known only after apply.
    pub after: Option<Value>,
    pub sensitive: bool,
    pub known_after_apply: bool,
    pub forces_replacement: bool,
}

/// Count of resources per action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    pub start: usize,
    pub stop: usize,
    pub no_op: usize,
}

impl Summary {
    /// Counts the actions of `changes`.
    pub fn of(changes: &[ResourceChange]) -> Summary {
        let mut s = Summary::default();
        for change in changes {
            let slot = match change.action {
                Action::Create => &mut s.create,
                Action::Update => &mut s.update,
                Action::Replace => &mut s.replace,
                Action::Delete => &mut s.delete,
                Action::Start => &mut s.start,
                Action::Stop => &mut s.stop,
                Action::NoOp => &mut s.no_op,
            };
            *slot += 1;
        }
        s
    }
}

impl Plan {
    /// A plan over `changes`, sorted by address, with its summary computed.
    pub fn new(stack: String, target: TargetInfo, mut changes: Vec<ResourceChange>) -> Plan {
        changes.sort_by(|a, b| a.address.cmp(&b.address));
        let summary = Summary::of(&changes);
        Plan {
            format_version: FORMAT_VERSION,
            stack,
            target,
            changes,
            summary,
        }
    }

    /// Whether anything would change (`--detailed-exitcode` exits 2 when true).
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action.is_change())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_serializes_as_in_the_spec() {
        let names: Vec<String> = [Action::Create, Action::NoOp, Action::Replace]
            .iter()
            .map(|a| serde_json::to_string(a).unwrap())
            .collect();
        assert_eq!(names, ["\"create\"", "\"no-op\"", "\"replace\""]);
    }

    #[test]
    fn summary_counts_each_action() {
        let change = |address: &str, action| ResourceChange {
            address: address.into(),
            id: None,
            action,
            attributes: vec![],
            reasons: vec![],
            unchanged_attributes: 0,
        };
        let target = TargetInfo {
            kind: TargetKind::Local,
            endpoint: "http://127.0.0.1:1".into(),
            subscription: "00000000-0000-0000-0000-000000000000".into(),
        };
        let plan = Plan::new(
            "s".into(),
            target,
            vec![change("b", Action::NoOp), change("a", Action::Create)],
        );
        assert_eq!(plan.changes[0].address, "a");
        assert_eq!(plan.summary.create, 1);
        assert_eq!(plan.summary.no_op, 1);
        assert!(plan.has_changes());
    }
}
