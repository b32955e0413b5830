//! How containers run, computed from a record and the clock rather than simulated by a
//! background task, so every process sharing a data directory sees the same thing.
//!
//! Images are believable by name: a tag `crashloop` starts, exits with code 1 after
//! half a cycle and is restarted with back-off (restart counts rise); a tag `job` or
//! `batch`, or a command that is a finite `sleep N` (as in the official Spot example),
//! runs one cycle and exits 0 (the group ends `Succeeded` under `Never` or
//! `OnFailure`); everything else runs until stopped.

use serde_json::{Value, json};

use super::super::clock::rfc3339;
use super::super::records::{CgRecord, Event, OpKindRecord, OpState};
use super::{containers, entry_name, str_at};

/// What an image does once started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Service,
    CrashLoop,
    Job,
}

/// The behaviour of a container: its image tag, or a `sleep N` command.
pub fn container_kind(container: &Value) -> ImageKind {
    let kind = image_kind(str_at(container, "/properties/image"));
    let command = container
        .pointer("/properties/command")
        .and_then(Value::as_array);
    let words: Vec<&str> = command
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .flat_map(str::split_whitespace)
        .collect();
    let sleeps = words
        .windows(2)
        .any(|w| w[0] == "sleep" && w[1].parse::<u64>().is_ok());
    if kind == ImageKind::Service && sleeps {
        ImageKind::Job
    } else {
        kind
    }
}

/// The behaviour an image name selects (by its tag).
pub fn image_kind(image: &str) -> ImageKind {
    let without_digest = image.split('@').next().unwrap_or(image);
    let tag = match without_digest.rfind(':') {
        Some(i) if !without_digest[i..].contains('/') => &without_digest[i + 1..],
        _ => "",
    };
    match tag.to_lowercase().as_str() {
        "crashloop" => ImageKind::CrashLoop,
        "job" | "batch" => ImageKind::Job,
        _ => ImageKind::Service,
    }
}

/// One container state (`currentState` / `previousState`).
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub state: &'static str,
    pub detail: &'static str,
    pub start_ms: i64,
    pub finish_ms: Option<i64>,
    pub exit_code: Option<i64>,
}

impl State {
    fn to_json(&self) -> Value {
        let mut v = json!({
            "state": self.state,
            "startTime": rfc3339(self.start_ms),
            "detailStatus": self.detail,
        });
        if let Some(finish) = self.finish_ms {
            v["finishTime"] = json!(rfc3339(finish));
        }
        if let Some(code) = self.exit_code {
            v["exitCode"] = json!(code);
        }
        v
    }
}

/// A container at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub current: State,
    pub previous: Option<State>,
    /// Restarts caused by the container exiting (not by PUT or restart).
    pub crash_restarts: u32,
    /// Back-off waits so far.
    pub back_offs: u32,
}

/// Where a container of `record` is at `now`.
pub fn phase(record: &CgRecord, container: &Value, now: i64, cycle_ms: i64) -> Phase {
    let since = record.run.running_since_ms;
    let waiting = |detail| Phase {
        current: State {
            state: "Waiting",
            detail,
            start_ms: since,
            finish_ms: None,
            exit_code: None,
        },
        previous: None,
        crash_restarts: 0,
        back_offs: 0,
    };
    if record.op.failed.is_some() {
        return waiting("ProvisioningFailed");
    }
    if record.op.is_running(now) {
        return waiting("ContainerCreating");
    }
    if let Some(stopped) = record.run.stopped_ms {
        let current = State {
            state: "Terminated",
            detail: "Stopped",
            start_ms: since.min(stopped),
            finish_ms: Some(stopped),
            exit_code: Some(0),
        };
        return Phase {
            current,
            previous: None,
            crash_restarts: 0,
            back_offs: 0,
        };
    }

    let cycle = cycle_ms.max(2);
    let elapsed = (now - since).max(0);
    let runs = elapsed / cycle;
    let policy = str_at(&record.body, "/properties/restartPolicy");
    let running = |start_ms| State {
        state: "Running",
        detail: "",
        start_ms,
        finish_ms: None,
        exit_code: None,
    };
    let exited = |start_ms, finish_ms, code, detail| State {
        state: "Terminated",
        detail,
        start_ms,
        finish_ms: Some(finish_ms),
        exit_code: Some(code),
    };

    match container_kind(container) {
        ImageKind::Service => Phase {
            current: running(since),
            previous: None,
            crash_restarts: 0,
            back_offs: 0,
        },
        ImageKind::CrashLoop if policy == "Never" => {
            let current = if elapsed >= cycle / 2 {
                exited(since, since + cycle / 2, 1, "Error")
            } else {
                running(since)
            };
            Phase {
                current,
                previous: None,
                crash_restarts: 0,
                back_offs: 0,
            }
        }
        ImageKind::CrashLoop => {
            let start = since + runs * cycle;
            let in_back_off = elapsed - runs * cycle >= cycle / 2;
            let last_exit = if in_back_off {
                Some(start)
            } else {
                (runs > 0).then(|| start - cycle)
            };
            let previous = last_exit.map(|s| exited(s, s + cycle / 2, 1, "Error"));
            let current = if in_back_off {
                State {
                    state: "Waiting",
                    detail: "CrashLoopBackOff",
                    start_ms: start + cycle / 2,
                    finish_ms: None,
                    exit_code: None,
                }
            } else {
                running(start)
            };
            let back_offs = (runs + i64::from(in_back_off)) as u32;
            Phase {
                current,
                previous,
                crash_restarts: runs as u32,
                back_offs,
            }
        }
        ImageKind::Job if policy != "Always" => {
            let current = if elapsed >= cycle {
                exited(since, since + cycle, 0, "Completed")
            } else {
                running(since)
            };
            Phase {
                current,
                previous: None,
                crash_restarts: 0,
                back_offs: 0,
            }
        }
        ImageKind::Job => {
            let start = since + runs * cycle;
            let previous = (runs > 0).then(|| exited(start - cycle, start, 0, "Completed"));
            Phase {
                current: running(start),
                previous,
                crash_restarts: runs as u32,
                back_offs: 0,
            }
        }
    }
}

/// `properties.provisioningState` at `now`.
pub fn provisioning_state(record: &CgRecord, now: i64) -> &'static str {
    if record.deleting.as_ref().is_some_and(|d| !d.is_done(now)) {
        return "Deleting";
    }
    let op = &record.op;
    if op.is_running(now) {
        let half = op.started_ms + (op.ends_ms - op.started_ms) / 2;
        return if op.stuck || now < half {
            "Pending"
        } else {
            "Creating"
        };
    }
    if op.failed.is_some() {
        "Failed"
    } else {
        "Succeeded"
    }
}

/// The group's `instanceView` and each container's (by lower-cased name) at `now`.
pub fn instance_views(record: &CgRecord, now: i64, cycle_ms: i64) -> (Value, Vec<(String, Value)>) {
    let mut views = Vec::new();
    let mut phases = Vec::new();
    for container in containers(&record.body) {
        let name = entry_name(container);
        let phase = phase(record, container, now, cycle_ms);
        let restarts = record.run.restarts.get(&name).copied().unwrap_or(0) + phase.crash_restarts;
        let mut view = json!({
            "restartCount": restarts,
            "currentState": phase.current.to_json(),
            "events": container_events(record, &name, &phase, now),
        });
        if let Some(previous) = &phase.previous {
            view["previousState"] = previous.to_json();
        }
        views.push((name, view));
        phases.push(phase);
    }

    let fresh = matches!(record.op.kind, OpKindRecord::Create | OpKindRecord::Start);
    let state = if record.run.stopped_ms.is_some() {
        "Stopped"
    } else if record.op.failed.is_some() || (fresh && record.op.is_running(now)) {
        "Pending"
    } else if !phases.is_empty() && phases.iter().all(|p| p.current.state == "Terminated") {
        if phases.iter().any(|p| p.current.exit_code != Some(0)) {
            "Failed"
        } else {
            "Succeeded"
        }
    } else {
        "Running"
    };
    let events: Vec<Value> = match &record.op.failed {
        Some(err) => vec![json!({
            "count": 1,
            "firstTimestamp": rfc3339(record.op.ends_ms),
            "lastTimestamp": rfc3339(record.op.ends_ms),
            "name": err.code,
            "message": err.message,
            "type": "Warning",
        })],
        None => Vec::new(),
    };
    (json!({ "state": state, "events": events }), views)
}

fn container_events(record: &CgRecord, name: &str, phase: &Phase, now: i64) -> Vec<Value> {
    let stored = record.run.events.get(name).map_or(&[][..], Vec::as_slice);
    let mut events: Vec<Value> = stored
        .iter()
        .filter(|e| e.first_ms <= now)
        .map(|e| {
            let extra = if e.name == "Started" {
                phase.crash_restarts
            } else {
                0
            };
            event_json(e, e.count + extra)
        })
        .collect();
    if phase.back_offs > 0 {
        let back_off = Event {
            name: "BackOff".into(),
            message: "Back-off restarting failed container".into(),
            kind: "Warning".into(),
            count: phase.back_offs,
            first_ms: record.run.running_since_ms,
            last_ms: phase.current.start_ms,
        };
        events.push(event_json(&back_off, back_off.count));
    }
    events
}

fn event_json(event: &Event, count: u32) -> Value {
    json!({
        "count": count,
        "firstTimestamp": rfc3339(event.first_ms),
        "lastTimestamp": rfc3339(event.last_ms),
        "name": event.name,
        "message": event.message,
        "type": event.kind,
    })
}

/// Starts a new deployment: every container pulled and started afresh when `op` ends.
pub fn deploy(record: &mut CgRecord, op: OpState) {
    record.run.running_since_ms = op.ends_ms;
    record.run.stopped_ms = None;
    record.run.restarts.clear();
    record.run.events.clear();
    for container in containers(&record.body).to_vec() {
        start_fresh(record, &container, &op);
    }
    record.op = op;
}

/// Restarts every container in place when `op` ends (a PUT of a running group or a
/// restart); containers new in the body are pulled and started instead.
pub fn restart_in_place(record: &mut CgRecord, op: OpState) {
    record.run.running_since_ms = op.ends_ms;
    let current: Vec<Value> = containers(&record.body).to_vec();
    let names: Vec<String> = current.iter().map(entry_name).collect();
    record.run.events.retain(|name, _| names.contains(name));
    record.run.restarts.retain(|name, _| names.contains(name));

    for container in &current {
        let name = entry_name(container);
        if !record.run.events.contains_key(&name) {
            start_fresh(record, container, &op);
            continue;
        }
        *record.run.restarts.entry(name.clone()).or_default() += 1;
        let events = record.run.events.entry(name).or_default();
        push_event(
            events,
            "Killing",
            "Killing container with id",
            "Normal",
            op.started_ms,
        );
        push_event(events, "Started", "Started container", "Normal", op.ends_ms);
    }
    record.op = op;
}

/// Stops every container now.
pub fn stop(record: &mut CgRecord, now: i64) {
    record.run.stopped_ms = Some(now);
    let names: Vec<String> = containers(&record.body).iter().map(entry_name).collect();
    for name in names {
        let events = record.run.events.entry(name).or_default();
        push_event(
            events,
            "Killing",
            "Killing container with id",
            "Normal",
            now,
        );
    }
}

fn start_fresh(record: &mut CgRecord, container: &Value, op: &OpState) {
    let image = str_at(container, "/properties/image").to_string();
    let events = record.run.events.entry(entry_name(container)).or_default();
    let pulled = op.started_ms + (op.ends_ms - op.started_ms) / 2;
    push_event(
        events,
        "Pulling",
        &format!("pulling image \"{image}\""),
        "Normal",
        op.started_ms,
    );
    push_event(
        events,
        "Pulled",
        &format!("Successfully pulled image \"{image}\""),
        "Normal",
        pulled,
    );
    push_event(events, "Started", "Started container", "Normal", op.ends_ms);
}

/// Adds an event, or counts it again when one with the same name and message exists.
fn push_event(events: &mut Vec<Event>, name: &str, message: &str, kind: &str, at: i64) {
    if let Some(existing) = events
        .iter_mut()
        .find(|e| e.name == name && e.message == message)
    {
        existing.count += 1;
        existing.last_ms = existing.last_ms.max(at);
        return;
    }
    events.push(Event {
        name: name.to_string(),
        message: message.to_string(),
        kind: kind.to_string(),
        count: 1,
        first_ms: at,
        last_ms: at,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::records::RunState;

    fn record(image: &str, policy: &str) -> CgRecord {
        let body = json!({ "properties": { "restartPolicy": policy,
            "containers": [{ "name": "app", "properties": { "image": image } }] } });
        let op = OpState {
            id: "o".into(),
            kind: OpKindRecord::Create,
            started_ms: 0,
            ends_ms: 100,
            failed: None,
            stuck: false,
        };
        let mut rec = CgRecord {
            sub: "s".into(),
            rg: "rg".into(),
            name: "g".into(),
            body,
            secure_env: Default::default(),
            created_ms: 0,
            op: op.clone(),
            run: RunState::default(),
            deleting: None,
        };
        deploy(&mut rec, op);
        rec
    }

    #[test]
    fn image_tags_select_behaviour() {
        assert_eq!(image_kind("nginx:1.25"), ImageKind::Service);
        assert_eq!(
            image_kind("registry:5000/app:crashloop"),
            ImageKind::CrashLoop
        );
        assert_eq!(image_kind("registry:5000/app"), ImageKind::Service);
        assert_eq!(image_kind("tools/migrate:job"), ImageKind::Job);
    }

    #[test]
    fn a_group_goes_pending_then_running() {
        let rec = record("nginx", "Always");
        assert_eq!(provisioning_state(&rec, 10), "Pending");
        assert_eq!(provisioning_state(&rec, 60), "Creating");
        assert_eq!(instance_views(&rec, 10, 40).0["state"], "Pending");
        assert_eq!(provisioning_state(&rec, 100), "Succeeded");
        assert_eq!(instance_views(&rec, 150, 40).0["state"], "Running");
    }

    #[test]
    fn crashloop_restart_counts_rise_with_back_off_events() {
        let rec = record("app:crashloop", "Always");
        let (_, views) = instance_views(&rec, 100 + 40 * 3 + 25, 40);
        let view = &views[0].1;
        assert_eq!(view["restartCount"], 3);
        assert_eq!(view["currentState"]["state"], "Waiting");
        let events = view["events"].as_array().expect("events");
        assert!(
            events
                .iter()
                .any(|e| e["name"] == "BackOff" && e["type"] == "Warning")
        );
    }

    #[test]
    fn jobs_complete_and_crashes_fail_under_never() {
        let job = record("tools/migrate:job", "Never");
        assert_eq!(instance_views(&job, 100 + 50, 40).0["state"], "Succeeded");
        let crash = record("app:crashloop", "Never");
        assert_eq!(instance_views(&crash, 100 + 50, 40).0["state"], "Failed");
    }

    #[test]
    fn in_place_restarts_are_counted() {
        let mut rec = record("nginx", "Always");
        let op = OpState {
            id: "o2".into(),
            kind: OpKindRecord::Update,
            started_ms: 200,
            ends_ms: 300,
            failed: None,
            stuck: false,
        };
        restart_in_place(&mut rec, op);
        let (_, views) = instance_views(&rec, 400, 40);
        assert_eq!(views[0].1["restartCount"], 1);
    }
}
