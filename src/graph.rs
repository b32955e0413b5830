//! The resource graph: one node per resource of a stack, an edge from each
//! dependency to its dependent. Edges come from a container group's resource group,
//! from `${TYPE.KEY.ATTR}` references and from `depends_on`. A cycle is an error that
//! names every resource on it, with the spans of the edges that close it.
//!
//! Everything here is deterministic: orders are sorted by address where the graph
//! leaves a choice, so plans and DOT output never change between runs.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::spec::{Address, Origin, SpecErrors, Stack};

/// Why an edge exists, for cycle reports.
#[derive(Debug, Clone)]
struct EdgeWhy {
    origin: Origin,
    label: String,
}

/// Resources and their dependencies.
#[derive(Debug, Clone)]
pub struct ResourceGraph {
    graph: DiGraph<Address, ()>,
    index: BTreeMap<Address, NodeIndex>,
    why: BTreeMap<(NodeIndex, NodeIndex), EdgeWhy>,
    /// Display labels (Azure names) for DOT.
    names: BTreeMap<Address, String>,
    /// `order()`, computed once the graph is complete: the graph is built while the
    /// plan's reads are in flight, and the planner walks this after the last answer.
    order: Vec<Address>,
}

impl ResourceGraph {
    /// Builds the graph of a loaded stack. Fails on cycles (every cycle is reported)
    /// and on edges to resources the stack does not declare.
    pub fn build(stack: &Stack) -> Result<ResourceGraph, SpecErrors> {
        let mut g = ResourceGraph {
            graph: DiGraph::new(),
            index: BTreeMap::new(),
            why: BTreeMap::new(),
            names: BTreeMap::new(),
            order: Vec::new(),
        };
        for rg in stack.resource_groups.values() {
            g.add_node(rg.address(), &rg.name);
        }
        for cg in stack.container_groups.values() {
            g.add_node(cg.address(), &cg.name);
        }

        let mut errors = Vec::new();
        for rg in stack.resource_groups.values() {
            for r in rg.references() {
                let label = format!("refers to {}", r.target);
                g.add_edge(
                    stack,
                    &r.target,
                    &rg.address(),
                    &r.origin,
                    label,
                    &mut errors,
                );
            }
        }
        for cg in stack.container_groups.values() {
            let me = cg.address();
            let rg = Address::new(crate::spec::ResourceKind::ResourceGroup, &cg.resource_group);
            let at = cg.fields.get("resource_group").unwrap_or(&cg.origin);
            g.add_edge(stack, &rg, &me, at, format!("in {rg}"), &mut errors);
            for r in cg.references() {
                g.add_edge(
                    stack,
                    &r.target,
                    &me,
                    &r.origin,
                    format!("refers to {}", r.target),
                    &mut errors,
                );
            }
            for dep in &cg.depends_on {
                let label = format!("depends on {}", dep.value);
                g.add_edge(stack, &dep.value, &me, &dep.origin, label, &mut errors);
            }
        }

        errors.extend(g.cycle_errors(stack));
        if errors.is_empty() {
            g.order = g.topological_order();
            Ok(g)
        } else {
            Err(SpecErrors::new(errors))
        }
    }

    fn add_node(&mut self, address: Address, name: &str) {
        let node = self.graph.add_node(address.clone());
        self.names.insert(address.clone(), name.to_string());
        self.index.insert(address, node);
    }

    /// Adds `from -> to` once (the first reason is kept).
    fn add_edge(
        &mut self,
        stack: &Stack,
        from: &Address,
        to: &Address,
        origin: &Origin,
        label: String,
        errors: &mut Vec<crate::spec::SpecError>,
    ) {
        let (Some(&a), Some(&b)) = (self.index.get(from), self.index.get(to)) else {
            let message = format!("{to} depends on `{from}`, which the stack does not declare");
            errors.push(stack.error_at(origin, message, "unknown resource", None));
            return;
        };
        if self.why.contains_key(&(a, b)) {
            return;
        }
        self.graph.add_edge(a, b, ());
        self.why.insert(
            (a, b),
            EdgeWhy {
                origin: origin.clone(),
                label,
            },
        );
    }

    /// One error per cycle (strongly connected component of two or more resources, or
    /// a resource that refers to itself), labelling every edge inside it.
    fn cycle_errors(&self, stack: &Stack) -> Vec<crate::spec::SpecError> {
        let mut cycles: Vec<Vec<NodeIndex>> = petgraph::algo::tarjan_scc(&self.graph)
            .into_iter()
            .filter(|scc| scc.len() > 1 || self.why.contains_key(&(scc[0], scc[0])))
            .collect();
        for c in &mut cycles {
            c.sort_by(|a, b| self.graph[*a].cmp(&self.graph[*b]));
        }
        cycles.sort_by(|a, b| self.graph[a[0]].cmp(&self.graph[b[0]]));

        cycles
            .iter()
            .map(|members| self.cycle_error(stack, members))
            .collect()
    }

    fn cycle_error(&self, stack: &Stack, members: &[NodeIndex]) -> crate::spec::SpecError {
        let set: BTreeSet<NodeIndex> = members.iter().copied().collect();
        let mut edges: Vec<&EdgeWhy> = self
            .why
            .iter()
            .filter(|((a, b), _)| set.contains(a) && set.contains(b))
            .map(|(_, why)| why)
            .collect();
        edges.sort_by(|a, b| a.origin.cmp(&b.origin));

        let names: Vec<String> = members.iter().map(|n| self.graph[*n].to_string()).collect();
        let message = if names.len() == 1 {
            format!("{} depends on itself", names[0])
        } else {
            format!("dependency cycle between {}", names.join(", "))
        };
        let help = "remove a reference or a depends_on entry so the resources can be ordered";
        let mut issue =
            crate::spec::Issue::new(&edges[0].origin, message, edges[0].label.clone()).help(help);
        for e in &edges[1..] {
            issue = issue.also(&e.origin, e.label.clone());
        }
        for n in members {
            if let Some(at) = stack.origin_of(&self.graph[*n]) {
                issue = issue.also(at, format!("{} is on the cycle", self.graph[*n]));
            }
        }
        issue.into_error(&stack.sources)
    }

    /// Every resource in a deterministic topological order: dependencies first, ties
    /// broken by address.
    pub fn order(&self) -> &[Address] {
        &self.order
    }

    fn topological_order(&self) -> Vec<Address> {
        let mut indegree: BTreeMap<NodeIndex, usize> = BTreeMap::new();
        for n in self.graph.node_indices() {
            indegree.insert(
                n,
                self.graph
                    .neighbors_directed(n, Direction::Incoming)
                    .count(),
            );
        }
        let mut ready: BTreeSet<(Address, NodeIndex)> = indegree
            .iter()
            .filter(|(_, d)| **d == 0)
            .map(|(n, _)| (self.graph[*n].clone(), *n))
            .collect();

        let mut out = Vec::with_capacity(self.graph.node_count());
        while let Some((address, n)) = ready.pop_first() {
            out.push(address);
            for m in self.graph.neighbors_directed(n, Direction::Outgoing) {
                if let Some(d) = indegree.get_mut(&m) {
                    *d -= 1;
                    if *d == 0 {
                        ready.insert((self.graph[m].clone(), m));
                    }
                }
            }
        }
        out
    }

    /// What `a` depends on directly, sorted.
    pub fn dependencies(&self, a: &Address) -> Vec<Address> {
        self.neighbors(a, Direction::Incoming)
    }

    /// What depends on `a` directly, sorted.
    pub fn dependents(&self, a: &Address) -> Vec<Address> {
        self.neighbors(a, Direction::Outgoing)
    }

    fn neighbors(&self, a: &Address, dir: Direction) -> Vec<Address> {
        let Some(&n) = self.index.get(a) else {
            return Vec::new();
        };
        let set: BTreeSet<Address> = self
            .graph
            .neighbors_directed(n, dir)
            .map(|m| self.graph[m].clone())
            .collect();
        set.into_iter().collect()
    }

    /// The targets and everything they depend on, transitively (`--target`).
    /// Addresses the graph does not hold are ignored.
    pub fn with_dependencies(&self, targets: &[Address]) -> BTreeSet<Address> {
        let mut out = BTreeSet::new();
        let mut stack: Vec<NodeIndex> = targets
            .iter()
            .filter_map(|t| self.index.get(t).copied())
            .collect();
        while let Some(n) = stack.pop() {
            if out.insert(self.graph[n].clone()) {
                stack.extend(self.graph.neighbors_directed(n, Direction::Incoming));
            }
        }
        out
    }

    /// The graph itself (edge dependency -> dependent), for the parallel executor.
    pub fn graph(&self) -> &DiGraph<Address, ()> {
        &self.graph
    }

    /// The node of an address.
    pub fn node(&self, a: &Address) -> Option<NodeIndex> {
        self.index.get(a).copied()
    }

    /// Graphviz DOT: one box per resource (address and Azure name), an arrow from
    /// each dependency to its dependent. Sorted, so the text is stable.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph aciform {\n    rankdir = LR;\n");
        out.push_str("    node [shape = box, fontname = \"Helvetica\"];\n");
        for (address, name) in &self.names {
            let label = format!("{address}\\n{}", dot_escape(name));
            let _ = writeln!(
                out,
                "    \"{}\" [label = \"{label}\"];",
                dot_escape(&address.to_string())
            );
        }
        let mut edges: Vec<(&Address, &Address)> = self
            .graph
            .edge_references()
            .map(|e| (&self.graph[e.source()], &self.graph[e.target()]))
            .collect();
        edges.sort();
        for (a, b) in edges {
            let _ = writeln!(
                out,
                "    \"{}\" -> \"{}\";",
                dot_escape(&a.to_string()),
                dot_escape(&b.to_string())
            );
        }
        out.push_str("}\n");
        out
    }
}

/// Escapes a string for a DOT double-quoted id.
fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{LoadOptions, StackFile, load_files};

    fn stack(text: &str) -> Stack {
        let file = StackFile {
            path: "main.toml".into(),
            name: "main.toml".into(),
            text: text.into(),
        };
        load_files(".".into(), vec![file], &LoadOptions::default()).expect("a valid stack")
    }

    fn group(key: &str, extra: &str) -> String {
        format!(
            "\n[container_group.{key}]\nresource_group = \"main\"\n{extra}\n\
             [[container_group.{key}.containers]]\nname = \"c\"\nimage = \"x\"\ncpu = 1\n\
             memory_gb = 1\n"
        )
    }

    fn addr(s: &str) -> Address {
        s.parse().unwrap()
    }

    fn sample() -> ResourceGraph {
        let mut text =
            String::from("[stack]\nname = \"t\"\nlocation = \"l\"\n[resource_group.main]\n");
        text.push_str(&group("db", ""));
        text.push_str(&group(
            "api",
            "tags = { db = \"${container_group.db.id}\" }",
        ));
        text.push_str(&group("web", "depends_on = [\"container_group.api\"]"));
        text.push_str(&group("batch", ""));
        ResourceGraph::build(&stack(&text)).unwrap()
    }

    #[test]
    fn order_puts_dependencies_first_and_breaks_ties_by_address() {
        let order: Vec<String> = sample().order().iter().map(Address::to_string).collect();
        assert_eq!(
            order,
            [
                "resource_group.main",
                "container_group.batch",
                "container_group.db",
                "container_group.api",
                "container_group.web",
            ]
        );
    }

    #[test]
    fn direct_neighbours_and_target_closure() {
        let g = sample();
        let api = addr("container_group.api");
        assert_eq!(
            g.dependencies(&api),
            [addr("resource_group.main"), addr("container_group.db")]
        );
        assert_eq!(g.dependents(&api), [addr("container_group.web")]);
        let closure = g.with_dependencies(&[addr("container_group.web")]);
        let names: Vec<String> = closure.iter().map(Address::to_string).collect();
        assert_eq!(
            names,
            [
                "resource_group.main",
                "container_group.api",
                "container_group.db",
                "container_group.web"
            ]
        );
    }

    #[test]
    fn dot_is_sorted_and_quoted() {
        let dot = sample().to_dot();
        assert!(dot.starts_with("digraph aciform {\n"));
        assert!(dot.contains("    \"container_group.db\" -> \"container_group.api\";\n"));
        assert!(dot.contains("[label = \"container_group.api\\napi\"]"));
        assert_eq!(dot_escape("a\"b\\c"), "a\\\"b\\\\c");
    }
}
