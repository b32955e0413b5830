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
use super::diff::{DiffRules, all_added, all_removed, diff};
use super::ignore::{ignore_keys, keep_ignored};
use super::live::{LiveGroup, LiveKey, LiveState, tag};
use super::lower::{LowerContext, lower_container_group_canon, lower_resource_group};
use super::model::{Action, AttributeChange, Plan, ResourceChange, TargetInfo};
use super::prelower::Prelowered;
use super::rules::{self, TAG_ADDRESS, TAG_STACK};
use super::secrets::{SecretHashes, new_salt};
use super::step::{AzureName, Step, UpdateMode};
use crate::graph::ResourceGraph;
use crate::spec::{
    Address, ContainerGroupSpec, Reference, ResourceGroupSpec, ResourceKind, RunState, SpecError,
    SpecErrors, Stack,
};

/// Note on every in-place PUT: ACI restarts all containers on any update.
pub const RESTART_NOTE: &str = "an in-place update restarts every container of the group";
/// Note on every replacement of a container group.
pub const REPLACE_NOTE: &str =
    "the group is deleted and created again: its IP address and FQDN may change";
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
    let mut p = Planner {
        req,
        known: BTreeMap::new(),
        changes: Vec::new(),
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
                .is_some_and(|only| !only.contains(&address))
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

    fn plan_resource_group(&mut self, rg: &ResourceGroupSpec) {
        let address = rg.address();
        let live = self.req.live.resource_group(&rg.name).cloned();
        let id = live
            .as_ref()
            .and_then(|b| b.get("id").and_then(Value::as_str).map(String::from))
            .unwrap_or_else(|| self.rg_id(&rg.name));
        let location = rg.location.clone().or_else(|| {
            live.as_ref()
                .and_then(|b| b.get("location").and_then(Value::as_str).map(String::from))
        });
        let mut known = Known::default();
        known.attrs.insert("id".into(), id.clone());
        known.attrs.insert("name".into(), rg.name.clone());
        if let Some(loc) = &location {
            known.attrs.insert("location".into(), loc.clone());
        }
        self.known.insert(address.clone(), known);
        self.read_rg(&address, live.as_ref());

        if rg.existing {
            if live.is_none() {
                self.errors.push(
                    self.stack().error_at(
                        &rg.origin,
                        format!("resource group `{}` does not exist", rg.name),
                        "declared `existing = true`",
                        Some(
                            "create it first, or remove `existing = true` to let aciform create it"
                                .into(),
                        ),
                    ),
                );
            }
            self.push(address, Some(id), Action::NoOp, vec![], vec![], 0, None);
            return;
        }

        let Some(location) = location else { return };
        let desired = lower_resource_group(self.stack(), rg, &location, &|r| self.resolve(r));
        let desired_canon = canonicalize_resource_group(&desired);
        let name = AzureName::resource_group(&rg.name);

        let Some(live) = live else {
            // Created, or renamed: the stack's resource group at this address has
            // another name, and moves (a new one, then the old one deleted).
            self.fresh_rgs.insert(rg.name.to_ascii_lowercase());
            let attrs = all_added(&desired_canon);
            let (action, reasons, previous) = match self.owned_rg_at(&address) {
                None => (Action::Create, vec![], None),
                Some((old, body)) => {
                    self.claimed_rgs.insert(old.to_ascii_lowercase());
                    self.read_rg(&address, Some(&body));
                    self.refuse_if_protected(&address, &rg.lifecycle, &rg.origin, "replace");
                    self.refuse_if_foreign_inside(&old, &rg.origin);
                    let why = format!(
                        "the Azure name changed (was `{old}`): the old resource group is deleted \
                         with the container groups in it, then the new one is created"
                    );
                    (
                        Action::Replace,
                        vec![why],
                        Some(AzureName::resource_group(&old)),
                    )
                }
            };
            let step = Step::new(&address, action, name, &desired_canon).with_previous(previous);
            self.push(address, Some(id), action, attrs, reasons, 0, Some(step));
            return;
        };

        if !self.check_owner(&address, &rg.origin, &live, "resource group", &rg.name) {
            return;
        }
        let live_canon = canonicalize_resource_group(&live);
        let ignore = ignore_keys(&rg.lifecycle.ignore_changes);
        let replacement = |key: &str| {
            (key == "location").then_some("a resource group cannot move to another location")
        };
        let d = diff(
            &desired_canon,
            &live_canon,
            &DiffRules {
                replacement: &replacement,
                secrets: None,
                ignore: &ignore,
            },
        );
        let (action, reasons, update) = if d.is_empty() {
            (Action::NoOp, vec![], UpdateMode::None)
        } else if !d.replace_reasons.is_empty() {
            let mut reasons = d.replace_reasons.clone();
            reasons.push("replacing a resource group deletes every container group in it".into());
            (Action::Replace, reasons, UpdateMode::None)
        } else {
            (
                Action::Update,
                vec![TAGS_NOTE.into()],
                UpdateMode::PatchTags,
            )
        };
        if action == Action::Replace {
            self.fresh_rgs.insert(rg.name.to_ascii_lowercase());
            self.refuse_if_protected(&address, &rg.lifecycle, &rg.origin, "replace");
        }
        let step = Step::new(&address, action, name, &desired_canon).with_update(update);
        self.push(
            address,
            Some(id),
            action,
            d.attributes,
            reasons,
            d.unchanged,
            Some(step),
        );
    }

    fn plan_container_group(&mut self, cg: &ContainerGroupSpec) {
        let address = cg.address();
        let stack = self.stack();
        let Some(rg) = stack.resource_groups.get(&cg.resource_group) else {
            return;
        };
        let rg_known_location = self
            .known
            .get(&rg.address())
            .and_then(|k| k.attrs.get("location").cloned());
        let Some(location) = cg.location.clone().or(rg_known_location) else {
            return;
        };

        // The live group: the one of that name, or the one this stack created for this
        // address under another name or resource group (then it is replaced).
        let rg_fresh = self.fresh_rgs.contains(&rg.name.to_ascii_lowercase());
        let live_state: &'a LiveState = self.req.live;
        let by_name = if rg_fresh {
            None
        } else {
            live_state.group(&rg.name, &cg.name)
        };
        let (live, moved_from) = match by_name {
            Some(live) => (Some(live), None),
            None => (None, self.owned_group_at(&address)),
        };
        if let Some(old) = moved_from {
            self.claim(old);
        }
        self.read_group(&address, live.or(moved_from));
        if let Some(live) = live {
            self.claim(live);
            if !self.check_owner(
                &address,
                &cg.origin,
                &live.body,
                "container group",
                &cg.name,
            ) {
                return;
            }
        }

        // A moved group's secrets were recorded on the old one: compare with those.
        let live_tags = live
            .or(moved_from)
            .and_then(|l| l.body.get("tags"))
            .and_then(Value::as_object);
        let live_secrets = live_tags.and_then(SecretHashes::from_tags);
        let salt = live_secrets
            .as_ref()
            .map(|s| s.salt.clone())
            .unwrap_or_else(new_salt);
        let resolve = |r: &Reference| self.resolve(r);
        let cx = LowerContext {
            stack: self.stack(),
            resolve: &resolve,
            location: &location,
            salt: &salt,
        };
        // Lowered ahead while live state was read, when the values it used still hold.
        let ahead = self
            .prelowered
            .and_then(|p| p.canon_for(cg, &location, &resolve));
        let lowered_canon;
        let (desired, desired_canon): (Option<Value>, &Canon) = match ahead {
            Some(canon) => (None, canon),
            None => {
                let (body, canon) = lower_container_group_canon(&cx, cg);
                lowered_canon = canon;
                (Some(body), &lowered_canon)
            }
        };
        let name = AzureName::container_group(&rg.name, &cg.name);
        let id = live
            .and_then(|l| l.body.get("id").and_then(Value::as_str).map(String::from))
            .unwrap_or_else(|| self.cg_id(&rg.name, &cg.name));

        let mut known = Known::default();
        known.attrs.insert("id".into(), id.clone());
        known.attrs.insert("name".into(), cg.name.clone());
        known.attrs.insert("location".into(), location.clone());

        let Some(live) = live else {
            // Created (or moved: the old one is deleted first, and the plan shows what
            // differs from it).
            let (mut attrs, unchanged) = match moved_from {
                None => (all_added(desired_canon), 0),
                Some(old) => {
                    let rules = DiffRules {
                        replacement: &rules::replacement_reason,
                        secrets: live_secrets.as_ref(),
                        ignore: &[],
                    };
                    let d = diff(desired_canon, old.canon(), &rules);
                    (d.attributes, d.unchanged)
                }
            };
            let old_state = moved_from.map(|g| g.known_run_state());
            if old_state != Some(cg.state) {
                attrs.push(state_change(old_state, cg.state));
            }
            let (action, reasons, previous) = match moved_from {
                None => (Action::Create, vec![], None),
                Some(old) => {
                    let old_name = old
                        .body
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    let same_place = old.resource_group.eq_ignore_ascii_case(&rg.name)
                        && old_name.eq_ignore_ascii_case(&cg.name);
                    let why = if same_place {
                        "its resource group is replaced, and the group with it".to_string()
                    } else {
                        format!(
                            "the Azure name or resource group changed (was `{old_name}` in `{}`): \
                             the old group is deleted, then the new one created",
                            old.resource_group
                        )
                    };
                    self.refuse_if_protected(&address, &cg.lifecycle, &cg.origin, "replace");
                    let prev = AzureName::container_group(&old.resource_group, old_name);
                    (Action::Replace, vec![why, REPLACE_NOTE.into()], Some(prev))
                }
            };
            self.known.insert(address.clone(), known);
            if let Some(ip) = &cg.ip_address {
                let old = moved_from.map(|g| &g.body);
                attrs.extend(assigned_after_apply(old, ip.dns_name_label.is_some()));
            }
            let step = Step::new(&address, action, name, desired_canon)
                .with_state(cg.state)
                .with_previous(previous)
                .with_lowering(&location, &salt);
            self.push(
                address,
                Some(id),
                action,
                attrs,
                reasons,
                unchanged,
                Some(step),
            );
            return;
        };

        let live_canon = live.canon();
        let ignore = ignore_keys(&cg.lifecycle.ignore_changes);
        let rules = DiffRules {
            replacement: &rules::replacement_reason,
            secrets: live_secrets.as_ref(),
            ignore: &ignore,
        };
        let d = diff(desired_canon, live_canon, &rules);
        let live_state = live.known_run_state();
        let state_differs = live_state != cg.state;

        let mut attributes = d.attributes.clone();
        if state_differs {
            attributes.push(state_change(Some(live_state), cg.state));
        }
        let (action, mut reasons, update) = if !d.replace_reasons.is_empty() {
            let mut reasons = d.replace_reasons.clone();
            reasons.push(REPLACE_NOTE.into());
            (Action::Replace, reasons, UpdateMode::None)
        } else if d.only_tags() {
            (
                Action::Update,
                vec![TAGS_NOTE.into()],
                UpdateMode::PatchTags,
            )
        } else if !d.is_empty() {
            (Action::Update, vec![RESTART_NOTE.into()], UpdateMode::Put)
        } else if deployment_failed(&live.body) {
            // ARM keeps a group whose deployment failed, and retries nothing by itself:
            // deploying it again is the way out (Terraform would call it tainted).
            let why = "its last deployment failed (provisioningState `Failed`): it is deployed \
                       again with the same settings"
                .to_string();
            (
                Action::Update,
                vec![why, RESTART_NOTE.into()],
                UpdateMode::Put,
            )
        } else if state_differs {
            match cg.state {
                RunState::Running => (Action::Start, vec![], UpdateMode::None),
                RunState::Stopped => (Action::Stop, vec![], UpdateMode::None),
            }
        } else if let Some(state) = deployment_in_progress(&live.body) {
            // Nothing to change, but nothing settled either: say so rather than
            // "no changes" for a group stuck deploying.
            let why = format!(
                "a deployment is still in progress (provisioningState `{state}`): plan again \
                 once it has finished"
            );
            (Action::NoOp, vec![why], UpdateMode::None)
        } else {
            (Action::NoOp, vec![], UpdateMode::None)
        };
        if update == UpdateMode::Put {
            let desired = desired.unwrap_or_else(|| lower_container_group_canon(&cx, cg).0);
            self.check_ignored_kept(cg, &desired, &live.body, desired_canon, live_canon, &rules);
        }
        if action == Action::Update && state_differs {
            reasons.push(format!(
                "then the group is {}",
                match cg.state {
                    RunState::Running => "started",
                    RunState::Stopped => "stopped",
                }
            ));
        }
        if update == UpdateMode::Put && !state_differs && cg.state == RunState::Stopped {
            reasons.push(
                "the group is stopped: ACI runs its containers again on an update, and \
                 aciform stops it right after"
                    .into(),
            );
        }
        // Starting a stopped group deploys it again, and ACI may give it another public
        // IP: what refers to the IP learns it only after apply. The FQDN stays.
        let restarts_stopped = state_differs && cg.state == RunState::Running;
        let stable = stable_fqdn(desired_canon, live);
        if action == Action::Replace {
            self.refuse_if_protected(&address, &cg.lifecycle, &cg.origin, "replace");
            if let Some(fqdn) = &stable {
                known.attrs.insert("fqdn".into(), fqdn.clone());
            }
        } else {
            // The group stays: its IP and FQDN are known now.
            for (attr, pointer) in [
                ("ip", "/properties/ipAddress/ip"),
                ("fqdn", "/properties/ipAddress/fqdn"),
            ] {
                if attr == "ip" && restarts_stopped {
                    continue;
                }
                if let Some(v) = live.body.pointer(pointer).and_then(Value::as_str) {
                    known.attrs.insert(attr.into(), v.into());
                }
            }
            if restarts_stopped && cg.ip_address.is_some() {
                attributes.extend(assigned_after_apply(Some(&live.body), false));
            }
        }
        self.known.insert(address.clone(), known);
        if let Some(ip) = cg.ip_address.as_ref().filter(|_| action == Action::Replace) {
            let fqdn_changes = ip.dns_name_label.is_some() && stable.is_none();
            attributes.extend(assigned_after_apply(Some(&live.body), fqdn_changes));
        }
        // Most groups of a large stack are unchanged: no step, so no copy of the body.
        let step = action.is_change().then(|| {
            Step::new(&address, action, name, desired_canon)
                .with_update(update)
                .with_state(cg.state)
                .with_lowering(&location, &salt)
        });
        let unchanged = d.unchanged;
        self.push(
            address,
            Some(id),
            action,
            attributes,
            reasons,
            unchanged,
            step,
        );
    }

    /// Owned resources that are no longer in the spec: planned for deletion. Resource
    /// groups only when they hold nothing the stack does not own.
    fn plan_leftovers(&mut self) {
        let stack_name = self.stack().name.clone();
        let mut deleted_in: BTreeMap<String, usize> = BTreeMap::new();
        let leftovers: Vec<LiveGroup> = self
            .req
            .live
            .owned_groups(&stack_name)
            .filter(|g| !self.claimed.contains(&group_key(g)))
            .cloned()
            .collect();
        for group in leftovers {
            let name = group
                .body
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let address = leftover_address(&group.body, ResourceKind::ContainerGroup, &name);
            let declared = self.stack().container_groups.get(&address.key).cloned();
            match declared {
                // Still declared but not matched (its resource group is replaced, or it
                // moved): its own planned change covers it.
                Some(_) if !self.req.destroy => continue,
                Some(cg) => {
                    self.refuse_if_protected(&address, &cg.lifecycle, &cg.origin, "destroy")
                }
                None => {}
            }
            *deleted_in
                .entry(group.resource_group.to_ascii_lowercase())
                .or_default() += 1;
            let canon = group.canon();
            let id = group
                .body
                .get("id")
                .and_then(Value::as_str)
                .map(String::from);
            let azure = AzureName::container_group(&group.resource_group, &name);
            self.read_group(&address, Some(&group));
            let step = Step::new(&address, Action::Delete, azure, &Canon::default());
            let attrs = all_removed(canon);
            self.push(address, id, Action::Delete, attrs, vec![], 0, Some(step));
        }

        let rgs: Vec<(String, Value)> = self
            .req
            .live
            .resource_groups
            .iter()
            .filter(|(_, body)| tag(body, TAG_STACK) == Some(stack_name.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (key, body) in rgs {
            let name = body
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let address = leftover_address(&body, ResourceKind::ResourceGroup, &name);
            let declared = self.stack().resource_groups.get(&address.key);
            let same_name = declared.is_some_and(|rg| rg.name.eq_ignore_ascii_case(&name));
            if self.claimed_rgs.contains(&key) || (same_name && !self.req.destroy) {
                continue;
            }
            if let Some(rg) = declared {
                if rg.existing {
                    continue;
                }
                self.refuse_if_protected(
                    &address,
                    &rg.lifecycle.clone(),
                    &rg.origin.clone(),
                    "destroy",
                );
            }
            // A resource group is deleted with everything in it: only when everything
            // in it is ours and going too.
            let inside = self
                .req
                .live
                .container_groups
                .keys()
                .filter(|(rg, _)| *rg == key)
                .count();
            let ours = deleted_in.get(&key).copied().unwrap_or(0);
            let canon = canonicalize_resource_group(&body);
            let id = body.get("id").and_then(Value::as_str).map(String::from);
            self.read_rg(&address, Some(&body));
            if inside > ours {
                let reason = format!(
                    "kept: it holds {} container group(s) this stack does not own",
                    inside - ours
                );
                self.push(address, id, Action::NoOp, vec![], vec![reason], 0, None);
                continue;
            }
            let azure = AzureName::resource_group(&name);
            let step = Step::new(&address, Action::Delete, azure, &Canon::default());
            let attrs = all_removed(&canon);
            self.push(address, id, Action::Delete, attrs, vec![], 0, Some(step));
        }
    }

    /// Resolves a reference from what is planned so far; `None` = known after apply.
    fn resolve(&self, r: &Reference) -> Option<String> {
        if let Some(v) = self.stack().resolve_static(r) {
            return Some(v);
        }
        self.known.get(&r.target)?.attrs.get(&r.attr).cloned()
    }

    /// A live group this stack created for `address` (by its address tag), if any and
    /// not yet matched.
    fn owned_group_at(&self, address: &Address) -> Option<&'a LiveGroup> {
        let candidates = self.owned_by_address.get(address.to_string().as_str())?;
        candidates
            .iter()
            .find(|g| !self.claimed.contains(&group_key(g)))
            .copied()
    }

    /// An update sends the whole group: an ignored field that differs must be carried
    /// over from live, or the update would reset it. Refuses the paths this version
    /// cannot carry over when they differ.
    fn check_ignored_kept(
        &mut self,
        cg: &ContainerGroupSpec,
        desired: &Value,
        live: &Value,
        desired_canon: &Canon,
        live_canon: &Canon,
        rules: &DiffRules<'_>,
    ) {
        let ignore = ignore_keys(&cg.lifecycle.ignore_changes);
        let unsupported = keep_ignored(&mut desired.clone(), live, &ignore);
        if unsupported.is_empty() {
            return;
        }
        let unfiltered = DiffRules {
            ignore: &[],
            ..*rules
        };
        let full = diff(desired_canon, live_canon, &unfiltered);
        for path in unsupported {
            let differs = full
                .attributes
                .iter()
                .any(|a| super::diff::is_ignored(&a.path, std::slice::from_ref(&path)));
            let origin = cg.lifecycle.ignore_changes.iter().find(|(p, _)| *p == path);
            if let (true, Some((_, origin))) = (differs, origin) {
                self.errors.push(self.stack().error_at(
                    origin,
                    format!(
                        "`{path}` differs in Azure and is ignored, but the planned update would \
                         reset it: aciform cannot carry this field over yet"
                    ),
                    "ignored here",
                    Some("ignore a narrower path (image, command, env, tags), or let the spec \
                          set this field"
                        .into()),
                ));
            }
        }
    }

    /// A live resource group this stack created for `address` under another name, if
    /// any: (its name, its body).
    fn owned_rg_at(&self, address: &Address) -> Option<(String, Value)> {
        let stack = self.stack().name.as_str();
        let wanted = address.to_string();
        self.req
            .live
            .resource_groups
            .iter()
            .find_map(|(key, body)| {
                let ours =
                    tag(body, TAG_STACK) == Some(stack) && tag(body, TAG_ADDRESS) == Some(&wanted);
                let name = body.get("name").and_then(Value::as_str).unwrap_or(key);
                (ours && !self.claimed_rgs.contains(key)).then(|| (name.to_string(), body.clone()))
            })
    }

    /// A resource group can be deleted only when nothing in it belongs to anyone else.
    fn refuse_if_foreign_inside(&mut self, rg: &str, origin: &crate::spec::Origin) {
        let stack = self.stack().name.clone();
        let foreign: Vec<String> = self
            .req
            .live
            .container_groups
            .iter()
            .filter(|((r, _), g)| {
                r.eq_ignore_ascii_case(rg) && g.tag(TAG_STACK) != Some(stack.as_str())
            })
            .map(|((_, name), _)| name.clone())
            .collect();
        if foreign.is_empty() {
            return;
        }
        self.errors.push(self.stack().error_at(
            origin,
            format!(
                "renaming this resource group would delete `{rg}`, which holds container groups \
                 this stack does not own: {}",
                foreign.join(", ")
            ),
            "renamed here",
            Some(format!(
                "move or delete those groups first, or keep the name `{rg}`"
            )),
        ));
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

    /// Refuses to touch a same-named resource this stack does not own.
    fn check_owner(
        &mut self,
        address: &Address,
        origin: &crate::spec::Origin,
        live: &Value,
        what: &str,
        name: &str,
    ) -> bool {
        let owner = tag(live, TAG_STACK);
        if owner == Some(self.stack().name.as_str()) {
            return true;
        }
        let whose = match owner {
            Some(other) => format!("it belongs to stack `{other}`"),
            None => "it was not created by aciform".to_string(),
        };
        let existing_hint = if address.kind == ResourceKind::ResourceGroup {
            "set `existing = true` to use it without managing it, or "
        } else {
            ""
        };
        let help = format!(
            "{existing_hint}adopt it by adding the tags `{TAG_STACK}={}` and `{TAG_ADDRESS}={address}` \
             (e.g. `az tag update --operation merge --resource-id <id> --tags {TAG_STACK}={} {TAG_ADDRESS}={address}`), \
             or pick another name",
            self.stack().name,
            self.stack().name,
        );
        self.errors.push(self.stack().error_at(
            origin,
            format!("{what} `{name}` already exists and {whose}"),
            "declared here",
            Some(help),
        ));
        false
    }

    fn refuse_if_protected(
        &mut self,
        address: &Address,
        lifecycle: &crate::spec::Lifecycle,
        origin: &crate::spec::Origin,
        verb: &str,
    ) {
        if !lifecycle.prevent_destroy {
            return;
        }
        let at = lifecycle.prevent_destroy_origin.as_ref().unwrap_or(origin);
        self.errors.push(self.stack().error_at(
            at,
            format!("the plan would {verb} {address}, which has `lifecycle.prevent_destroy`"),
            "prevent_destroy is set here",
            Some("remove prevent_destroy to allow it, or undo the change that forces it".into()),
        ));
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
    let name = g
        .body
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    (
        g.resource_group.to_ascii_lowercase(),
        name.to_ascii_lowercase(),
    )
}

/// The address a leftover resource had, from its tag (or its name when the tag is
/// unreadable).
fn leftover_address(body: &Value, kind: ResourceKind, name: &str) -> Address {
    tag(body, TAG_ADDRESS)
        .and_then(|a| a.parse::<Address>().ok())
        .filter(|a| a.kind == kind)
        .unwrap_or_else(|| Address::new(kind, name.to_ascii_lowercase()))
}

/// `ip_address.ip` and `.fqdn` of a group being created or replaced: the service
/// assigns them, so they are known only after apply.
fn assigned_after_apply(live: Option<&Value>, has_dns_label: bool) -> Vec<AttributeChange> {
    [
        ("ip_address.ip", "/properties/ipAddress/ip"),
        ("ip_address.fqdn", "/properties/ipAddress/fqdn"),
    ]
    .into_iter()
    .filter_map(|(path, pointer)| {
        if path.ends_with("fqdn") && !has_dns_label {
            return None;
        }
        let before = live
            .and_then(|b| b.pointer(pointer))
            .filter(|v| !super::canon::is_absent(v));
        Some(AttributeChange {
            path: path.into(),
            before: before.cloned(),
            after: None,
            sensitive: false,
            known_after_apply: true,
            forces_replacement: false,
        })
    })
    .collect()
}

/// The FQDN a replaced group will have again, when it can be known: the same DNS
/// name label in the same location under the `Unsecure` scope gives the same name
/// (`<label>.<region>.azurecontainer.io`). The reuse scopes add a hash the service
/// picks (`Noreuse` a new one every time), so there it is known only after apply.
fn stable_fqdn(desired: &Canon, live: &LiveGroup) -> Option<String> {
    let cmp = |c: &Canon, key: &str| match &c.entries.get(key)?.value {
        CanonValue::Plain { cmp, .. } => cmp.as_str().map(String::from),
        CanonValue::Secret(_) => None,
    };
    let scope = |c: &Canon| {
        cmp(c, "ip_address.dns_name_label_reuse_policy").unwrap_or_else(|| "unsecure".into())
    };
    let fqdn = live.body.pointer("/properties/ipAddress/fqdn")?.as_str()?;
    let label = cmp(desired, "ip_address.dns_name_label")?;
    let same = Some(&label) == cmp(live.canon(), "ip_address.dns_name_label").as_ref()
        && scope(desired) == "unsecure"
        && scope(live.canon()) == "unsecure"
        && cmp(desired, "location")? == cmp(live.canon(), "location")?;
    same.then(|| fqdn.to_string())
}

/// The provisioning state of a group whose last operation has not finished.
fn deployment_in_progress(live: &Value) -> Option<String> {
    let state = live.pointer("/properties/provisioningState")?.as_str()?;
    let terminal = ["succeeded", "failed", "canceled"];
    (!terminal.contains(&state.to_ascii_lowercase().as_str())).then(|| state.to_string())
}

/// Whether a live group's last deployment failed.
pub fn deployment_failed(live: &Value) -> bool {
    live.pointer("/properties/provisioningState")
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("failed"))
}

/// The `state` attribute: desired run state against the live one.
fn state_change(live: Option<RunState>, desired: RunState) -> AttributeChange {
    AttributeChange {
        path: "state".into(),
        before: live.map(|s| json!(s.as_str())),
        after: Some(json!(desired.as_str())),
        sensitive: false,
        known_after_apply: false,
        forces_replacement: false,
    }
}
