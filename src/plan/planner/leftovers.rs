//! Owned resources that left the spec: container groups to delete, and resource
//! groups to delete when nothing in them belongs to anyone else.

use super::*;

impl<'a> Planner<'a> {
    /// Owned resources that are no longer in the spec: planned for deletion. Resource
    /// groups only when they hold nothing the stack does not own.
    pub(super) fn plan_leftovers(&mut self) {
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
            let name = group.name().to_string();
            let address = leftover_address(&group.body, ResourceKind::ContainerGroup, &name);
            let declared = self.stack().container_groups.get(&address.key).cloned();
            match declared {
                // Still declared but not matched (its resource group is replaced, or it
                // moved): its own planned change covers it.
                Some(_) if !self.req.destroy => continue,
                Some(cg) => {
                    self.refuse_if_protected(&address, &cg.lifecycle, &cg.origin, "destroy", &[])
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
                    &[],
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
}

/// The address a leftover resource had, from its tag (or its name when the tag is
/// unreadable).
pub(super) fn leftover_address(body: &Value, kind: ResourceKind, name: &str) -> Address {
    tag(body, TAG_ADDRESS)
        .and_then(|a| a.parse::<Address>().ok())
        .filter(|a| a.kind == kind)
        .unwrap_or_else(|| Address::new(kind, name.to_ascii_lowercase()))
}
