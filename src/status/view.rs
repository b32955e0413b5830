//! A status report as the CLI prints it: an aligned table (one row per resource, one
//! continuation row per further container) followed by the latest warning events, or
//! the report as JSON. Every cell goes through the render layer's table, which keeps
//! cloud-supplied text on one line and inert in a terminal.

use super::{ContainerStatus, ResourceStatus, StatusReport};
use crate::render::{Styled, table_styled};

const HEADERS: [&str; 9] = [
    "ADDRESS",
    "NAME",
    "DESIRED",
    "LIVE",
    "IP",
    "FQDN",
    "CONTAINER",
    "STATE",
    "RESTARTS",
];

/// The report as plain text.
pub fn status_text(report: &StatusReport) -> String {
    status_styled(report).to_plain()
}

/// The report as styled text (bold headers), for a terminal.
pub fn status_styled(report: &StatusReport) -> Styled {
    let mut rows = Vec::new();
    for resource in &report.resources {
        rows.extend(resource_rows(resource));
    }
    let mut out = table_styled(&HEADERS, &rows);

    let warnings: Vec<Vec<String>> = report.resources.iter().filter_map(warning_row).collect();
    if !warnings.is_empty() {
        out.newline().plain("Latest warning events:").newline();
        for line in table_styled(&[], &warnings).to_plain().lines() {
            out.plain(format!("  {line}")).newline();
        }
    }
    out
}

/// The report as JSON (docs/cli.md, "Status JSON"), ending in a newline.
pub fn status_json(report: &StatusReport) -> String {
    // Serializing cannot fail: the report holds only strings, numbers and options.
    let mut text =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// The resource's row, then one row per further container with the group's cells
/// left blank.
fn resource_rows(r: &ResourceStatus) -> Vec<Vec<String>> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut first = vec![
        r.address.clone(),
        r.name.clone(),
        r.desired.to_string(),
        r.live.clone(),
        text(&r.ip),
        text(&r.fqdn),
    ];
    let mut containers = r.containers.iter();
    if let Some(c) = containers.next() {
        first.extend(container_cells(c));
    }
    let mut rows = vec![first];
    for c in containers {
        let mut row = vec![String::new(); 6];
        row.extend(container_cells(c));
        rows.push(row);
    }
    rows
}

/// `web  Waiting (CrashLoopBackOff)  4`, `job  Terminated (Completed, exit 0)  0`.
fn container_cells(c: &ContainerStatus) -> [String; 3] {
    let mut state = c.state.clone().unwrap_or_else(|| "-".to_string());
    let mut notes: Vec<String> = c.detail.iter().cloned().collect();
    if let Some(code) = c.exit_code {
        notes.push(format!("exit {code}"));
    }
    if !notes.is_empty() {
        state = format!("{state} ({})", notes.join(", "));
    }
    let restarts = c.restart_count.map(|n| n.to_string()).unwrap_or_default();
    [c.name.clone(), state, restarts]
}

/// `container_group.api  container api  BackOff  4 times  2026-…  Back-off restarting…`
fn warning_row(r: &ResourceStatus) -> Option<Vec<String>> {
    let w = r.last_warning.as_ref()?;
    let source = match &w.container {
        Some(name) => format!("container {name}"),
        None => "group".to_string(),
    };
    let count = match w.count {
        Some(1) | None => "once".to_string(),
        Some(n) => format!("{n} times"),
    };
    Some(vec![
        r.address.clone(),
        source,
        w.name.clone(),
        count,
        w.last_timestamp.clone().unwrap_or_default(),
        w.message.clone(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{TargetInfo, TargetKind};
    use crate::status::{NOT_DEPLOYED, WarningEvent};

    fn row(address: &str, desired: &'static str, live: &str) -> ResourceStatus {
        ResourceStatus {
            address: address.into(),
            kind: "container_group",
            name: address.trim_start_matches("container_group.").into(),
            resource_group: Some("rg-demo".into()),
            id: None,
            desired,
            live: live.into(),
            provisioning_state: None,
            ip: None,
            fqdn: None,
            containers: Vec::new(),
            last_warning: None,
        }
    }

    fn container(name: &str, state: &str, detail: Option<&str>, restarts: i32) -> ContainerStatus {
        ContainerStatus {
            name: name.into(),
            state: Some(state.into()),
            detail: detail.map(str::to_string),
            exit_code: (state == "Terminated").then_some(0),
            restart_count: Some(restarts),
        }
    }

    fn report() -> StatusReport {
        let mut rg = row("resource_group.main", "present", "exists");
        rg.kind = "resource_group";
        rg.name = "rg-demo".into();
        rg.resource_group = None;

        let mut api = row("container_group.api", "running", "Running");
        api.ip = Some("20.1.2.3".into());
        api.fqdn = Some("demo-api.westeurope.azurecontainer.io".into());
        api.containers = vec![
            container("api", "Waiting", Some("CrashLoopBackOff"), 4),
            container("sidecar", "Running", None, 0),
        ];
        api.last_warning = Some(WarningEvent {
            container: Some("api".into()),
            name: "BackOff".into(),
            message: "Back-off restarting failed container".into(),
            count: Some(4),
            last_timestamp: Some("2026-01-01T10:05:00Z".into()),
        });

        let mut job = row("container_group.job", "stopped", "Stopped");
        job.containers = vec![container("job", "Terminated", Some("Stopped"), 0)];

        StatusReport {
            format_version: 1,
            stack: "demo".into(),
            target: TargetInfo {
                kind: TargetKind::Local,
                endpoint: "http://127.0.0.1:1".into(),
                subscription: "s".into(),
            },
            resources: vec![
                rg,
                api,
                job,
                row("container_group.web", "running", NOT_DEPLOYED),
            ],
        }
    }

    #[test]
    fn text_lists_every_resource_container_and_warning() {
        insta::assert_snapshot!(status_text(&report()));
    }

    #[test]
    fn json_keeps_every_key_even_when_empty() {
        let json: serde_json::Value =
            serde_json::from_str(&status_json(&report())).expect("valid JSON");
        let web = &json["resources"][3];
        assert_eq!(web["live"], "not deployed");
        assert!(web["ip"].is_null() && web["last_warning"].is_null());
        assert_eq!(json["resources"][1]["containers"][0]["restart_count"], 4);
        assert_eq!(json["target"]["kind"], "local");
        assert_eq!(json["resources"][0]["type"], "resource_group");
    }
}
