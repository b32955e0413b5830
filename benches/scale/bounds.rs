//! The lower bounds the measurements are compared against, and the targets of issue 8
//! as data. Each bound is the least time any client could take given what the run
//! is made of (requests, latency, concurrency, operation time, ARM's budgets); the
//! formulas are explained in docs/performance.md.

use std::time::Duration;

/// A plan's wall-time bound: `requests` sent `concurrency` at a time, each taking
/// `latency`: `ceil(requests / concurrency) x latency`. It ignores that the LIST of
/// resource groups could come first; aciform sends it alongside the others.
pub fn plan_bound(requests: u64, concurrency: u64, latency: Duration) -> Duration {
    let rounds = requests.div_ceil(concurrency.max(1));
    latency * u32::try_from(rounds).unwrap_or(u32::MAX)
}

/// What an apply of creates is made of.
#[derive(Debug, Clone, Copy)]
pub struct ApplyShape {
    pub container_groups: u64,
    pub resource_groups: u64,
    pub parallelism: u64,
    pub latency: Duration,
    pub operation: Duration,
    pub poll: Duration,
}

impl ApplyShape {
    /// Waves of container group creates: `ceil(groups / parallelism)`.
    pub fn waves(&self) -> u64 {
        self.container_groups.div_ceil(self.parallelism.max(1))
    }

    /// One create as seen by a client that polls at `Retry-After`: the operation time
    /// rounded up to the poll interval, plus one request's latency (the PUT).
    pub fn per_wave(&self) -> Duration {
        let poll = self.poll.max(Duration::from_millis(1));
        let polls = self.operation.as_nanos().div_ceil(poll.as_nanos());
        poll * u32::try_from(polls).unwrap_or(u32::MAX) + self.latency
    }

    /// The apply's wall-time bound: the plan's reads (one round: the LISTs go out
    /// together), one round of resource group PUTs (synchronous), then the waves.
    pub fn bound(&self) -> Duration {
        let waves = u32::try_from(self.waves()).unwrap_or(u32::MAX);
        self.latency * 2 + self.per_wave() * waves
    }
}

/// One of ARM's token buckets: `capacity` requests at once, then `refill` per second.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub capacity: f64,
    pub refill_per_sec: f64,
}

impl Budget {
    /// The least time `requests` take under this bucket starting full:
    /// `max(0, requests - capacity) / refill`.
    pub fn time_for(&self, requests: u64) -> Duration {
        let over = (requests as f64 - self.capacity).max(0.0);
        Duration::from_secs_f64(over / self.refill_per_sec)
    }
}

/// How a measured value compares with its target.
#[derive(Debug, Clone)]
pub struct Row {
    pub scenario: &'static str,
    pub what: String,
    pub target: String,
    pub measured: String,
    pub pass: bool,
}

impl Row {
    /// A row whose target is an upper limit.
    pub fn at_most(
        scenario: &'static str,
        what: impl Into<String>,
        measured: f64,
        limit: f64,
        unit: Unit,
    ) -> Row {
        Row {
            scenario,
            what: what.into(),
            target: format!("<= {}", unit.show(limit)),
            measured: unit.show(measured),
            pass: measured <= limit,
        }
    }
}

/// How to print a number.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    Count,
    Millis,
    Seconds,
    Megabytes,
}

impl Unit {
    pub fn show(self, v: f64) -> String {
        match self {
            Unit::Count => format!("{v:.0}"),
            Unit::Millis => format!("{v:.1} ms"),
            Unit::Seconds => format!("{v:.2} s"),
            Unit::Megabytes => format!("{v:.1} MB"),
        }
    }
}
