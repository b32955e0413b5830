//! Request counters, so tests and out-of-process benchmarks can count what a client
//! sent: by method, by operation kind, and how many were throttled or failed on purpose.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// A snapshot of the counters (also the body of `GET /_emulator/stats`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// ARM requests received (control requests under `/_emulator` are not counted).
    pub total: u64,
    /// By HTTP method: `GET`, `PUT`, …
    pub by_method: BTreeMap<String, u64>,
    /// By kind: `list`, `get`, `put`, `patch`, `delete`, `action`, `poll`, `other`.
    pub by_kind: BTreeMap<String, u64>,
    /// Answered 429 by the throttle or by an injected fault.
    pub throttled: u64,
    /// Failed on purpose: fail rate, injected next-N faults and fault rules.
    pub injected_failures: u64,
}

impl Stats {
    /// Requests of one kind.
    pub fn kind(&self, kind: &str) -> u64 {
        self.by_kind.get(kind).copied().unwrap_or(0)
    }

    /// Requests of one method.
    pub fn method(&self, method: &str) -> u64 {
        self.by_method.get(method).copied().unwrap_or(0)
    }
}

/// The live counters of one emulator.
#[derive(Debug, Default)]
pub struct Counters {
    stats: Mutex<Stats>,
}

impl Counters {
    pub(crate) fn request(&self, method: &str, kind: &str) {
        let mut stats = self.lock();
        stats.total += 1;
        *stats.by_method.entry(method.to_string()).or_default() += 1;
        *stats.by_kind.entry(kind.to_string()).or_default() += 1;
    }

    pub(crate) fn throttled(&self) {
        self.lock().throttled += 1;
    }

    pub(crate) fn injected(&self) {
        self.lock().injected_failures += 1;
    }

    /// A copy of the counters now.
    pub fn snapshot(&self) -> Stats {
        self.lock().clone()
    }

    /// Sets every counter back to zero.
    pub fn reset(&self) {
        *self.lock() = Stats::default();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }
}
