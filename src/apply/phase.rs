//! One phase of a step (a PUT, a DELETE, a start…) as the user sees it: a Started
//! event, a Still event every ten seconds while it runs, then Completed or Failed; and
//! how its error becomes the step's failure, ARM's code and message kept verbatim.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{ApplyContext, Event, StepFailure};
use crate::arm::{ArmError, ContainerGroup};
use crate::plan::Action;
use crate::plan::step::Step;
use crate::render::progress::Step as Phase;

/// How often a long operation reports that it is still going.
const STILL_EVERY: Duration = Duration::from_secs(10);

/// Why one phase's operation failed.
pub(super) enum OpError {
    /// ARM (or the client) said no.
    Arm(ArmError),
    /// aciform refused to go on, for the reason given.
    Refused(String),
}

impl From<ArmError> for OpError {
    fn from(err: ArmError) -> Self {
        OpError::Arm(err)
    }
}

/// Runs one phase: emits Started, Still every ten seconds, then Completed or Failed.
pub(super) async fn phase<F, E>(
    cx: &ApplyContext,
    step: &Step,
    which: Phase,
    id: Option<String>,
    op: F,
) -> Result<Option<String>, StepFailure>
where
    F: std::future::Future<Output = Result<Option<String>, E>>,
    E: Into<OpError>,
{
    let address = step.address.to_string();
    let start = Instant::now();
    cx.emit(Event::Started {
        address: address.clone(),
        phase: which,
        id,
    });
    tokio::pin!(op);
    let mut ticker =
        tokio::time::interval_at(tokio::time::Instant::now() + STILL_EVERY, STILL_EVERY);
    let result = loop {
        tokio::select! {
            result = &mut op => break result,
            _ = ticker.tick() => cx.emit(Event::Still {
                address: address.clone(), phase: which, elapsed: start.elapsed(),
            }),
        }
    };
    let elapsed = start.elapsed();
    match result {
        Ok(id) => {
            cx.emit(Event::Completed {
                address,
                phase: which,
                elapsed,
                id: id.clone(),
            });
            Ok(id)
        }
        Err(err) => {
            cx.emit(Event::Failed {
                address,
                phase: which,
                elapsed,
            });
            Err(match err.into() {
                OpError::Arm(err) => fail(step, which, &err),
                OpError::Refused(message) => StepFailure::new(step, which, message, None),
            })
        }
    }
}

/// A phase whose operation returns a container group.
pub(super) async fn phase_value<F>(
    cx: &ApplyContext,
    step: &Step,
    which: Phase,
    op: F,
) -> Result<Value, StepFailure>
where
    F: std::future::Future<Output = Result<ContainerGroup, ArmError>>,
{
    let mut out = Value::Null;
    let slot = &mut out;
    phase(cx, step, which, None, async move {
        let group = op.await?;
        *slot = serde_json::to_value(&group).unwrap_or(Value::Null);
        Ok::<_, ArmError>(group.id.clone())
    })
    .await?;
    Ok(out)
}

/// The phase a step is mostly about, for failures before any request goes out.
pub(super) fn main_phase(step: &Step) -> Phase {
    match step.action {
        Action::Update => Phase::Modify,
        Action::Delete => Phase::Destroy,
        Action::Start => Phase::Start,
        Action::Stop => Phase::Stop,
        Action::Create | Action::Replace | Action::NoOp => Phase::Create,
    }
}

/// The step's failure from ARM's error: its text and code as ARM sent them.
pub(super) fn fail(step: &Step, which: Phase, err: &ArmError) -> StepFailure {
    StepFailure::new(step, which, err.to_string(), err.code().map(String::from))
}
