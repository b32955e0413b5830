//! Walks a dependency graph with a cap on work in flight: a node starts as soon as
//! everything it depends on is done, not level by level. A failed node fails only
//! itself; everything downstream of it is skipped, and independent branches carry on.
//! Told to stop, nothing new starts and the work in flight is waited for; told to
//! abandon, the work in flight is dropped and reported as lost.

use std::collections::VecDeque;
use std::future::Future;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Bfs, EdgeRef};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How far a walk has been told to stop. The levels only ever go up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stop {
    /// Keep going.
    #[default]
    Run,
    /// Start nothing new; wait for what runs.
    NoNewWork,
    /// Stop waiting: drop what runs (its outcome is unknown).
    Abandon,
}

/// What became of one node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeOutcome<T, E> {
    Done(T),
    Failed(E),
    /// Not run because this (failed or skipped) upstream node did not succeed.
    Skipped(NodeIndex),
    /// Not started: the walk was cancelled first.
    NotStarted,
    /// The task running it ended without an answer (it was abandoned, or it
    /// panicked): the operation's effect in the cloud is unknown.
    Lost,
}

/// Runs `work` for every node of `dag` (edges point from a dependency to its
/// dependent), at most `cap` at a time, until done or told to stop.
pub async fn walk<N, T, E, F, Fut>(
    dag: &DiGraph<N, ()>,
    cap: usize,
    mut stop: watch::Receiver<Stop>,
    work: F,
) -> Vec<NodeOutcome<T, E>>
where
    F: Fn(NodeIndex) -> Fut,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    let n = dag.node_count();
    let mut outcome: Vec<Option<NodeOutcome<T, E>>> = (0..n).map(|_| None).collect();
    let mut waiting: Vec<usize> = dag
        .node_indices()
        .map(|i| dag.edges_directed(i, Direction::Incoming).count())
        .collect();
    let mut ready: VecDeque<NodeIndex> = dag
        .node_indices()
        .filter(|i| waiting[i.index()] == 0)
        .collect();
    let mut running: JoinSet<(NodeIndex, Result<T, E>)> = JoinSet::new();
    let mut task_node: std::collections::HashMap<tokio::task::Id, NodeIndex> = Default::default();
    let cap = cap.max(1);

    let (mut abandoned, mut deaf) = (false, false);
    loop {
        let level = *stop.borrow();
        if level == Stop::Abandon && !abandoned {
            // Aborted tasks come back from `join_next` as cancelled: reported as lost.
            running.abort_all();
            abandoned = true;
        }
        while level == Stop::Run && running.len() < cap {
            let Some(node) = ready.pop_front() else { break };
            let fut = work(node);
            let handle = running.spawn(async move { (node, fut.await) });
            task_node.insert(handle.id(), node);
        }
        if running.is_empty() {
            break;
        }

        let joined = tokio::select! {
            joined = running.join_next_with_id() => joined,
            // Wake up to stop starting work, or to abandon what runs.
            changed = stop.changed(), if level != Stop::Abandon && !deaf => {
                // A dropped sender can tell the walk nothing more: carry on as told.
                deaf = changed.is_err();
                continue;
            }
        };
        let Some(joined) = joined else { break };
        match joined {
            Ok((_, (node, Ok(value)))) => {
                outcome[node.index()] = Some(NodeOutcome::Done(value));
                for edge in dag.edges_directed(node, Direction::Outgoing) {
                    let next = edge.target();
                    waiting[next.index()] -= 1;
                    if waiting[next.index()] == 0 {
                        ready.push_back(next);
                    }
                }
            }
            Ok((_, (node, Err(err)))) => {
                outcome[node.index()] = Some(NodeOutcome::Failed(err));
                skip_downstream(dag, node, &mut outcome);
            }
            Err(join_error) => {
                if let Some(node) = task_node.get(&join_error.id()).copied() {
                    outcome[node.index()] = Some(NodeOutcome::Lost);
                    // Once stopping, what depends on it was never going to start; a
                    // panic in a running walk must still keep its dependents from running.
                    if level == Stop::Run {
                        skip_downstream(dag, node, &mut outcome);
                    }
                }
            }
        }
    }

    outcome
        .into_iter()
        .map(|o| o.unwrap_or(NodeOutcome::NotStarted))
        .collect()
}

/// Marks every node reachable from `failed` as skipped because of it (unless it already
/// has an outcome).
fn skip_downstream<N, T, E>(
    dag: &DiGraph<N, ()>,
    failed: NodeIndex,
    outcome: &mut [Option<NodeOutcome<T, E>>],
) {
    let mut bfs = Bfs::new(dag, failed);
    while let Some(node) = bfs.next(dag) {
        if node != failed && outcome[node.index()].is_none() {
            outcome[node.index()] = Some(NodeOutcome::Skipped(failed));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// a -> b -> d, a -> c -> d (a diamond), plus an independent e.
    fn diamond() -> (DiGraph<&'static str, ()>, [NodeIndex; 5]) {
        let mut g = DiGraph::new();
        let [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map(|n| g.add_node(n));
        g.extend_with_edges([(a, b), (a, c), (b, d), (c, d)]);
        (g, [a, b, c, d, e])
    }

    fn never_cancelled() -> watch::Receiver<Stop> {
        watch::channel(Stop::Run).1
    }

    #[tokio::test]
    async fn dependencies_finish_before_dependents_start() {
        let (g, _) = diamond();
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let names: Vec<&str> = g.node_weights().copied().collect();
        let log = order.clone();
        let out = walk(&g, 4, never_cancelled(), move |n| {
            let (log, name) = (log.clone(), names[n.index()]);
            async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                log.lock().unwrap().push(name);
                Ok::<_, ()>(())
            }
        })
        .await;
        assert!(out.iter().all(|o| matches!(o, NodeOutcome::Done(()))));
        let order = order.lock().unwrap().clone();
        let pos = |x| order.iter().position(|n| *n == x).unwrap();
        assert!(pos("a") < pos("b") && pos("a") < pos("c"));
        assert!(pos("b") < pos("d") && pos("c") < pos("d"));
    }

    #[tokio::test]
    async fn a_failure_skips_only_what_depends_on_it() {
        let (g, [_, b, c, d, e]) = diamond();
        let out = walk(&g, 2, never_cancelled(), move |n| async move {
            if n == b { Err("boom") } else { Ok(()) }
        })
        .await;
        assert_eq!(out[b.index()], NodeOutcome::Failed("boom"));
        assert_eq!(out[c.index()], NodeOutcome::Done(()));
        assert_eq!(out[d.index()], NodeOutcome::Skipped(b));
        assert_eq!(out[e.index()], NodeOutcome::Done(()));
    }

    #[tokio::test]
    async fn never_more_than_the_cap_at_once() {
        let mut g: DiGraph<(), ()> = DiGraph::new();
        for _ in 0..12 {
            g.add_node(());
        }
        let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (n2, p2) = (now.clone(), peak.clone());
        walk(&g, 3, never_cancelled(), move |_| {
            let (now, peak) = (n2.clone(), p2.clone());
            async move {
                let current = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(current, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(10)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, ()>(())
            }
        })
        .await;
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn cancelling_lets_running_work_finish_and_starts_nothing_new() {
        let mut g: DiGraph<(), ()> = DiGraph::new();
        let first = g.add_node(());
        let second = g.add_node(());
        g.add_edge(first, second, ());
        let (tx, rx) = watch::channel(Stop::Run);
        let tx = Arc::new(tx);
        let out = walk(&g, 4, rx, move |n| {
            let tx = tx.clone();
            async move {
                if n == first {
                    let _ = tx.send(Stop::NoNewWork);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Ok::<_, ()>(())
            }
        })
        .await;
        assert_eq!(out[first.index()], NodeOutcome::Done(()));
        assert_eq!(out[second.index()], NodeOutcome::NotStarted);
    }

    #[tokio::test]
    async fn abandoning_drops_running_work_as_lost_and_skips_nothing() {
        let mut g: DiGraph<(), ()> = DiGraph::new();
        let slow = g.add_node(());
        let after = g.add_node(());
        let quick = g.add_node(());
        g.add_edge(slow, after, ());
        let (tx, rx) = watch::channel(Stop::Run);
        let tx = Arc::new(tx);
        let out = walk(&g, 4, rx, move |n| {
            let tx = tx.clone();
            async move {
                if n == slow {
                    let _ = tx.send(Stop::Abandon);
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
                Ok::<_, ()>(())
            }
        });
        let out = tokio::time::timeout(Duration::from_secs(5), out)
            .await
            .expect("abandoning returns without waiting for the work");
        assert_eq!(out[slow.index()], NodeOutcome::Lost);
        assert_eq!(out[after.index()], NodeOutcome::NotStarted);
        assert!(matches!(
            out[quick.index()],
            NodeOutcome::Done(()) | NodeOutcome::Lost
        ));
    }
}
