//! Resource group steps: create (PUT), update (tags PATCH) and delete. A delete goes
//! ahead only when ARM's generic resource list shows the group empty: ARM deletes
//! everything inside with it, and the plan saw only container groups.

use serde_json::Value;

use super::phase::{OpError, phase};
use super::run::{from_value, gone_from_stack, string_tags};
use super::{ApplyContext, StepFailure, StepOutput};
use crate::arm::{GenericResource, ResourceGroup};
use crate::plan::lower::lower_resource_group;
use crate::plan::rules::TAG_STACK;
use crate::plan::step::Step;
use crate::render::progress::Step as Phase;
use crate::spec::Reference;

/// Creates the resource group (a synchronous PUT in ARM).
pub(super) async fn create_resource_group(
    cx: &ApplyContext,
    step: &Step,
) -> Result<StepOutput, StepFailure> {
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

/// Updates the resource group's tags, the only thing that can change in place.
pub(super) async fn update_resource_group(
    cx: &ApplyContext,
    step: &Step,
) -> Result<StepOutput, StepFailure> {
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
pub(super) async fn delete_resource_group(
    cx: &ApplyContext,
    step: &Step,
) -> Result<StepOutput, StepFailure> {
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

/// Replaces a resource group (a new location, or a new name: then the old one is
/// `step.previous`). Its own container groups are replaced too (the plan says so), so
/// they are deleted first; anything else inside stops the replacement.
pub(super) async fn replace_resource_group(
    cx: &ApplyContext,
    step: &Step,
) -> Result<StepOutput, StepFailure> {
    let old = step
        .previous
        .as_ref()
        .unwrap_or(&step.azure)
        .resource_group
        .clone();
    let stack = cx.stack.name.as_str();
    phase(cx, step, Phase::Destroy, None, async {
        let inside = cx.client.list_resources_in_group(&old).await?;
        let foreign: Vec<GenericResource> = inside
            .iter()
            .filter(|r| !is_ours(r, stack))
            .cloned()
            .collect();
        if !foreign.is_empty() {
            return Err(OpError::Refused(not_empty(&old, stack, &foreign)));
        }
        for group in inside.iter().filter(|r| is_container_group(r)) {
            let name = group.name.as_deref().unwrap_or_default();
            cx.client.delete_container_group(&old, name).await?;
        }
        let left = cx.client.list_resources_in_group(&old).await?;
        if !left.is_empty() {
            return Err(OpError::Refused(not_empty(&old, stack, &left)));
        }
        cx.client.delete_resource_group(&old).await?;
        Ok(None)
    })
    .await?;
    create_resource_group(cx, step).await
}

fn is_ours(r: &GenericResource, stack: &str) -> bool {
    r.tags
        .as_ref()
        .and_then(|t| t.iter().find(|(k, _)| k.eq_ignore_ascii_case(TAG_STACK)))
        .is_some_and(|(_, v)| v == stack)
}

fn is_container_group(r: &GenericResource) -> bool {
    r.kind
        .as_deref()
        .is_some_and(|k| k.eq_ignore_ascii_case("Microsoft.ContainerInstance/containerGroups"))
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
    let ours = |r: &&GenericResource| is_ours(r, stack);
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

fn lower_rg(cx: &ApplyContext, step: &Step) -> Result<Value, StepFailure> {
    let spec = cx
        .stack
        .resource_groups
        .get(&step.address.key)
        .ok_or_else(|| gone_from_stack(step))?;
    let location = spec
        .location
        .clone()
        .or_else(|| step.location.clone())
        .unwrap_or_default();
    let resolve = |r: &Reference| cx.resolve(r);
    Ok(lower_resource_group(&cx.stack, spec, &location, &resolve))
}

#[cfg(test)]
mod tests {
    use super::*;

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
