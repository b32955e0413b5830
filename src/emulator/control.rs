//! The test-control API under `/_emulator/` (not ARM; no token needed), so tests and
//! benchmarks in other processes can read counters and inject faults:
//!
//! | request | effect |
//! | --- | --- |
//! | `GET /_emulator/health` | `{"status":"ok"}` |
//! | `GET /_emulator/stats` | request counters ([`Stats`](super::Stats)) |
//! | `POST /_emulator/stats/reset` | counters back to zero |
//! | `GET /_emulator/faults` | the fault rules in force |
//! | `POST /_emulator/faults` | add a [`FaultRule`](super::FaultRule) (JSON body) |
//! | `POST /_emulator/faults/next` | `{"count": N, "status": 429}`: the next N ARM requests fail |
//! | `DELETE /_emulator/faults` | remove every rule and pending failure |
//! | `POST /_emulator/auth` | `{"accept": ["t1"] or null, "expire": ["t2"]}` |

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::api::json_response;
use super::error::ArmError;
use super::faults::FaultRule;
use super::server::Emu;

#[derive(Deserialize)]
struct NextFailures {
    count: u32,
    #[serde(default = "default_status")]
    status: u16,
}

fn default_status() -> u16 {
    500
}

#[derive(Deserialize)]
struct AuthChange {
    #[serde(default)]
    accept: Option<Vec<String>>,
    #[serde(default)]
    expire: Vec<String>,
}

/// Answers one control request.
pub async fn handle(emu: &Emu, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().trim_end_matches('/').to_string();
    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    match answer(emu, &method, &path, &body) {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

fn answer(emu: &Emu, method: &Method, path: &str, body: &[u8]) -> Result<Response, ArmError> {
    let parse_error = |e: serde_json::Error| ArmError::invalid_content(e);
    match (method.clone(), path) {
        (Method::GET, "/_emulator/health") => {
            Ok(json_response(StatusCode::OK, &json!({ "status": "ok" })))
        }
        (Method::GET, "/_emulator/stats") => {
            let stats = serde_json::to_value(emu.counters.snapshot()).unwrap_or_default();
            Ok(json_response(StatusCode::OK, &stats))
        }
        (Method::POST, "/_emulator/stats/reset") => {
            emu.counters.reset();
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        (Method::GET, "/_emulator/faults") => {
            let rules = serde_json::to_value(emu.faults.rules()).unwrap_or_default();
            Ok(json_response(StatusCode::OK, &json!({ "rules": rules })))
        }
        (Method::POST, "/_emulator/faults") => {
            let rule: FaultRule = serde_json::from_slice(body).map_err(parse_error)?;
            emu.faults.add(rule);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        (Method::POST, "/_emulator/faults/next") => {
            let next: NextFailures = serde_json::from_slice(body).map_err(parse_error)?;
            emu.faults.fail_next(next.count, next.status);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        (Method::DELETE, "/_emulator/faults") => {
            emu.faults.clear();
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        (Method::POST, "/_emulator/auth") => {
            let change: AuthChange = serde_json::from_slice(body).map_err(parse_error)?;
            match change.accept {
                Some(tokens) => emu.auth.accept_only(tokens),
                None => emu.auth.accept_any(),
            }
            for token in change.expire {
                emu.auth.expire(token);
            }
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("No emulator control endpoint at '{method} {path}'."),
        )),
    }
}
