//! Lowering ahead of live state: the canonical desired form of every container group
//! whose references can be foreseen, computed while the plan still waits for ARM.
//!
//! Lowering is a pure function of the spec, the values its references resolve to and
//! the location (the canonical form does not depend on the secret-hash salt: those
//! tags are aciform's own and left out of it). So each group is lowered here with the
//! values references will most likely have (names and locations the spec fixes, ids
//! built from names), and the values used are recorded. The planner takes the result
//! only when every recorded value is the one it resolves and the location is the
//! same; otherwise it lowers the group itself. A wrong guess costs time, never a
//! wrong plan.

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::canon::Canon;
use super::lower::{LowerContext, lower_container_group_canon};
use super::placeholder::has_placeholder;
use crate::spec::{ContainerGroupSpec, Reference, ResourceKind, Stack};

/// Canonical desired forms computed ahead, by container group key.
#[derive(Debug, Default)]
pub struct Prelowered {
    groups: BTreeMap<String, Prelowering>,
}

#[derive(Debug)]
struct Prelowering {
    location: String,
    /// Every reference lowering resolved, with the value it was given.
    used: Vec<(Reference, String)>,
    canon: Canon,
}

impl Prelowered {
    /// The canonical form of `cg` lowered at `location`, if it was computed ahead with
    /// exactly the values `resolve` gives now.
    pub fn canon_for(
        &self,
        cg: &ContainerGroupSpec,
        location: &str,
        resolve: &dyn Fn(&Reference) -> Option<String>,
    ) -> Option<&Canon> {
        let pre = self.groups.get(&cg.address().key)?;
        let same = pre.location == location
            && pre
                .used
                .iter()
                .all(|(r, value)| resolve(r).as_deref() == Some(value.as_str()));
        same.then_some(&pre.canon)
    }

    /// How many groups were lowered ahead.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// Lowers every container group of `stack` whose references and location can be
/// foreseen, for resources in `subscription`.
pub fn prelower(stack: &Stack, subscription: &str) -> Prelowered {
    let mut out = Prelowered::default();
    for cg in stack.container_groups.values() {
        let rg = stack.resource_groups.get(&cg.resource_group);
        let Some(location) = cg.location.clone().or_else(|| rg?.location.clone()) else {
            continue;
        };
        let used = RefCell::new(Vec::new());
        let resolve = |r: &Reference| {
            let value = foreseen(stack, subscription, r)?;
            used.borrow_mut().push((r.clone(), value.clone()));
            Some(value)
        };
        let cx = LowerContext {
            stack,
            resolve: &resolve,
            location: &location,
            salt: "",
        };
        let (body, canon) = lower_container_group_canon(&cx, cg);
        // A placeholder means a reference could not be foreseen (an IP, an FQDN).
        if has_placeholder(&body) {
            continue;
        }
        let pre = Prelowering {
            location,
            used: used.into_inner(),
            canon,
        };
        out.groups.insert(cg.address().key, pre);
    }
    out
}

/// The value a reference most likely resolves to: what the spec fixes, or an id built
/// from names as ARM builds it.
fn foreseen(stack: &Stack, subscription: &str, r: &Reference) -> Option<String> {
    if let Some(value) = stack.resolve_static(r) {
        return Some(value);
    }
    let rg_id = |rg: &str| format!("/subscriptions/{subscription}/resourceGroups/{rg}");
    match (r.target.kind, r.attr.as_str()) {
        (ResourceKind::ResourceGroup, "id") => {
            let rg = stack.resource_groups.get(&r.target.key)?;
            Some(rg_id(&rg.name))
        }
        (ResourceKind::ContainerGroup, "id") => {
            let cg = stack.container_groups.get(&r.target.key)?;
            let rg = stack.resource_groups.get(&cg.resource_group)?;
            Some(format!(
                "{}/providers/Microsoft.ContainerInstance/containerGroups/{}",
                rg_id(&rg.name),
                cg.name
            ))
        }
        _ => None,
    }
}
