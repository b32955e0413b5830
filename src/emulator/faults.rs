//! Fault injection: random transient failures at the configured rate, "the next N
//! requests fail", and rules that make operations on one named container group fail
//! permanently, end `Failed`, or never finish. Rules live in memory, per emulator.

use std::sync::Mutex;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::error::ArmError;

/// The operation a fault rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultOperation {
    Any,
    Get,
    Put,
    Patch,
    Delete,
    Start,
    Stop,
    Restart,
}

/// What happens to a matching operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultEffect {
    /// The request itself is answered with this ARM error.
    Reject {
        status: u16,
        code: String,
        message: String,
    },
    /// The long-running operation is accepted and ends `Failed` with this error; the
    /// group's provisioningState becomes `Failed`.
    ProvisioningFailed { code: String, message: String },
    /// The long-running operation never becomes terminal.
    Stuck,
    /// The long-running operation takes `extra_ms` longer than configured, so tests
    /// can make one resource slower than the others.
    Slow { extra_ms: u64 },
    /// A PUT is accepted and succeeds, but the field at `pointer` (a JSON pointer into
    /// the stored body, e.g. `/properties/containers/0/properties/image`) keeps its old
    /// value, or stays absent on a create: a change that silently never lands.
    IgnoreField { pointer: String },
}

/// A fault on the container group `name` (case-insensitive), optionally only in one
/// resource group, for one operation, a limited number of times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    pub name: String,
    #[serde(default)]
    pub resource_group: Option<String>,
    #[serde(default = "any_operation")]
    pub operation: FaultOperation,
    pub effect: FaultEffect,
    /// How many matching requests it applies to; `None` is forever.
    #[serde(default)]
    pub times: Option<u32>,
}

fn any_operation() -> FaultOperation {
    FaultOperation::Any
}

/// A transient failure picked by the fail rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transient {
    InternalError,
    Unavailable,
    /// Close the connection before the request is processed.
    DropBefore,
    /// Process the request, then close the connection without an answer.
    DropAfter,
}

/// The fault state of one emulator; reachable in-process through the handle and
/// out-of-process through `/_emulator/faults`.
#[derive(Debug)]
pub struct Faults {
    state: Mutex<FaultState>,
}

#[derive(Debug)]
struct FaultState {
    rules: Vec<FaultRule>,
    next: Option<(u32, StatusCode)>,
    fail_rate: f64,
    rng: fastrand::Rng,
}

impl Faults {
    pub(crate) fn new(fail_rate: f64, rng: fastrand::Rng) -> Self {
        let state = FaultState {
            rules: Vec::new(),
            next: None,
            fail_rate: fail_rate.clamp(0.0, 1.0),
            rng,
        };
        Faults {
            state: Mutex::new(state),
        }
    }

    /// Adds a rule.
    pub fn add(&self, rule: FaultRule) {
        self.lock().rules.push(rule);
    }

    /// Every `operation` on the group `name` is answered with this ARM error.
    pub fn reject(&self, name: &str, operation: FaultOperation, status: u16, code: &str) {
        self.add(FaultRule {
            name: name.to_string(),
            resource_group: None,
            operation,
            effect: FaultEffect::Reject {
                status,
                code: code.to_string(),
                message: format!("Injected failure '{code}' for container group '{name}'."),
            },
            times: None,
        });
    }

    /// Deployments (PUT, start, restart) of the group `name` end `Failed` with `code`.
    pub fn fail_provisioning(&self, name: &str, code: &str, message: &str) {
        self.add(FaultRule {
            name: name.to_string(),
            resource_group: None,
            operation: FaultOperation::Any,
            effect: FaultEffect::ProvisioningFailed {
                code: code.to_string(),
                message: message.to_string(),
            },
            times: None,
        });
    }

    /// Long-running operations on the group `name` never finish.
    pub fn stick(&self, name: &str) {
        self.add(FaultRule {
            name: name.to_string(),
            resource_group: None,
            operation: FaultOperation::Any,
            effect: FaultEffect::Stuck,
            times: None,
        });
    }

    /// Long-running operations on the group `name` take `extra` longer than others.
    pub fn slow(&self, name: &str, extra: std::time::Duration) {
        self.add(FaultRule {
            name: name.to_string(),
            resource_group: None,
            operation: FaultOperation::Any,
            effect: FaultEffect::Slow {
                extra_ms: u64::try_from(extra.as_millis()).unwrap_or(u64::MAX),
            },
            times: None,
        });
    }

    /// The next `count` ARM requests, whatever they are, answer `status` (429 comes
    /// with `Retry-After: 1`).
    pub fn fail_next(&self, count: u32, status: u16) {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        self.lock().next = (count > 0).then_some((count, status));
    }

    /// Removes every rule and pending next-N failure (the fail rate stays).
    pub fn clear(&self) {
        let mut state = self.lock();
        state.rules.clear();
        state.next = None;
    }

    /// The rules now in force.
    pub fn rules(&self) -> Vec<FaultRule> {
        self.lock().rules.clone()
    }

    pub(crate) fn take_next(&self) -> Option<ArmError> {
        let mut state = self.lock();
        let (count, status) = state.next?;
        state.next = (count > 1).then_some((count - 1, status));
        Some(injected_status(status))
    }

    pub(crate) fn transient(&self) -> Option<Transient> {
        let mut state = self.lock();
        if state.fail_rate <= 0.0 || state.rng.f64() >= state.fail_rate {
            return None;
        }
        Some(match state.rng.u8(0..4) {
            0 => Transient::InternalError,
            1 => Transient::Unavailable,
            2 => Transient::DropBefore,
            _ => Transient::DropAfter,
        })
    }

    /// The effect of the first rule matching this operation, using up one of its times.
    pub(crate) fn matching(&self, rg: &str, name: &str, op: FaultOperation) -> Option<FaultEffect> {
        let mut state = self.lock();
        let index = state.rules.iter().position(|rule| {
            rule.name.eq_ignore_ascii_case(name)
                && rule
                    .resource_group
                    .as_ref()
                    .is_none_or(|r| r.eq_ignore_ascii_case(rg))
                && (rule.operation == FaultOperation::Any || rule.operation == op)
                && rule.times != Some(0)
        })?;
        let rule = &mut state.rules[index];
        if let Some(times) = rule.times.as_mut() {
            *times -= 1;
        }
        Some(rule.effect.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FaultState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The ARM answer of an injected status.
pub(crate) fn injected_status(status: StatusCode) -> ArmError {
    match status {
        StatusCode::TOO_MANY_REQUESTS => ArmError::new(
            status,
            "TooManyRequests",
            "The request was throttled (injected by the emulator). Please retry later.",
        )
        .with_retry_after(1),
        StatusCode::SERVICE_UNAVAILABLE => ArmError::new(
            status,
            "ServiceUnavailable",
            "The service is temporarily unavailable. Please try again later.",
        )
        .with_retry_after(1),
        StatusCode::INTERNAL_SERVER_ERROR => ArmError::new(
            status,
            "InternalServerError",
            "Encountered an internal server error. Please try again later.",
        ),
        other => ArmError::new(
            other,
            "InjectedFailure",
            "Failure injected by the emulator.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_n_failures_run_out() {
        let faults = Faults::new(0.0, fastrand::Rng::with_seed(1));
        faults.fail_next(2, 429);
        assert_eq!(faults.take_next().map(|e| e.retry_after), Some(Some(1)));
        assert!(faults.take_next().is_some());
        assert!(faults.take_next().is_none());
    }

    #[test]
    fn rules_match_by_name_and_operation_and_count_down() {
        let faults = Faults::new(0.0, fastrand::Rng::with_seed(1));
        faults.add(FaultRule {
            name: "Web".into(),
            resource_group: None,
            operation: FaultOperation::Put,
            effect: FaultEffect::Stuck,
            times: Some(1),
        });
        assert!(
            faults
                .matching("rg", "web", FaultOperation::Delete)
                .is_none()
        );
        assert_eq!(
            faults.matching("rg", "web", FaultOperation::Put),
            Some(FaultEffect::Stuck)
        );
        assert!(faults.matching("rg", "web", FaultOperation::Put).is_none());
    }

    #[test]
    fn the_fail_rate_is_honoured() {
        let never = Faults::new(0.0, fastrand::Rng::with_seed(1));
        assert!((0..100).all(|_| never.transient().is_none()));
        let always = Faults::new(1.0, fastrand::Rng::with_seed(1));
        assert!((0..100).all(|_| always.transient().is_some()));
    }
}
