//! Status rows from the stack and what the cloud returned: pure, so every state a
//! group can be in is testable without a cloud.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    ContainerStatus, NOT_DEPLOYED, ResourceStatus, STATUS_FORMAT_VERSION, StatusReport,
    WarningEvent,
};
use crate::arm::models::{Container, Event};
use crate::arm::{ContainerGroup, ResourceGroup};
use crate::plan::TargetInfo;
use crate::plan::rules::{TAG_ADDRESS, TAG_STACK};
use crate::spec::{ContainerGroupSpec, ResourceGroupSpec, RunState, Stack};

/// What was read from the cloud for a status.
#[derive(Debug, Clone, Default)]
pub struct LiveView {
    /// Resource groups of the stack (and those it owns), by lower-cased name.
    pub resource_groups: BTreeMap<String, ResourceGroup>,
    /// Container groups as GET returned them (with instance views), by lower-cased
    /// resource group and name: those of the stack and owned leftovers.
    pub container_groups: BTreeMap<(String, String), ContainerGroup>,
}

/// The status of every resource of `stack`, then of owned leftovers.
pub fn build_report(stack: &Stack, target: &TargetInfo, live: &LiveView) -> StatusReport {
    let mut resources = Vec::new();
    for rg in stack.resource_groups.values() {
        resources.push(resource_group_row(rg, live));
    }

    let mut declared = BTreeSet::new();
    for cg in stack.container_groups.values() {
        let rg_name = stack
            .resource_groups
            .get(&cg.resource_group)
            .map_or(cg.resource_group.as_str(), |rg| rg.name.as_str());
        let key = (rg_name.to_ascii_lowercase(), cg.name.to_ascii_lowercase());
        resources.push(container_group_row(
            cg,
            rg_name,
            live.container_groups.get(&key),
        ));
        declared.insert(key);
    }

    // Groups this stack created that its spec no longer declares: the next apply
    // deletes them, and until then they still run (and cost).
    for (key, group) in &live.container_groups {
        if !declared.contains(key) && tag(group.tags.as_ref(), TAG_STACK) == Some(&stack.name) {
            resources.push(leftover_row(key, group));
        }
    }

    StatusReport {
        format_version: STATUS_FORMAT_VERSION,
        stack: stack.name.clone(),
        target: target.clone(),
        resources,
    }
}

fn resource_group_row(rg: &ResourceGroupSpec, live: &LiveView) -> ResourceStatus {
    let found = live.resource_groups.get(&rg.name.to_ascii_lowercase());
    let live_state = match found {
        None => NOT_DEPLOYED.to_string(),
        Some(group) => match group.provisioning_state() {
            Some(state) if !state.eq_ignore_ascii_case("Succeeded") => state.to_string(),
            _ => "exists".to_string(),
        },
    };
    ResourceStatus {
        address: rg.address().to_string(),
        kind: "resource_group",
        name: found
            .and_then(|g| g.name.clone())
            .unwrap_or_else(|| rg.name.clone()),
        resource_group: None,
        id: found.and_then(|g| g.id.clone()),
        desired: if rg.existing { "existing" } else { "present" },
        live: live_state,
        provisioning_state: None,
        ip: None,
        fqdn: None,
        containers: Vec::new(),
        last_warning: None,
    }
}

fn container_group_row(
    cg: &ContainerGroupSpec,
    rg_name: &str,
    live: Option<&ContainerGroup>,
) -> ResourceStatus {
    let desired = match cg.state {
        RunState::Running => "running",
        RunState::Stopped => "stopped",
    };
    match live {
        Some(group) => live_row(cg.address().to_string(), desired, rg_name, group),
        None => ResourceStatus {
            address: cg.address().to_string(),
            kind: "container_group",
            name: cg.name.clone(),
            resource_group: Some(rg_name.to_string()),
            id: None,
            desired,
            live: NOT_DEPLOYED.to_string(),
            provisioning_state: None,
            ip: None,
            fqdn: None,
            containers: Vec::new(),
            last_warning: None,
        },
    }
}

fn leftover_row(key: &(String, String), group: &ContainerGroup) -> ResourceStatus {
    let address = tag(group.tags.as_ref(), TAG_ADDRESS)
        .map(str::to_string)
        .unwrap_or_else(|| format!("container_group.{}", key.1));
    let rg = resource_group_of(group).unwrap_or_else(|| key.0.clone());
    live_row(address, "absent", &rg, group)
}

/// A row for a group that exists, from its GET body.
fn live_row(
    address: String,
    desired: &'static str,
    rg: &str,
    group: &ContainerGroup,
) -> ResourceStatus {
    let provisioning = group.provisioning_state().map(str::to_string);
    let live = match (group.instance_state(), provisioning.as_deref()) {
        // A failed deployment may still carry the previous instance view; the failure
        // is what the user needs to see.
        (_, Some(p)) if p.eq_ignore_ascii_case("Failed") => "Failed".to_string(),
        (Some(state), _) => state.to_string(),
        (None, Some(p)) => p.to_string(),
        (None, None) => "Unknown".to_string(),
    };
    let ip = group.properties.ip_address.as_ref();
    ResourceStatus {
        address,
        kind: "container_group",
        name: group.name.clone().unwrap_or_default(),
        resource_group: Some(rg.to_string()),
        id: group.id.clone(),
        desired,
        live,
        provisioning_state: provisioning,
        ip: ip.and_then(|a| a.ip.clone()),
        fqdn: ip.and_then(|a| a.fqdn.clone()),
        containers: group.containers().iter().map(container_row).collect(),
        last_warning: latest_warning(group),
    }
}

fn container_row(container: &Container) -> ContainerStatus {
    let view = container.properties.instance_view.as_ref();
    let current = view.and_then(|v| v.current_state.as_ref());
    ContainerStatus {
        name: container.name.clone(),
        state: current.and_then(|s| s.state.clone()),
        detail: current
            .and_then(|s| s.detail_status.clone())
            .filter(|d| !d.is_empty()),
        exit_code: current.and_then(|s| s.exit_code),
        restart_count: view.and_then(|v| v.restart_count),
    }
}

/// A line about containers that are not well right after a deployment (waiting,
/// exited with an error, or already restarted), with the latest warning event; `None`
/// when all is well or the answer has no instance view. ARM calls such a deployment
/// a success, so without this an apply would not say that nothing runs.
pub fn health_note(group: &ContainerGroup) -> Option<String> {
    let troubled: Vec<String> = group
        .containers()
        .iter()
        .map(container_row)
        .filter(|c| {
            let waiting = c
                .state
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("waiting"));
            let failed = c.exit_code.is_some_and(|code| code != 0);
            waiting || failed || c.restart_count.unwrap_or(0) > 0
        })
        .map(|c| {
            let mut text = format!(
                "container {} is {}",
                c.name,
                c.state.as_deref().unwrap_or("?")
            );
            if let Some(detail) = &c.detail {
                text.push_str(&format!(" ({detail})"));
            }
            if let Some(n) = c.restart_count.filter(|n| *n > 0) {
                text.push_str(&format!(", restarted {n} time(s)"));
            }
            text
        })
        .collect();
    if troubled.is_empty() {
        return None;
    }
    let mut note = troubled.join("; ");
    if let Some(w) = latest_warning(group) {
        note.push_str(&format!("; latest warning: {}: {}", w.name, w.message));
    }
    Some(note)
}

/// The `Warning` event with the latest `lastTimestamp` (ARM's RFC 3339 strings in UTC
/// order as text); on a tie the group's own event wins, then the first container's.
fn latest_warning(group: &ContainerGroup) -> Option<WarningEvent> {
    let group_events = group
        .properties
        .instance_view
        .as_ref()
        .and_then(|v| v.events.as_deref())
        .unwrap_or_default()
        .iter()
        .map(|e| (None, e));
    let container_events = group.containers().iter().flat_map(|c| {
        let events = c.properties.instance_view.as_ref();
        let events = events.and_then(|v| v.events.as_deref()).unwrap_or_default();
        events.iter().map(move |e| (Some(c.name.as_str()), e))
    });

    let mut latest: Option<(Option<&str>, &Event)> = None;
    for (container, event) in group_events.chain(container_events) {
        let is_warning = event
            .kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("Warning"));
        let newer = latest.is_none_or(|(_, best)| event.last_timestamp > best.last_timestamp);
        if is_warning && newer {
            latest = Some((container, event));
        }
    }
    latest.map(|(container, event)| WarningEvent {
        container: container.map(str::to_string),
        name: event.name.clone().unwrap_or_default(),
        message: event.message.clone().unwrap_or_default(),
        count: event.count,
        last_timestamp: event.last_timestamp.clone(),
    })
}

/// The resource group segment of a group's ARM id.
fn resource_group_of(group: &ContainerGroup) -> Option<String> {
    let id = group.id.as_deref()?;
    let mut segments = id.split('/');
    segments.find(|s| s.eq_ignore_ascii_case("resourceGroups"))?;
    segments.next().map(str::to_string)
}

/// A tag's value, matching its name case-insensitively as ARM does.
fn tag<'a>(tags: Option<&'a BTreeMap<String, String>>, name: &str) -> Option<&'a str> {
    tags?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;
    use crate::plan::TargetKind;
    use crate::spec::{LoadOptions, StackFile, load_files};

    fn stack() -> Stack {
        let text = r#"
            [stack]
            name = "demo"
            location = "westeurope"
            [resource_group.main]
            name = "rg-demo"
            [container_group.web]
            resource_group = "main"
            [[container_group.web.containers]]
            name = "web"
            image = "nginx"
            cpu = 1
            memory_gb = 1
            [container_group.job]
            resource_group = "main"
            name = "nightly"
            state = "stopped"
            [[container_group.job.containers]]
            name = "job"
            image = "tools/job:batch"
            cpu = 1
            memory_gb = 1
        "#;
        let file = StackFile {
            path: PathBuf::from("main.toml"),
            name: "main.toml".into(),
            text: text.into(),
        };
        load_files(PathBuf::from("."), vec![file], &LoadOptions::default()).expect("stack loads")
    }

    fn target() -> TargetInfo {
        TargetInfo {
            kind: TargetKind::Local,
            endpoint: "http://127.0.0.1:1".into(),
            subscription: "s".into(),
        }
    }

    fn group(body: serde_json::Value) -> ContainerGroup {
        serde_json::from_value(body).expect("a container group body")
    }

    fn event(name: &str, kind: &str, message: &str, at: &str) -> serde_json::Value {
        json!({ "name": name, "type": kind, "message": message, "count": 4,
            "lastTimestamp": format!("2026-01-01T{at}Z") })
    }

    fn web_crashing() -> ContainerGroup {
        let events = [
            event("Pulled", "Normal", "pulled", "10:00:00"),
            event(
                "BackOff",
                "Warning",
                "Back-off restarting failed container",
                "10:05:00",
            ),
            event("Failed", "Warning", "older", "09:00:00"),
        ];
        let view = json!({
            "restartCount": 4,
            "currentState": { "state": "Waiting", "detailStatus": "CrashLoopBackOff" },
            "events": events,
        });
        let ip = json!({ "type": "Public", "ip": "20.1.2.3", "fqdn": "web.example", "ports": [] });
        let container =
            json!({ "name": "web", "properties": { "image": "nginx", "instanceView": view } });
        group(json!({
            "id": "/subscriptions/s/resourceGroups/rg-demo/providers/P/containerGroups/web",
            "name": "web",
            "tags": { "aciform-stack": "demo", "aciform-address": "container_group.web" },
            "properties": {
                "provisioningState": "Succeeded",
                "ipAddress": ip,
                "instanceView": { "state": "Running", "events": [] },
                "containers": [container],
            }
        }))
    }

    #[test]
    fn rows_show_desired_and_live_state_containers_and_latest_warning() {
        let mut live = LiveView::default();
        live.resource_groups.insert(
            "rg-demo".into(),
            serde_json::from_value(
                json!({ "id": "/subscriptions/s/resourceGroups/rg-demo", "name": "rg-demo" }),
            )
            .expect("rg"),
        );
        live.container_groups
            .insert(("rg-demo".into(), "web".into()), web_crashing());

        let report = build_report(&stack(), &target(), &live);
        let rows: Vec<(&str, &str, &str)> = report
            .resources
            .iter()
            .map(|r| (r.address.as_str(), r.desired, r.live.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                ("resource_group.main", "present", "exists"),
                ("container_group.job", "stopped", NOT_DEPLOYED),
                ("container_group.web", "running", "Running"),
            ]
        );

        let web = &report.resources[2];
        assert_eq!(web.ip.as_deref(), Some("20.1.2.3"));
        assert_eq!(web.containers[0].restart_count, Some(4));
        assert_eq!(
            web.containers[0].detail.as_deref(),
            Some("CrashLoopBackOff")
        );
        let warning = web.last_warning.as_ref().expect("a warning");
        assert_eq!((warning.name.as_str(), warning.count), ("BackOff", Some(4)));
        assert_eq!(warning.container.as_deref(), Some("web"));
        assert_eq!(report.resources[1].name, "nightly");
    }

    #[test]
    fn owned_groups_outside_the_stack_show_as_absent_and_others_are_ignored() {
        let mut live = LiveView::default();
        let mut old = web_crashing();
        old.name = Some("old-api".into());
        old.tags = Some(BTreeMap::from([
            ("Aciform-Stack".to_string(), "demo".to_string()),
            (
                "aciform-address".to_string(),
                "container_group.api".to_string(),
            ),
        ]));
        live.container_groups
            .insert(("rg-demo".into(), "old-api".into()), old);
        let mut foreign = web_crashing();
        foreign.tags = Some(BTreeMap::from([("aciform-stack".into(), "other".into())]));
        live.container_groups
            .insert(("rg-demo".into(), "foreign".into()), foreign);

        let report = build_report(&stack(), &target(), &live);
        let last = report.resources.last().expect("rows");
        assert_eq!(report.resources.len(), 4);
        assert_eq!(
            (last.address.as_str(), last.desired),
            ("container_group.api", "absent")
        );
        assert_eq!(last.resource_group.as_deref(), Some("rg-demo"));
    }

    #[test]
    fn a_failed_deployment_reads_failed_whatever_the_instance_view() {
        let mut failed = web_crashing();
        failed.properties.provisioning_state = Some("Failed".into());
        let row = live_row("container_group.web".into(), "running", "rg-demo", &failed);
        assert_eq!(row.live, "Failed");

        let mut bare = web_crashing();
        bare.properties.instance_view = None;
        bare.properties.provisioning_state = Some("Creating".into());
        let row = live_row("container_group.web".into(), "running", "rg-demo", &bare);
        assert_eq!(row.live, "Creating");
    }
}
