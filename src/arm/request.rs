//! What goes out and what comes back: `ArmRequest`, a successful `ArmResponse`, and
//! error answers read into `ArmFailure` (ARM's JSON shapes, or a short scrubbed
//! excerpt of anything else).

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use super::error::{ArmErrorBody, ArmFailure};
use super::{ArmError, Secret};

/// Bodies larger than this are refused (logs are at most 4 MB; lists page).
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

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

/// Turns an error answer into an `ArmFailure`: ARM's `{"error": {...}}`, a bare
/// `{"code", "message"}`, or else the start of the body as text.
pub(crate) fn failure_of(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    token: &Secret,
) -> ArmFailure {
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
pub(crate) fn scrub(text: &str, token: &Secret) -> String {
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
