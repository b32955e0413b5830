//! Long-running operations: after a PUT, DELETE or POST action, follow
//! `Azure-AsyncOperation` (else `Location`, else the resource itself) until the
//! operation ends, at the interval the service asks for, within `lro_timeout`.
//!
//! Terminal states are `Succeeded`, `Failed` and `Canceled`; anything else means still
//! running. A failed operation surfaces the operation's own ARM error. A transient
//! failure while polling (5xx, 429, a dropped connection) is retried, never fatal: the
//! operation is still running on the service's side.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde::Deserialize;
use time::OffsetDateTime;
use tracing::{debug, warn};
use url::Url;

use super::ArmError;
use super::client::{ArmClient, Counters};
use super::models::{OperationStatus, is_terminal_state};
use super::request::{ArmRequest, ArmResponse};
use super::retry::retry_after;

/// What kind of call started the operation, which decides what "done" looks like when
/// the service gives no polling URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LroKind {
    /// Done when the resource's provisioningState is terminal.
    Put,
    /// Done when the resource answers 404.
    Delete,
    /// start/restart: done when the resource's provisioningState is terminal.
    Action,
}

/// How the operation is followed.
enum Poll {
    AsyncOperation(Url),
    Location(Url),
    Resource,
}

/// One poll's verdict.
enum Step {
    Running(Option<Duration>),
    /// Done; the resource body when the poll returned it.
    Done(Option<Vec<u8>>),
}

/// Just enough of a resource to read its provisioning state.
#[derive(Deserialize)]
struct StateProbe {
    #[serde(default)]
    properties: Option<StateProbeProperties>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateProbeProperties {
    #[serde(default)]
    provisioning_state: Option<String>,
}

fn provisioning_state(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<StateProbe>(body)
        .ok()?
        .properties?
        .provisioning_state
}

impl ArmClient {
    /// Waits for the operation `initial` started on `resource`. Returns the resource's
    /// final body when polling produced one.
    pub(crate) async fn wait_for_operation(
        &self,
        operation: &str,
        initial: &ArmResponse,
        resource: &Url,
        kind: LroKind,
    ) -> Result<Option<Vec<u8>>, ArmError> {
        let poll = match self.choose_poll(operation, initial, kind)? {
            Some(poll) => poll,
            None => return Ok(None),
        };

        let config = &self.inner.config;
        let started = Instant::now();
        let deadline = started + config.lro_timeout;
        // Reading the resource back needs no head start unless the service asked for one.
        let mut wait = retry_after(&initial.headers, OffsetDateTime::now_utc()).or(matches!(
            poll,
            Poll::Resource
        )
        .then_some(Duration::ZERO));
        loop {
            let pause = wait.unwrap_or(config.default_poll_interval);
            if Instant::now() + pause > deadline {
                return Err(ArmError::Timeout {
                    operation: operation.to_string(),
                    after: config.lro_timeout,
                });
            }
            tokio::time::sleep(pause).await;

            Counters::bump(&self.inner.counters.lro_polls);
            let step = match &poll {
                Poll::AsyncOperation(url) => self.poll_async_operation(operation, url).await,
                Poll::Location(url) => self.poll_location(url, kind).await,
                Poll::Resource => self.poll_resource(operation, resource, kind).await,
            };
            match step {
                Ok(Step::Done(body)) => {
                    debug!(
                        operation,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "done"
                    );
                    return Ok(body);
                }
                Ok(Step::Running(next)) => wait = next,
                Err(e) if is_transient(&e) => {
                    warn!(operation, error = %e, "polling failed for now; polling again");
                    wait = None;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Picks the polling method from the first answer, or `None` when it is final.
    fn choose_poll(
        &self,
        operation: &str,
        initial: &ArmResponse,
        kind: LroKind,
    ) -> Result<Option<Poll>, ArmError> {
        for (header, make) in [
            (
                "azure-asyncoperation",
                Poll::AsyncOperation as fn(Url) -> Poll,
            ),
            ("location", Poll::Location as fn(Url) -> Poll),
        ] {
            if let Some(value) = initial.header(header) {
                let url = Url::parse(value).map_err(|e| ArmError::BadResponse {
                    operation: operation.to_string(),
                    detail: format!("{header} is not a URL ({e})"),
                })?;
                self.check_same_origin(&url, operation)?;
                return Ok(Some(make(url)));
            }
        }

        // No polling URL. A PUT's own body is never final (ACI answers with states such
        // as `Succeeded` while still deploying), so a PUT always reads the resource
        // back; a DELETE or an action is done unless it said 202 Accepted.
        let finished = match kind {
            LroKind::Put => false,
            LroKind::Delete => initial.status != StatusCode::ACCEPTED,
            LroKind::Action => match provisioning_state(&initial.body) {
                Some(state) => is_terminal_state(&state),
                None => initial.status != StatusCode::ACCEPTED,
            },
        };
        if finished {
            check_not_failed(operation, &initial.body)?;
            return Ok(None);
        }
        Ok(Some(Poll::Resource))
    }

    async fn poll_async_operation(&self, operation: &str, url: &Url) -> Result<Step, ArmError> {
        let response = self.send(&ArmRequest::get(url.clone())).await?;
        let status: OperationStatus = response.json(operation)?;
        let next = retry_after(&response.headers, OffsetDateTime::now_utc());
        debug!(operation, status = %status.status, "operation status");

        if !is_terminal_state(&status.status) {
            return Ok(Step::Running(next));
        }
        if status.status.eq_ignore_ascii_case("Succeeded") {
            return Ok(Step::Done(None));
        }
        Err(ArmError::OperationFailed {
            operation: operation.to_string(),
            status: status.status,
            error: status.error.map(Box::new),
        })
    }

    async fn poll_location(&self, url: &Url, kind: LroKind) -> Result<Step, ArmError> {
        let response = match self.send(&ArmRequest::get(url.clone())).await {
            Err(e) if e.is_not_found() && kind == LroKind::Delete => return Ok(Step::Done(None)),
            other => other?,
        };
        if response.status == StatusCode::ACCEPTED {
            let next = retry_after(&response.headers, OffsetDateTime::now_utc());
            return Ok(Step::Running(next));
        }
        // The final answer's body is not always the resource (ARM leaves that to each
        // provider), so callers read the resource themselves.
        Ok(Step::Done(None))
    }

    async fn poll_resource(
        &self,
        operation: &str,
        resource: &Url,
        kind: LroKind,
    ) -> Result<Step, ArmError> {
        let response = match self.send(&ArmRequest::get(resource.clone())).await {
            Err(e) if e.is_not_found() && kind == LroKind::Delete => return Ok(Step::Done(None)),
            other => other?,
        };
        let next = retry_after(&response.headers, OffsetDateTime::now_utc());
        if kind == LroKind::Delete {
            return Ok(Step::Running(next));
        }

        match provisioning_state(&response.body) {
            Some(state) if is_terminal_state(&state) => {
                check_not_failed(operation, &response.body)?;
                Ok(Step::Done(Some(response.body)))
            }
            Some(_) => Ok(Step::Running(next)),
            None => Ok(Step::Done(Some(response.body))),
        }
    }
}

/// A resource whose provisioningState ended `Failed`/`Canceled` is a failed operation,
/// even though the resource itself exists.
fn check_not_failed(operation: &str, body: &[u8]) -> Result<(), ArmError> {
    match provisioning_state(body) {
        Some(state) if is_terminal_state(&state) && !state.eq_ignore_ascii_case("Succeeded") => {
            Err(ArmError::OperationFailed {
                operation: operation.to_string(),
                status: state,
                error: None,
            })
        }
        _ => Ok(()),
    }
}

/// Failures worth polling again: the operation goes on while ARM hiccups.
fn is_transient(err: &ArmError) -> bool {
    match err {
        ArmError::Throttled { .. } | ArmError::Transport { .. } | ArmError::Timeout { .. } => true,
        ArmError::Arm(f) => matches!(f.status, 408 | 429 | 500..=599),
        _ => false,
    }
}
