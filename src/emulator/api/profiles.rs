//! Container group profiles: synchronous PUT/GET/PATCH/DELETE with numbered revisions,
//! and the merge of a referenced profile revision into a container group PUT (the
//! standby-pool example sends containers with no image or resources of their own).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::super::cg::render::stable_uuid;
use super::super::cg::{entry_name, normalize, secrets};
use super::super::error::ArmError;
use super::super::records::{self, ProfileRecord, Record};
use super::super::route::Scope;
use super::super::store::Tx;
use super::{Ctx, json_response, page, parse_object, resource_groups, service_order};

pub const PROFILE_TYPE: &str = "Microsoft.ContainerInstance/containerGroupProfiles";

fn not_found(scope: &Scope) -> ArmError {
    ArmError::resource_not_found(PROFILE_TYPE, &scope.name, &scope.rg)
}

fn render(record: &ProfileRecord, revision: &Value) -> Value {
    let mut body = revision.clone();
    body["id"] = json!(format!(
        "/subscriptions/{}/resourceGroups/{}/providers/{PROFILE_TYPE}/{}",
        record.sub, record.rg, record.name
    ));
    body["name"] = json!(record.name);
    body["type"] = json!(PROFILE_TYPE);
    if let Some(tags) = &record.tags {
        body["tags"] = tags.clone();
    }
    // Every official profile answer shows an address on the profile's IP block.
    if let Some(ip) = body
        .pointer_mut("/properties/ipAddress")
        .and_then(Value::as_object_mut)
    {
        let seed = stable_uuid(&format!("{}/{}/{}", record.sub, record.rg, record.name));
        let bytes = seed.as_bytes();
        ip.insert(
            "ip".into(),
            json!(format!("10.0.{}.{}", bytes[0], bytes[1] % 250 + 4)),
        );
    }
    body
}

fn load(tx_or_view: Option<&Record>) -> Option<ProfileRecord> {
    match tx_or_view {
        Some(Record::Profile(p)) => Some(p.clone()),
        _ => None,
    }
}

pub fn list(ctx: &Ctx<'_>, sub: &str, rg: Option<&str>) -> Result<Response, ArmError> {
    let prefix = match rg {
        Some(rg) => format!("cgp/{}/{}/", sub.to_lowercase(), rg.to_lowercase()),
        None => format!("cgp/{}/", sub.to_lowercase()),
    };
    let items = ctx.emu.store.read(|view| {
        if let Some(rg) = rg {
            resource_groups::live(view, sub, rg, ctx.now)?;
        }
        Ok::<_, ArmError>(
            view.scan(&prefix)
                .into_iter()
                .filter_map(|(_, r)| match r {
                    Record::Profile(p) => p
                        .revisions
                        .last()
                        .map(|rev| (service_order(&p.name), render(p, rev))),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        )
    })?;
    Ok(page(ctx, items))
}

pub fn get(ctx: &Ctx<'_>, scope: &Scope, revision: Option<&str>) -> Result<Response, ArmError> {
    let body = ctx.emu.store.read(|view| {
        resource_groups::live(view, &scope.sub, &scope.rg, ctx.now)?;
        let record = load(view.get(&records::profile_key(&scope.sub, &scope.rg, &scope.name)))
            .ok_or_else(|| not_found(scope))?;
        let rev = match revision {
            None => record.revisions.last(),
            Some(r) => r
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| record.revisions.get(i)),
        };
        rev.map(|rev| render(&record, rev))
            .ok_or_else(|| not_found(scope))
    })?;
    Ok(json_response(StatusCode::OK, &body))
}

pub fn revisions(ctx: &Ctx<'_>, scope: &Scope) -> Result<Response, ArmError> {
    let items = ctx.emu.store.read(|view| {
        let record = load(view.get(&records::profile_key(&scope.sub, &scope.rg, &scope.name)))
            .ok_or_else(|| not_found(scope))?;
        Ok::<_, ArmError>(
            record
                .revisions
                .iter()
                .enumerate()
                .map(|(i, rev)| (format!("{i:08}"), render(&record, rev)))
                .collect(),
        )
    })?;
    Ok(page(ctx, items))
}

pub fn put(ctx: &Ctx<'_>, scope: &Scope, body: &[u8]) -> Result<Response, ArmError> {
    let mut body = parse_object(body)?;
    if let Some(top) = body.as_object_mut() {
        normalize::normalize_location(top, PROFILE_TYPE)?;
        match top.get_mut("properties").and_then(Value::as_object_mut) {
            Some(props) => normalize::normalize_properties(props)?,
            None => {
                return Err(ArmError::invalid_content(
                    "Required property 'properties' not found in JSON. Path ''",
                ));
            }
        }
    }
    secrets::strip_secrets(&mut body);
    let tags = body.get("tags").filter(|t| !t.is_null()).cloned();
    resource_groups::check_tags(tags.as_ref())?;

    let (created, rendered) = ctx.emu.store.write(|tx| {
        let rg = resource_groups::writable(tx, &scope.sub, &scope.rg, ctx.now)?;
        let key = records::profile_key(&scope.sub, &scope.rg, &scope.name);
        let existing = load(tx.get(&key));
        let created = existing.is_none();
        let mut record = existing.unwrap_or(ProfileRecord {
            sub: scope.sub.clone(),
            rg: rg.name.clone(),
            name: scope.name.clone(),
            revisions: Vec::new(),
            tags: None,
        });
        body["properties"]["revision"] = json!(record.revisions.len() + 1);
        if let Some(map) = body.as_object_mut() {
            map.remove("tags");
        }
        record.tags = tags.clone();
        record.revisions.push(body.clone());
        let rendered = render(&record, &body);
        tx.put(key, Record::Profile(record));
        Ok((created, rendered))
    })?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json_response(status, &rendered))
}

/// PATCH of tags: a new revision, as the official example shows.
pub fn patch(ctx: &Ctx<'_>, scope: &Scope, body: &[u8]) -> Result<Response, ArmError> {
    let body = parse_object(body)?;
    let rendered = ctx.emu.store.write(|tx| {
        resource_groups::writable(tx, &scope.sub, &scope.rg, ctx.now)?;
        let key = records::profile_key(&scope.sub, &scope.rg, &scope.name);
        let mut record = load(tx.get(&key)).ok_or_else(|| not_found(scope))?;
        if let Some(tags) = body.get("tags") {
            resource_groups::check_tags(Some(tags))?;
            record.tags = (!tags.is_null()).then(|| tags.clone());
        }
        let mut latest = record
            .revisions
            .last()
            .cloned()
            .unwrap_or_else(|| json!({ "properties": {} }));
        latest["properties"]["revision"] = json!(record.revisions.len() + 1);
        record.revisions.push(latest.clone());
        let rendered = render(&record, &latest);
        tx.put(key, Record::Profile(record));
        Ok(rendered)
    })?;
    Ok(json_response(StatusCode::OK, &rendered))
}

pub fn delete(ctx: &Ctx<'_>, scope: &Scope) -> Result<Response, ArmError> {
    let existed = ctx.emu.store.write(|tx| {
        resource_groups::writable(tx, &scope.sub, &scope.rg, ctx.now)?;
        let key = records::profile_key(&scope.sub, &scope.rg, &scope.name);
        let existed = tx.get(&key).is_some();
        tx.remove(&key);
        Ok(existed)
    })?;
    Ok(if existed {
        StatusCode::OK
    } else {
        StatusCode::NO_CONTENT
    }
    .into_response())
}

/// Merges the profile revision a container group body references into it: the
/// group's own properties win, containers are merged by name.
pub fn merge_into(tx: &Tx<'_>, body: &mut Value, _now: i64) -> Result<(), ArmError> {
    let Some(reference) = body
        .pointer("/properties/containerGroupProfile")
        .filter(|r| !r.is_null())
    else {
        return Ok(());
    };
    let id = reference
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let revision = reference.get("revision").and_then(Value::as_u64);
    let segments: Vec<&str> = id.split('/').filter(|s| !s.is_empty()).collect();
    let profile = match segments.as_slice() {
        [s, sub, r, rg, p, _, t, name]
            if s.eq_ignore_ascii_case("subscriptions")
                && r.eq_ignore_ascii_case("resourcegroups")
                && p.eq_ignore_ascii_case("providers")
                && t.eq_ignore_ascii_case("containerGroupProfiles") =>
        {
            load(tx.get(&records::profile_key(sub, rg, name)))
        }
        _ => None,
    };
    let chosen = profile.as_ref().and_then(|p| match revision {
        Some(n) => (n as usize).checked_sub(1).and_then(|i| p.revisions.get(i)),
        None => p.revisions.last(),
    });
    let Some(chosen) = chosen else {
        return Err(ArmError::bad_request(
            "ContainerGroupProfileNotFound",
            format!(
                "The container group profile '{id}' (revision {}) could not be found.",
                revision.map_or("latest".to_string(), |r| r.to_string())
            ),
        ));
    };

    let mut merged = chosen
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    merged.remove("revision");
    mark_stored_secrets(&mut merged);
    let own = body
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (key, value) in own {
        if key == "containers" {
            let base = merged.remove("containers").unwrap_or(json!([]));
            merged.insert(key, merge_containers(&base, &value));
        } else {
            merged.insert(key, value);
        }
    }
    body["properties"] = Value::Object(merged);
    Ok(())
}

fn merge_containers(base: &Value, own: &Value) -> Value {
    let mut result: Vec<Value> = base.as_array().cloned().unwrap_or_default();
    for container in own.as_array().into_iter().flatten() {
        let name = entry_name(container);
        match result.iter_mut().find(|c| entry_name(c) == name) {
            Some(existing) => {
                let overrides = container
                    .get("properties")
                    .and_then(Value::as_object)
                    .cloned();
                if let (Some(props), Some(overrides)) = (
                    existing
                        .get_mut("properties")
                        .and_then(Value::as_object_mut),
                    overrides,
                ) {
                    props.extend(overrides);
                }
            }
            None => result.push(container.clone()),
        }
    }
    Value::Array(result)
}

/// The service keeps a profile's keys and passwords although it never returns them; the
/// emulator stores none, so merged volumes and credentials are marked as having one.
fn mark_stored_secrets(props: &mut Map<String, Value>) {
    let volumes = props.get_mut("volumes").and_then(Value::as_array_mut);
    for file in volumes
        .into_iter()
        .flatten()
        .filter_map(|v| v.get_mut("azureFile"))
    {
        if file.get("storageAccountKeyReference").is_none()
            && file.get("storageAccountKey").is_none()
        {
            file["storageAccountKey"] = json!("(kept by the profile)");
        }
    }
    let creds = props
        .get_mut("imageRegistryCredentials")
        .and_then(Value::as_array_mut);
    for cred in creds.into_iter().flatten() {
        let bare = ["password", "passwordReference", "identity"]
            .iter()
            .all(|k| cred.get(*k).is_none());
        if bare && cred.get("username").is_some() {
            cred["password"] = json!("(kept by the profile)");
        }
    }
}
