//! Errors: [`ArmError`] is an ARM error response (status, `code`, `message`) as the
//! service sends it; [`EmulatorError`] is what starting or persisting the emulator
//! fails with.

use std::path::PathBuf;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What starting the emulator or touching its data directory fails with.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on {addr}")]
    Bind {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot use the emulator data directory {path}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("corrupt record {path} in the emulator data directory")]
    CorruptRecord {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

/// An ARM error answer: `{"error": {"code", "message"}}` with its HTTP status.
#[derive(Debug, Clone)]
pub struct ArmError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// Seconds for a `Retry-After` header (throttling, transient failures).
    pub retry_after: Option<u64>,
    /// Extra headers, e.g. `WWW-Authenticate` on 401.
    pub headers: Vec<(&'static str, String)>,
}

impl ArmError {
    /// An error with a status, an ARM code and a message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ArmError {
            status,
            code: code.to_string(),
            message: message.into(),
            retry_after: None,
            headers: Vec::new(),
        }
    }

    /// A 400 with the given code.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        ArmError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// ARM's answer to a body that does not match the schema.
    pub fn invalid_content(detail: impl std::fmt::Display) -> Self {
        ArmError::bad_request(
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{detail}'."),
        )
    }

    /// 404 for a resource group that does not exist.
    pub fn resource_group_not_found(rg: &str) -> Self {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "ResourceGroupNotFound",
            format!("Resource group '{rg}' could not be found."),
        )
    }

    /// 404 for a resource that does not exist in an existing resource group.
    pub fn resource_not_found(resource_type: &str, name: &str, rg: &str) -> Self {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!(
                "The Resource '{resource_type}/{name}' under resource group '{rg}' was not \
                 found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            ),
        )
    }

    /// 409 for writes into a resource group that is being deleted.
    pub fn resource_group_being_deleted(rg: &str) -> Self {
        ArmError::new(
            StatusCode::CONFLICT,
            "ResourceGroupBeingDeleted",
            format!(
                "The resource group '{rg}' is in deprovisioning state and cannot perform \
                 this operation."
            ),
        )
    }

    /// Adds a `Retry-After` header.
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The JSON body ARM sends.
    pub fn body(&self) -> serde_json::Value {
        json!({ "error": { "code": self.code, "message": self.message } })
    }
}

impl IntoResponse for ArmError {
    fn into_response(self) -> Response {
        let body = self.body().to_string();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        // Tells the post-processing step this is an error (no rate-limit bookkeeping
        // beyond the header, and the stats count it as an error).
        response.extensions_mut().insert(ErrorMarker(self.code));
        response
    }
}

/// Marks responses built from an [`ArmError`], carrying its code.
#[derive(Debug, Clone)]
pub struct ErrorMarker(pub String);
