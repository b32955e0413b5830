//! ARM's generic resource list of a resource group (`GET …/resourceGroups/{rg}/resources`,
//! Microsoft.Resources): every resource in it, whatever its provider, in the generic
//! shape (`id`, `name`, `type`, `location`, `tags`). Clients use it to see what a
//! resource group holds before deleting it, since a delete takes everything inside.
//!
//! The emulator only ever holds container groups, profiles and NGroups, so those are
//! what it lists.

use axum::response::Response;
use serde_json::{Map, Value, json};

use super::super::cg::render::{CG_TYPE, resource_id};
use super::super::error::ArmError;
use super::super::records::{self, Record};
use super::super::store::View;
use super::{Ctx, page, resource_groups, service_order};
use super::{ngroups::NGROUP_TYPE, profiles::PROFILE_TYPE};

/// The resources of `rg`, paged; ARM's 404 when the resource group does not exist.
pub fn list_in_group(ctx: &Ctx<'_>, sub: &str, rg: &str) -> Result<Response, ArmError> {
    let items = ctx.emu.store.read(|view| {
        resource_groups::live(view, sub, rg, ctx.now)?;
        Ok::<_, ArmError>(generic_items(view, sub, rg, ctx.now))
    })?;
    Ok(page(ctx, items))
}

fn generic_items(view: &View<'_>, sub: &str, rg: &str, now: i64) -> Vec<(String, Value)> {
    let (sub_l, rg_l) = (sub.to_lowercase(), rg.to_lowercase());
    let mut items = Vec::new();
    for prefix in [
        records::cg_prefix(sub, rg),
        format!("cgp/{sub_l}/{rg_l}/"),
        format!("ng/{sub_l}/{rg_l}/"),
    ] {
        for (_, record) in view.scan(&prefix) {
            if let Some((name, body)) = generic(record, now) {
                items.push((service_order(&format!("{name}/{}", body["type"])), body));
            }
        }
    }
    items
}

/// One record in the generic shape, unless it is gone.
fn generic(record: &Record, now: i64) -> Option<(String, Value)> {
    let gone = |d: &Option<records::Deleting>| d.as_ref().is_some_and(|d| d.is_done(now));
    let (id, name, kind, location, tags) = match record {
        Record::ContainerGroup(cg) if !gone(&cg.deleting) => (
            resource_id(cg),
            cg.name.clone(),
            CG_TYPE,
            cg.body.get("location").cloned(),
            cg.body.get("tags").cloned(),
        ),
        Record::Profile(p) => (
            format!(
                "/subscriptions/{}/resourceGroups/{}/providers/{PROFILE_TYPE}/{}",
                p.sub, p.rg, p.name
            ),
            p.name.clone(),
            PROFILE_TYPE,
            p.revisions.last().and_then(|r| r.get("location").cloned()),
            p.tags.clone(),
        ),
        Record::NGroup(ng) if !gone(&ng.deleting) => (
            format!(
                "/subscriptions/{}/resourceGroups/{}/providers/{NGROUP_TYPE}/{}",
                ng.sub, ng.rg, ng.name
            ),
            ng.name.clone(),
            NGROUP_TYPE,
            ng.body.get("location").cloned(),
            ng.body.get("tags").cloned(),
        ),
        _ => return None,
    };
    let mut body = Map::new();
    body.insert("id".into(), json!(id));
    body.insert("name".into(), json!(name));
    body.insert("type".into(), json!(kind));
    if let Some(location) = location.filter(|l| !l.is_null()) {
        body.insert("location".into(), location);
    }
    if let Some(tags) = tags.filter(|t| !t.is_null()) {
        body.insert("tags".into(), tags);
    }
    Some((name, Value::Object(body)))
}
