//! `ArmError`: every way a call to Azure Resource Manager can fail.
//!
//! ARM's own errors keep what the service sent (status, `code`, `message`, `target`,
//! `details` and the request ids) untouched, so users can search for the code and quote
//! the request id to support. The other variants say which operation failed and why,
//! in words; none of them ever carries a token or a request body.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `error` object of an ARM error response (`{"error": {...}}`), as received.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmErrorBody {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ArmErrorBody>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub additional_info: Vec<Value>,
}

/// An HTTP answer that ARM marked as an error, with everything needed to report it.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmFailure {
    /// The HTTP status code.
    pub status: u16,
    /// The ARM error body; when the body was not ARM's JSON shape, `code` is empty and
    /// `message` holds the start of the body as text.
    pub error: ArmErrorBody,
    /// `x-ms-request-id`, exactly as received.
    pub request_id: Option<String>,
    /// `x-ms-correlation-request-id`, exactly as received.
    pub correlation_id: Option<String>,
}

impl fmt::Display for ArmFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.error.code.is_empty() {
            write!(f, "HTTP {}: {}", self.status, self.error.message)?;
        } else {
            write!(
                f,
                "{}: {} (HTTP {})",
                self.error.code, self.error.message, self.status
            )?;
        }
        write_details(f, &self.error.details, 1)?;

        let ids: Vec<String> = [
            self.request_id
                .as_ref()
                .map(|id| format!("x-ms-request-id {id}")),
            self.correlation_id
                .as_ref()
                .map(|id| format!("x-ms-correlation-request-id {id}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !ids.is_empty() {
            write!(f, "\n  [{}]", ids.join(", "))?;
        }
        Ok(())
    }
}

/// Nested `details` as indented `code: message` lines, the real cause of wrappers such
/// as `DeploymentFailed`.
fn write_details(
    f: &mut fmt::Formatter<'_>,
    details: &[ArmErrorBody],
    depth: usize,
) -> fmt::Result {
    for detail in details {
        let indent = "  ".repeat(depth);
        match &detail.target {
            Some(target) => write!(
                f,
                "\n{indent}{}: {} (target {target})",
                detail.code, detail.message
            )?,
            None => write!(f, "\n{indent}{}: {}", detail.code, detail.message)?,
        }
        write_details(f, &detail.details, depth + 1)?;
    }
    Ok(())
}

/// Every failure of the ARM client.
#[derive(Debug, thiserror::Error)]
pub enum ArmError {
    /// ARM answered with an error status; printed verbatim.
    #[error("{0}")]
    Arm(Box<ArmFailure>),

    /// ARM answered 401: the token is expired, invalid or for the wrong audience.
    #[error("{failure}\n  (the token from {credential} was rejected)")]
    Unauthorized {
        credential: String,
        failure: Box<ArmFailure>,
    },

    /// ARM kept answering 429 until the attempts or the time ran out.
    #[error(
        "throttled by Azure Resource Manager: gave up on {operation} after {attempts} \
         attempts in {waited:.0?}: {last}"
    )]
    Throttled {
        operation: String,
        attempts: u32,
        waited: Duration,
        last: Box<ArmFailure>,
    },

    /// The endpoint could not be reached (connection, TLS, reset or timeout), even after
    /// retries.
    #[error("cannot reach {endpoint} for {operation} after {attempts} attempts: {message}")]
    Transport {
        operation: String,
        endpoint: String,
        attempts: u32,
        message: String,
    },

    /// A request or a long-running operation took longer than allowed.
    #[error("{operation} timed out after {after:.0?}")]
    Timeout { operation: String, after: Duration },

    /// A long-running operation ended `Failed` or `Canceled`.
    #[error("{operation} ended with status {status}{}", lro_error_suffix(.error))]
    OperationFailed {
        operation: String,
        status: String,
        error: Option<Box<ArmErrorBody>>,
    },

    /// An answer that does not have the shape ARM documents.
    #[error("unexpected response to {operation}: {detail}")]
    BadResponse { operation: String, detail: String },

    /// Getting a token failed; names the credential and gives its error in words.
    #[error("cannot get an Azure token from {credential}: {message}")]
    Auth { credential: String, message: String },

    /// Plain `http://` to something other than this machine.
    #[error(
        "refusing to send credentials over plain http to {url}: use https:// (http:// is \
         allowed only for loopback addresses such as 127.0.0.1)"
    )]
    InsecureEndpoint { url: String },

    /// Settings that cannot work: a malformed endpoint URL, subscription or variable.
    #[error("{0}")]
    Config(String),
}

fn lro_error_suffix(error: &Option<Box<ArmErrorBody>>) -> String {
    match error {
        Some(body) if !body.code.is_empty() || !body.message.is_empty() => {
            let mut text = format!(": {}: {}", body.code, body.message);
            for detail in &body.details {
                text.push_str(&format!("\n  {}: {}", detail.code, detail.message));
            }
            text
        }
        _ => String::from(" (the service gave no error details)"),
    }
}

impl ArmError {
    /// The ARM failure behind this error, if ARM answered with one.
    pub fn failure(&self) -> Option<&ArmFailure> {
        match self {
            ArmError::Arm(f) => Some(f),
            ArmError::Unauthorized { failure, .. } => Some(failure),
            ArmError::Throttled { last, .. } => Some(last),
            _ => None,
        }
    }

    /// The HTTP status ARM answered with, if any.
    pub fn status(&self) -> Option<u16> {
        self.failure().map(|f| f.status)
    }

    /// The ARM error code (`ResourceNotFound`, `InvalidContainerGroupUpdate`, ...), also
    /// for a failed long-running operation.
    pub fn code(&self) -> Option<&str> {
        match self {
            ArmError::OperationFailed {
                error: Some(body), ..
            } => Some(body.code.as_str()),
            _ => self
                .failure()
                .map(|f| f.error.code.as_str())
                .filter(|c| !c.is_empty()),
        }
    }

    /// `x-ms-request-id` of the failing answer, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.failure().and_then(|f| f.request_id.as_deref())
    }

    /// True for a 404 answer: the resource (or its resource group) does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ArmError::Arm(f) if f.status == 404)
    }

    /// True for a 409 answer (conflict, e.g. a resource group being deleted).
    pub fn is_conflict(&self) -> bool {
        matches!(self, ArmError::Arm(f) if f.status == 409)
    }
}

/// Joins an error and its sources into one line, `{}` of each, never `{:?}`: azure_core
/// errors carry whole backtraces in their Debug form.
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(status: u16, code: &str, message: &str) -> ArmFailure {
        ArmFailure {
            status,
            error: ArmErrorBody {
                code: code.into(),
                message: message.into(),
                ..ArmErrorBody::default()
            },
            request_id: Some("req-1".into()),
            correlation_id: None,
        }
    }

    #[test]
    fn arm_error_prints_code_and_message_verbatim() {
        let mut f = failure(
            404,
            "ResourceGroupNotFound",
            "Resource group 'rg' could not be found.",
        );
        f.error.details.push(ArmErrorBody {
            code: "Inner".into(),
            message: "why".into(),
            ..ArmErrorBody::default()
        });
        let err = ArmError::Arm(Box::new(f));
        assert_eq!(
            err.to_string(),
            "ResourceGroupNotFound: Resource group 'rg' could not be found. (HTTP 404)\n  \
             Inner: why\n  [x-ms-request-id req-1]"
        );
        assert!(err.is_not_found());
        assert_eq!(err.code(), Some("ResourceGroupNotFound"));
        assert_eq!(err.request_id(), Some("req-1"));
    }

    #[test]
    fn non_arm_body_prints_status_and_text() {
        let mut f = failure(502, "", "Bad Gateway");
        f.request_id = None;
        let err = ArmError::Arm(Box::new(f));
        assert_eq!(err.to_string(), "HTTP 502: Bad Gateway");
        assert_eq!(err.code(), None);
    }

    #[test]
    fn failed_operation_shows_the_operation_error() {
        let err = ArmError::OperationFailed {
            operation: "PUT container group web".into(),
            status: "Failed".into(),
            error: Some(Box::new(ArmErrorBody {
                code: "InaccessibleImage".into(),
                message: "The image 'x' is not accessible.".into(),
                ..ArmErrorBody::default()
            })),
        };
        assert_eq!(
            err.to_string(),
            "PUT container group web ended with status Failed: InaccessibleImage: The image \
             'x' is not accessible."
        );
        assert_eq!(err.code(), Some("InaccessibleImage"));
    }

    #[test]
    fn error_body_tolerates_missing_and_unknown_fields() {
        let body: ArmErrorBody =
            serde_json::from_str(r#"{"code":"X","innererror":{"a":1}}"#).expect("parses");
        assert_eq!(body.code, "X");
        assert_eq!(body.message, "");
    }
}
