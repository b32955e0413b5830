//! The one place requests are sent: bearer token, cap on requests in flight, retries
//! with backoff honouring `Retry-After`, a deadline per request, one token refresh on
//! 401, ARM error bodies turned into `ArmError`, and a debug log line per attempt.
//!
//! The log line names method, path (never the query), status, request id, attempt and
//! duration; never a header value, a token or a body.

use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use tracing::{debug, warn};
use url::Url;

use super::client::{ArmClient, Counters};
use super::error::{ArmErrorBody, ArmFailure, error_chain};
use super::retry::{MAX_BACKOFF, backoff, is_transient_status, retry_after};
use super::{ArmError, Secret};

/// Bodies larger than this are refused (logs are at most 4 MB; lists page).
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// One logical request; `send` may make several attempts at it.
pub(crate) struct ArmRequest {
    pub method: Method,
    pub url: Url,
    pub body: Option<Vec<u8>>,
}

impl ArmRequest {
    pub(crate) fn get(url: Url) -> Self {
        ArmRequest {
            method: Method::GET,
            url,
            body: None,
        }
    }

    pub(crate) fn with_json<T: serde::Serialize>(
        method: Method,
        url: Url,
        body: &T,
    ) -> Result<Self, ArmError> {
        let body = serde_json::to_vec(body).map_err(|e| ArmError::BadResponse {
            operation: format!("{method} {}", url.path()),
            detail: format!("cannot serialize the request body: {e}"),
        })?;
        Ok(ArmRequest {
            method,
            url,
            body: Some(body),
        })
    }

    /// `METHOD /path`, how errors and logs name the request.
    pub(crate) fn operation(&self) -> String {
        format!("{} {}", self.method, self.url.path())
    }
}

/// A successful (2xx) answer, body read in full.
#[derive(Debug)]
pub(crate) struct ArmResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl ArmResponse {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)?
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// The body as `T`, or `BadResponse` naming the operation.
    pub(crate) fn json<T: DeserializeOwned>(&self, operation: &str) -> Result<T, ArmError> {
        serde_json::from_slice(&self.body).map_err(|e| ArmError::BadResponse {
            operation: operation.to_string(),
            detail: format!("the body is not the expected JSON ({e})"),
        })
    }
}

/// Why one attempt did not produce an answer.
enum AttemptError {
    Transport(reqwest::Error),
    TimedOut,
    TooLarge,
}

/// What the last failed attempt was, for the error given when we stop retrying.
enum LastFailure {
    Status(Box<ArmFailure>),
    Transport(String),
    TimedOut,
}

impl ArmClient {
    /// Sends `req` until it succeeds (2xx), fails for good, or the attempts or the
    /// deadline run out. Non-2xx answers come back as `ArmError`.
    pub(crate) async fn send(&self, req: &ArmRequest) -> Result<ArmResponse, ArmError> {
        let config = &self.inner.config;
        let operation = req.operation();
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let mut started: Option<Instant> = None;
        let mut refreshed = false;
        let mut attempt = 0u32;

        loop {
            attempt += 1;
            let token = self.inner.tokens.token().await?;
            let permit =
                self.inner.in_flight.acquire().await.map_err(|_| {
                    ArmError::Config("the client's request limiter was closed".into())
                })?;

            // The deadline starts once the first attempt may go out: time spent queueing
            // behind the cap on requests in flight is not the server's fault.
            let first = *started.get_or_insert_with(Instant::now);
            let deadline = first + config.request_deadline;
            let budget = config
                .attempt_timeout
                .min(deadline.saturating_duration_since(Instant::now()));
            let sent_at = Instant::now();
            let outcome = self.attempt(req, &token, &client_request_id, budget).await;
            drop(permit);

            let (wait, last) = match outcome {
                Ok((status, headers, body)) => {
                    log_attempt(req, attempt, sent_at, Some(status), &headers);
                    if status.is_success() {
                        return Ok(ArmResponse {
                            status,
                            headers,
                            body,
                        });
                    }
                    let failure = Box::new(failure_of(status, &headers, &body, &token));
                    if status == StatusCode::UNAUTHORIZED {
                        if !refreshed && self.inner.tokens.can_refresh() {
                            // The token may have expired early or been revoked: fetch a
                            // new one and try once more, without waiting.
                            refreshed = true;
                            self.inner.tokens.invalidate(&token).await;
                            continue;
                        }
                        let credential = self.inner.tokens.credential().name().to_string();
                        return Err(ArmError::Unauthorized {
                            credential,
                            failure,
                        });
                    }
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        Counters::bump(&self.inner.counters.throttled);
                    }
                    if !is_transient_status(status) {
                        return Err(ArmError::Arm(failure));
                    }
                    let wait = retry_after(&headers, OffsetDateTime::now_utc())
                        .unwrap_or_else(|| self.backoff(attempt));
                    (wait, LastFailure::Status(failure))
                }
                Err(AttemptError::Transport(e)) => {
                    log_attempt(req, attempt, sent_at, None, &HeaderMap::new());
                    let retryable =
                        e.is_connect() || e.is_timeout() || e.is_request() || e.is_body();
                    let message = scrub(&error_chain(&e.without_url()), &token);
                    if !retryable {
                        return Err(self.transport_error(&operation, attempt, message));
                    }
                    (self.backoff(attempt), LastFailure::Transport(message))
                }
                Err(AttemptError::TimedOut) => (self.backoff(attempt), LastFailure::TimedOut),
                Err(AttemptError::TooLarge) => {
                    return Err(ArmError::BadResponse {
                        operation,
                        detail: format!("the body is larger than {MAX_BODY_BYTES} bytes"),
                    });
                }
            };

            // Never retry earlier than the service asked; give up instead when that
            // would pass the deadline.
            if attempt >= config.max_attempts || Instant::now() + wait > deadline {
                return Err(self.give_up(operation, attempt, first.elapsed(), last));
            }
            Counters::bump(&self.inner.counters.retries);
            debug!(operation = %operation, attempt, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// One HTTP exchange, body included, within `budget`.
    async fn attempt(
        &self,
        req: &ArmRequest,
        token: &Secret,
        client_request_id: &str,
        budget: Duration,
    ) -> Result<(StatusCode, HeaderMap, Vec<u8>), AttemptError> {
        if budget.is_zero() {
            return Err(AttemptError::TimedOut);
        }
        let mut builder = self
            .inner
            .http
            .request(req.method.clone(), req.url.clone())
            .bearer_auth(token.secret())
            .header(header::ACCEPT, "application/json")
            .header("x-ms-client-request-id", client_request_id);
        if let Some(body) = &req.body {
            builder = builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }

        Counters::bump(&self.inner.counters.requests);
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
            Ok((status, headers, body))
        };
        tokio::time::timeout(budget, exchange)
            .await
            .unwrap_or(Err(AttemptError::TimedOut))
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

    fn give_up(
        &self,
        operation: String,
        attempts: u32,
        waited: Duration,
        last: LastFailure,
    ) -> ArmError {
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

fn log_attempt(
    req: &ArmRequest,
    attempt: u32,
    sent_at: Instant,
    status: Option<StatusCode>,
    headers: &HeaderMap,
) {
    let request_id = headers
        .get("x-ms-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    debug!(
        method = %req.method,
        path = %req.url.path(),
        status = status.map(|s| s.as_u16()).unwrap_or(0),
        request_id,
        attempt,
        duration_ms = sent_at.elapsed().as_millis() as u64,
        "ARM request"
    );
}

/// Turns an error answer into an `ArmFailure`: ARM's `{"error": {...}}`, a bare
/// `{"code", "message"}`, or else the start of the body as text.
fn failure_of(status: StatusCode, headers: &HeaderMap, body: &[u8], token: &Secret) -> ArmFailure {
    #[derive(serde::Deserialize)]
    struct Envelope {
        error: ArmErrorBody,
    }

    let error = serde_json::from_slice::<Envelope>(body)
        .map(|e| e.error)
        .or_else(|_| serde_json::from_slice::<ArmErrorBody>(body))
        .ok()
        .filter(|e| !e.code.is_empty() || !e.message.is_empty())
        .unwrap_or_else(|| ArmErrorBody {
            message: text_snippet(status, body, token),
            ..ArmErrorBody::default()
        });

    let id = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    ArmFailure {
        status: status.as_u16(),
        error,
        request_id: id("x-ms-request-id"),
        correlation_id: id("x-ms-correlation-request-id"),
    }
}

/// A short printable excerpt of a non-ARM error body (a proxy's HTML page, ...).
fn text_snippet(status: StatusCode, body: &[u8], token: &Secret) -> String {
    let reason = status.canonical_reason().unwrap_or("error");
    let text: String = String::from_utf8_lossy(body)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    let text = scrub(text.trim(), token);
    if text.is_empty() {
        reason.to_string()
    } else {
        format!("{reason}: {text}")
    }
}

/// Removes the token from text built from what a server sent back, in case a proxy or
/// a broken server echoes the request.
fn scrub(text: &str, token: &Secret) -> String {
    let secret = token.secret();
    if secret.len() >= 4 && text.contains(secret) {
        text.replace(secret, "(redacted)")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_error_bodies_are_read_in_both_shapes() {
        let token = Secret::new("tok-123");
        let mut headers = HeaderMap::new();
        headers.insert("x-ms-request-id", "r1".parse().expect("value"));

        let wrapped = br#"{"error":{"code":"Conflict","message":"busy","target":"x"}}"#;
        let f = failure_of(StatusCode::CONFLICT, &headers, wrapped, &token);
        assert_eq!(
            (f.error.code.as_str(), f.error.target.as_deref()),
            ("Conflict", Some("x"))
        );
        assert_eq!(f.request_id.as_deref(), Some("r1"));

        let bare = br#"{"code":"BadRequest","message":"no"}"#;
        let f = failure_of(StatusCode::BAD_REQUEST, &headers, bare, &token);
        assert_eq!(f.error.code, "BadRequest");
    }

    #[test]
    fn other_bodies_become_a_scrubbed_snippet() {
        let token = Secret::new("tok-123");
        let html = b"<html>\n<b>Bad gateway</b> for Bearer tok-123</html>";
        let f = failure_of(StatusCode::BAD_GATEWAY, &HeaderMap::new(), html, &token);
        assert_eq!(f.error.code, "");
        assert_eq!(
            f.error.message,
            "Bad Gateway: <html> <b>Bad gateway</b> for Bearer (redacted)</html>"
        );
        let empty = failure_of(StatusCode::NOT_FOUND, &HeaderMap::new(), b"", &token);
        assert_eq!(empty.error.message, "Not Found");
    }
}
