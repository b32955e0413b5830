//! The planner: desired stack + live state -> a `Plan` to show and `Step`s to execute.
//!
//! Resources are planned in graph order, so when a group is lowered its dependencies'
//! fate is known: a reference to the IP of a group about to be created or replaced is
//! `(known after apply)`; a reference to one that stays is its live value. Ownership is
//! checked here (only groups carrying the stack's tag are ever changed or deleted), and
//! so are `prevent_destroy` and `ignore_changes`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::canon::{Canon, CanonValue, canonicalize_resource_group};
use super::diff::{DiffRules, all_added, all_removed, diff, diff_container_group};
use super::ignore::{ignore_keys, keep_ignored};
use super::live::{FQDN, IP, LiveGroup, LiveKey, LiveState, PROVISIONING_STATE, at, tag};
use super::lower::{LowerContext, lower_container_group_canon, lower_resource_group};
use super::model::{Action, AttributeChange, ChangeKind, Plan, ResourceChange, TargetInfo};
use super::prelower::Prelowered;
use super::rules::{self, TAG_ADDRESS, TAG_STACK};
use super::secrets::{SecretHashes, new_salt};
use super::step::{AzureName, Step, UpdateMode};
use crate::graph::ResourceGraph;
use crate::spec::{
    Address, ContainerGroupSpec, Reference, ResourceGroupSpec, ResourceKind, RunState, SpecError,
    SpecErrors, Stack,
};

mod container_group;
mod guards;
mod leftovers;
mod resource_group;

pub use container_group::{being_deleted, deployment_failed};

/// Note on every in-place PUT: ACI restarts all containers on any update.
pub const RESTART_NOTE: &str = "an in-place update restarts every container of the group";
/// Note on the replacement of a container group with an IP address (live or desired).
pub const REPLACE_NOTE: &str =
    "the group is deleted and created again: its IP address and FQDN may change";
/// Note on the replacement of a container group without one.
pub const REPLACE_NOTE_NO_IP: &str =
    "the group is deleted and created again: its containers start afresh";

/// The note on replacing a group, which mentions the IP only when it has one to lose
/// or to get.
fn replace_note(desired: &ContainerGroupSpec, live: Option<&Value>) -> String {
    let live_ip = live.and_then(|b| at(b, &["properties", "ipAddress"]));
    let has_ip = desired.ip_address.is_some() || live_ip.is_some_and(|ip| !ip.is_null());
    let note = if has_ip {
        REPLACE_NOTE
    } else {
        REPLACE_NOTE_NO_IP
    };
    note.to_string()
}
/// Note on a tags-only update.
pub const TAGS_NOTE: &str = "only tags change: updated with PATCH, containers keep running";

/// What to plan.
pub struct PlanRequest<'a> {
    pub stack: &'a Stack,
    pub graph: &'a ResourceGraph,
    pub live: &'a LiveState,
    pub subscription: &'a str,
    pub target: TargetInfo,
    /// `--target` with its dependencies; `None` plans everything.
    pub only: Option<BTreeSet<Address>>,
    /// Plan the deletion of everything the stack owns (`destroy`).
    pub destroy: bool,
}

/// A plan to show and the steps that carry it out, one per resource change.
#[derive(Debug, Clone)]
pub struct PlannedStack {
    pub plan: Plan,
    pub steps: Vec<Step>,
    /// Per address in the plan: the live resource read for it, `None` when there was
    /// none. Saved plans fingerprint these (`LiveState::fingerprint`); a plan that is
    /// not saved never pays for hashing a thousand bodies.
    pub reads: BTreeMap<String, Option<LiveKey>>,
}

/// What the planner knows of each resource once planned, for references from later
/// ones.
#[derive(Debug, Clone, Default)]
struct Known {
    /// Values of `id`, `ip`, `fqdn` (and `name`, `location`); absent = known after apply.
    attrs: BTreeMap<String, String>,
}

struct Planner<'a> {
    req: &'a PlanRequest<'a>,
    known: BTreeMap<Address, Known>,
    changes: Vec<ResourceChange>,
    steps: Vec<Step>,
    reads: BTreeMap<String, Option<LiveKey>>,
    errors: Vec<SpecError>,
    /// Live groups matched to a spec resource (by lower-cased rg and name).
    claimed: BTreeSet<(String, String)>,
    /// Resource groups being created or replaced: their groups cannot exist yet.
    fresh_rgs: BTreeSet<String>,
    /// Live resource groups (lower-cased) a renamed spec resource group replaces.
    claimed_rgs: BTreeSet<String>,
    /// Live groups this stack owns, by their address tag (built once: looking them up
    /// per planned group by scanning would cost O(groups^2)).
    owned_by_address: BTreeMap<&'a str, Vec<&'a LiveGroup>>,
    /// Desired forms lowered ahead (see `prelower`), if any.
    prelowered: Option<&'a Prelowered>,
}

/// Builds the plan. Errors are diagnostics pointing into the spec (an unowned
/// same-named resource, `prevent_destroy`).
pub fn build_plan(req: &PlanRequest<'_>) -> Result<PlannedStack, SpecErrors> {
    build_plan_with(req, None)
}

/// [`build_plan`], taking the desired forms of groups from `prelowered` wherever they
/// still hold (the same plan, less work once live state is in).
pub fn build_plan_with<'a>(
    req: &'a PlanRequest<'a>,
    prelowered: Option<&'a Prelowered>,
) -> Result<PlannedStack, SpecErrors> {
    let resources = req.stack.resource_groups.len() + req.stack.container_groups.len();
    let mut p = Planner {
        req,
        known: BTreeMap::new(),
        changes: Vec::with_capacity(resources),
        steps: Vec::new(),
        reads: BTreeMap::new(),
        errors: Vec::new(),
        claimed: BTreeSet::new(),
        fresh_rgs: BTreeSet::new(),
        claimed_rgs: BTreeSet::new(),
        owned_by_address: BTreeMap::new(),
        prelowered,
    };
    for group in req.live.owned_groups(&req.stack.name) {
        if let Some(address) = group.tag(TAG_ADDRESS) {
            p.owned_by_address.entry(address).or_default().push(group);
        }
    }

    for address in req.graph.order() {
        if req.destroy
            || req
                .only
                .as_ref()
                .is_some_and(|only| !only.contains(address))
        {
            continue;
        }
        match address.kind {
            ResourceKind::ResourceGroup => {
                if let Some(rg) = req.stack.resource_groups.get(&address.key) {
                    p.plan_resource_group(rg);
                }
            }
            ResourceKind::ContainerGroup => {
                if let Some(cg) = req.stack.container_groups.get(&address.key) {
                    p.plan_container_group(cg);
                }
            }
        }
    }
    if req.only.is_none() || req.destroy {
        p.plan_leftovers();
    }

    if !p.errors.is_empty() {
        return Err(SpecErrors::new(p.errors));
    }
    let plan = Plan::new(req.stack.name.clone(), req.target.clone(), p.changes);
    Ok(PlannedStack {
        plan,
        steps: p.steps,
        reads: p.reads,
    })
}

impl<'a> Planner<'a> {
    fn stack(&self) -> &'a Stack {
        self.req.stack
    }

    fn rg_id(&self, rg: &str) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{rg}",
            self.req.subscription
        )
    }

    fn cg_id(&self, rg: &str, name: &str) -> String {
        format!(
            "{}/providers/Microsoft.ContainerInstance/containerGroups/{name}",
            self.rg_id(rg)
        )
    }

    /// Resolves a reference from what is planned so far; `None` = known after apply.
    fn resolve(&self, r: &Reference) -> Option<String> {
        if let Some(v) = self.stack().resolve_static(r) {
            return Some(v);
        }
        self.known.get(&r.target)?.attrs.get(&r.attr).cloned()
    }

    /// Records the live group read for `address`; returns its fingerprint.
    fn read_group(&mut self, address: &Address, live: Option<&LiveGroup>) {
        let key = live.map(|g| LiveKey::Group(group_key(g)));
        self.reads.insert(address.to_string(), key);
    }

    /// Records the live resource group read for `address`.
    fn read_rg(&mut self, address: &Address, live: Option<&Value>) {
        let name = live.and_then(|b| b.get("name")).and_then(Value::as_str);
        let key = name.map(|n| LiveKey::ResourceGroup(n.to_ascii_lowercase()));
        self.reads.insert(address.to_string(), key);
    }

    fn claim(&mut self, group: &LiveGroup) {
        self.claimed.insert(group_key(group));
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        address: Address,
        id: Option<String>,
        action: Action,
        mut attributes: Vec<AttributeChange>,
        reasons: Vec<String>,
        unchanged: usize,
        step: Option<Step>,
    ) {
        attributes.sort_by(|a, b| a.path.cmp(&b.path));
        self.changes.push(ResourceChange {
            address: address.to_string(),
            id,
            action,
            attributes,
            reasons,
            unchanged_attributes: unchanged,
        });
        if let Some(step) = step.filter(|s| s.action.is_change()) {
            self.steps.push(step);
        }
    }
}

fn group_key(g: &LiveGroup) -> (String, String) {
    (
        g.resource_group.to_ascii_lowercase(),
        g.name().to_ascii_lowercase(),
    )
}
