//! Performance targets that are deterministic: how many ARM requests a plan sends.
//! Time is measured by `cargo bench --bench scale` (docs/performance.md); counting
//! requests is not a matter of time, so the count targets are asserted here, with the
//! issue's shape (1,000 container groups in 50 resource groups) on an emulator without
//! latency.

use crate::support::stack_gen::{StackShape, write_stack};
use crate::support::{aciform, execute};
use aciform::apply::StepResult;
use aciform::arm::{ArmClient, ClientConfig, Credential, Secret};
use aciform::emulator::{EmulatorConfig, EmulatorHandle, LOCAL_SUBSCRIPTION, LOCAL_TOKEN, start};
use aciform::graph::ResourceGraph;
use aciform::plan::live::{LiveGroup, ReadOptions, read_live, start_reading};
use aciform::plan::planner::{PlanRequest, PlannedStack, build_plan, build_plan_with};
use aciform::plan::prelower::{Prelowered, prelower};
use aciform::plan::{TargetInfo, TargetKind};
use aciform::spec::{LoadOptions, Stack, load_stack};

/// A generated stack and an emulator without a quota for it.
struct ScaleLab {
    cloud: EmulatorHandle,
    client: ArmClient,
    dir: tempfile::TempDir,
}

impl ScaleLab {
    async fn new(shape: StackShape) -> ScaleLab {
        let config = EmulatorConfig {
            quota: 0,
            operation_time: std::time::Duration::ZERO,
            ..EmulatorConfig::for_tests()
        };
        let cloud = start(config, "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("emulator starts");
        let url = url::Url::parse(&cloud.base_url()).expect("url");
        let credential = Credential::Static(Secret::new(LOCAL_TOKEN));
        let mut config = ClientConfig::new(url, LOCAL_SUBSCRIPTION, credential);
        config.default_poll_interval = std::time::Duration::from_millis(5);
        let client = ArmClient::new(config).expect("client");
        let dir = tempfile::tempdir().expect("temp dir");
        write_stack(dir.path(), "bench", shape).expect("the stack is written");
        ScaleLab { cloud, client, dir }
    }

    fn load(&self) -> (Stack, ResourceGraph) {
        let stack = load_stack(self.dir.path(), &LoadOptions::default()).expect("loads");
        let graph = ResourceGraph::build(&stack).expect("graph");
        (stack, graph)
    }

    async fn plan(&self, stack: &Stack, graph: &ResourceGraph) -> (PlannedStack, u64) {
        self.plan_ahead(stack, graph, false).await
    }

    /// Plans, with the desired forms lowered ahead (as the CLI does) when `ahead`.
    async fn plan_ahead(
        &self,
        stack: &Stack,
        graph: &ResourceGraph,
        ahead: bool,
    ) -> (PlannedStack, u64) {
        let before = self.client.stats().requests;
        // As the CLI does: lowered ahead, and compared as each answer arrives.
        let mut prelowered = match ahead {
            true => prelower(stack, LOCAL_SUBSCRIPTION),
            false => Prelowered::default(),
        };
        let mut arrived = |group: &LiveGroup| prelowered.prepare(stack, group);
        let live = start_reading(&self.client, stack)
            .finish_with(&self.client, stack, &ReadOptions::default(), &mut arrived)
            .await
            .expect("live state is read");
        let requests = self.client.stats().requests - before;
        let request = PlanRequest {
            stack,
            graph,
            live: &live,
            subscription: LOCAL_SUBSCRIPTION,
            target: TargetInfo {
                kind: TargetKind::Endpoint,
                endpoint: self.cloud.base_url(),
                subscription: LOCAL_SUBSCRIPTION.into(),
            },
            only: None,
            destroy: false,
        };
        let planned = if ahead {
            build_plan_with(&request, Some(&prelowered))
        } else {
            build_plan(&request)
        };
        (planned.expect("the plan builds"), requests)
    }

    /// Creates everything the stack declares, through the executor.
    async fn apply(&self) {
        let (stack, graph) = self.load();
        let (planned, _) = self.plan(&stack, &graph).await;
        let live = read_live(&self.client, &stack, &ReadOptions::default())
            .await
            .expect("read");
        let report = execute(&self.client, stack, live, &graph, planned.steps, 64).await;
        let failed = report
            .results
            .iter()
            .filter(|(_, r)| !matches!(r, StepResult::Done(_)))
            .count();
        assert_eq!(failed, 0, "every create succeeds");
    }
}

/// A plan reads one LIST of resource groups and one LIST of container groups per
/// resource group: 51 requests for 1,000 groups in 50 resource groups (the target is at
/// most 60), none of them per container group.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_of_a_thousand_groups_sends_one_request_per_resource_group() {
    let shape = StackShape::LARGE;
    let lab = ScaleLab::new(shape).await;
    lab.apply().await;

    // Through the library: the client's own count, and the plan is all up to date.
    let (stack, graph) = lab.load();
    lab.cloud.reset_stats();
    let (planned, requests) = lab.plan(&stack, &graph).await;
    assert!(!planned.plan.has_changes(), "{:?}", planned.plan.summary);
    assert_eq!(planned.plan.changes.len(), 1050);
    assert_eq!(requests, 1 + shape.resource_groups as u64);
    let stats = lab.cloud.stats();
    assert_eq!(stats.total, 51, "{stats:?}");
    assert_eq!(stats.kind("list"), 51, "{stats:?}");

    // Lowering ahead of live state changes nothing in the plan.
    let (ahead, _) = lab.plan_ahead(&stack, &graph, true).await;
    assert_eq!(
        aciform::render::plan_json(&ahead.plan),
        aciform::render::plan_json(&planned.plan)
    );
    assert_eq!(ahead.reads, planned.reads);
    assert_eq!(prelower(&stack, LOCAL_SUBSCRIPTION).len(), 1000);

    // Through the CLI in its own process, as users and the benchmark run it.
    lab.cloud.reset_stats();
    aciform()
        .arg("plan")
        .arg(lab.dir.path())
        .arg("--detailed-exitcode")
        .env("ACIFORM_ENDPOINT", lab.cloud.base_url())
        .env("ACIFORM_TOKEN", LOCAL_TOKEN)
        .assert()
        .code(0);
    let stats = lab.cloud.stats();
    assert!(stats.total <= 60, "{stats:?}");
    assert_eq!(stats.total, 51, "{stats:?}");
}

/// The count grows with resource groups, not with container groups: twenty times
/// fewer container groups over the same resource groups cost the same requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_count_does_not_grow_with_container_groups() {
    let shape = StackShape {
        groups: 50,
        resource_groups: 50,
    };
    let lab = ScaleLab::new(shape).await;
    lab.apply().await;

    let (stack, graph) = lab.load();
    lab.cloud.reset_stats();
    let (planned, requests) = lab.plan(&stack, &graph).await;
    assert!(!planned.plan.has_changes());
    assert_eq!(requests, 51);
    assert_eq!(lab.cloud.stats().total, 51);
}

/// Where lowering ahead cannot foresee a value (an IP, an FQDN, a live location) or
/// foresees it wrongly, the planner lowers the group itself: the plan is the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lowering_ahead_never_changes_a_plan() {
    let lab = ScaleLab::new(StackShape {
        groups: 1,
        resource_groups: 1,
    })
    .await;
    let example = crate::support::repo_root().join("specs/examples/multi-rg");
    for entry in std::fs::read_dir(&example).expect("example") {
        let path = entry.expect("entry").path();
        let to = lab.dir.path().join(path.file_name().expect("name"));
        std::fs::copy(&path, to).expect("copy");
    }
    // The example's stack.toml replaced the generated one; its groups go too.
    std::fs::remove_file(lab.dir.path().join("rg-bench-000.toml")).expect("remove");

    for round in 0..2 {
        let (stack, graph) = lab.load();
        let (plain, _) = lab.plan_ahead(&stack, &graph, false).await;
        let (ahead, _) = lab.plan_ahead(&stack, &graph, true).await;
        assert_eq!(
            aciform::render::plan_json(&ahead.plan),
            aciform::render::plan_json(&plain.plan),
            "round {round}"
        );
        let steps = |p: &PlannedStack| {
            let digest = |s: &aciform::plan::step::Step| {
                (s.address.to_string(), s.action, s.desired.entries.len())
            };
            p.steps.iter().map(digest).collect::<Vec<_>>()
        };
        assert_eq!(steps(&ahead), steps(&plain));
        if round == 0 {
            lab.apply().await;
        }
    }
}

/// Groups compared with their forms lowered ahead as their answers arrive plan exactly
/// as the planner compares them itself: changed images and secrets, an ignored change,
/// and a group the plan reads again by GET (a stopped one), whose comparison ahead was
/// of an earlier read and must not be used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comparing_ahead_never_changes_a_plan() {
    let lab = ScaleLab::new(StackShape {
        groups: 20,
        resource_groups: 2,
    })
    .await;
    lab.apply().await;
    let edit = |file: &str, from: &str, to: &str| {
        let path = lab.dir.path().join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{file} has {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    };
    edit(
        "stack.toml",
        "image_tag = \"1.27.3\"",
        "image_tag = \"1.27.4\"",
    );
    edit(
        "rg-bench-000.toml",
        "token-0000-not-a-real-secret",
        "token-0000-rotated",
    );
    let ignored = "tags = { tier = \"api\", index = \"4\" }";
    let ignoring = "tags = { tier = \"api\", index = \"four\" }\n\
                    lifecycle = { ignore_changes = [\"tags.index\"] }";
    edit("rg-bench-000.toml", ignored, ignoring);
    let running = "tags = { tier = \"worker\", index = \"2\" }";
    edit(
        "rg-bench-000.toml",
        running,
        &format!("{running}\nstate = \"stopped\""),
    );

    let (stack, graph) = lab.load();
    let (plain, _) = lab.plan_ahead(&stack, &graph, false).await;
    let (ahead, _) = lab.plan_ahead(&stack, &graph, true).await;
    let json = aciform::render::plan_json(&ahead.plan);
    assert_eq!(json, aciform::render::plan_json(&plain.plan));
    let s = &ahead.plan.summary;
    assert_eq!((s.update, s.create, s.delete), (20, 0, 0), "{s:?}");
    let address = |a: &str| ahead.plan.changes.iter().find(|c| c.address == a);
    let stopping = address("container_group.app-0002").expect("planned");
    assert!(stopping.attributes.iter().any(|a| a.path == "state"));
    let ignoring = address("container_group.app-0004").expect("planned");
    assert!(ignoring.attributes.iter().all(|a| a.path != "tags.index"));
    let rotated = address("container_group.app-0000").expect("planned");
    assert!(
        rotated.attributes.iter().any(|a| a.sensitive),
        "{rotated:?}"
    );
}
