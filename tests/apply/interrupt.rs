//! Interrupts: Ctrl-C stops new work, lets what runs finish and prints the summary; a
//! second Ctrl-C stops waiting and reports what ran as unknown; even a killed apply
//! leaves nothing half-known. Each time, a new plan shows exactly what is left and
//! the next apply converges.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aciform::emulator::EmulatorConfig;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout};

use super::{Fixture, group_toml, head};
use crate::support::aciform_async;

const KEYS: [&str; 4] = ["a", "b", "c", "d"];

/// Four independent groups whose deployments take `operation` each.
async fn slow_stack(operation: Duration) -> Fixture {
    let mut toml = head("interrupted", "rg-interrupted");
    for key in KEYS {
        toml += &group_toml(key, "nginx:1.27", "", "");
    }
    let config = EmulatorConfig {
        operation_time: operation,
        ..EmulatorConfig::for_tests()
    };
    Fixture::new(config, &toml).await
}

/// An apply running in a child process, its stdout read line by line.
struct Running {
    child: Child,
    lines: tokio::io::Lines<BufReader<ChildStdout>>,
    stdout: String,
    /// Filled by a background task as the child writes it.
    stderr: Arc<Mutex<String>>,
    stderr_task: tokio::task::JoinHandle<()>,
}

impl Running {
    async fn start(fx: &Fixture) -> Running {
        let env = fx.env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let stack = fx.stack();
        let mut child = aciform_async(&env)
            .args(["apply", stack.to_str().unwrap(), "--auto-approve"])
            .args(["--parallelism", "2"])
            .spawn()
            .expect("aciform starts");
        let lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut err = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let stderr_task = tokio::spawn(async move {
            while let Ok(Some(line)) = err.next_line().await {
                if let Ok(mut text) = sink.lock() {
                    text.push_str(&format!("{line}\n"));
                }
            }
        });
        Running {
            child,
            lines,
            stdout: String::new(),
            stderr,
            stderr_task,
        }
    }

    /// Waits until the child has written `needle` to stderr.
    async fn wait_for_stderr(&self, needle: &str) {
        for _ in 0..500 {
            if self.stderr.lock().is_ok_and(|text| text.contains(needle)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "no {needle:?} on stderr: {:?}",
            self.stderr.lock().map(|t| t.clone())
        );
    }

    /// Reads until `count` container groups have started being created.
    async fn wait_for_creates(&mut self, count: usize) {
        let needle = "Creating...";
        let read = async {
            while creating_groups(&self.stdout).len() < count {
                match self.lines.next_line().await.expect("stdout is readable") {
                    Some(line) => self.stdout.push_str(&format!("{line}\n")),
                    None => panic!(
                        "aciform ended before {count} x {needle:?}:\n{}",
                        self.stdout
                    ),
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(30), read)
            .await
            .unwrap_or_else(|_| panic!("no {count} x {needle:?} in:\n{}", self.stdout));
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.id().expect("the child runs").to_string();
        let status = std::process::Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Reads the rest and waits for the exit; returns (exit code, stdout, stderr).
    async fn finish(mut self) -> (Option<i32>, String, String) {
        let rest = async {
            while let Some(line) = self.lines.next_line().await.expect("stdout is readable") {
                self.stdout.push_str(&format!("{line}\n"));
            }
            self.child.wait().await.expect("the child ends")
        };
        let status = tokio::time::timeout(Duration::from_secs(30), rest)
            .await
            .expect("aciform ends after the interrupt");
        let _ = self.stderr_task.await;
        let stderr = self.stderr.lock().map(|t| t.clone()).unwrap_or_default();
        (status.code(), self.stdout, stderr)
    }
}

fn creating_groups(out: &str) -> Vec<&'static str> {
    KEYS.into_iter()
        .filter(|k| out.contains(&format!("container_group.{k}: Creating...")))
        .collect()
}

/// After the interrupted apply: the plan creates exactly the groups that do not exist,
/// `expected_left` among them, and an apply converges.
async fn converges_after(fx: &Fixture, expected_left: &[&str]) {
    let mut left = Vec::new();
    for key in KEYS {
        fx.settle("rg-interrupted", key).await;
        if fx.group("rg-interrupted", key).await.is_none() {
            left.push(key);
        }
    }
    for key in expected_left {
        assert!(left.contains(key), "{key} should not exist: {left:?}");
    }
    let plan = fx.plan().await;
    assert_eq!(plan.code, Some(2), "{}", plan.both());
    for key in KEYS {
        let create = format!("container_group.{key} will be created");
        assert_eq!(
            plan.stdout.contains(&create),
            left.contains(&key),
            "{key}: {}",
            plan.stdout
        );
    }
    let summary = format!("Plan: {} to add, 0 to change, 0 to destroy.", left.len());
    assert!(plan.stdout.contains(&summary), "{}", plan.stdout);
    fx.apply_ok(&[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_lets_running_operations_finish_and_reports_the_rest() {
    // Long enough that the interrupt surely lands while the first two run.
    let fx = slow_stack(Duration::from_millis(2500)).await;
    let mut apply = Running::start(&fx).await;
    apply.wait_for_creates(2).await;
    apply.signal("-INT");
    let (code, out, err) = apply.finish().await;

    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(
        err.contains("Interrupt received: starting nothing new"),
        "{err}"
    );
    let ran = creating_groups(&out);
    assert_eq!(ran.len(), 2, "{out}");
    for key in &ran {
        let done = format!("container_group.{key}: Creation complete");
        assert!(out.contains(&done), "running work finishes: {out}");
    }
    let left: Vec<&str> = KEYS.into_iter().filter(|k| !ran.contains(k)).collect();
    assert!(out.contains("Not started (interrupted):"), "{out}");
    for key in &left {
        assert!(out.contains(&format!("  container_group.{key}\n")), "{out}");
    }
    assert!(!out.contains("Unknown"), "{out}");
    assert!(out.contains("Apply failed. Resources: 3 added"), "{out}");

    converges_after(&fx, &left).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ctrl_c_stops_waiting_and_reports_running_work_as_unknown() {
    let fx = slow_stack(Duration::from_secs(3)).await;
    let mut apply = Running::start(&fx).await;
    apply.wait_for_creates(2).await;
    apply.signal("-INT");
    apply.wait_for_stderr("Interrupt received").await;
    apply.signal("-INT");
    let (code, out, err) = apply.finish().await;

    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(err.contains("Stopped waiting."), "{err}");
    let ran = creating_groups(&out);
    assert_eq!(ran.len(), 2, "{out}");
    let unknown = line_index(&out, "Unknown (interrupted while running");
    let not_started = line_index(&out, "Not started (interrupted):");
    for key in &ran {
        assert!(
            !out.contains(&format!("container_group.{key}: Creation complete")),
            "{out}"
        );
        let at = line_index(&out, &format!("  container_group.{key}\n"));
        assert!(at > unknown, "{key} is unknown: {out}");
    }
    let left: Vec<&str> = KEYS.into_iter().filter(|k| !ran.contains(k)).collect();
    for key in &left {
        let at = line_index(&out, &format!("  container_group.{key}\n"));
        assert!(
            at > not_started && at < unknown,
            "{key} was not started: {out}"
        );
    }

    // The PUTs that were in flight went through: what is left is what never started.
    converges_after(&fx, &left).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_apply_leaves_nothing_a_second_apply_cannot_finish() {
    let fx = slow_stack(Duration::from_millis(1500)).await;
    let mut apply = Running::start(&fx).await;
    apply.wait_for_creates(2).await;
    apply.signal("-KILL");
    let (code, out, _) = apply.finish().await;
    assert_eq!(code, None, "killed by the signal: {out}");

    // Whether the last PUTs went out before the kill is unknown: the plan says.
    let ran = creating_groups(&out);
    assert!(!ran.is_empty(), "{out}");
    let left: Vec<&str> = KEYS.into_iter().filter(|k| !ran.contains(k)).collect();
    converges_after(&fx, &left).await;
}

/// The line number of the first line containing `needle` (which may end in `\n`).
fn line_index(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in:\n{text}"));
    text[..at].matches('\n').count()
}
