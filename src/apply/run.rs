//! Carrying out one step against ARM: lower the spec again with what finished
//! dependencies produced, send it, read the result back and check that every planned
//! field landed, then start or stop the group as the spec asks.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::verify::unlanded_changes;
use super::{ApplyContext, Event, StepFailure, StepOutput};
use crate::arm::{ArmError, ContainerGroup, ResourceGroup};
use crate::plan::Action;
use crate::plan::canon::canonicalize_container_group;
use crate::plan::diff::{DiffRules, diff};
use crate::plan::live::tag;
use crate::plan::lower::{LowerContext, lower_container_group, lower_resource_group};
use crate::plan::placeholder::has_placeholder;
use crate::plan::rules::{TAG_STACK, replacement_reason};
use crate::plan::secrets::SecretHashes;
use crate::plan::step::{Step, UpdateMode};
use crate::render::progress::Step as Phase;
use crate::spec::{Reference, ResourceKind, RunState};

/// How often a long operation reports that it is still going.
const STILL_EVERY: Duration = Duration::from_secs(10);

/// Runs one step, reporting its phases as events.
pub async fn run_step(cx: Arc<ApplyContext>, step: Step) -> Result<StepOutput, StepFailure> {
    match (step.address.kind, step.action) {
        (ResourceKind::ResourceGroup, Action::Create) => create_resource_group(&cx, &step).await,
        (ResourceKind::ResourceGroup, Action::Update) => update_resource_group(&cx, &step).await,
        (ResourceKind::ResourceGroup, Action::Delete) => delete_resource_group(&cx, &step).await,
        (ResourceKind::ResourceGroup, Action::Replace) => {
            delete_resource_group(&cx, &step).await?;
            create_resource_group(&cx, &step).await
        }
        (ResourceKind::ContainerGroup, Action::Create) => create_group(&cx, &step).await,
        (ResourceKind::ContainerGroup, Action::Update) => update_group(&cx, &step).await,
        (ResourceKind::ContainerGroup, Action::Replace) => {
            let old = step.previous.clone().unwrap_or_else(|| step.azure.clone());
            let name = old.name.clone().unwrap_or_default();
            phase(&cx, &step, Phase::Destroy, None, async {
                cx.client
                    .delete_container_group(&old.resource_group, &name)
                    .await
                    .map(|()| None)
            })
            .await?;
            create_group(&cx, &step).await
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
            let body = lower_group(&cx, &step)?;
            patch_tags(&cx, &step, &body).await?;
            Ok(StepOutput::default())
        }
        (_, Action::NoOp | Action::Start | Action::Stop) => Ok(StepOutput::default()),
    }
}

async fn create_resource_group(cx: &ApplyContext, step: &Step) -> Result<StepOutput, StepFailure> {
    let body = lower_rg(cx, step)?;
    let rg: ResourceGroup = from_value(step, Phase::Create, body)?;
    let name = &step.azure.resource_group;
    let done = phase(cx, step, Phase::Create, None, async {
        cx.client
            .put_resource_group(name, &rg)
            .await
            .map(|r| r.id.clone())
    })
    .await?;
    Ok(StepOutput {
        id: done,
        ..StepOutput::default()
    })
}

async fn update_resource_group(cx: &ApplyContext, step: &Step) -> Result<StepOutput, StepFailure> {
    let body = lower_rg(cx, step)?;
    let tags = string_tags(&body);
    let name = &step.azure.resource_group;
    phase(cx, step, Phase::Modify, None, async {
        cx.client
            .patch_resource_group_tags(name, &tags)
            .await
            .map(|r| r.id.clone())
    })
    .await?;
    Ok(StepOutput::default())
}

/// Deletes a resource group, but only when nothing in it belongs to anyone else: ARM
/// would delete everything inside.
async fn delete_resource_group(cx: &ApplyContext, step: &Step) -> Result<StepOutput, StepFailure> {
    let name = &step.azure.resource_group;
    let stack = cx.stack.name.clone();
    phase(cx, step, Phase::Destroy, None, async {
        let inside = cx.client.list_container_groups(name).await?;
        let foreign: Vec<String> = inside
            .iter()
            .filter(|g| g.tags.as_ref().and_then(|t| t.get(TAG_STACK)) != Some(&stack))
            .filter_map(|g| g.name.clone())
            .collect();
        if !inside.is_empty() {
            let names: Vec<String> = inside.iter().filter_map(|g| g.name.clone()).collect();
            let whose = if foreign.is_empty() {
                "still"
            } else {
                "holds groups this stack does not own and still"
            };
            return Err(ArmError::Config(format!(
                "refusing to delete resource group `{name}`: it {whose} contains {}",
                names.join(", ")
            )));
        }
        // TODO: check for resources other than container groups (storage, networks)
        // with ARM's generic resource list before deleting; the local cloud holds only
        // container groups, and this check today sees only those.
        cx.client.delete_resource_group(name).await.map(|()| None)
    })
    .await?;
    Ok(StepOutput::default())
}

async fn create_group(cx: &ApplyContext, step: &Step) -> Result<StepOutput, StepFailure> {
    let body = lower_group(cx, step)?;
    let (rg, name) = names(step);
    let group: ContainerGroup = from_value(step, Phase::Create, body.clone())?;
    let returned = phase_value(cx, step, Phase::Create, async {
        cx.client.put_container_group(rg, name, &group).await
    })
    .await?;
    check_landed(step, Phase::Create, &body, &returned)?;
    if step.state == Some(RunState::Stopped) {
        set_run_state(cx, step, RunState::Stopped).await?;
    }
    Ok(outputs_of(&returned))
}

/// An in-place update. The plan decided on it possibly with values only known after
/// apply; now that they are known, a PUT that would change nothing is skipped, since
/// every PUT restarts the group's containers.
async fn update_group(cx: &ApplyContext, step: &Step) -> Result<StepOutput, StepFailure> {
    let body = lower_group(cx, step)?;
    let (rg, name) = names(step);
    if step.update == UpdateMode::PatchTags {
        let returned = patch_tags(cx, step, &body).await?;
        return Ok(outputs_of(&returned));
    }

    let current = cx
        .client
        .get_container_group(rg, name)
        .await
        .map_err(|e| fail(step, Phase::Modify, &e))?;
    let current = current.map(|g| serde_json::to_value(g).unwrap_or(Value::Null));
    if let Some(current) = &current
        && !differs(&body, current)
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

async fn set_run_state(cx: &ApplyContext, step: &Step, state: RunState) -> Result<(), StepFailure> {
    let (rg, name) = names(step);
    let which = if state == RunState::Running {
        Phase::Start
    } else {
        Phase::Stop
    };
    phase(cx, step, which, None, async {
        match state {
            RunState::Running => cx.client.start_container_group(rg, name).await,
            RunState::Stopped => cx.client.stop_container_group(rg, name).await,
        }
        .map(|()| None)
    })
    .await?;
    Ok(())
}

/// Runs one phase: emits Started, Still every ten seconds, then Completed or Failed.
async fn phase<F>(
    cx: &ApplyContext,
    step: &Step,
    which: Phase,
    id: Option<String>,
    op: F,
) -> Result<Option<String>, StepFailure>
where
    F: std::future::Future<Output = Result<Option<String>, ArmError>>,
{
    let address = step.address.to_string();
    let start = Instant::now();
    cx.emit(Event::Started {
        address: address.clone(),
        phase: which,
        id,
    });
    tokio::pin!(op);
    let mut ticker =
        tokio::time::interval_at(tokio::time::Instant::now() + STILL_EVERY, STILL_EVERY);
    let result = loop {
        tokio::select! {
            result = &mut op => break result,
            _ = ticker.tick() => cx.emit(Event::Still {
                address: address.clone(), phase: which, elapsed: start.elapsed(),
            }),
        }
    };
    let elapsed = start.elapsed();
    match result {
        Ok(id) => {
            cx.emit(Event::Completed {
                address,
                phase: which,
                elapsed,
                id: id.clone(),
            });
            Ok(id)
        }
        Err(err) => {
            cx.emit(Event::Failed {
                address,
                phase: which,
                elapsed,
            });
            Err(fail(step, which, &err))
        }
    }
}

/// A phase whose operation returns a container group.
async fn phase_value<F>(
    cx: &ApplyContext,
    step: &Step,
    which: Phase,
    op: F,
) -> Result<Value, StepFailure>
where
    F: std::future::Future<Output = Result<ContainerGroup, ArmError>>,
{
    let mut out = Value::Null;
    let slot = &mut out;
    phase(cx, step, which, None, async move {
        let group = op.await?;
        *slot = serde_json::to_value(&group).unwrap_or(Value::Null);
        Ok(group.id.clone())
    })
    .await?;
    Ok(out)
}

/// The container group's body, lowered again with every reference now known.
fn lower_group(cx: &ApplyContext, step: &Step) -> Result<Value, StepFailure> {
    let spec = cx
        .stack
        .container_groups
        .get(&step.address.key)
        .ok_or_else(|| {
            StepFailure::new(
                step,
                Phase::Create,
                "the resource is no longer in the stack".into(),
                None,
            )
        })?;
    let location = step.location.clone().unwrap_or_default();
    let salt = step.salt.clone().unwrap_or_default();
    let resolve = |r: &Reference| cx.resolve(r);
    let lower = LowerContext {
        stack: &cx.stack,
        resolve: &resolve,
        location: &location,
        salt: &salt,
    };
    let body = lower_container_group(&lower, spec);
    if has_placeholder(&body) {
        let message =
            "a referenced value is still unknown after its dependencies were applied".into();
        return Err(StepFailure::new(step, Phase::Create, message, None));
    }
    Ok(body)
}

fn lower_rg(cx: &ApplyContext, step: &Step) -> Result<Value, StepFailure> {
    let spec = cx
        .stack
        .resource_groups
        .get(&step.address.key)
        .ok_or_else(|| {
            StepFailure::new(
                step,
                Phase::Create,
                "the resource is no longer in the stack".into(),
                None,
            )
        })?;
    let location = spec
        .location
        .clone()
        .or_else(|| step.location.clone())
        .unwrap_or_default();
    let resolve = |r: &Reference| cx.resolve(r);
    Ok(lower_resource_group(&cx.stack, spec, &location, &resolve))
}

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

fn check_landed(
    step: &Step,
    which: Phase,
    sent: &Value,
    returned: &Value,
) -> Result<(), StepFailure> {
    let missing = unlanded_changes(sent, returned);
    if missing.is_empty() {
        return Ok(());
    }
    let message = format!(
        "ARM accepted the request but these planned changes did not land: {}",
        missing.join("; ")
    );
    Err(StepFailure::new(step, which, message, None))
}

fn outputs_of(group: &Value) -> StepOutput {
    let mut attrs = BTreeMap::new();
    for (attr, pointer) in [
        ("ip", "/properties/ipAddress/ip"),
        ("fqdn", "/properties/ipAddress/fqdn"),
        ("id", "/id"),
    ] {
        if let Some(v) = group
            .pointer(pointer)
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

fn string_tags(body: &Value) -> BTreeMap<String, String> {
    body.get("tags")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn from_value<T: serde::de::DeserializeOwned>(
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

fn fail(step: &Step, which: Phase, err: &ArmError) -> StepFailure {
    StepFailure::new(step, which, err.to_string(), err.code().map(String::from))
}
