//! Carrying out one step against ARM: lower the spec again with what finished
//! dependencies produced, send it, read the result back and check that every planned
//! field landed, then start or stop the group as the spec asks.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::verify::unlanded_changes;
use super::{ApplyContext, Event, StepFailure, StepOutput};
use crate::arm::{ArmError, ContainerGroup, GenericResource, ResourceGroup};
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
            record_run_state(&cx, &step, &body).await?;
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

/// Deletes a resource group, but only when it is empty by then: ARM deletes everything
/// inside with it, and the plan may not have seen all of it (it reads container groups
/// only). ARM's generic resource list shows whatever else is there.
async fn delete_resource_group(cx: &ApplyContext, step: &Step) -> Result<StepOutput, StepFailure> {
    let name = &step.azure.resource_group;
    let stack = cx.stack.name.as_str();
    phase(cx, step, Phase::Destroy, None, async {
        let inside = cx.client.list_resources_in_group(name).await?;
        if !inside.is_empty() {
            return Err(OpError::Refused(not_empty(name, stack, &inside)));
        }
        cx.client.delete_resource_group(name).await?;
        Ok(None)
    })
    .await?;
    Ok(StepOutput::default())
}

/// Why a resource group that still holds `inside` is not deleted, naming what is there.
fn not_empty(rg: &str, stack: &str, inside: &[GenericResource]) -> String {
    let describe = |r: &GenericResource| {
        format!(
            "{} `{}`",
            r.kind.as_deref().unwrap_or("a resource"),
            r.name.as_deref().unwrap_or("?")
        )
    };
    let ours = |r: &&GenericResource| {
        r.tags
            .as_ref()
            .and_then(|t| t.iter().find(|(k, _)| k.eq_ignore_ascii_case(TAG_STACK)))
            .is_some_and(|(_, v)| v == stack)
    };
    let foreign: Vec<String> = inside.iter().filter(|r| !ours(r)).map(describe).collect();
    let own: Vec<String> = inside.iter().filter(ours).map(describe).collect();
    let mut text = format!("refusing to delete resource group `{rg}`: deleting it would delete ");
    if foreign.is_empty() {
        text.push_str(&format!(
            "what it still holds of this stack: {}",
            own.join(", ")
        ));
    } else {
        text.push_str(&format!(
            "{} resource(s) this stack does not own: {}",
            foreign.len(),
            foreign.join(", ")
        ));
    }
    text
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
        check_tags_landed(step, &body, &returned)?;
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
                let state = g.pointer("/properties/instanceView/state")?.as_str()?;
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

/// Why the instance state `seen` after a start or stop shows it did not take; `None`
/// when it did (or ARM showed no state to judge by).
fn run_state_mismatch(wanted: RunState, seen: Option<&str>) -> Option<String> {
    let seen = seen?;
    let stopped = seen.eq_ignore_ascii_case("Stopped");
    let (landed, verb) = match wanted {
        // Right after a start the containers may still be pulling: anything but
        // Stopped means it took.
        RunState::Running => (!stopped, "start"),
        RunState::Stopped => (stopped, "stop"),
    };
    (!landed)
        .then(|| format!("ARM accepted the {verb} but the group's instance state is still {seen}"))
}

/// Why one phase's operation failed.
enum OpError {
    /// ARM (or the client) said no.
    Arm(ArmError),
    /// aciform refused to go on, for the reason given.
    Refused(String),
}

impl From<ArmError> for OpError {
    fn from(err: ArmError) -> Self {
        OpError::Arm(err)
    }
}

/// Runs one phase: emits Started, Still every ten seconds, then Completed or Failed.
async fn phase<F, E>(
    cx: &ApplyContext,
    step: &Step,
    which: Phase,
    id: Option<String>,
    op: F,
) -> Result<Option<String>, StepFailure>
where
    F: std::future::Future<Output = Result<Option<String>, E>>,
    E: Into<OpError>,
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
            Err(match err.into() {
                OpError::Arm(err) => fail(step, which, &err),
                OpError::Refused(message) => StepFailure::new(step, which, message, None),
            })
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
        Ok::<_, ArmError>(group.id.clone())
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
                main_phase(step),
                "the resource is no longer in the stack".into(),
                None,
            )
        })?;
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

fn lower_rg(cx: &ApplyContext, step: &Step) -> Result<Value, StepFailure> {
    let spec = cx
        .stack
        .resource_groups
        .get(&step.address.key)
        .ok_or_else(|| {
            StepFailure::new(
                step,
                main_phase(step),
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

/// The read-back check of a tags-only PATCH: the tags, nothing else, were planned.
fn check_tags_landed(step: &Step, sent: &Value, returned: &Value) -> Result<(), StepFailure> {
    let now = string_tags(returned);
    let missing: Vec<String> = string_tags(sent)
        .into_iter()
        .filter(|(k, v)| now.get(k) != Some(v))
        .map(|(k, _)| format!("tags.{k} is not what was sent"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let message = format!(
        "ARM accepted the request but these planned changes did not land: {}",
        missing.join("; ")
    );
    Err(StepFailure::new(step, Phase::Modify, message, None))
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

/// The phase a step is mostly about, for failures before any request goes out.
fn main_phase(step: &Step) -> Phase {
    match step.action {
        Action::Update => Phase::Modify,
        Action::Delete => Phase::Destroy,
        Action::Start => Phase::Start,
        Action::Stop => Phase::Stop,
        Action::Create | Action::Replace | Action::NoOp => Phase::Create,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::GenericResource;

    #[test]
    fn a_start_or_stop_that_did_not_take_is_reported() {
        assert_eq!(run_state_mismatch(RunState::Stopped, Some("Stopped")), None);
        assert_eq!(run_state_mismatch(RunState::Running, Some("Pending")), None);
        assert_eq!(run_state_mismatch(RunState::Running, None), None);
        assert_eq!(
            run_state_mismatch(RunState::Stopped, Some("Running")).as_deref(),
            Some("ARM accepted the stop but the group's instance state is still Running")
        );
        assert!(run_state_mismatch(RunState::Running, Some("stopped")).is_some());
    }

    fn resource(kind: &str, name: &str, stack: Option<&str>) -> GenericResource {
        GenericResource {
            kind: Some(kind.into()),
            name: Some(name.into()),
            tags: stack.map(|s| [(TAG_STACK.to_string(), s.to_string())].into()),
            ..GenericResource::default()
        }
    }

    #[test]
    fn a_resource_group_that_is_not_empty_is_refused_naming_what_is_inside() {
        let storage = resource("Microsoft.Storage/storageAccounts", "data", None);
        let ours = resource(
            "Microsoft.ContainerInstance/containerGroups",
            "web",
            Some("s"),
        );
        assert_eq!(
            not_empty("rg", "s", &[ours.clone(), storage]),
            "refusing to delete resource group `rg`: deleting it would delete 1 resource(s) \
             this stack does not own: Microsoft.Storage/storageAccounts `data`"
        );
        assert_eq!(
            not_empty("rg", "s", &[ours]),
            "refusing to delete resource group `rg`: deleting it would delete what it still \
             holds of this stack: Microsoft.ContainerInstance/containerGroups `web`"
        );
    }
}
