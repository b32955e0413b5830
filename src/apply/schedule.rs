//! Orders a plan's steps into the executor's three phases, each a graph of steps:
//! deletes of container groups (dependents first), then everything else in
//! dependency order, then deletes of resource groups.
//!
//! Edges come from the resource graph. A resource that has no step (nothing to do)
//! still passes its dependencies on: if `c` depends on `b` depends on `a` and only `a`
//! and `c` change, `c` waits for `a`.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::graph::ResourceGraph;
use crate::plan::Action;
use crate::plan::step::Step;
use crate::spec::{Address, ResourceKind};

/// The phases, in order. Node weights are indices into `steps`.
pub fn phases(graph: &ResourceGraph, steps: &[Step]) -> Vec<DiGraph<usize, ()>> {
    let is_delete = |s: &Step| s.action == Action::Delete;
    let group_deletes: Vec<usize> = (0..steps.len())
        .filter(|&i| is_delete(&steps[i]) && steps[i].address.kind == ResourceKind::ContainerGroup)
        .collect();
    let others: Vec<usize> = (0..steps.len())
        .filter(|&i| !is_delete(&steps[i]))
        .collect();
    let rg_deletes: Vec<usize> = (0..steps.len())
        .filter(|&i| is_delete(&steps[i]) && steps[i].address.kind == ResourceKind::ResourceGroup)
        .collect();

    vec![
        build(graph, steps, &group_deletes, Direction::Outgoing, true),
        build(graph, steps, &others, Direction::Incoming, false),
        build(graph, steps, &rg_deletes, Direction::Outgoing, true),
    ]
}

/// A graph over `members`: for each member, the nearest members found by walking the
/// resource graph in `toward` (past resources without a step) become its neighbours.
/// Edges run from dependency to dependent, or the other way round when `reverse`
/// (deletes go dependents first).
fn build(
    graph: &ResourceGraph,
    steps: &[Step],
    members: &[usize],
    toward: Direction,
    reverse: bool,
) -> DiGraph<usize, ()> {
    let mut dag = DiGraph::new();
    let nodes: BTreeMap<Address, NodeIndex> = members
        .iter()
        .map(|&i| (steps[i].address.clone(), dag.add_node(i)))
        .collect();

    for (address, &node) in &nodes {
        let Some(start) = graph.node(address) else {
            continue;
        };
        for found in nearest_members(graph, start, toward, &nodes) {
            // `found` is a dependency of `node` when walking incoming edges, a dependent
            // when walking outgoing ones.
            let (dependency, dependent) = match toward {
                Direction::Incoming => (found, node),
                Direction::Outgoing => (node, found),
            };
            if reverse {
                dag.update_edge(dependent, dependency, ());
            } else {
                dag.update_edge(dependency, dependent, ());
            }
        }
    }
    dag
}

fn nearest_members(
    graph: &ResourceGraph,
    start: NodeIndex,
    toward: Direction,
    members: &BTreeMap<Address, NodeIndex>,
) -> Vec<NodeIndex> {
    let g = graph.graph();
    let mut seen = BTreeSet::new();
    let mut stack: Vec<NodeIndex> = g.neighbors_directed(start, toward).collect();
    let mut found = Vec::new();
    while let Some(n) = stack.pop() {
        if !seen.insert(n) {
            continue;
        }
        match members.get(&g[n]) {
            Some(&member) => found.push(member),
            None => stack.extend(g.neighbors_directed(n, toward)),
        }
    }
    found
}
