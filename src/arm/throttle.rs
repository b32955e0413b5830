//! The client's side of ARM throttling, shared by every clone of the client: one gate
//! per class of operation, which a 429 closes until its `Retry-After` has passed, and
//! which paces requests at ARM's refill rate while the budget is nearly spent.
//!
//! ARM counts requests per subscription and class (reads: GET and HEAD; deletes;
//! writes: everything else), says on every answer how many are left
//! (`x-ms-ratelimit-remaining-subscription-{reads,writes,deletes}`), and answers 429
//! once a class's budget is spent, saying when to come back. Tasks that each wait out
//! their own 429 keep sending into the empty budget; with the gate, one 429 holds back
//! the whole class, and once few requests are left, requests go out one at a time at
//! the rate ARM refills the budget (aci-api/README.md §11: 25 reads, 10 writes and 10
//! deletes per second), so the budget is used without being overdrawn.

use std::sync::Mutex;
use std::time::Duration;

use reqwest::Method;
use tokio::time::Instant;

/// The budget a request draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpClass {
    Read,
    Write,
    Delete,
}

impl OpClass {
    /// The class of an HTTP method, as ARM counts it.
    pub(crate) fn of(method: &Method) -> OpClass {
        match *method {
            Method::GET | Method::HEAD => OpClass::Read,
            Method::DELETE => OpClass::Delete,
            _ => OpClass::Write,
        }
    }

    /// The header in which ARM says how many requests of this class are left.
    pub(crate) fn remaining_header(self) -> &'static str {
        match self {
            OpClass::Read => "x-ms-ratelimit-remaining-subscription-reads",
            OpClass::Write => "x-ms-ratelimit-remaining-subscription-writes",
            OpClass::Delete => "x-ms-ratelimit-remaining-subscription-deletes",
        }
    }

    /// Time between paced requests: one token of ARM's refill.
    fn refill_interval(self) -> Duration {
        match self {
            OpClass::Read => Duration::from_millis(40),
            OpClass::Write | OpClass::Delete => Duration::from_millis(100),
        }
    }

    fn index(self) -> usize {
        match self {
            OpClass::Read => 0,
            OpClass::Write => 1,
            OpClass::Delete => 2,
        }
    }
}

/// Below this many requests left, a class is paced: more than the client ever has in
/// flight by default, so the requests already sent cannot overdraw the budget.
const PACE_BELOW: u32 = 20;

/// Above this many left, pacing stops: demand has fallen below the refill rate.
const PACE_UNTIL: u32 = 50;

/// What the client knows of one class's budget.
#[derive(Debug, Clone, Copy, Default)]
struct ClassState {
    /// No request before this (a 429's Retry-After).
    closed_until: Option<Instant>,
    /// Whether requests go out one per refill interval.
    pacing: bool,
    /// The next free slot while pacing.
    next_slot: Option<Instant>,
}

/// What a request may do now.
enum Admit {
    Now,
    AtSlot(Instant),
    Closed(Instant),
}

/// The gate of each class.
#[derive(Debug, Default)]
pub(crate) struct ThrottleGate {
    classes: Mutex<[ClassState; 3]>,
}

impl ThrottleGate {
    /// Closes `class` for `wait` from now (never shortening an earlier close); requests
    /// then go out paced once it opens.
    pub(crate) fn close(&self, class: OpClass, wait: Duration) {
        let until = Instant::now() + wait;
        let mut classes = self.lock();
        let state = &mut classes[class.index()];
        if state.closed_until.is_none_or(|t| t < until) {
            state.closed_until = Some(until);
        }
        state.pacing = true;
    }

    /// Records how many requests of `class` ARM says are left.
    pub(crate) fn remaining(&self, class: OpClass, left: u32) {
        let mut classes = self.lock();
        let state = &mut classes[class.index()];
        if left < PACE_BELOW {
            state.pacing = true;
        } else if left > PACE_UNTIL {
            state.pacing = false;
        }
    }

    /// Waits until `class` is open and, while it is paced, for this request's slot.
    pub(crate) async fn wait_open(&self, class: OpClass) {
        loop {
            match self.admit(class, Instant::now()) {
                Admit::Now => return,
                // The slot is this request's: go once it comes (a close that arrives
                // meanwhile is honoured by the requests after it).
                Admit::AtSlot(slot) => {
                    tokio::time::sleep_until(slot).await;
                    return;
                }
                Admit::Closed(until) => tokio::time::sleep_until(until).await,
            }
        }
    }

    /// Whether a request of `class` may go at `now`, takes a paced slot if so.
    fn admit(&self, class: OpClass, now: Instant) -> Admit {
        let mut classes = self.lock();
        let state = &mut classes[class.index()];
        match state.closed_until {
            Some(until) if until > now => Admit::Closed(until),
            _ if state.pacing => {
                let slot = state.next_slot.filter(|s| *s > now).unwrap_or(now);
                state.next_slot = Some(slot + class.refill_interval());
                if slot <= now {
                    Admit::Now
                } else {
                    Admit::AtSlot(slot)
                }
            }
            _ => Admit::Now,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, [ClassState; 3]> {
        self.classes.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_close_holds_back_its_class_only() {
        let gate = ThrottleGate::default();
        gate.close(OpClass::Write, Duration::from_millis(60));
        gate.close(OpClass::Write, Duration::from_millis(10));

        let started = Instant::now();
        gate.wait_open(OpClass::Read).await;
        assert!(started.elapsed() < Duration::from_millis(50));
        gate.wait_open(OpClass::Write).await;
        assert!(started.elapsed() >= Duration::from_millis(60));
    }

    #[tokio::test]
    async fn a_nearly_spent_budget_paces_requests_at_the_refill_rate() {
        let gate = ThrottleGate::default();
        gate.remaining(OpClass::Write, 3);
        let started = Instant::now();
        for _ in 0..4 {
            gate.wait_open(OpClass::Write).await;
        }
        // Slots at 0, 100, 200 and 300 ms.
        assert!(started.elapsed() >= Duration::from_millis(300));

        gate.remaining(OpClass::Write, 120);
        let started = Instant::now();
        gate.wait_open(OpClass::Write).await;
        gate.wait_open(OpClass::Write).await;
        assert!(started.elapsed() < Duration::from_millis(50));
    }

    #[test]
    fn methods_fall_in_arms_classes() {
        assert_eq!(OpClass::of(&Method::GET), OpClass::Read);
        assert_eq!(OpClass::of(&Method::HEAD), OpClass::Read);
        assert_eq!(OpClass::of(&Method::DELETE), OpClass::Delete);
        assert_eq!(OpClass::of(&Method::PUT), OpClass::Write);
        assert_eq!(OpClass::of(&Method::POST), OpClass::Write);
        assert_eq!(OpClass::of(&Method::PATCH), OpClass::Write);
    }
}
