//! Planning a container group: lower it, find its live counterpart (by name, or by
//! address when it moved), diff, and decide between create, update (PATCH or PUT),
//! replace, start, stop or nothing, with the reasons the plan shows.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn plan_container_group(&mut self, cg: &ContainerGroupSpec) {
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
        // A group being deleted is as good as gone: it is created again once the
        // delete has finished (the executor waits for that).
        let deleting = by_name.filter(|g| being_deleted(&g.body));
        if let Some(going) = deleting {
            self.claim(going);
        }
        let by_name = by_name.filter(|_| deleting.is_none());
        let (live, moved_from) = match (by_name, deleting) {
            (Some(live), _) => (Some(live), None),
            (None, Some(_)) => (None, None),
            (None, None) => (None, self.owned_group_at(&address)),
        };
        if let Some(old) = moved_from {
            self.claim(old);
        }
        self.read_group(&address, live.or(moved_from).or(deleting));
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
                None if deleting.is_some() => {
                    let why = "it is being deleted (provisioningState `Deleting`): it is \
                               created again once the delete has finished";
                    (Action::Create, vec![why.to_string()], None)
                }
                None => (Action::Create, vec![], None),
                Some(old) => {
                    let old_name = old.name();
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
                    let because = std::slice::from_ref(&why);
                    self.refuse_if_protected(
                        &address,
                        &cg.lifecycle,
                        &cg.origin,
                        "replace",
                        because,
                    );
                    let prev = AzureName::container_group(&old.resource_group, old_name);
                    let note = replace_note(cg, Some(&old.body));
                    (Action::Replace, vec![why, note], Some(prev))
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
                .with_lowering(&location, &salt)
                .after_delete(deleting.is_some());
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

        // Compared ahead as the live group arrived, when it was against the same form.
        let prepared = ahead
            .and(self.prelowered)
            .and_then(|p| p.diff_for(cg, live));
        let compared;
        let d = match prepared {
            Some(d) => d,
            None => {
                let secrets = live_secrets.as_ref();
                compared = diff_container_group(desired_canon, cg, live, secrets);
                &compared
            }
        };
        let live_state = live.known_run_state();
        // `ignore_changes = ["state"]`: the group keeps the run state it has in Azure,
        // whoever set it.
        let desired_state = match cg.lifecycle.ignores_state() {
            true => live_state,
            false => cg.state,
        };
        let state_differs = live_state != desired_state;

        let mut attributes = d.attributes.clone();
        if state_differs {
            attributes.push(state_change(Some(live_state), desired_state));
        }
        let (action, mut reasons, update) = if !d.replace_reasons.is_empty() {
            let mut reasons = d.replace_reasons.clone();
            reasons.push(replace_note(cg, Some(&live.body)));
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
            match desired_state {
                RunState::Running => (Action::Start, vec![], UpdateMode::None),
                RunState::Stopped => (Action::Stop, vec![], UpdateMode::None),
            }
        } else if let Some(state) = deployment_in_progress(&live.body) {
            // Nothing to change, but nothing settled either: say so rather than
            // "no changes" for a group stuck deploying.
            let why = format!(
                "an operation is still in progress (provisioningState `{state}`): plan again \
                 once it has finished"
            );
            (Action::NoOp, vec![why], UpdateMode::None)
        } else {
            (Action::NoOp, vec![], UpdateMode::None)
        };
        // A PUT, or the create of a replacement, carries ignored fields over from live.
        if update == UpdateMode::Put || action == Action::Replace {
            let desired = desired.unwrap_or_else(|| lower_container_group_canon(&cx, cg).0);
            let secrets = live_secrets.as_ref();
            self.check_ignored_kept(cg, &desired, live, desired_canon, secrets);
        }
        if action == Action::Update && state_differs {
            reasons.push(format!(
                "then the group is {}",
                match desired_state {
                    RunState::Running => "started",
                    RunState::Stopped => "stopped",
                }
            ));
        }
        if update == UpdateMode::Put && !state_differs && desired_state == RunState::Stopped {
            reasons.push(
                "the group is stopped: ACI runs its containers again on an update, and \
                 aciform stops it right after"
                    .into(),
            );
        }
        // Starting a stopped group deploys it again, and ACI may give it another public
        // IP: what refers to the IP learns it only after apply. The FQDN stays.
        let restarts_stopped = state_differs && desired_state == RunState::Running;
        let stable = stable_fqdn(desired_canon, live);
        if action == Action::Replace {
            let because = &d.replace_reasons;
            self.refuse_if_protected(&address, &cg.lifecycle, &cg.origin, "replace", because);
            if let Some(fqdn) = &stable {
                known.attrs.insert("fqdn".into(), fqdn.clone());
            }
        } else {
            // The group stays: its IP and FQDN are known now, unless a start may bring
            // another IP or a new DNS name label gives another FQDN.
            let relabelled = d.attributes.iter().any(|a| {
                a.path == "ip_address.dns_name_label"
                    || a.path == "ip_address.dns_name_label_reuse_policy"
            });
            for (attr, path, changes) in [("ip", IP, restarts_stopped), ("fqdn", FQDN, relabelled)]
            {
                if changes {
                    if cg.ip_address.is_some() {
                        attributes.push(after_apply(Some(&live.body), attr, path));
                    }
                    continue;
                }
                if let Some(v) = at(&live.body, path).and_then(Value::as_str) {
                    known.attrs.insert(attr.into(), v.into());
                }
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
                .with_state(desired_state)
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

    /// A live group this stack created for `address` (by its address tag), if any and
    /// not yet matched.
    pub(super) fn owned_group_at(&self, address: &Address) -> Option<&'a LiveGroup> {
        let candidates = self.owned_by_address.get(address.to_string().as_str())?;
        candidates
            .iter()
            .find(|g| !self.claimed.contains(&group_key(g)))
            .copied()
    }

    /// An update sends the whole group: an ignored field that differs must be carried
    /// over from live, or the update would reset it. Refuses the paths this version
    /// cannot carry over when they differ.
    pub(super) fn check_ignored_kept(
        &mut self,
        cg: &ContainerGroupSpec,
        desired: &Value,
        live: &LiveGroup,
        desired_canon: &Canon,
        secrets: Option<&SecretHashes>,
    ) {
        let ignore = ignore_keys(&cg.lifecycle.ignore_changes);
        let unsupported = keep_ignored(&mut desired.clone(), &live.body, &ignore);
        if unsupported.is_empty() {
            return;
        }
        let unfiltered = DiffRules {
            replacement: &rules::replacement_reason,
            secrets,
            ignore: &[],
        };
        let full = diff(desired_canon, live.canon(), &unfiltered);
        for path in unsupported {
            let differs = full
                .attributes
                .iter()
                .any(|a| crate::plan::diff::is_ignored(&a.path, std::slice::from_ref(&path)));
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
}

/// `ip_address.ip` and `.fqdn` of a group being created or replaced: the service
/// assigns them, so they are known only after apply.
pub(super) fn assigned_after_apply(
    live: Option<&Value>,
    has_dns_label: bool,
) -> Vec<AttributeChange> {
    let mut attrs = vec![after_apply(live, "ip", IP)];
    if has_dns_label {
        attrs.push(after_apply(live, "fqdn", FQDN));
    }
    attrs
}

/// The FQDN a replaced group will have again, when it can be known: the same DNS
/// name label in the same location under the `Unsecure` scope gives the same name
/// (`<label>.<region>.azurecontainer.io`). The reuse scopes add a hash the service
/// picks (`Noreuse` a new one every time), so there it is known only after apply.
pub(super) fn stable_fqdn(desired: &Canon, live: &LiveGroup) -> Option<String> {
    let cmp = |c: &Canon, key: &str| match &c.entries.get(key)?.value {
        CanonValue::Plain { cmp, .. } => cmp.as_str().map(String::from),
        CanonValue::Secret(_) => None,
    };
    let scope = |c: &Canon| {
        cmp(c, "ip_address.dns_name_label_reuse_policy").unwrap_or_else(|| "unsecure".into())
    };
    let fqdn = at(&live.body, FQDN)?.as_str()?;
    let label = cmp(desired, "ip_address.dns_name_label")?;
    let same = Some(&label) == cmp(live.canon(), "ip_address.dns_name_label").as_ref()
        && scope(desired) == "unsecure"
        && scope(live.canon()) == "unsecure"
        && cmp(desired, "location")? == cmp(live.canon(), "location")?;
    same.then(|| fqdn.to_string())
}

/// `ip_address.ATTR` (of a live group, if any) as a value known only after apply.
fn after_apply(live: Option<&Value>, attr: &str, path: &[&str]) -> AttributeChange {
    let before = live
        .and_then(|b| at(b, path))
        .filter(|v| !crate::plan::canon::is_absent(v));
    AttributeChange {
        path: format!("ip_address.{attr}"),
        change: ChangeKind::between(before, None, true),
        before: before.cloned(),
        after: None,
        sensitive: false,
        known_after_apply: true,
        forces_replacement: false,
    }
}

/// Whether a live group is being deleted.
pub fn being_deleted(live: &Value) -> bool {
    at(live, PROVISIONING_STATE)
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("deleting"))
}

/// The provisioning state of a group whose last operation has not finished.
pub(super) fn deployment_in_progress(live: &Value) -> Option<String> {
    let state = at(live, PROVISIONING_STATE)?.as_str()?;
    let terminal = ["succeeded", "failed", "canceled"];
    (!terminal.contains(&state.to_ascii_lowercase().as_str())).then(|| state.to_string())
}

/// Whether a live group's last deployment failed.
pub fn deployment_failed(live: &Value) -> bool {
    at(live, PROVISIONING_STATE)
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("failed"))
}

/// The `state` attribute: desired run state against the live one.
pub(super) fn state_change(live: Option<RunState>, desired: RunState) -> AttributeChange {
    AttributeChange {
        path: "state".into(),
        change: match live {
            Some(_) => ChangeKind::Update,
            None => ChangeKind::Add,
        },
        before: live.map(|s| json!(s.as_str())),
        after: Some(json!(desired.as_str())),
        sensitive: false,
        known_after_apply: false,
        forces_replacement: false,
    }
}
