//! The read-only endpoints that make the official examples meaningful: usages (with
//! the emulator's real group count and quota), capabilities, cached images and the
//! provider's operations list.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::super::error::ArmError;
use super::super::records::{self, Record};
use super::super::regions;
use super::{Ctx, json_response};

fn unknown_location(location: &str) -> ArmError {
    ArmError::bad_request(
        "LocationNotAvailableForResourceType",
        format!(
            "The provided location '{location}' is not available for resource type \
             'Microsoft.ContainerInstance/locations'. List of available regions for the \
             resource type is '{}'.",
            regions::available_list()
        ),
    )
}

pub fn usages(ctx: &Ctx<'_>, sub: &str, location: &str) -> Result<Response, ArmError> {
    let region = regions::find(location).ok_or_else(|| unknown_location(location))?;
    let (groups, cores) = ctx.emu.store.read(|view| {
        let mut groups = 0u64;
        let mut cores = 0.0f64;
        for (_, record) in view.scan(&records::cg_sub_prefix(sub)) {
            let Record::ContainerGroup(cg) = record else {
                continue;
            };
            let live = !cg.deleting.as_ref().is_some_and(|d| d.is_done(ctx.now));
            let here =
                regions::fold(super::super::cg::str_at(&cg.body, "/location")) == region.name;
            if live && here {
                groups += 1;
                for c in super::super::cg::containers(&cg.body) {
                    cores += c
                        .pointer("/properties/resources/requests/cpu")
                        .and_then(Value::as_f64)
                        .unwrap_or(0.0);
                }
            }
        }
        (groups, cores)
    });
    let limit = if ctx.emu.config.quota == 0 {
        2000
    } else {
        ctx.emu.config.quota
    };
    let body = json!({ "value": [
        { "unit": "Count", "currentValue": groups, "limit": limit,
          "name": { "value": "ContainerGroups", "localizedValue": "Container Groups" } },
        { "unit": "Count", "currentValue": cores.ceil() as u64, "limit": 100,
          "name": { "value": "StandardCores", "localizedValue": "Standard Cores" } },
    ]});
    Ok(json_response(StatusCode::OK, &body))
}

pub fn capabilities(_ctx: &Ctx<'_>, location: &str) -> Result<Response, ArmError> {
    let region = regions::find(location).ok_or_else(|| unknown_location(location))?;
    let entry = |os: &str, gpu: &str, count: u32| {
        json!({
            "resourceType": "containerGroups",
            "osType": os,
            "location": region.display,
            "ipAddressType": "Public",
            "gpu": gpu,
            "capabilities": { "maxMemoryInGB": 16, "maxCpu": 4, "maxGpuCount": count },
        })
    };
    let body = json!({ "value": [entry("Linux", "None", 0), entry("Windows", "None", 0)] });
    Ok(json_response(StatusCode::OK, &body))
}

pub fn cached_images(_ctx: &Ctx<'_>) -> Result<Response, ArmError> {
    let body = json!({ "value": [
        { "osType": "Linux", "image": "ubuntu:22.04" },
        { "osType": "Linux", "image": "alpine:3.20" },
        { "osType": "Windows", "image": "mcr.microsoft.com/windows/nanoserver:ltsc2022" },
    ]});
    Ok(json_response(StatusCode::OK, &body))
}

pub fn provider_operations(_ctx: &Ctx<'_>) -> Result<Response, ArmError> {
    let op = |name: &str, resource: &str, operation: &str, description: &str| {
        json!({
            "name": format!("Microsoft.ContainerInstance/{name}"),
            "display": {
                "provider": "Microsoft Container Instance",
                "resource": resource,
                "operation": operation,
                "description": description,
            },
            "origin": "User",
        })
    };
    let ops = [
        (
            "containerGroups/read",
            "Get Container Groups",
            "Get all container groups.",
        ),
        (
            "containerGroups/write",
            "Create or Update Container Groups",
            "Create or update a container group.",
        ),
        (
            "containerGroups/delete",
            "Delete Container Groups",
            "Delete a container group.",
        ),
        (
            "containerGroups/start/action",
            "Start Container Groups",
            "Starts a container group.",
        ),
        (
            "containerGroups/stop/action",
            "Stop Container Groups",
            "Stops a container group.",
        ),
        (
            "containerGroups/restart/action",
            "Restart Container Groups",
            "Restarts a container group.",
        ),
        (
            "containerGroups/containers/logs/read",
            "Get container logs",
            "Get a container's logs.",
        ),
    ];
    let value: Vec<Value> = ops
        .iter()
        .map(|(name, operation, text)| op(name, "Container Group", operation, text))
        .collect();
    let body = json!({ "value": value });
    Ok(json_response(StatusCode::OK, &body))
}
