//! The saved plan (`plan -o FILE`, `apply FILE`): the JSON plan, where the stack is,
//! and for every resource a fingerprint of what was read live and a digest of what
//! was planned, so apply can refuse a plan the world has moved away from.
//!
//! It holds no secret: the plan redacts them, fingerprints are hashes of live bodies
//! (which ARM returns without secrets) and desired digests include secrets only as
//! salted hashes. `apply FILE` re-reads the stack from its recorded path, plans again,
//! and executes only if both plans agree resource by resource.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::live::LiveState;
use super::model::{Action, Plan, TargetInfo, TargetKind};
use super::planner::PlannedStack;
use super::step::desired_digest;

/// The `aciform_plan_file` format version this build writes and reads.
pub const PLAN_FILE_VERSION: u32 = 1;

/// A saved plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFile {
    pub aciform_plan_file: u32,
    /// The stack as given to `plan` (absolute), re-read by `apply`.
    pub stack_path: PathBuf,
    /// Names of the `--var` overrides used (values are not kept: they may be secret);
    /// `apply` must be given the same ones.
    pub var_names: Vec<String>,
    /// `--target` addresses, if any.
    pub targets: Vec<String>,
    /// Salt of the desired digests below.
    pub salt: String,
    pub plan: Plan,
    /// Per address: what was read and what was planned.
    pub resources: BTreeMap<String, ResourceRecord>,
}

/// What the plan knew of one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRecord {
    pub action: Action,
    /// Fingerprint of the live resource as read; `None` when it did not exist.
    pub live: Option<String>,
    /// Digest of the desired body; `None` for deletes.
    pub desired: Option<String>,
}

/// Why a saved plan cannot be applied any more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staleness {
    /// One line per resource that differs, e.g. "container_group.web changed in Azure".
    pub differences: Vec<String>,
}

impl PlanFile {
    /// Records a plan made of the stack at `stack_path` from `live`.
    pub fn new(
        planned: &PlannedStack,
        live: &LiveState,
        stack_path: &Path,
        var_names: Vec<String>,
        targets: Vec<String>,
    ) -> PlanFile {
        let salt = super::secrets::new_salt();
        let resources = records(planned, live, &salt);
        PlanFile {
            aciform_plan_file: PLAN_FILE_VERSION,
            stack_path: stack_path.to_path_buf(),
            var_names,
            targets,
            salt,
            plan: planned.plan.clone(),
            resources,
        }
    }

    /// Compares a fresh plan of the same stack with this one. `Ok` when every resource
    /// was read the same and is planned the same.
    pub fn check_fresh(&self, fresh: &PlannedStack, live: &LiveState) -> Result<(), Staleness> {
        let now = records(fresh, live, &self.salt);
        let mut differences = Vec::new();
        for (address, then) in &self.resources {
            let Some(current) = now.get(address) else {
                differences.push(format!("{address} is no longer part of the plan"));
                continue;
            };
            if current.live != then.live {
                let what = match (&then.live, &current.live) {
                    (None, Some(_)) => "was created in Azure since the plan was made",
                    (Some(_), None) => "was deleted in Azure since the plan was made",
                    _ => "changed in Azure since the plan was made",
                };
                differences.push(format!("{address} {what}"));
            } else if current.desired != then.desired || current.action != then.action {
                differences.push(format!(
                    "{address}: the stack (or its variables or environment) now asks for \
                     something else than the plan"
                ));
            }
        }
        for address in now.keys().filter(|a| !self.resources.contains_key(*a)) {
            differences.push(format!("{address} is new since the plan was made"));
        }
        if differences.is_empty() {
            Ok(())
        } else {
            Err(Staleness { differences })
        }
    }

    /// What differs between the target the plan was made for and `now`; `None` when
    /// they are the same cloud. The local cloud listens on a new port each run, so
    /// only its kind and subscription identify it.
    pub fn target_mismatch(&self, now: &TargetInfo) -> Option<String> {
        let then = &self.plan.target;
        let same_endpoint = then.kind == TargetKind::Local
            || then.endpoint.trim_end_matches('/') == now.endpoint.trim_end_matches('/');
        if then.kind == now.kind && then.subscription == now.subscription && same_endpoint {
            return None;
        }
        let describe = |t: &TargetInfo| {
            format!(
                "{:?} {} (subscription {})",
                t.kind, t.endpoint, t.subscription
            )
            .to_lowercase()
        };
        Some(format!(
            "planned for {}, now {}",
            describe(then),
            describe(now)
        ))
    }

    /// Serializes for writing to disk.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a saved plan; `None` when the text is not a plan file of this version.
    pub fn from_json(text: &str) -> Result<PlanFile, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not a JSON plan file: {e}"))?;
        match value
            .get("aciform_plan_file")
            .and_then(serde_json::Value::as_u64)
        {
            Some(v) if v == u64::from(PLAN_FILE_VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "plan file format {v} is not supported by this aciform"
                ));
            }
            None => return Err("not an aciform plan file (no `aciform_plan_file`)".into()),
        }
        serde_json::from_value(value).map_err(|e| format!("damaged plan file: {e}"))
    }
}

/// Whether the text at the start of a file looks like a saved plan rather than TOML.
pub fn looks_like_plan_file(text: &str) -> bool {
    text.trim_start().starts_with('{') && text.contains("\"aciform_plan_file\"")
}

fn records(
    planned: &PlannedStack,
    live: &LiveState,
    salt: &str,
) -> BTreeMap<String, ResourceRecord> {
    let steps: BTreeMap<String, &super::step::Step> = planned
        .steps
        .iter()
        .map(|s| (s.address.to_string(), s))
        .collect();
    planned
        .plan
        .changes
        .iter()
        .map(|change| {
            let step = steps.get(&change.address);
            let desired = step
                .filter(|s| s.action != Action::Delete)
                .map(|s| desired_digest(&s.desired, salt));
            let read = planned.reads.get(&change.address).and_then(Option::as_ref);
            let live = read.and_then(|key| live.fingerprint(key));
            let record = ResourceRecord {
                action: change.action,
                live,
                desired,
            };
            (change.address.clone(), record)
        })
        .collect()
}
