//! Reading what a status needs: the plan's cheap live read (one LIST of resource
//! groups, one LIST of container groups per resource group), then one GET per
//! deployed group of the stack, in parallel, because only GET returns instance views
//! (container states, restart counts, events).

use std::collections::BTreeSet;

use serde_json::Value;
use tokio::task::JoinSet;

use super::build::{LiveView, build_report};
use super::{StatusError, StatusReport};
use crate::arm::{ArmClient, ArmError, ContainerGroup};
use crate::plan::TargetInfo;
use crate::plan::live::{ReadOptions, read_live};
use crate::plan::rules::TAG_STACK;
use crate::spec::Stack;

/// Reads the live state of `stack` and builds its status report.
pub async fn read_status(
    client: &ArmClient,
    stack: &Stack,
    target: &TargetInfo,
) -> Result<StatusReport, StatusError> {
    let live = read_live(client, stack, &ReadOptions::default())
        .await
        .map_err(StatusError::Read)?;
    let mut view = LiveView::default();
    for (name, body) in &live.resource_groups {
        if let Ok(rg) = serde_json::from_value(body.clone()) {
            view.resource_groups.insert(name.clone(), rg);
        }
    }

    let declared = declared_groups(stack);
    let mut gets = JoinSet::new();
    for (key, group) in &live.container_groups {
        let owned = group.tag(TAG_STACK) == Some(stack.name.as_str());
        // Neighbours that merely share a resource group are not the stack's business.
        if !(owned || declared.contains(key)) {
            continue;
        }
        // The live read already GETs groups whose run state matters; reuse those.
        if group.run_state.is_some()
            && let Ok(body) = serde_json::from_value::<ContainerGroup>(group.body.clone())
        {
            view.container_groups.insert(key.clone(), body);
            continue;
        }
        let client = client.clone();
        let key = key.clone();
        let rg = group.resource_group.clone();
        let name = name_of(&group.body);
        gets.spawn(async move { (key, client.get_container_group(&rg, &name).await) });
    }
    while let Some(joined) = gets.join_next().await {
        let (key, got) = joined.map_err(|e| {
            StatusError::Read(ArmError::Config(format!("a status read stopped: {e}")))
        })?;
        // Gone between LIST and GET: it is not deployed any more.
        if let Some(group) = got.map_err(StatusError::Read)? {
            view.container_groups.insert(key, group);
        }
    }

    Ok(build_report(stack, target, &view))
}

/// The (resource group, name) of every container group of the stack, lower-cased.
fn declared_groups(stack: &Stack) -> BTreeSet<(String, String)> {
    stack
        .container_groups
        .values()
        .filter_map(|cg| {
            let rg = stack.resource_groups.get(&cg.resource_group)?;
            Some((rg.name.to_ascii_lowercase(), cg.name.to_ascii_lowercase()))
        })
        .collect()
}

fn name_of(body: &Value) -> String {
    body.get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}
