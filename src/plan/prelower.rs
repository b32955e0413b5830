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
use super::diff::{Diff, diff_container_group};
use super::live::LiveGroup;
use super::lower::{LowerContext, lower_container_group_canon};
use super::placeholder::has_placeholder;
use super::secrets::SecretHashes;
use crate::spec::{ContainerGroupSpec, Reference, ResourceKind, Stack};

/// Canonical desired forms computed ahead, by container group key.
#[derive(Debug, Default)]
pub struct Prelowered {
    groups: BTreeMap<String, Prelowering>,
    /// Container group keys by Azure name (lower-cased resource group and name), to
    /// match live groups as they arrive.
    by_azure_name: BTreeMap<(String, String), String>,
}

#[derive(Debug)]
struct Prelowering {
    location: String,
    /// Every reference lowering resolved, with the value it was given.
    used: Vec<(Reference, String)>,
    canon: Canon,
    /// `canon` compared with the live group of the same name, and which read of it
    /// (`LiveGroup::read`), once that group has arrived.
    diff: Option<(u64, Diff)>,
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

    /// Compares the form lowered ahead with `live` (a group as it arrives from a
    /// LIST), if `live` has the Azure name of a group lowered ahead, so the planner
    /// need not once every answer is in.
    pub fn prepare(&mut self, stack: &Stack, live: &LiveGroup) {
        let name = (
            live.resource_group.to_ascii_lowercase(),
            live.name().to_ascii_lowercase(),
        );
        let Some(key) = self.by_azure_name.get(&name) else {
            return;
        };
        let (Some(pre), Some(cg)) = (self.groups.get_mut(key), stack.container_groups.get(key))
        else {
            return;
        };
        let tags = live.body.get("tags").and_then(|t| t.as_object());
        let secrets = tags.and_then(SecretHashes::from_tags);
        let diff = diff_container_group(&pre.canon, cg, live, secrets.as_ref());
        pre.diff = Some((live.read(), diff));
    }

    /// The comparison `prepare` made of `cg`'s form lowered ahead with `live`, if it
    /// made one with this very read. Valid wherever the planner takes that form
    /// (`canon_for`) and compares it with `live`: the rules come from `cg` and `live`.
    pub fn diff_for(&self, cg: &ContainerGroupSpec, live: &LiveGroup) -> Option<&Diff> {
        let pre = self.groups.get(&cg.address().key)?;
        let (read, diff) = pre.diff.as_ref()?;
        (*read == live.read()).then_some(diff)
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
            diff: None,
        };
        let key = cg.address().key;
        if let Some(rg) = rg {
            let name = (rg.name.to_ascii_lowercase(), cg.name.to_ascii_lowercase());
            out.by_azure_name.insert(name, key.clone());
        }
        out.groups.insert(key, pre);
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::spec::{LoadOptions, load_stack};

    const STACK: &str = r#"
[stack]
name = "shop"
location = "westeurope"

[resource_group.main]
name = "RG-Shop"

[container_group.web]
resource_group = "main"
name = "web"

[[container_group.web.containers]]
name = "web"
image = "nginx:1.27"
cpu = 1
memory_gb = 1
"#;

    fn load() -> (tempfile::TempDir, Stack) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join("main.toml"), STACK).expect("the stack is written");
        let stack = load_stack(dir.path(), &LoadOptions::default()).expect("the stack loads");
        (dir, stack)
    }

    /// A live group as a LIST returns it, its resource group in another case.
    fn listed(name: &str, image: &str) -> LiveGroup {
        let container = json!({"name": "web", "properties": {
            "image": image,
            "resources": {"requests": {"cpu": 1.0, "memoryInGB": 1.0}}
        }});
        let body = json!({
            "name": name,
            "location": "westeurope",
            "properties": {"osType": "Linux", "containers": [container]}
        });
        LiveGroup::new("rg-shop".into(), body, None)
    }

    #[test]
    fn a_comparison_made_ahead_holds_for_that_read_only() {
        let (_dir, stack) = load();
        let cg = &stack.container_groups["web"];
        let mut ahead = prelower(&stack, "sub");
        let read = listed("web", "nginx:1.25");
        ahead.prepare(&stack, &read);

        let diff = ahead.diff_for(cg, &read).expect("compared as it arrived");
        let changed: Vec<&str> = diff.attributes.iter().map(|a| a.path.as_str()).collect();
        assert!(changed.iter().any(|p| p.ends_with(".image")), "{changed:?}");
        assert!(
            ahead.diff_for(cg, &read.clone()).is_some(),
            "a clone is the same read"
        );
        // A later read of the same group (a GET for its run state) is compared anew.
        let again = listed("web", "nginx:1.25");
        assert!(ahead.diff_for(cg, &again).is_none());
    }

    #[test]
    fn groups_of_other_names_are_not_compared() {
        let (_dir, stack) = load();
        let cg = &stack.container_groups["web"];
        let mut ahead = prelower(&stack, "sub");
        let other = listed("web-old", "nginx:1.27");
        ahead.prepare(&stack, &other);
        assert!(ahead.diff_for(cg, &other).is_none());
    }
}
