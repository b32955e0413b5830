//! Planning a resource group: create, update its tags, replace it (a new location, or
//! a new name: then the old one goes, with the stack's groups in it), or leave it.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn plan_resource_group(&mut self, rg: &ResourceGroupSpec) {
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
                    let why = format!(
                        "the Azure name changed (was `{old}`): the old resource group is deleted \
                         with the container groups in it, then the new one is created"
                    );
                    let because = std::slice::from_ref(&why);
                    self.refuse_if_protected(
                        &address,
                        &rg.lifecycle,
                        &rg.origin,
                        "replace",
                        because,
                    );
                    self.refuse_if_foreign_inside(&old, &rg.origin, "renaming");
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
            let because = &d.replace_reasons;
            self.refuse_if_protected(&address, &rg.lifecycle, &rg.origin, "replace", because);
            self.refuse_if_foreign_inside(&rg.name, &rg.origin, "replacing");
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

    /// A live resource group this stack created for `address` under another name, if
    /// any: (its name, its body).
    pub(super) fn owned_rg_at(&self, address: &Address) -> Option<(String, Value)> {
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

    /// A resource group can be deleted (by renaming or replacing it) only when nothing
    /// in it belongs to anyone else. Refused here, before anything is deleted; what the
    /// plan cannot see (resources other than container groups) the executor checks.
    pub(super) fn refuse_if_foreign_inside(
        &mut self,
        rg: &str,
        origin: &crate::spec::Origin,
        doing: &str,
    ) {
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
                "{doing} this resource group would delete `{rg}`, which holds container groups \
                 this stack does not own: {}",
                foreign.join(", ")
            ),
            "declared here",
            Some(format!(
                "move or delete those groups first, or keep `{rg}` as it is"
            )),
        ));
    }
}
