//! `aciform apply` and `aciform destroy` end to end: the real binary against an
//! emulator started in the test on 127.0.0.1:0 (reached through ACIFORM_ENDPOINT), so
//! each test can slow it down, make it fail or throttle, and read its counters.
//!
//! Every successful apply is followed by a plan that must show no changes.

mod destroy;
mod failures;
mod interrupt;
mod live;
mod order;
mod parallel;
mod run_state;
mod saved_plan;

use std::path::PathBuf;
use std::time::Duration;

use aciform::emulator::{EmulatorConfig, EmulatorHandle, start};
use serde_json::Value;

use crate::support::{CliRun, run_aciform};

pub const SUB: &str = "00000000-0000-0000-0000-000000000000";

/// A stack directory and the emulator it is applied to.
pub struct Fixture {
    pub cloud: EmulatorHandle,
    dir: tempfile::TempDir,
}

impl Fixture {
    /// An emulator with `config` and a stack made of `toml`.
    pub async fn new(config: EmulatorConfig, toml: &str) -> Fixture {
        let cloud = start(config, "127.0.0.1:0".parse().expect("address"))
            .await
            .expect("the emulator starts");
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::create_dir(dir.path().join("stack")).expect("the stack directory");
        let fixture = Fixture { cloud, dir };
        fixture.write(toml);
        fixture
    }

    /// An emulator with the test settings (operations take ~20 ms).
    pub async fn quick(toml: &str) -> Fixture {
        Fixture::new(EmulatorConfig::for_tests(), toml).await
    }

    /// Replaces the stack's only file.
    pub fn write(&self, toml: &str) {
        std::fs::write(self.stack().join("main.toml"), toml).expect("the stack is written");
    }

    /// The stack directory.
    pub fn stack(&self) -> PathBuf {
        self.dir.path().join("stack")
    }

    /// A path for files beside the stack (saved plans).
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The environment that points the CLI at this emulator.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![("ACIFORM_ENDPOINT".into(), self.cloud.base_url())]
    }

    /// `aciform ARGS` against this emulator.
    pub async fn run(&self, args: &[&str]) -> CliRun {
        self.run_with_env(args, &[]).await
    }

    /// `aciform ARGS` against this emulator, with more environment variables.
    pub async fn run_with_env(&self, args: &[&str], extra: &[(&str, &str)]) -> CliRun {
        let env = self.env();
        let mut env: Vec<(&str, &str)> =
            env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        env.extend_from_slice(extra);
        run_aciform(args, &env).await
    }

    /// `aciform apply STACK --auto-approve EXTRA...`.
    pub async fn apply(&self, extra: &[&str]) -> CliRun {
        let stack = self.stack();
        let mut args = vec!["apply", path(&stack), "--auto-approve"];
        args.extend_from_slice(extra);
        self.run(&args).await
    }

    /// An apply that must succeed, followed by a plan that must show no changes.
    pub async fn apply_ok(&self, extra: &[&str]) -> CliRun {
        let run = self.apply(extra).await;
        assert_eq!(run.code, Some(0), "{}", run.both());
        assert!(run.stdout.contains("Apply complete!"), "{}", run.both());
        self.assert_converged().await;
        run
    }

    /// `aciform destroy STACK --auto-approve`.
    pub async fn destroy(&self) -> CliRun {
        let stack = self.stack();
        self.run(&["destroy", path(&stack), "--auto-approve"]).await
    }

    /// `aciform plan STACK --detailed-exitcode`.
    pub async fn plan(&self) -> CliRun {
        let stack = self.stack();
        self.run(&["plan", path(&stack), "--detailed-exitcode"])
            .await
    }

    /// Plan shows no changes: live state is what the stack says.
    pub async fn assert_converged(&self) {
        let plan = self.plan().await;
        assert_eq!(plan.code, Some(0), "plan shows changes:\n{}", plan.both());
        assert!(plan.stdout.contains("No changes"), "{}", plan.both());
    }

    /// GET of an ARM path on the emulator (`None` on 404).
    pub async fn arm_get(&self, path: &str) -> Option<Value> {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.cloud.base_url()))
            .bearer_auth("test")
            .send()
            .await
            .expect("the emulator answers");
        if response.status().as_u16() == 404 {
            return None;
        }
        assert!(response.status().is_success(), "{response:?}");
        Some(response.json().await.expect("JSON"))
    }

    /// A request with a body to the emulator; returns the status and the body.
    pub async fn arm_send(&self, method: reqwest::Method, path: &str, body: &Value) -> u16 {
        let response = reqwest::Client::new()
            .request(method, format!("{}{path}", self.cloud.base_url()))
            .bearer_auth("test")
            .json(body)
            .send()
            .await
            .expect("the emulator answers");
        response.status().as_u16()
    }

    /// The container group `name` in `rg`, with its instance view.
    pub async fn group(&self, rg: &str, name: &str) -> Option<Value> {
        self.arm_get(&group_path(rg, name)).await
    }

    /// Waits until the group's last operation has ended (a PUT left running by a
    /// killed apply, say).
    pub async fn settle(&self, rg: &str, name: &str) {
        for _ in 0..100 {
            let state = self.group(rg, name).await.and_then(|g| {
                g.pointer("/properties/provisioningState")
                    .and_then(Value::as_str)
                    .map(String::from)
            });
            if !matches!(state.as_deref(), Some("Pending" | "Creating" | "Updating")) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{rg}/{name} never settled");
    }
}

/// `/subscriptions/SUB/resourceGroups/RG/providers/…/containerGroups/NAME?api-version=…`.
pub fn group_path(rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.ContainerInstance/\
         containerGroups/{name}?api-version=2025-09-01"
    )
}

/// `/subscriptions/SUB/resourcegroups/RG?api-version=…`.
pub fn rg_path(rg: &str) -> String {
    format!("/subscriptions/{SUB}/resourcegroups/{rg}?api-version=2024-11-01")
}

fn path(p: &std::path::Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// The index of the first line of `text` containing `needle`; fails naming both.
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line contains {needle:?} in:\n{text}"))
}

/// The most steps running at once, from the progress lines: `X: Creating...` starts
/// one, `X: Creation complete`/`failed` ends it (events print in the order they
/// happen, so this is the executor's own count).
pub fn peak_running(text: &str) -> usize {
    let (mut now, mut peak) = (0usize, 0usize);
    for line in text.lines() {
        let Some((_, what)) = line.split_once(": ") else {
            continue;
        };
        let starts = [
            "Creating...",
            "Modifying...",
            "Destroying...",
            "Starting...",
            "Stopping...",
        ]
        .iter()
        .any(|s| what.starts_with(s));
        if starts {
            now += 1;
            peak = peak.max(now);
        } else if what.contains(" complete after ") || what.contains(" failed after ") {
            now = now.saturating_sub(1);
        }
    }
    peak
}

/// A container group `key` in `resource_group.main` with a public IP (unless `group`
/// sets `ip_address`) and one container `app` running `image` on port 80; `group` lines
/// go into the group's table and `container` lines into the container's.
pub fn group_toml(key: &str, image: &str, group: &str, container: &str) -> String {
    let ip = if group.contains("ip_address") {
        ""
    } else {
        r#"ip_address = { type = "Public" }"#
    };
    format!(
        r#"
[container_group.{key}]
resource_group = "main"
{ip}
{group}

[[container_group.{key}.containers]]
name = "app"
image = "{image}"
cpu = 0.5
memory_gb = 0.5
ports = [80]
{container}
"#
    )
}

/// A stack head: `[stack]` named `name` and `[resource_group.main]` named `rg`.
pub fn head(name: &str, rg: &str) -> String {
    format!(
        r#"[stack]
name = "{name}"
location = "westeurope"

[resource_group.main]
name = "{rg}"
"#
    )
}
