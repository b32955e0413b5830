//! Container logs: believable lines derived from the record, never from secrets. A
//! start banner names the image, the environment is listed by variable NAME only,
//! restarts and crashes leave a line each, and a service writes a health line per cycle.

use serde_json::Value;

use super::super::clock::rfc3339;
use super::super::records::CgRecord;
use super::runtime::{self, ImageKind};
use super::{containers, entry_name, str_at};

/// At most this many periodic lines per container, so logs stay small.
const MAX_HEALTH_LINES: i64 = 500;

/// The log of container `name` (case-insensitive), or `None` when the group has no
/// such container. `tail` keeps the last lines; `timestamps` prefixes RFC 3339 times.
pub fn log_content(
    record: &CgRecord,
    name: &str,
    now: i64,
    cycle_ms: i64,
    tail: Option<usize>,
    timestamps: bool,
) -> Option<String> {
    let wanted = name.to_lowercase();
    let container = containers(&record.body)
        .iter()
        .find(|c| entry_name(c) == wanted)?;
    let lines = log_lines(record, container, now, cycle_ms);

    let skip = tail.map_or(0, |n| lines.len().saturating_sub(n));
    let mut content = String::new();
    for (at, line) in lines.into_iter().skip(skip) {
        if timestamps {
            content.push_str(&rfc3339(at));
            content.push(' ');
        }
        content.push_str(&line);
        content.push('\n');
    }
    Some(content)
}

fn log_lines(record: &CgRecord, container: &Value, now: i64, cycle_ms: i64) -> Vec<(i64, String)> {
    let phase = runtime::phase(record, container, now, cycle_ms);
    if phase.current.state == "Waiting" && phase.previous.is_none() {
        return Vec::new();
    }
    let props = container.get("properties").unwrap_or(&Value::Null);
    let name = entry_name(container);
    let image = str_at(props, "/image");
    let restarts = record.run.restarts.get(&name).copied().unwrap_or(0) + phase.crash_restarts;
    let start = phase.current.start_ms.min(now);

    let mut lines = Vec::new();
    let banner = match restarts {
        0 => format!("Starting container {name} from image {image}"),
        n => format!("Starting container {name} from image {image} (restart {n})"),
    };
    lines.push((start, banner));
    lines.push((start, format!("Environment: {}", env_names(props))));
    if let Some(ports) = ports(props) {
        lines.push((start, format!("Listening on {ports}")));
    }

    let cycle = cycle_ms.max(2);
    match runtime::container_kind(container) {
        ImageKind::Service => {
            let end = phase.current.finish_ms.unwrap_or(now);
            let beats = ((end - start) / cycle).clamp(0, MAX_HEALTH_LINES);
            for k in 1..=beats {
                lines.push((start + k * cycle, "Health check passed".to_string()));
            }
        }
        ImageKind::CrashLoop => {
            if phase.current.state != "Running" {
                let at = phase.current.finish_ms.unwrap_or(start + cycle / 2);
                lines.push((
                    at,
                    "Fatal error: configuration invalid, exiting with code 1".into(),
                ));
            }
        }
        ImageKind::Job => {
            lines.push((start, "Job started".to_string()));
            if let Some(finished) = phase
                .current
                .finish_ms
                .filter(|_| phase.current.exit_code == Some(0))
            {
                lines.push((finished, "Job completed successfully".to_string()));
            }
        }
    }
    if let Some(stopped) = record.run.stopped_ms {
        lines.push((stopped, "Received SIGTERM, shutting down".to_string()));
    }
    lines
}

fn env_names(props: &Value) -> String {
    let vars = props.get("environmentVariables").and_then(Value::as_array);
    let names: Vec<&str> = vars
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("name").and_then(Value::as_str))
        .collect();
    if names.is_empty() {
        "(none)".to_string()
    } else {
        names.join(", ")
    }
}

fn ports(props: &Value) -> Option<String> {
    let ports = props.get("ports").and_then(Value::as_array)?;
    let list: Vec<String> = ports
        .iter()
        .map(|p| {
            let protocol = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
            format!("{}/{}", p.get("port").unwrap_or(&Value::Null), protocol)
        })
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}
