//! NGroups, served at the depth that makes the official examples meaningful: stored as
//! sent (secrets stripped), long-running PUT/PATCH/DELETE/start/restart with
//! `Azure-AsyncOperation`, synchronous stop, lists. No container groups are created
//! for them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::super::cg::{normalize, secrets};
use super::super::error::ArmError;
use super::super::records::{self, Deleting, NGroupRecord, OpKindRecord, Record};
use super::super::regions;
use super::super::route::{Action, Scope};
use super::{
    Ctx, json_response, operations, page, parse_object, resource_groups, service_order,
    with_headers,
};

pub const NGROUP_TYPE: &str = "Microsoft.ContainerInstance/ngroups";

fn not_found(scope: &Scope) -> ArmError {
    ArmError::resource_not_found(NGROUP_TYPE, &scope.name, &scope.rg)
}

fn is_live(record: &NGroupRecord, now: i64) -> bool {
    !record.deleting.as_ref().is_some_and(|d| d.is_done(now))
}

fn render(record: &NGroupRecord, now: i64) -> Value {
    let mut body = record.body.clone();
    body["id"] = json!(format!(
        "/subscriptions/{}/resourceGroups/{}/providers/{NGROUP_TYPE}/{}",
        record.sub, record.rg, record.name
    ));
    body["name"] = json!(record.name);
    body["type"] = json!(NGROUP_TYPE);
    let state = if record.deleting.is_some() {
        "Deleting"
    } else if record.op.is_running(now) {
        "Updating"
    } else if record.op.failed.is_some() {
        "Failed"
    } else {
        "Succeeded"
    };
    body["properties"]["provisioningState"] = json!(state);
    body
}

fn load(record: Option<&Record>, now: i64) -> Option<NGroupRecord> {
    match record {
        Some(Record::NGroup(ng)) if is_live(ng, now) => Some(ng.clone()),
        _ => None,
    }
}

pub fn list(ctx: &Ctx<'_>, sub: &str, rg: Option<&str>) -> Result<Response, ArmError> {
    let prefix = match rg {
        Some(rg) => format!("ng/{}/{}/", sub.to_lowercase(), rg.to_lowercase()),
        None => format!("ng/{}/", sub.to_lowercase()),
    };
    let items = ctx.emu.store.read(|view| {
        if let Some(rg) = rg {
            resource_groups::live(view, sub, rg, ctx.now)?;
        }
        Ok::<_, ArmError>(
            view.scan(&prefix)
                .into_iter()
                .filter_map(|(_, r)| load(Some(r), ctx.now))
                .map(|ng| (service_order(&ng.name), render(&ng, ctx.now)))
                .collect::<Vec<_>>(),
        )
    })?;
    Ok(page(ctx, items))
}

pub fn get(ctx: &Ctx<'_>, scope: &Scope) -> Result<Response, ArmError> {
    let body = ctx.emu.store.read(|view| {
        resource_groups::live(view, &scope.sub, &scope.rg, ctx.now)?;
        load(
            view.get(&records::ngroup_key(&scope.sub, &scope.rg, &scope.name)),
            ctx.now,
        )
        .map(|ng| render(&ng, ctx.now))
        .ok_or_else(|| not_found(scope))
    })?;
    Ok(json_response(StatusCode::OK, &body))
}

/// NGroup bodies are kept as sent, but `properties` must be an object.
fn check_properties(body: &Value) -> Result<(), ArmError> {
    match body.get("properties") {
        None | Some(Value::Object(_)) => Ok(()),
        Some(_) => Err(ArmError::invalid_content(
            "'properties' must be an object. Path 'properties'",
        )),
    }
}

pub fn put(ctx: &Ctx<'_>, scope: &Scope, body: &[u8]) -> Result<Response, ArmError> {
    let mut body = parse_object(body)?;
    check_properties(&body)?;
    if let Some(top) = body.as_object_mut() {
        normalize::normalize_location(top, NGROUP_TYPE)?;
    }
    secrets::strip_secrets(&mut body);
    write(ctx, scope, true, move |existing| match existing {
        Some(_) | None => Ok(body),
    })
}

pub fn patch(ctx: &Ctx<'_>, scope: &Scope, body: &[u8]) -> Result<Response, ArmError> {
    let mut patch = parse_object(body)?;
    check_properties(&patch)?;
    secrets::strip_secrets(&mut patch);
    write(ctx, scope, false, move |existing| {
        let mut body = existing
            .map(|e| e.body.clone())
            .ok_or_else(|| not_found(scope))?;
        if let Some(tags) = patch.get("tags") {
            body["tags"] = tags.clone();
        }
        let props = patch
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (key, value) in props {
            body["properties"][key] = value;
        }
        Ok(body)
    })
}

fn write(
    ctx: &Ctx<'_>,
    scope: &Scope,
    is_put: bool,
    build: impl FnOnce(Option<&NGroupRecord>) -> Result<Value, ArmError>,
) -> Result<Response, ArmError> {
    let (created, rendered, op, location) = ctx.emu.store.write(|tx| {
        let rg = resource_groups::writable(tx, &scope.sub, &scope.rg, ctx.now)?;
        let key = records::ngroup_key(&scope.sub, &scope.rg, &scope.name);
        let existing = load(tx.get(&key), ctx.now);
        let body = build(existing.as_ref())?;
        let kind = if existing.is_some() {
            OpKindRecord::Update
        } else {
            OpKindRecord::Create
        };
        let op = operations::new_op(ctx, kind, None);
        let record = NGroupRecord {
            sub: scope.sub.clone(),
            rg: rg.name.clone(),
            name: existing
                .as_ref()
                .map_or(scope.name.clone(), |e| e.name.clone()),
            body,
            op: op.clone(),
            deleting: None,
        };
        let rendered = render(&record, ctx.now);
        let location = regions::fold(
            record
                .body
                .get("location")
                .and_then(Value::as_str)
                .unwrap_or(""),
        );
        let id = rendered["id"].as_str().unwrap_or_default().to_string();
        tx.put(
            records::op_key(&op.id),
            operations::op_record(&op, &scope.sub, key.clone(), id),
        );
        tx.put(key, Record::NGroup(record));
        Ok((existing.is_none(), rendered, op, location))
    })?;
    let status = match (is_put, created) {
        (true, true) => StatusCode::CREATED,
        _ => StatusCode::OK,
    };
    let headers = operations::lro_headers(ctx, &scope.sub, &scope.rg, &location, &op.id);
    Ok(with_headers(json_response(status, &rendered), headers))
}

pub fn delete(ctx: &Ctx<'_>, scope: &Scope) -> Result<Response, ArmError> {
    let outcome = ctx.emu.store.write(|tx| {
        resource_groups::writable(tx, &scope.sub, &scope.rg, ctx.now)?;
        let key = records::ngroup_key(&scope.sub, &scope.rg, &scope.name);
        let Some(mut record) = load(tx.get(&key), ctx.now) else {
            return Ok(None);
        };
        let op = operations::new_op(ctx, OpKindRecord::Delete, None);
        record.deleting = Some(Deleting {
            op: op.id.clone(),
            until_ms: op.ends_ms,
        });
        let location = regions::fold(
            record
                .body
                .get("location")
                .and_then(Value::as_str)
                .unwrap_or(""),
        );
        tx.put(
            records::op_key(&op.id),
            operations::op_record(&op, &scope.sub, key.clone(), String::new()),
        );
        tx.put(key, Record::NGroup(record));
        Ok(Some((op.id, location)))
    })?;
    match outcome {
        None => Ok(StatusCode::NO_CONTENT.into_response()),
        Some((op, location)) => {
            let headers = operations::lro_headers(ctx, &scope.sub, &scope.rg, &location, &op);
            Ok(with_headers(StatusCode::ACCEPTED.into_response(), headers))
        }
    }
}

pub fn action(ctx: &Ctx<'_>, scope: &Scope, action: Action) -> Result<Response, ArmError> {
    let (op, location) = ctx.emu.store.write(|tx| {
        resource_groups::writable(tx, &scope.sub, &scope.rg, ctx.now)?;
        let key = records::ngroup_key(&scope.sub, &scope.rg, &scope.name);
        let mut record = load(tx.get(&key), ctx.now).ok_or_else(|| not_found(scope))?;
        let location = regions::fold(
            record
                .body
                .get("location")
                .and_then(Value::as_str)
                .unwrap_or(""),
        );
        if action == Action::Stop {
            return Ok((None, location));
        }
        let kind = if action == Action::Start {
            OpKindRecord::Start
        } else {
            OpKindRecord::Restart
        };
        let op = operations::new_op(ctx, kind, None);
        record.op = op.clone();
        tx.put(
            records::op_key(&op.id),
            operations::op_record(&op, &scope.sub, key.clone(), String::new()),
        );
        tx.put(key, Record::NGroup(record));
        Ok((Some(op), location))
    })?;
    match op {
        None => Ok(StatusCode::NO_CONTENT.into_response()),
        Some(op) => {
            let headers = operations::lro_headers(ctx, &scope.sub, &scope.rg, &location, &op.id);
            Ok(with_headers(StatusCode::ACCEPTED.into_response(), headers))
        }
    }
}
