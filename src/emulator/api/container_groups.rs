//! Container groups: PUT (create, or update in place with every container restarted),
//! GET, PATCH of tags, DELETE, the two lists, start/stop/restart, logs, exec/attach and
//! outbound dependencies.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::super::cg::render::{self, Shape};
use super::super::cg::{logs, normalize, runtime, secrets, update, validate};
use super::super::error::ArmError;
use super::super::faults::{FaultEffect, FaultOperation};
use super::super::records::{self, CgRecord, Deleting, OpKindRecord, OpState, Record, RunState};
use super::super::regions;
use super::super::route::Scope;
use super::super::store::{Tx, View};
use super::{
    Ctx, json_response, operations, page, parse_object, profiles, resource_groups, service_order,
    with_headers,
};

fn not_found(scope: &Scope) -> ArmError {
    ArmError::resource_not_found(render::CG_TYPE, &scope.name, &scope.rg)
}

/// Whether a record still exists at `now` (a finished deletion leaves a tombstone).
fn is_live(record: &CgRecord, now: i64) -> bool {
    !record.deleting.as_ref().is_some_and(|d| d.is_done(now))
}

/// The group in `scope`, or ARM's 404 for it or for its resource group.
fn find<'a>(view: &'a View<'_>, scope: &Scope, now: i64) -> Result<&'a CgRecord, ArmError> {
    resource_groups::live(view, &scope.sub, &scope.rg, now)?;
    match view.get(&records::cg_key(&scope.sub, &scope.rg, &scope.name)) {
        Some(Record::ContainerGroup(cg)) if is_live(cg, now) => Ok(cg),
        _ => Err(not_found(scope)),
    }
}

/// Inside a transaction: the group, which must exist and not be deleting.
fn find_mut(tx: &Tx<'_>, scope: &Scope, now: i64) -> Result<CgRecord, ArmError> {
    resource_groups::writable(tx, &scope.sub, &scope.rg, now)?;
    match tx.get(&records::cg_key(&scope.sub, &scope.rg, &scope.name)) {
        Some(Record::ContainerGroup(cg)) if is_live(cg, now) => {
            if cg.deleting.is_some() {
                return Err(being_deleted(&cg.name));
            }
            Ok((**cg).clone())
        }
        _ => Err(not_found(scope)),
    }
}

fn being_deleted(name: &str) -> ArmError {
    ArmError::new(
        StatusCode::CONFLICT,
        "ContainerGroupBeingDeleted",
        format!(
            "The container group '{name}' is being deleted. Retry after the deletion completes."
        ),
    )
}

/// Applies an injected `Reject` fault, and returns any other matching effect.
fn fault(
    ctx: &Ctx<'_>,
    scope: &Scope,
    op: FaultOperation,
) -> Result<Option<FaultEffect>, ArmError> {
    match ctx.emu.faults.matching(&scope.rg, &scope.name, op) {
        Some(FaultEffect::Reject {
            status,
            code,
            message,
        }) => {
            ctx.emu.counters.injected();
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            Err(ArmError::new(status, &code, message))
        }
        Some(effect) => {
            ctx.emu.counters.injected();
            Ok(Some(effect))
        }
        None => Ok(None),
    }
}

pub fn list(ctx: &Ctx<'_>, sub: &str, rg: Option<&str>) -> Result<Response, ArmError> {
    // Rendered and serialized under the store's lock: the bodies are borrowed from it.
    ctx.emu.store.read(|view| {
        let prefix = match rg {
            Some(rg) => {
                resource_groups::live(view, sub, rg, ctx.now)?;
                records::cg_prefix(sub, rg)
            }
            None => records::cg_sub_prefix(sub),
        };
        let items = view
            .scan(&prefix)
            .into_iter()
            .filter_map(|(_, record)| match record {
                Record::ContainerGroup(cg) if is_live(cg, ctx.now) => Some((
                    service_order(&cg.name),
                    render::patched(cg, ctx.now, ctx.cycle_ms(), Shape::List),
                )),
                _ => None,
            })
            .collect::<Vec<_>>();
        Ok(page(ctx, items))
    })
}

pub fn get(ctx: &Ctx<'_>, scope: &Scope) -> Result<Response, ArmError> {
    fault(ctx, scope, FaultOperation::Get)?;
    let body = ctx.emu.store.read(|view| {
        find(view, scope, ctx.now).map(|cg| render::render(cg, ctx.now, ctx.cycle_ms(), Shape::Get))
    })?;
    Ok(json_response(StatusCode::OK, &body))
}

pub fn put(ctx: &Ctx<'_>, scope: &Scope, body: &[u8]) -> Result<Response, ArmError> {
    let effect = fault(ctx, scope, FaultOperation::Put)?;
    let mut body = parse_object(body)?;
    validate::check_group_name(&scope.name)?;
    // ARM's limits on tags hold for a PUT as for a tags PATCH.
    resource_groups::check_tags(body.get("tags"))?;

    let (status, rendered, op, location) = ctx.emu.store.write(|tx| {
        let rg = resource_groups::writable(tx, &scope.sub, &scope.rg, ctx.now)?;
        profiles::merge_into(tx, &mut body, ctx.now)?;
        normalize::normalize_group(&mut body)?;
        validate::validate_group(&scope.name, &body)?;

        let key = records::cg_key(&scope.sub, &scope.rg, &scope.name);
        let existing = match tx.get(&key) {
            Some(Record::ContainerGroup(cg)) if is_live(cg, ctx.now) => Some((**cg).clone()),
            _ => None,
        };
        if let Some(FaultEffect::IgnoreField { pointer }) = &effect {
            keep_old_value(&mut body, existing.as_ref().map(|e| &e.body), pointer);
        }
        if let Some(existing) = &existing {
            if existing.deleting.is_some() {
                return Err(being_deleted(&existing.name));
            }
            // Stopped and terminated groups are deployed as new, not updated.
            if !is_terminated(existing, ctx) {
                update::check_update(existing, &body, ctx.emu.config.invalid_update_status)?;
            }
        } else {
            check_quota(ctx, tx, &scope.sub, &body)?;
        }

        let secure_env = secrets::strip_secrets(&mut body);
        let kind = if existing.is_some() {
            OpKindRecord::Update
        } else {
            OpKindRecord::Create
        };
        let op = operations::new_op(ctx, kind, effect.as_ref());
        let record = build_record(ctx, scope, &rg.name, existing, body, secure_env, op.clone());
        check_dns_label(ctx, tx, &key, &record)?;

        let status = if kind == OpKindRecord::Create {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        let shape = if kind == OpKindRecord::Create {
            Shape::Created
        } else {
            Shape::Get
        };
        let rendered = render::render(&record, ctx.now, ctx.cycle_ms(), shape);
        let location = regions::fold(super::super::cg::str_at(&record.body, "/location"));
        let id = render::resource_id(&record);
        tx.put(
            records::op_key(&op.id),
            operations::op_record(&op, &scope.sub, key.clone(), id),
        );
        tx.put(key, Record::ContainerGroup(Box::new(record)));
        Ok((status, rendered, op, location))
    })?;

    let headers = operations::lro_headers(ctx, &scope.sub, &scope.rg, &location, &op.id);
    Ok(with_headers(json_response(status, &rendered), headers))
}

/// Puts the old value (or none) back at `pointer`: the injected "change that never
/// lands".
fn keep_old_value(body: &mut Value, old: Option<&Value>, pointer: &str) {
    if let Some(value) = old.and_then(|o| o.pointer(pointer)).cloned() {
        if let Some(slot) = body.pointer_mut(pointer) {
            *slot = value;
        }
        return;
    }
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return;
    };
    if let Some(map) = body.pointer_mut(parent).and_then(Value::as_object_mut) {
        map.remove(&key.replace("~1", "/").replace("~0", "~"));
    }
}

/// Whether the group was stopped or all its containers have exited.
fn is_terminated(record: &CgRecord, ctx: &Ctx<'_>) -> bool {
    if record.run.stopped_ms.is_some() {
        return true;
    }
    let (view, _) = runtime::instance_views(record, ctx.now, ctx.cycle_ms());
    matches!(view["state"].as_str(), Some("Succeeded" | "Failed")) && record.op.failed.is_none()
}

fn build_record(
    ctx: &Ctx<'_>,
    scope: &Scope,
    rg_name: &str,
    existing: Option<CgRecord>,
    body: Value,
    secure_env: std::collections::BTreeMap<String, Vec<String>>,
    op: OpState,
) -> CgRecord {
    let ip_type = super::super::cg::str_at(&body, "/properties/ipAddress/type").to_string();
    match existing {
        Some(mut record) => {
            let old_type =
                super::super::cg::str_at(&record.body, "/properties/ipAddress/type").to_string();
            let redeploy = is_terminated(&record, ctx);
            record.body = body;
            record.secure_env = secure_env;
            if ip_type.is_empty() {
                record.run.ip = None;
            } else if old_type != ip_type || record.run.ip.is_none() {
                record.run.ip = Some(ctx.emu.new_ip(&ip_type));
            }
            if redeploy {
                runtime::deploy(&mut record, op);
            } else {
                runtime::restart_in_place(&mut record, op);
            }
            record
        }
        None => {
            let ip = (!ip_type.is_empty()).then(|| ctx.emu.new_ip(&ip_type));
            let mut record = CgRecord {
                sub: scope.sub.clone(),
                rg: rg_name.to_string(),
                name: scope.name.clone(),
                body,
                secure_env,
                created_ms: ctx.now,
                op: op.clone(),
                run: RunState {
                    ip,
                    ..RunState::default()
                },
                deleting: None,
            };
            runtime::deploy(&mut record, op);
            record
        }
    }
}

/// DNS labels are unique per region (per reuse scope): another live group with the same
/// FQDN refuses the label.
fn check_dns_label(
    ctx: &Ctx<'_>,
    tx: &Tx<'_>,
    key: &str,
    record: &CgRecord,
) -> Result<(), ArmError> {
    let Some(fqdn) = render::fqdn(record) else {
        return Ok(());
    };
    let mut taken = false;
    tx.visit("cg/", |other_key, other| {
        if let Record::ContainerGroup(other) = other
            && other_key != key
            && is_live(other, ctx.now)
            && render::fqdn(other).as_deref() == Some(&fqdn)
        {
            taken = true;
        }
    });
    if !taken {
        return Ok(());
    }
    let label = super::super::cg::str_at(&record.body, "/properties/ipAddress/dnsNameLabel");
    Err(ArmError::bad_request(
        "DnsNameLabelAlreadyTaken",
        format!(
            "The DNS name label '{label}' in container group '{}' is not available. Try using a \
             different label.",
            record.name
        ),
    ))
}

/// Container groups per region and subscription (the emulator's quota knob).
fn check_quota(ctx: &Ctx<'_>, tx: &Tx<'_>, sub: &str, body: &Value) -> Result<(), ArmError> {
    let quota = ctx.emu.config.quota;
    if quota == 0 {
        return Ok(());
    }
    let region = regions::fold(super::super::cg::str_at(body, "/location"));
    let mut usage = 0u32;
    tx.visit(&records::cg_sub_prefix(sub), |_, record| {
        if let Record::ContainerGroup(cg) = record
            && is_live(cg, ctx.now)
            && regions::fold(super::super::cg::str_at(&cg.body, "/location")) == region
        {
            usage += 1;
        }
    });
    if usage < quota {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "ContainerGroupQuotaReached",
        format!(
            "Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota \
             'ContainerGroups' exceeded in region '{region}'. Limit: '{quota}', Usage: \
             '{usage}' Requested: '1'."
        ),
    ))
}

/// PATCH: tags only; no restart.
pub fn patch(ctx: &Ctx<'_>, scope: &Scope, body: &[u8]) -> Result<Response, ArmError> {
    fault(ctx, scope, FaultOperation::Patch)?;
    let body = parse_object(body)?;
    let rendered = ctx.emu.store.write(|tx| {
        let mut record = find_mut(tx, scope, ctx.now)?;
        if let Some(tags) = body.get("tags") {
            resource_groups::check_tags(Some(tags))?;
            match (tags.is_null(), record.body.as_object_mut()) {
                (false, Some(map)) => {
                    map.insert("tags".into(), tags.clone());
                }
                (true, Some(map)) => {
                    map.remove("tags");
                }
                _ => {}
            }
        }
        let rendered = render::render(&record, ctx.now, ctx.cycle_ms(), Shape::Get);
        tx.put(
            records::cg_key(&scope.sub, &scope.rg, &scope.name),
            Record::ContainerGroup(Box::new(record)),
        );
        Ok(rendered)
    })?;
    Ok(json_response(StatusCode::OK, &rendered))
}

/// DELETE: 202 with operation headers; 204 when there is nothing to delete.
pub fn delete(ctx: &Ctx<'_>, scope: &Scope) -> Result<Response, ArmError> {
    let effect = fault(ctx, scope, FaultOperation::Delete)?;
    let outcome = ctx.emu.store.write(|tx| {
        resource_groups::writable(tx, &scope.sub, &scope.rg, ctx.now)?;
        let key = records::cg_key(&scope.sub, &scope.rg, &scope.name);
        let mut record = match tx.get(&key) {
            Some(Record::ContainerGroup(cg)) if is_live(cg, ctx.now) => (**cg).clone(),
            _ => return Ok(None),
        };
        let location = regions::fold(super::super::cg::str_at(&record.body, "/location"));
        if let Some(deleting) = &record.deleting {
            return Ok(Some((deleting.op.clone(), location)));
        }

        let op = operations::new_op(ctx, OpKindRecord::Delete, effect.as_ref());
        if op.failed.is_none() {
            let until_ms = if op.stuck { i64::MAX } else { op.ends_ms };
            record.deleting = Some(Deleting {
                op: op.id.clone(),
                until_ms,
            });
        }
        let id = render::resource_id(&record);
        tx.put(
            records::op_key(&op.id),
            operations::op_record(&op, &scope.sub, key.clone(), id),
        );
        tx.put(key, Record::ContainerGroup(Box::new(record)));
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

/// Start: a new deployment of the same configuration (a public IP may change).
pub fn start(ctx: &Ctx<'_>, scope: &Scope) -> Result<Response, ArmError> {
    let effect = fault(ctx, scope, FaultOperation::Start)?;
    lro_action(ctx, scope, StatusCode::ACCEPTED, |record| {
        let op = operations::new_op(ctx, OpKindRecord::Start, effect.as_ref());
        let ip_type =
            super::super::cg::str_at(&record.body, "/properties/ipAddress/type").to_string();
        if !ip_type.is_empty() {
            record.run.ip = Some(ctx.emu.new_ip(&ip_type));
        }
        runtime::deploy(record, op.clone());
        Ok(op)
    })
}

/// Restart: every container restarted in place; refused for a stopped group.
pub fn restart(ctx: &Ctx<'_>, scope: &Scope) -> Result<Response, ArmError> {
    let effect = fault(ctx, scope, FaultOperation::Restart)?;
    lro_action(ctx, scope, StatusCode::NO_CONTENT, |record| {
        if record.run.stopped_ms.is_some() {
            return Err(ArmError::new(
                StatusCode::CONFLICT,
                "ContainerGroupStopped",
                format!(
                    "The container group '{}' is stopped. Start it instead of restarting it.",
                    record.name
                ),
            ));
        }
        let op = operations::new_op(ctx, OpKindRecord::Restart, effect.as_ref());
        runtime::restart_in_place(record, op.clone());
        Ok(op)
    })
}

fn lro_action(
    ctx: &Ctx<'_>,
    scope: &Scope,
    status: StatusCode,
    change: impl FnOnce(&mut CgRecord) -> Result<OpState, ArmError>,
) -> Result<Response, ArmError> {
    let (op, location) = ctx.emu.store.write(|tx| {
        let mut record = find_mut(tx, scope, ctx.now)?;
        let op = change(&mut record)?;
        let key = records::cg_key(&scope.sub, &scope.rg, &scope.name);
        let location = regions::fold(super::super::cg::str_at(&record.body, "/location"));
        let id = render::resource_id(&record);
        tx.put(
            records::op_key(&op.id),
            operations::op_record(&op, &scope.sub, key.clone(), id),
        );
        tx.put(key, Record::ContainerGroup(Box::new(record)));
        Ok((op, location))
    })?;
    let headers = operations::lro_headers(ctx, &scope.sub, &scope.rg, &location, &op.id);
    Ok(with_headers(status.into_response(), headers))
}

/// Stop: synchronous; provisioningState stays `Succeeded`.
pub fn stop(ctx: &Ctx<'_>, scope: &Scope) -> Result<Response, ArmError> {
    fault(ctx, scope, FaultOperation::Stop)?;
    ctx.emu.store.write(|tx| {
        let mut record = find_mut(tx, scope, ctx.now)?;
        if record.run.stopped_ms.is_none() {
            runtime::stop(&mut record, ctx.now);
            let key = records::cg_key(&scope.sub, &scope.rg, &scope.name);
            tx.put(key, Record::ContainerGroup(Box::new(record)));
        }
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub fn logs(ctx: &Ctx<'_>, scope: &Scope, container: &str) -> Result<Response, ArmError> {
    let tail = match ctx.param("tail") {
        Some(t) => Some(t.parse::<usize>().map_err(|_| {
            ArmError::bad_request(
                "InvalidParameter",
                format!("The value '{t}' of 'tail' is not a valid integer."),
            )
        })?),
        None => None,
    };
    let timestamps = ctx
        .param("timestamps")
        .is_some_and(|t| t.eq_ignore_ascii_case("true"));
    let content = ctx.emu.store.read(|view| {
        let record = find(view, scope, ctx.now)?;
        logs::log_content(record, container, ctx.now, ctx.cycle_ms(), tail, timestamps)
            .ok_or_else(|| container_not_found(scope, container))
    })?;
    Ok(json_response(
        StatusCode::OK,
        &json!({ "content": content }),
    ))
}

fn container_not_found(scope: &Scope, container: &str) -> ArmError {
    ArmError::new(
        StatusCode::NOT_FOUND,
        "ContainerNotFound",
        format!(
            "The container '{container}' is not found in container group '{}'.",
            scope.name
        ),
    )
}

/// Exec and attach: a WebSocket URI and its password. The emulator serves no
/// WebSocket behind it.
pub fn exec(ctx: &Ctx<'_>, scope: &Scope, container: &str) -> Result<Response, ArmError> {
    ctx.emu.store.read(|view| {
        let record = find(view, scope, ctx.now)?;
        let known = super::super::cg::containers(&record.body)
            .iter()
            .any(|c| super::super::cg::entry_name(c) == container.to_lowercase());
        if known {
            Ok(())
        } else {
            Err(container_not_found(scope, container))
        }
    })?;
    let ws = ctx.base.replacen("http", "ws", 1);
    let body = json!({
        "webSocketUri": format!("{ws}/_emulator/terminal/{}", ctx.emu.new_id()),
        "password": ctx.emu.new_id(),
    });
    Ok(json_response(StatusCode::OK, &body))
}

pub fn outbound(ctx: &Ctx<'_>, scope: &Scope) -> Result<Response, ArmError> {
    ctx.emu
        .store
        .read(|view| find(view, scope, ctx.now).map(|_| ()))?;
    Ok(json_response(StatusCode::OK, &json!([])))
}
