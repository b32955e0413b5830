//! The executor: carries out a plan's steps over the resource graph as fast as ARM
//! allows and reports exactly what happened.
//!
//! Three phases: container groups that leave the stack are deleted first (dependents
//! before what they depend on), then the graph is walked (creates, updates, replaces,
//! starts and stops, each as soon as its dependencies are done), then resource groups
//! that leave the stack are deleted. Work runs in parallel under a cap; a failure fails
//! only its own resource and what depends on it. Progress goes out as `Event`s; only
//! the CLI prints.

mod phase;
mod resource_group;
mod run;
mod schedule;
mod verify;
pub mod walk;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, watch};

use crate::arm::ArmClient;
use crate::graph::ResourceGraph;
use crate::plan::Action;
use crate::plan::live::{FQDN, IP, LiveState, at};
use crate::plan::step::Step;
use crate::render::progress::Step as Phase;
use crate::spec::{Address, Reference, ResourceKind, Stack};

pub use verify::unlanded_changes;
use walk::NodeOutcome;
pub use walk::Stop;

/// Progress of an apply, for the CLI to print.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Started {
        address: String,
        phase: Phase,
        id: Option<String>,
    },
    Still {
        address: String,
        phase: Phase,
        elapsed: Duration,
    },
    Completed {
        address: String,
        phase: Phase,
        elapsed: Duration,
        id: Option<String>,
    },
    Failed {
        address: String,
        phase: Phase,
        elapsed: Duration,
    },
    /// Something worth saying that is not a failure.
    Note { address: String, message: String },
}

/// What a finished step produced: its id and attributes others may reference.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepOutput {
    pub id: Option<String>,
    pub attrs: BTreeMap<String, String>,
}

/// Why a step failed, with ARM's code and message verbatim.
#[derive(Debug, Clone, PartialEq)]
pub struct StepFailure {
    pub address: String,
    pub phase: Phase,
    /// The error as ARM (or the client) put it.
    pub message: String,
    /// ARM's error code, when ARM answered with one.
    pub code: Option<String>,
}

impl StepFailure {
    fn new(step: &Step, phase: Phase, message: String, code: Option<String>) -> StepFailure {
        StepFailure {
            address: step.address.to_string(),
            phase,
            message,
            code,
        }
    }
}

/// The outcome of every step, in the order the steps were given.
#[derive(Debug, Clone)]
pub struct ApplyReport {
    pub results: Vec<(Step, StepResult)>,
}

/// What became of one step.
#[derive(Debug, Clone, PartialEq)]
pub enum StepResult {
    Done(StepOutput),
    Failed(StepFailure),
    /// Not run because a resource it depends on failed (named).
    Skipped {
        because: String,
    },
    /// Not started because the apply was interrupted.
    NotStarted,
    /// Interrupted while running: what happened in Azure is unknown until the next plan.
    Unknown,
}

impl ApplyReport {
    /// Whether every step succeeded.
    pub fn is_success(&self) -> bool {
        self.results
            .iter()
            .all(|(_, r)| matches!(r, StepResult::Done(_)))
    }
}

/// Everything a step needs, shared by the tasks running steps.
pub struct ApplyContext {
    pub client: ArmClient,
    pub stack: Arc<Stack>,
    /// Live state the plan was made from (values of untouched resources).
    pub live: Arc<LiveState>,
    pub subscription: String,
    events: mpsc::UnboundedSender<Event>,
    /// Attributes of resources finished in this apply (`ip`, `fqdn`, `id`).
    outputs: Mutex<BTreeMap<Address, BTreeMap<String, String>>>,
}

impl ApplyContext {
    pub fn new(
        client: ArmClient,
        stack: Arc<Stack>,
        live: Arc<LiveState>,
        subscription: String,
        events: mpsc::UnboundedSender<Event>,
    ) -> ApplyContext {
        ApplyContext {
            client,
            stack,
            live,
            subscription,
            events,
            outputs: Mutex::default(),
        }
    }

    fn emit(&self, event: Event) {
        // The receiver only goes away when the CLI stops listening; nothing to do then.
        let _ = self.events.send(event);
    }

    fn note(&self, step: &Step, message: &str) {
        self.emit(Event::Note {
            address: step.address.to_string(),
            message: message.into(),
        });
    }

    fn record(&self, address: &Address, output: &StepOutput) {
        if let Ok(mut outputs) = self.outputs.lock() {
            outputs.insert(address.clone(), output.attrs.clone());
        }
    }

    /// The location of a live resource group, by its Azure name.
    fn live_location(&self, rg: &str) -> Option<String> {
        let body = self.live.resource_group(rg)?;
        body.get("location")?.as_str().map(String::from)
    }

    /// A reference's value: what this apply produced, else what the stack fixes, else
    /// what is live for a resource this apply did not touch.
    fn resolve(&self, r: &Reference) -> Option<String> {
        if let Some(v) = self.stack.resolve_static(r) {
            return Some(v);
        }
        let done = self
            .outputs
            .lock()
            .ok()
            .and_then(|o| o.get(&r.target)?.get(&r.attr).cloned());
        if done.is_some() {
            return done;
        }
        match (r.target.kind, r.attr.as_str()) {
            (ResourceKind::ResourceGroup, "id") => {
                let rg = self.stack.resource_groups.get(&r.target.key)?;
                Some(format!(
                    "/subscriptions/{}/resourceGroups/{}",
                    self.subscription, rg.name
                ))
            }
            // A resource group the spec gives no location (`existing = true`) has the
            // one Azure has, as the plan showed.
            (ResourceKind::ResourceGroup, "location") => {
                let rg = self.stack.resource_groups.get(&r.target.key)?;
                self.live_location(&rg.name)
            }
            (ResourceKind::ContainerGroup, attr) => {
                let cg = self.stack.container_groups.get(&r.target.key)?;
                let rg = self.stack.resource_groups.get(&cg.resource_group)?;
                if attr == "id" {
                    return Some(format!(
                        "/subscriptions/{}/resourceGroups/{}/providers/\
                         Microsoft.ContainerInstance/containerGroups/{}",
                        self.subscription, rg.name, cg.name
                    ));
                }
                // Not applied in this run, and no location of its own: its resource
                // group's, as the planner resolved it.
                if attr == "location" {
                    return rg.location.clone().or_else(|| self.live_location(&rg.name));
                }
                let live = self.live.group(&rg.name, &cg.name)?;
                let path = match attr {
                    "ip" => IP,
                    "fqdn" => FQDN,
                    _ => return None,
                };
                at(&live.body, path)
                    .and_then(Value::as_str)
                    .map(String::from)
            }
            _ => None,
        }
    }
}

/// Carries out `steps` (from one plan) with at most `parallelism` operations at a
/// time. `stop` at [`Stop::NoNewWork`] starts nothing new and waits for what runs
/// (whose outcome is then known); at [`Stop::Abandon`] it stops waiting, and what
/// was running is reported as [`StepResult::Unknown`].
pub async fn apply_steps(
    cx: Arc<ApplyContext>,
    graph: &ResourceGraph,
    steps: Vec<Step>,
    parallelism: usize,
    stop: watch::Receiver<Stop>,
) -> ApplyReport {
    let phases = schedule::phases(graph, &steps);
    let mut results: Vec<Option<StepResult>> = steps.iter().map(|_| None).collect();

    for dag in phases {
        let work = |node: petgraph::graph::NodeIndex| {
            let index = dag[node];
            let cx = cx.clone();
            let step = steps[index].clone();
            async move {
                let out = run::run_step(cx.clone(), step.clone()).await;
                if let Ok(output) = &out {
                    cx.record(&step.address, output);
                }
                out
            }
        };
        let outcomes = walk::walk(&dag, parallelism, stop.clone(), work).await;
        for (node, outcome) in dag.node_indices().zip(outcomes) {
            let index = dag[node];
            results[index] = Some(match outcome {
                NodeOutcome::Done(output) => StepResult::Done(output),
                NodeOutcome::Failed(failure) => StepResult::Failed(failure),
                NodeOutcome::Skipped(by) => StepResult::Skipped {
                    because: steps[dag[by]].address.to_string(),
                },
                NodeOutcome::NotStarted => StepResult::NotStarted,
                NodeOutcome::Lost => StepResult::Unknown,
            });
        }
    }

    let results = steps
        .into_iter()
        .zip(results)
        .map(|(step, result)| (step, result.unwrap_or(StepResult::NotStarted)))
        .collect();
    ApplyReport { results }
}

/// Counts for the summary line.
pub fn counts(report: &ApplyReport) -> crate::render::progress::ApplyCounts {
    let mut c = crate::render::progress::ApplyCounts::default();
    for (step, result) in &report.results {
        match result {
            StepResult::Done(_) => match step.action {
                Action::Create => c.added += 1,
                Action::Update => c.changed += 1,
                Action::Replace => {
                    c.added += 1;
                    c.destroyed += 1;
                }
                Action::Delete => c.destroyed += 1,
                Action::Start => c.started += 1,
                Action::Stop => c.stopped += 1,
                Action::NoOp => {}
            },
            StepResult::Failed(_) | StepResult::Unknown => c.failed += 1,
            StepResult::Skipped { .. } | StepResult::NotStarted => c.skipped += 1,
        }
    }
    c
}
