//! The one place requests are sent: bearer token, cap on requests in flight, retries
//! with backoff honouring `Retry-After`, a deadline per request, one token refresh on
//! 401, and a debug log line per attempt.
//!
//! Throttling is shared (`throttle.rs`): ARM's budgets are per subscription and class
//! of operation, so a 429 closes that class for every task until its `Retry-After` has
//! passed, and a nearly spent budget paces the class. A 429 does not count against
//! `max_attempts`: ARM said when to come back, and waiting for it is bounded by the
//! request's deadline instead.
//!
//! The log line names method, path (never the query), status, request id, attempt and
//! duration; never a header value, a token or a body.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use time::OffsetDateTime;
use tracing::{debug, warn};

use super::client::{ArmClient, Counters};
use super::error::{ArmFailure, error_chain};
use super::request::{ArmRequest, ArmResponse, MAX_BODY_BYTES, failure_of, scrub};
use super::retry::{MAX_BACKOFF, backoff, is_transient_status, retry_after};
use super::throttle::OpClass;
use super::{ArmError, Secret};

/// What one attempt produced: an answer of any status, or why there was none.
type Outcome = Result<ArmResponse, AttemptError>;

/// Why one attempt produced no answer.
enum AttemptError {
    Transport(reqwest::Error),
    TimedOut,
    TooLarge,
}

/// What the last failed attempt was, for the error given when retrying stops.
enum LastFailure {
    Status(Box<ArmFailure>),
    Transport(String),
    TimedOut,
}

/// What to do after an attempt.
enum Verdict {
    Finished(Result<ArmResponse, ArmError>),
    /// Try again at once (a fresh token after a 401).
    RetryNow,
    RetryAfter(Duration, LastFailure),
}

/// The state of one logical request across its attempts.
struct Run {
    operation: String,
    client_request_id: String,
    started: Option<Instant>,
    attempt: u32,
    /// Attempts answered 429 (not counted against `max_attempts`).
    throttled: u32,
    refreshed: bool,
}

impl ArmClient {
    /// Sends `req` until it succeeds (2xx), fails for good, or the attempts or the
    /// deadline run out. Non-2xx answers come back as `ArmError`.
    pub(crate) async fn send(&self, req: &ArmRequest) -> Result<ArmResponse, ArmError> {
        let config = &self.inner.config;
        let mut run = Run {
            operation: req.operation(),
            client_request_id: uuid::Uuid::new_v4().to_string(),
            started: None,
            attempt: 0,
            throttled: 0,
            refreshed: false,
        };
        let class = OpClass::of(&req.method);
        let mut previous: Option<LastFailure> = None;

        loop {
            run.attempt += 1;
            self.inner.throttle.wait_open(class).await;
            let token = self.inner.tokens.token().await?;
            let permit =
                self.inner.in_flight.acquire().await.map_err(|_| {
                    ArmError::Config("the client's request limiter was closed".into())
                })?;

            // The deadline starts once the first attempt may go out: time spent queueing
            // behind the cap on requests in flight is not the server's fault.
            let first = *run.started.get_or_insert_with(Instant::now);
            let deadline = first + config.request_deadline;
            let budget = config
                .attempt_timeout
                .min(deadline.saturating_duration_since(Instant::now()));
            let outcome = self.attempt(req, &token, &run, budget).await;
            drop(permit);
            // A request waiting for the permit just freed was woken on this worker; let
            // it go out before this answer is parsed, or every answer of a round of
            // LISTs would delay the next round's requests by its parsing time.
            tokio::task::yield_now().await;

            if let Some(left) = outcome
                .as_ref()
                .ok()
                .and_then(|a| a.header(class.remaining_header()))
                .and_then(|v| v.parse::<u32>().ok())
            {
                self.inner.throttle.remaining(class, left);
            }
            let cut_short = budget < config.attempt_timeout;
            let (wait, mut last) = match self.judge(outcome, &token, &mut run).await {
                Verdict::Finished(result) => return result,
                Verdict::RetryNow => continue,
                Verdict::RetryAfter(wait, last) => (wait, last),
            };
            if matches!(&last, LastFailure::Status(f) if f.status == 429) {
                run.throttled += 1;
                self.inner.throttle.close(class, wait);
            }
            // An attempt the deadline cut short says nothing new: the answer before it
            // (a 429, a 503) is why the request failed.
            if let (LastFailure::TimedOut, true, Some(before)) = (&last, cut_short, previous) {
                last = before;
            }

            // Never retry earlier than the service asked; give up instead when that
            // would pass the deadline.
            let failures = run.attempt - run.throttled;
            if failures >= config.max_attempts || Instant::now() + wait > deadline {
                return Err(self.give_up(run, first.elapsed(), last));
            }
            previous = Some(last);
            Counters::bump(&self.inner.counters.retries);
            let wait_ms = wait.as_millis() as u64;
            debug!(operation = %run.operation, attempt = run.attempt, wait_ms, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// One HTTP exchange, body included, within `budget`; logs it.
    async fn attempt(
        &self,
        req: &ArmRequest,
        token: &Secret,
        run: &Run,
        budget: Duration,
    ) -> Outcome {
        if budget.is_zero() {
            return Err(AttemptError::TimedOut);
        }
        let mut builder = self
            .inner
            .http
            .request(req.method.clone(), req.url.clone())
            .bearer_auth(token.secret())
            .header(header::ACCEPT, "application/json")
            .header("x-ms-client-request-id", &run.client_request_id);
        if let Some(body) = &req.body {
            builder = builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }

        Counters::bump(&self.inner.counters.requests);
        let sent_at = Instant::now();
        let exchange = async {
            let mut response = builder.send().await.map_err(AttemptError::Transport)?;
            let status = response.status();
            let headers = std::mem::take(response.headers_mut());
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(AttemptError::Transport)? {
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(AttemptError::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(ArmResponse {
                status,
                headers,
                body,
            })
        };
        let outcome = tokio::time::timeout(budget, exchange)
            .await
            .unwrap_or(Err(AttemptError::TimedOut));

        log_attempt(req, run.attempt, sent_at, outcome.as_ref().ok());
        outcome
    }

    /// Decides what an attempt's outcome means: done, try again now, or later.
    async fn judge(&self, outcome: Outcome, token: &Secret, run: &mut Run) -> Verdict {
        let response = match outcome {
            Ok(response) if response.status.is_success() => return Verdict::Finished(Ok(response)),
            Ok(response) => response,
            Err(AttemptError::Transport(e)) => {
                let retryable = e.is_connect() || e.is_timeout() || e.is_request() || e.is_body();
                let message = scrub(&error_chain(&e.without_url()), token);
                if !retryable {
                    let error = self.transport_error(&run.operation, run.attempt, message);
                    return Verdict::Finished(Err(error));
                }
                return Verdict::RetryAfter(
                    self.backoff(run.attempt),
                    LastFailure::Transport(message),
                );
            }
            Err(AttemptError::TimedOut) => {
                return Verdict::RetryAfter(self.backoff(run.attempt), LastFailure::TimedOut);
            }
            Err(AttemptError::TooLarge) => {
                let operation = run.operation.clone();
                let detail = format!("the body is larger than {MAX_BODY_BYTES} bytes");
                return Verdict::Finished(Err(ArmError::BadResponse { operation, detail }));
            }
        };

        let status = response.status;
        let failure = Box::new(failure_of(status, &response.headers, &response.body, token));
        if status == StatusCode::UNAUTHORIZED {
            // The token may have expired early or been revoked: fetch a new one and try
            // once more, without waiting. A static token cannot get better.
            if !run.refreshed && self.inner.tokens.can_refresh() {
                run.refreshed = true;
                self.inner.tokens.invalidate(token).await;
                return Verdict::RetryNow;
            }
            let credential = self.inner.tokens.credential().name().to_string();
            return Verdict::Finished(Err(ArmError::Unauthorized {
                credential,
                failure,
            }));
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            Counters::bump(&self.inner.counters.throttled);
        }
        if !is_transient_status(status) {
            return Verdict::Finished(Err(ArmError::Arm(failure)));
        }
        let wait = retry_after(&response.headers, OffsetDateTime::now_utc())
            .map(spread)
            .unwrap_or_else(|| self.backoff(run.attempt));
        Verdict::RetryAfter(wait, LastFailure::Status(failure))
    }

    fn backoff(&self, attempt: u32) -> Duration {
        backoff(
            self.inner.config.base_backoff,
            attempt.saturating_sub(1),
            MAX_BACKOFF,
        )
    }

    fn transport_error(&self, operation: &str, attempts: u32, message: String) -> ArmError {
        let base = &self.inner.config.base_url;
        ArmError::Transport {
            operation: operation.to_string(),
            endpoint: base.origin().ascii_serialization(),
            attempts,
            message,
        }
    }

    fn give_up(&self, run: Run, waited: Duration, last: LastFailure) -> ArmError {
        let (operation, attempts) = (run.operation, run.attempt);
        warn!(operation = %operation, attempts, "giving up");
        match last {
            LastFailure::Status(last) if last.status == 429 => ArmError::Throttled {
                operation,
                attempts,
                waited,
                last,
            },
            LastFailure::Status(failure) => ArmError::Arm(failure),
            LastFailure::Transport(message) => self.transport_error(&operation, attempts, message),
            LastFailure::TimedOut => ArmError::Timeout {
                operation,
                after: waited,
            },
        }
    }
}

fn log_attempt(req: &ArmRequest, attempt: u32, sent_at: Instant, answer: Option<&ArmResponse>) {
    let headers = answer.map(|a| &a.headers);
    let request_id = headers
        .and_then(|h: &HeaderMap| h.get("x-ms-request-id"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    debug!(
        method = %req.method,
        path = %req.url.path(),
        status = answer.map(|a| a.status.as_u16()).unwrap_or(0),
        request_id,
        attempt,
        duration_ms = sent_at.elapsed().as_millis() as u64,
        "ARM request"
    );
}

/// Waits a little longer than asked, by up to a fifth: separate processes throttled
/// together then do not all come back in the same instant (within one client, the
/// class gate of `throttle.rs` already spreads them).
fn spread(asked: Duration) -> Duration {
    let extra_ms = (asked.as_millis() as u64 / 5).max(50);
    asked + Duration::from_millis(fastrand::u64(0..=extra_ms))
}
