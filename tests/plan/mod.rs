//! The planner against the emulator, through the library: the plan of each scenario in
//! all three renderings (snapshots), and one regression test per kind of noise, built
//! as "the user wrote X, Azure returns Y, the plan says no changes".

mod noise;
mod scenarios;

use std::collections::BTreeMap;

use aciform::apply::ApplyReport;
use aciform::arm::{ArmClient, ClientConfig, Credential, Secret};
use aciform::emulator::{EmulatorConfig, EmulatorHandle, LOCAL_SUBSCRIPTION, start};
use aciform::graph::ResourceGraph;
use aciform::plan::live::{LiveState, ReadOptions, read_live};
use aciform::plan::planner::{PlanRequest, PlannedStack, build_plan};
use aciform::plan::{TargetInfo, TargetKind};
use aciform::spec::{LoadOptions, Stack, load_stack};
use serde_json::Value;

use crate::support::execute;

/// An emulator, a client for it and a stack directory to write TOML into.
pub struct Lab {
    pub cloud: EmulatorHandle,
    pub client: ArmClient,
    pub dir: tempfile::TempDir,
    /// The environment `${env.…}` reads.
    pub env: BTreeMap<String, String>,
}

impl Lab {
    pub async fn new() -> Lab {
        Lab::with(EmulatorConfig::for_tests()).await
    }

    /// A lab whose emulator has `config`.
    pub async fn with(config: EmulatorConfig) -> Lab {
        let cloud = start(config, "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("emulator starts");
        let url = url::Url::parse(&cloud.base_url()).expect("url");
        let credential = Credential::Static(Secret::new("test-token"));
        let mut config = ClientConfig::new(url, LOCAL_SUBSCRIPTION, credential);
        config.default_poll_interval = std::time::Duration::from_millis(10);
        let client = ArmClient::new(config).expect("client");
        let dir = tempfile::tempdir().expect("temp dir");
        Lab {
            cloud,
            client,
            dir,
            env: BTreeMap::new(),
        }
    }

    /// Writes the stack (one file, replacing what was there).
    pub fn write(&self, toml: &str) {
        std::fs::write(self.dir.path().join("main.toml"), toml).expect("write stack");
    }

    pub fn load(&self) -> (Stack, ResourceGraph) {
        let opts = LoadOptions {
            vars: vec![],
            env: self.env.clone(),
        };
        let stack = load_stack(self.dir.path(), &opts).expect("the stack loads");
        let graph = ResourceGraph::build(&stack).expect("the graph builds");
        (stack, graph)
    }

    pub async fn plan(&self) -> (PlannedStack, LiveState, Stack, ResourceGraph) {
        self.plan_with(false).await
    }

    /// The plan's errors (it must fail).
    pub async fn plan_errors(&self) -> Vec<String> {
        let (stack, graph) = self.load();
        let live = read_live(&self.client, &stack, &ReadOptions::default())
            .await
            .expect("read");
        let request = PlanRequest {
            stack: &stack,
            graph: &graph,
            live: &live,
            subscription: LOCAL_SUBSCRIPTION,
            target: TargetInfo {
                kind: TargetKind::Local,
                endpoint: "http://127.0.0.1".into(),
                subscription: LOCAL_SUBSCRIPTION.into(),
            },
            only: None,
            destroy: false,
        };
        let errors = build_plan(&request).expect_err("the plan is refused");
        errors
            .errors()
            .iter()
            .map(|e| e.message().to_string())
            .collect()
    }

    pub async fn plan_with(
        &self,
        destroy: bool,
    ) -> (PlannedStack, LiveState, Stack, ResourceGraph) {
        let (stack, graph) = self.load();
        let live = read_live(&self.client, &stack, &ReadOptions::default())
            .await
            .expect("read");
        let target = TargetInfo {
            kind: TargetKind::Local,
            endpoint: "http://127.0.0.1".into(),
            subscription: LOCAL_SUBSCRIPTION.into(),
        };
        let request = PlanRequest {
            stack: &stack,
            graph: &graph,
            live: &live,
            subscription: LOCAL_SUBSCRIPTION,
            target,
            only: None,
            destroy,
        };
        let planned = build_plan(&request).expect("the plan builds");
        (planned, live, stack, graph)
    }

    /// Plans and applies; panics unless everything succeeded.
    pub async fn apply(&self) -> ApplyReport {
        let (planned, live, stack, graph) = self.plan().await;
        let report = execute(&self.client, stack, live, &graph, planned.steps, 4).await;
        let failures: Vec<_> = report
            .results
            .iter()
            .filter(|(_, r)| !matches!(r, aciform::apply::StepResult::Done(_)))
            .collect();
        assert!(failures.is_empty(), "apply failed: {failures:?}");
        report
    }

    /// A raw ARM call (for changes made "outside aciform").
    pub async fn arm(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let version = if path.contains("Microsoft.ContainerInstance") {
            "2025-09-01"
        } else {
            "2024-11-01"
        };
        let url = format!(
            "{}/subscriptions/{LOCAL_SUBSCRIPTION}{path}?api-version={version}",
            self.cloud.base_url()
        );
        let mut req = reqwest::Client::new()
            .request(method, url)
            .bearer_auth("test-token");
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("arm call");
        let status = resp.status();
        let value = resp.json::<Value>().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{status}: {value}");
        value
    }

    /// Waits until the group's provisioning is over (PUTs made with `arm` return early).
    pub async fn settle(&self) {
        tokio::time::sleep(std::time::Duration::from_millis(80)).await;
    }
}

/// The plan in all three renderings, for one snapshot.
pub fn renderings(planned: &PlannedStack) -> String {
    let plan = &planned.plan;
    let text = format!(
        "{}\n----- markdown -----\n{}\n----- json -----\n{}",
        aciform::render::plan_text(plan, false),
        aciform::render::plan_markdown(plan),
        aciform::render::plan_json(plan)
    );
    without_ips(&text)
}

/// The text with every IPv4 address replaced by `<ip>`: the emulator assigns them as
/// Azure does, in an order that depends on timing, so snapshots must not pin them.
pub fn without_ips(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let end = ipv4_prefix_len(rest);
        if end > 0 {
            out.push_str("<ip>");
            rest = &rest[end..];
        } else {
            let ch = rest.chars().next().unwrap_or(' ');
            out.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
    }
    out
}

/// Length of a dotted quad at the start of `s`, or 0.
fn ipv4_prefix_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut i = 0;
    for part in 0..4 {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() && i - start < 3 {
            i += 1;
        }
        if i == start {
            return 0;
        }
        if part < 3 {
            if bytes.get(i) != Some(&b'.') {
                return 0;
            }
            i += 1;
        }
    }
    if bytes
        .get(i)
        .is_some_and(|b| b.is_ascii_digit() || *b == b'.')
    {
        0
    } else {
        i
    }
}

/// One line per resource: `address action`.
pub fn actions(planned: &PlannedStack) -> Vec<String> {
    planned
        .plan
        .changes
        .iter()
        .map(|c| format!("{} {:?}", c.address, c.action))
        .collect()
}
