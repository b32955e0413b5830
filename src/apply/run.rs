//! Carrying out one step against ARM: lower the spec again with what finished
//! dependencies produced, send it, read the result back and check that every planned
//! field landed, then start or stop the group as the spec asks. Resource groups have
//! their own file; phases and their events live in `phase.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::phase::{OpError, fail, main_phase, phase, phase_value};
use super::resource_group::{
    create_resource_group, delete_resource_group, replace_resource_group, update_resource_group,
};
use super::verify::{check_landed, check_tags_landed, run_state_mismatch};
use super::{ApplyContext, StepFailure, StepOutput};
use crate::arm::ContainerGroup;
use crate::plan::Action;
use crate::plan::canon::canonicalize_container_group;
use crate::plan::diff::{DiffRules, diff};
use crate::plan::ignore::{ignore_keys, keep_ignored};
use crate::plan::live::{FQDN, INSTANCE_STATE, IP, at, tag};
use crate::plan::lower::{LowerContext, lower_container_group};
use crate::plan::placeholder::has_placeholder;
use crate::plan::planner::{being_deleted, deployment_failed};
use crate::plan::rules::replacement_reason;
use crate::plan::secrets::SecretHashes;
use crate::plan::step::{Step, UpdateMode};
use crate::render::progress::Step as Phase;
use crate::spec::{Reference, ResourceKind, RunState};

/// Runs one step, reporting its phases as events.
pub async fn run_step(cx: Arc<ApplyContext>, step: Step) -> Result<StepOutput, StepFailure> {
    match (step.address.kind, step.action) {
        (ResourceKind::ResourceGroup, Action::Create) => create_resource_group(&cx, &step).await,
        (ResourceKind::ResourceGroup, Action::Update) => update_resource_group(&cx, &step).await,
        (ResourceKind::ResourceGroup, Action::Delete) => delete_resource_group(&cx, &step).await,
        (ResourceKind::ResourceGroup, Action::Replace) => replace_resource_group(&cx, &step).await,
        (ResourceKind::ContainerGroup, Action::Create) => create_group(&cx, &step, None).await,
        (ResourceKind::ContainerGroup, Action::Update) => update_group(&cx, &step).await,
        (ResourceKind::ContainerGroup, Action::Replace) => {
            let old = step.previous.clone().unwrap_or_else(|| step.azure.clone());
            let name = old.name.clone().unwrap_or_default();
            // What `ignore_changes` keeps travels from the old group to the new one.
            let carried = cx
                .client
                .get_container_group(&old.resource_group, &name)
                .await
                .map_err(|e| fail(&step, Phase::Destroy, &e))?
                .map(|g| serde_json::to_value(g).unwrap_or(Value::Null));
            phase(&cx, &step, Phase::Destroy, None, async {
                cx.client
                    .delete_container_group(&old.resource_group, &name)
                    .await
                    .map(|()| None)
            })
            .await?;
            create_group(&cx, &step, carried.as_ref()).await
        }
        (ResourceKind::ContainerGroup, Action::Delete) => {
            let (rg, name) = names(&step);
            phase(&cx, &step, Phase::Destroy, None, async {
                cx.client
                    .delete_container_group(rg, name)
                    .await
                    .map(|()| None)
            })
            .await?;
            Ok(StepOutput::default())
        }
        (ResourceKind::ContainerGroup, Action::Start | Action::Stop) => {
            let state = if step.action == Action::Start {
                RunState::Running
            } else {
                RunState::Stopped
            };
            set_run_state(&cx, &step, state).await?;
            let (body, current) = lower_against_live(&cx, &step, main_phase(&step)).await?;
            record_run_state(&cx, &step, &body).await?;
            // A started group may have a new IP: dependents must see the new one.
            Ok(current.as_ref().map(outputs_of).unwrap_or_default())
        }
        (_, Action::NoOp | Action::Start | Action::Stop) => Ok(StepOutput::default()),
    }
}

/// Creates the group; `carried` is the group it replaces, whose ignored fields
/// (`lifecycle.ignore_changes`) the new one keeps.
async fn create_group(
    cx: &ApplyContext,
    step: &Step,
    carried: Option<&Value>,
) -> Result<StepOutput, StepFailure> {
    let mut body = lower_group(cx, step)?;
    if let Some(old) = carried {
        let _ = keep_ignored(&mut body, old, &ignored_paths(cx, step));
    }
    let (rg, name) = names(step);
    if step.after_delete {
        wait_until_deleted(cx, step).await?;
    }
    let group: ContainerGroup = from_value(step, Phase::Create, body.clone())?;
    let returned = phase_value(cx, step, Phase::Create, async {
        cx.client.put_container_group(rg, name, &group).await
    })
    .await?;
    check_landed(step, Phase::Create, &body, &returned)?;
    note_health(cx, step, &returned);
    if step.state == Some(RunState::Stopped) {
        set_run_state(cx, step, RunState::Stopped).await?;
    }
    Ok(outputs_of(&returned))
}

/// An in-place update. The plan decided on it possibly with values only known after
/// apply; now that they are known, a PUT that would change nothing is skipped, since
/// every PUT restarts the group's containers.
async fn update_group(cx: &ApplyContext, step: &Step) -> Result<StepOutput, StepFailure> {
    let (body, current) = lower_against_live(cx, step, Phase::Modify).await?;
    let (rg, name) = names(step);
    if step.update == UpdateMode::PatchTags {
        let returned = patch_tags(cx, step, &body).await?;
        check_tags_landed(step, &body, &returned)?;
        return Ok(outputs_of(&returned));
    }

    if let Some(current) = &current
        && !differs(&body, current)
        && !deployment_failed(current)
    {
        cx.note(
            step,
            "no change left to make once known-after-apply values were filled in",
        );
        return Ok(outputs_of(current));
    }

    let group: ContainerGroup = from_value(step, Phase::Modify, body.clone())?;
    let returned = phase_value(cx, step, Phase::Modify, async {
        cx.client.put_container_group(rg, name, &group).await
    })
    .await?;
    check_landed(step, Phase::Modify, &body, &returned)?;
    note_health(cx, step, &returned);
    // A PUT deploys a stopped group again; stop it if the spec wants it stopped.
    if step.state == Some(RunState::Stopped) {
        set_run_state(cx, step, RunState::Stopped).await?;
    }
    Ok(outputs_of(&returned))
}

async fn patch_tags(cx: &ApplyContext, step: &Step, body: &Value) -> Result<Value, StepFailure> {
    let (rg, name) = names(step);
    let tags = string_tags(body);
    let returned = phase_value(cx, step, Phase::Modify, async {
        cx.client.patch_container_group_tags(rg, name, &tags).await
    })
    .await?;
    Ok(returned)
}

/// Brings the group's tags (which carry the run state aciform set) in line after a
/// start or stop. Bookkeeping of the step just reported, so it prints nothing itself.
async fn record_run_state(cx: &ApplyContext, step: &Step, body: &Value) -> Result<(), StepFailure> {
    let (rg, name) = names(step);
    cx.client
        .patch_container_group_tags(rg, name, &string_tags(body))
        .await
        .map_err(|e| fail(step, main_phase(step), &e))?;
    Ok(())
}

async fn set_run_state(cx: &ApplyContext, step: &Step, state: RunState) -> Result<(), StepFailure> {
    let (rg, name) = names(step);
    let which = if state == RunState::Running {
        Phase::Start
    } else {
        Phase::Stop
    };
    phase(cx, step, which, None, async {
        match state {
            RunState::Running => cx.client.start_container_group(rg, name).await?,
            RunState::Stopped => cx.client.stop_container_group(rg, name).await?,
        }
        // The read-back check of a start or stop: the instance view must agree.
        let now = cx.client.get_container_group(rg, name).await?;
        let seen = now
            .as_ref()
            .and_then(|g| serde_json::to_value(g).ok())
            .and_then(|g| {
                let state = at(&g, INSTANCE_STATE)?.as_str()?;
                Some(state.to_string())
            });
        match run_state_mismatch(state, seen.as_deref()) {
            Some(problem) => Err(OpError::Refused(problem)),
            None => Ok(None),
        }
    })
    .await?;
    Ok(())
}

/// A step whose resource left the stack between planning and applying.
pub(super) fn gone_from_stack(step: &Step) -> StepFailure {
    let why = "the resource is no longer in the stack".to_string();
    StepFailure::new(step, main_phase(step), why, None)
}

/// The container group's body, lowered again with every reference now known.
fn lower_group(cx: &ApplyContext, step: &Step) -> Result<Value, StepFailure> {
    let spec = cx
        .stack
        .container_groups
        .get(&step.address.key)
        .ok_or_else(|| gone_from_stack(step))?;
    let location = step.location.clone().unwrap_or_default();
    let salt = step.salt.clone().unwrap_or_default();
    let unknown = std::sync::Mutex::new(std::collections::BTreeSet::new());
    let resolve = |r: &Reference| {
        let value = cx.resolve(r);
        if value.is_none()
            && let Ok(mut unknown) = unknown.lock()
        {
            unknown.insert(format!("${{{}.{}}}", r.target, r.attr));
        }
        value
    };
    let lower = LowerContext {
        stack: &cx.stack,
        resolve: &resolve,
        location: &location,
        salt: &salt,
    };
    let body = lower_container_group(&lower, spec);
    if has_placeholder(&body) {
        let names: Vec<String> = unknown
            .into_inner()
            .unwrap_or_default()
            .into_iter()
            .collect();
        // An `ip` or `fqdn` stays unknown when the group has no public address or DNS
        // label: its dependency finished, but Azure gave it no such value.
        let message = format!(
            "{} has no value after its dependency was applied (does that group have the \
             IP address or DNS name label it refers to?)",
            names.join(", ")
        );
        return Err(StepFailure::new(step, main_phase(step), message, None));
    }
    Ok(body)
}

/// The body for an update of a live group: lowered again, with the fields the spec
/// ignores (`lifecycle.ignore_changes`) carried over from the group as it is now, since
/// a PUT or a tags PATCH replaces them wholesale. Also returns the group as read.
async fn lower_against_live(
    cx: &ApplyContext,
    step: &Step,
    which: Phase,
) -> Result<(Value, Option<Value>), StepFailure> {
    let mut body = lower_group(cx, step)?;
    let (rg, name) = names(step);
    let current = cx
        .client
        .get_container_group(rg, name)
        .await
        .map_err(|e| fail(step, which, &e))?
        .map(|g| serde_json::to_value(g).unwrap_or(Value::Null));
    let ignored = ignored_paths(cx, step);
    if let Some(current) = &current
        && !ignored.is_empty()
    {
        // The planner refused updates that would reset what cannot be carried over.
        let _ = keep_ignored(&mut body, current, &ignored);
    }
    Ok((body, current))
}

/// Says so when the deployed group's containers are not running well (ARM reports
/// the deployment a success all the same): partial creates must not pass unnoticed.
fn note_health(cx: &ApplyContext, step: &Step, returned: &Value) {
    let group = serde_json::from_value::<ContainerGroup>(returned.clone()).ok();
    if let Some(note) = group.as_ref().and_then(crate::status::health_note) {
        cx.note(step, &note);
    }
}

/// The canonical paths the group's `lifecycle.ignore_changes` names.
fn ignored_paths(cx: &ApplyContext, step: &Step) -> Vec<String> {
    cx.stack
        .container_groups
        .get(&step.address.key)
        .map(|cg| ignore_keys(&cg.lifecycle.ignore_changes))
        .unwrap_or_default()
}

/// A group of that name that is still being deleted would turn a create into a
/// conflict: wait (within the long-running-operation bound) until it is gone.
async fn wait_until_deleted(cx: &ApplyContext, step: &Step) -> Result<(), StepFailure> {
    let (rg, name) = names(step);
    let started = std::time::Instant::now();
    loop {
        let now = cx.client.get_container_group(rg, name).await;
        let now = now.map_err(|e| fail(step, Phase::Create, &e))?;
        let body = now.map(|g| serde_json::to_value(g).unwrap_or(Value::Null));
        if !body.as_ref().is_some_and(being_deleted) {
            return Ok(());
        }
        if started.elapsed() > DELETE_WAIT {
            let message = format!("{name} is still being deleted after {DELETE_WAIT:?}");
            return Err(StepFailure::new(step, Phase::Create, message, None));
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// How long a create waits for an earlier delete of the same name to finish.
const DELETE_WAIT: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// Whether a PUT of `desired` would change the live group.
fn differs(desired: &Value, live: &Value) -> bool {
    let tags = live.get("tags").and_then(Value::as_object);
    let secrets = tags.and_then(SecretHashes::from_tags);
    let rules = DiffRules {
        replacement: &replacement_reason,
        secrets: secrets.as_ref(),
        ignore: &[],
    };
    let d = diff(
        &canonicalize_container_group(desired),
        &canonicalize_container_group(live),
        &rules,
    );
    !d.is_empty()
        || tag(desired, crate::plan::rules::TAG_SECRETS)
            != tag(live, crate::plan::rules::TAG_SECRETS)
}

fn outputs_of(group: &Value) -> StepOutput {
    let mut attrs = BTreeMap::new();
    for (attr, path) in [("ip", IP), ("fqdn", FQDN), ("id", &["id"][..])] {
        if let Some(v) = at(group, path)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
        {
            attrs.insert(attr.to_string(), v.to_string());
        }
    }
    StepOutput {
        id: attrs.get("id").cloned(),
        attrs,
    }
}

fn names(step: &Step) -> (&str, &str) {
    (
        &step.azure.resource_group,
        step.azure.name.as_deref().unwrap_or_default(),
    )
}

/// The string tags of an ARM body.
pub(super) fn string_tags(body: &Value) -> BTreeMap<String, String> {
    body.get("tags")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// A typed request body from a lowered one; failing is a bug of ours, reported as such.
pub(super) fn from_value<T: serde::de::DeserializeOwned>(
    step: &Step,
    which: Phase,
    body: Value,
) -> Result<T, StepFailure> {
    serde_json::from_value(body).map_err(|e| {
        StepFailure::new(
            step,
            which,
            format!("cannot build the request body: {e}"),
            None,
        )
    })
}
