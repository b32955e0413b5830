//! The client's side of ARM throttling: one gate per class of operation that a 429
//! closes until its `Retry-After` has passed, shared by every clone of the client.
//!
//! ARM counts requests per subscription and class (reads: GET and HEAD; deletes;
//! writes: everything else) and answers 429 once a class's budget is spent, saying
//! when to come back. Tasks that each wait out their own 429 keep sending into the
//! empty budget and earn more of them; with the gate, one 429 holds back the whole
//! class, and the budget refilled meanwhile goes to the waiting requests.

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

    fn index(self) -> usize {
        match self {
            OpClass::Read => 0,
            OpClass::Write => 1,
            OpClass::Delete => 2,
        }
    }
}

/// When each class may send again; `None` when it is open.
#[derive(Debug, Default)]
pub(crate) struct ThrottleGate {
    closed_until: Mutex<[Option<Instant>; 3]>,
}

impl ThrottleGate {
    /// Closes `class` for `wait` from now (never shortening an earlier close).
    pub(crate) fn close(&self, class: OpClass, wait: Duration) {
        let until = Instant::now() + wait;
        let mut gates = self.lock();
        let slot = &mut gates[class.index()];
        if slot.is_none_or(|t| t < until) {
            *slot = Some(until);
        }
    }

    /// Waits until `class` is open.
    pub(crate) async fn wait_open(&self, class: OpClass) {
        loop {
            let until = self.lock()[class.index()];
            match until {
                Some(t) if t > Instant::now() => tokio::time::sleep_until(t).await,
                _ => return,
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, [Option<Instant>; 3]> {
        self.closed_until.lock().unwrap_or_else(|p| p.into_inner())
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
