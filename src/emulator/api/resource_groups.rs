//! Resource groups (Microsoft.Resources): synchronous PUT/GET/HEAD/PATCH, a
//! long-running DELETE that takes every contained resource with it, and the list.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::super::error::ArmError;
use super::super::records::{self, Deleting, OpKindRecord, Record, RgRecord};
use super::super::regions;
use super::super::route::Provider;
use super::super::store::{Tx, View};
use super::super::versions;
use super::{Ctx, json_response, operations, page, parse_object, service_order, with_headers};

/// The live resource group `rg`, or ARM's 404.
pub fn live<'a>(
    view: &'a View<'_>,
    sub: &str,
    rg: &str,
    now: i64,
) -> Result<&'a RgRecord, ArmError> {
    match view.get(&records::rg_key(sub, rg)) {
        Some(Record::ResourceGroup(r)) if !r.deleting.as_ref().is_some_and(|d| d.is_done(now)) => {
            Ok(r)
        }
        _ => Err(ArmError::resource_group_not_found(rg)),
    }
}

/// Inside a transaction: the resource group, which must exist and not be deleting.
pub fn writable(tx: &Tx<'_>, sub: &str, rg: &str, now: i64) -> Result<RgRecord, ArmError> {
    match tx.get(&records::rg_key(sub, rg)) {
        Some(Record::ResourceGroup(r)) => match &r.deleting {
            Some(d) if d.is_done(now) => Err(ArmError::resource_group_not_found(rg)),
            Some(_) => Err(ArmError::resource_group_being_deleted(&r.name)),
            None => Ok(r.clone()),
        },
        _ => Err(ArmError::resource_group_not_found(rg)),
    }
}

fn render(record: &RgRecord, now: i64) -> Value {
    let deleting = record.deleting.as_ref().is_some_and(|d| !d.is_done(now));
    let mut body = json!({
        "id": format!("/subscriptions/{}/resourceGroups/{}", record.sub, record.name),
        "name": record.name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": record.location,
        "properties": { "provisioningState": if deleting { "Deleting" } else { "Succeeded" } },
    });
    if let Some(tags) = &record.tags {
        body["tags"] = tags.clone();
    }
    if let Some(managed_by) = &record.managed_by {
        body["managedBy"] = json!(managed_by);
    }
    body
}

pub fn list(ctx: &Ctx<'_>, sub: &str) -> Result<Response, ArmError> {
    let items = ctx.emu.store.read(|view| {
        view.scan(&records::rg_prefix(sub))
            .into_iter()
            .filter_map(|(_, record)| match record {
                Record::ResourceGroup(r)
                    if !r.deleting.as_ref().is_some_and(|d| d.is_done(ctx.now)) =>
                {
                    Some((service_order(&r.name), render(r, ctx.now)))
                }
                _ => None,
            })
            .collect()
    });
    Ok(page(ctx, items))
}

pub fn get(ctx: &Ctx<'_>, sub: &str, rg: &str) -> Result<Response, ArmError> {
    let body = ctx
        .emu
        .store
        .read(|view| live(view, sub, rg, ctx.now).map(|r| render(r, ctx.now)))?;
    Ok(json_response(StatusCode::OK, &body))
}

pub fn head(ctx: &Ctx<'_>, sub: &str, rg: &str) -> Result<Response, ArmError> {
    let exists = ctx
        .emu
        .store
        .read(|view| live(view, sub, rg, ctx.now).is_ok());
    Ok(if exists {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
    .into_response())
}

pub fn put(ctx: &Ctx<'_>, sub: &str, rg: &str, body: &[u8]) -> Result<Response, ArmError> {
    check_name(rg)?;
    let body = parse_object(body)?;
    let sent = body
        .get("location")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ArmError::bad_request(
                "LocationRequired",
                "The location property is required for this definition.",
            )
        })?;
    let region = regions::find(sent).ok_or_else(|| {
        ArmError::bad_request(
            "LocationNotAvailableForResourceGroup",
            format!(
                "The provided location '{sent}' is not available for resource group. List of \
                 available regions is '{}'.",
                regions::available_list()
            ),
        )
    })?;
    let tags = body.get("tags").filter(|t| !t.is_null()).cloned();
    check_tags(tags.as_ref())?;
    let managed_by = body
        .get("managedBy")
        .and_then(Value::as_str)
        .map(str::to_string);

    let (created, rendered) = ctx.emu.store.write(|tx| {
        let key = records::rg_key(sub, rg);
        let existing = match tx.get(&key) {
            Some(Record::ResourceGroup(r)) => Some(r.clone()),
            _ => None,
        };
        let mut created = false;
        let record = match existing {
            Some(r) if r.deleting.is_none() => {
                if r.location != region.name {
                    return Err(ArmError::new(
                        StatusCode::CONFLICT,
                        "InvalidResourceGroupLocation",
                        format!(
                            "Invalid resource group location '{sent}'. The Resource group already \
                             exists in location '{}'.",
                            r.location
                        ),
                    ));
                }
                RgRecord {
                    tags,
                    managed_by,
                    ..r
                }
            }
            Some(r) if !r.deleting.as_ref().is_some_and(|d| d.is_done(ctx.now)) => {
                return Err(ArmError::resource_group_being_deleted(&r.name));
            }
            _ => {
                created = true;
                purge_contents(tx, sub, rg);
                let name = rg.to_string();
                RgRecord {
                    sub: sub.to_string(),
                    name,
                    location: region.name.to_string(),
                    tags,
                    managed_by,
                    created_ms: ctx.now,
                    deleting: None,
                }
            }
        };
        let rendered = render(&record, ctx.now);
        tx.put(key, Record::ResourceGroup(record));
        Ok((created, rendered))
    })?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json_response(status, &rendered))
}

pub fn patch(ctx: &Ctx<'_>, sub: &str, rg: &str, body: &[u8]) -> Result<Response, ArmError> {
    let body = parse_object(body)?;
    let rendered = ctx.emu.store.write(|tx| {
        let mut record = writable(tx, sub, rg, ctx.now)?;
        if let Some(tags) = body.get("tags") {
            check_tags(Some(tags))?;
            record.tags = (!tags.is_null()).then(|| tags.clone());
        }
        if let Some(managed_by) = body.get("managedBy") {
            record.managed_by = managed_by.as_str().map(str::to_string);
        }
        let rendered = render(&record, ctx.now);
        tx.put(records::rg_key(sub, rg), Record::ResourceGroup(record));
        Ok(rendered)
    })?;
    Ok(json_response(StatusCode::OK, &rendered))
}

/// Deletes the group and, with the same operation, everything in it.
pub fn delete(ctx: &Ctx<'_>, sub: &str, rg: &str) -> Result<Response, ArmError> {
    let op_id = ctx.emu.store.write(|tx| {
        let key = records::rg_key(sub, rg);
        let mut record = match tx.get(&key) {
            Some(Record::ResourceGroup(r))
                if !r.deleting.as_ref().is_some_and(|d| d.is_done(ctx.now)) =>
            {
                r.clone()
            }
            _ => return Err(ArmError::resource_group_not_found(rg)),
        };
        if let Some(deleting) = &record.deleting {
            return Ok(deleting.op.clone());
        }
        let op = operations::new_op(ctx, OpKindRecord::ResourceGroupDelete, None);
        let deleting = Deleting {
            op: op.id.clone(),
            until_ms: op.ends_ms,
        };
        for prefix in [
            records::cg_prefix(sub, rg),
            format!("ng/{}/{}/", sub.to_lowercase(), rg.to_lowercase()),
        ] {
            for (key, child) in tx.scan(&prefix) {
                match child {
                    Record::ContainerGroup(mut cg) if cg.deleting.is_none() => {
                        cg.deleting = Some(deleting.clone());
                        tx.put(key, Record::ContainerGroup(cg));
                    }
                    Record::NGroup(mut ng) if ng.deleting.is_none() => {
                        ng.deleting = Some(deleting.clone());
                        tx.put(key, Record::NGroup(ng));
                    }
                    _ => {}
                }
            }
        }
        for (key, _) in tx.scan(&format!(
            "cgp/{}/{}/",
            sub.to_lowercase(),
            rg.to_lowercase()
        )) {
            tx.remove(&key);
        }
        record.deleting = Some(deleting);
        let id = format!("/subscriptions/{sub}/resourceGroups/{}", record.name);
        tx.put(
            format!("op/{}", op.id.to_lowercase()),
            operations::op_record(&op, sub, key.clone(), id),
        );
        tx.put(key, Record::ResourceGroup(record));
        Ok(op.id)
    })?;

    let version = versions::latest(Provider::Resources);
    let mut headers = vec![(
        "location",
        format!(
            "{}/subscriptions/{sub}/operationresults/{op_id}?api-version={version}",
            ctx.base
        ),
    )];
    if let Some(seconds) = ctx.emu.config.retry_after {
        headers.push(("retry-after", seconds.to_string()));
    }
    Ok(with_headers(StatusCode::ACCEPTED.into_response(), headers))
}

/// Removes what a finished deletion left behind before a group of the same name is
/// created again.
fn purge_contents(tx: &mut Tx<'_>, sub: &str, rg: &str) {
    let prefixes = [
        records::cg_prefix(sub, rg),
        format!("ng/{}/{}/", sub.to_lowercase(), rg.to_lowercase()),
        format!("cgp/{}/{}/", sub.to_lowercase(), rg.to_lowercase()),
    ];
    for prefix in prefixes {
        for (key, _) in tx.scan(&prefix) {
            tx.remove(&key);
        }
    }
}

/// Resource group names: 1-90 characters of letters, digits, `-_.()`, not ending in `.`.
fn check_name(rg: &str) -> Result<(), ArmError> {
    let valid = (1..=90).contains(&rg.chars().count())
        && rg
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.()".contains(c))
        && !rg.ends_with('.');
    if valid {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidResourceGroupName",
        format!(
            "Resource group name '{rg}' is invalid. It can contain only alphanumeric \
             characters, periods, underscores, hyphens and parentheses, must not end in a \
             period and must be at most 90 characters long."
        ),
    ))
}

/// Tags must be an object of strings (ARM: 50 tags, names up to 512 characters).
pub fn check_tags(tags: Option<&Value>) -> Result<(), ArmError> {
    let Some(tags) = tags.filter(|t| !t.is_null()) else {
        return Ok(());
    };
    let Some(map) = tags.as_object() else {
        return Err(ArmError::invalid_content(
            "'tags' must be an object of strings. Path 'tags'",
        ));
    };
    if map.len() > 50 {
        return Err(ArmError::bad_request(
            "InvalidTag",
            "The resource has more than 50 tags; at most 50 are allowed.",
        ));
    }
    if let Some((name, _)) = map.iter().find(|(k, v)| !v.is_string() || k.len() > 512) {
        return Err(ArmError::bad_request(
            "InvalidTag",
            format!("The tag '{name}' is invalid."),
        ));
    }
    Ok(())
}
