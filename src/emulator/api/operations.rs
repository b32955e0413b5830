//! Long-running operations: creating them (with injected failures or stuck ones),
//! the `Azure-AsyncOperation` / `Location` / `Retry-After` headers, and the polling
//! endpoints. An operation is terminal once its end time has passed, so its status
//! needs no background task and survives restarts.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::super::clock::rfc3339;
use super::super::error::ArmError;
use super::super::faults::FaultEffect;
use super::super::records::{self, ErrorInfo, OpKindRecord, OpRecord, OpState, Record};
use super::super::route::Provider;
use super::super::versions;
use super::{Ctx, json_response, with_headers};
use crate::emulator::cg::render::{self, Shape};

/// A new operation starting now, shaped by an injected fault if one matched.
pub fn new_op(ctx: &Ctx<'_>, kind: OpKindRecord, fault: Option<&FaultEffect>) -> OpState {
    let failed = match fault {
        Some(FaultEffect::ProvisioningFailed { code, message }) => Some(ErrorInfo {
            code: code.clone(),
            message: message.clone(),
        }),
        _ => None,
    };
    let extra_ms = match fault {
        Some(FaultEffect::Slow { extra_ms }) => i64::try_from(*extra_ms).unwrap_or(i64::MAX / 4),
        _ => 0,
    };
    OpState {
        id: ctx.emu.new_id(),
        kind,
        started_ms: ctx.now,
        ends_ms: ctx.now.saturating_add(ctx.op_ms()).saturating_add(extra_ms),
        failed,
        stuck: matches!(fault, Some(FaultEffect::Stuck)),
    }
}

/// The record that answers the operation's polling URLs.
pub fn op_record(op: &OpState, sub: &str, resource_key: String, resource_id: String) -> Record {
    Record::Operation(OpRecord {
        id: op.id.clone(),
        sub: sub.to_string(),
        kind: op.kind,
        resource_key,
        resource_id,
        started_ms: op.started_ms,
        ends_ms: op.ends_ms,
        failed: op.failed.clone(),
        stuck: op.stuck,
    })
}

/// `Azure-AsyncOperation`, `Location` and (per config) `Retry-After` of an ACI operation.
pub fn lro_headers(
    ctx: &Ctx<'_>,
    sub: &str,
    rg: &str,
    location: &str,
    op: &str,
) -> Vec<(&'static str, String)> {
    let version = versions::latest(Provider::ContainerInstance);
    let prefix = format!(
        "{}/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerInstance/\
         locations/{location}",
        ctx.base
    );
    let mut headers = vec![
        (
            "azure-asyncoperation",
            format!("{prefix}/operations/{op}?api-version={version}"),
        ),
        (
            "location",
            format!("{prefix}/operationResults/{op}?api-version={version}"),
        ),
    ];
    if let Some(seconds) = ctx.emu.config.retry_after {
        headers.push(("retry-after", seconds.to_string()));
    }
    headers
}

/// Answers an operation URL: the status object at the `Azure-AsyncOperation` URL, or
/// 202-then-result at the `Location` URL.
pub fn status(ctx: &Ctx<'_>, sub: &str, op: &str, result: bool) -> Result<Response, ArmError> {
    let record = ctx
        .emu
        .store
        .read(|view| match view.get(&records::op_key(op)) {
            Some(Record::Operation(record)) if record.sub.eq_ignore_ascii_case(sub) => {
                Some(record.clone())
            }
            _ => None,
        });
    let Some(record) = record else {
        return Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "OperationNotFound",
            format!("The operation '{op}' could not be found."),
        ));
    };
    let running = record.stuck || ctx.now < record.ends_ms;

    if !result {
        let status = match (&record.failed, running) {
            (_, true) => "InProgress",
            (Some(_), false) => "Failed",
            (None, false) => "Succeeded",
        };
        let mut body = json!({
            "id": format!("{}/operations/{}", record.resource_id, record.id),
            "name": record.id,
            "status": status,
            "startTime": rfc3339(record.started_ms),
        });
        if !running {
            body["endTime"] = json!(rfc3339(record.ends_ms));
        }
        if let (Some(err), false) = (&record.failed, running) {
            body["error"] = json!({ "code": err.code, "message": err.message });
        }
        // While it runs, say when to ask again, as on the first answer: a client without
        // it falls back to its own (slower) interval.
        let retry = ctx
            .emu
            .config
            .retry_after
            .filter(|_| running)
            .map(|s| vec![("retry-after", s.to_string())]);
        return Ok(with_headers(
            json_response(StatusCode::OK, &body),
            retry.unwrap_or_default(),
        ));
    }

    if running {
        let retry = ctx
            .emu
            .config
            .retry_after
            .map(|s| vec![("retry-after", s.to_string())]);
        return Ok(with_headers(
            StatusCode::ACCEPTED.into_response(),
            retry.unwrap_or_default(),
        ));
    }
    if let Some(err) = &record.failed {
        return Err(ArmError::bad_request(&err.code, err.message.clone()));
    }
    match record.kind {
        OpKindRecord::Create | OpKindRecord::Update => Ok(final_body(ctx, &record)),
        _ => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

/// The group as it is now, the final result of a PUT.
fn final_body(ctx: &Ctx<'_>, record: &OpRecord) -> Response {
    let group = ctx
        .emu
        .store
        .read(|view| match view.get(&record.resource_key) {
            Some(Record::ContainerGroup(cg)) => {
                Some(render::render(cg, ctx.now, ctx.cycle_ms(), Shape::Get))
            }
            Some(Record::NGroup(ng)) => Some(ng.body.clone()),
            _ => None,
        });
    match group {
        Some(body) => json_response(StatusCode::OK, &body),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

/// ARM's `Location` URL of a resource group deletion: 202 while deleting, then 200.
pub fn resource_group_result(ctx: &Ctx<'_>, sub: &str, op: &str) -> Result<Response, ArmError> {
    let done = ctx
        .emu
        .store
        .read(|view| match view.get(&records::op_key(op)) {
            Some(Record::Operation(r)) if r.sub.eq_ignore_ascii_case(sub) => {
                Some(!r.stuck && ctx.now >= r.ends_ms)
            }
            _ => None,
        });
    match done {
        Some(true) => Ok(StatusCode::OK.into_response()),
        Some(false) => {
            let retry = ctx
                .emu
                .config
                .retry_after
                .map(|s| vec![("retry-after", s.to_string())]);
            Ok(with_headers(
                StatusCode::ACCEPTED.into_response(),
                retry.unwrap_or_default(),
            ))
        }
        None => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "OperationNotFound",
            format!("The operation '{op}' could not be found."),
        )),
    }
}
