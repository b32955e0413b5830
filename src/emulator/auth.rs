//! Bearer tokens: which ones the emulator accepts, and ARM's 401 answers otherwise.
//!
//! By default any non-empty `Authorization: Bearer …` passes. Tests can narrow the
//! accepted set or mark a token expired to exercise a client's 401 handling. Tokens are
//! never stored in logs or statistics: a request's principal is a hash of its token.

use std::collections::HashSet;
use std::sync::Mutex;

use axum::http::{HeaderValue, StatusCode};
use sha2::{Digest, Sha256};

use super::error::ArmError;

/// The token policy, changeable while the server runs.
#[derive(Debug, Default)]
pub struct Auth {
    state: Mutex<AuthState>,
}

#[derive(Debug, Default)]
struct AuthState {
    accepted: Option<HashSet<String>>,
    expired: HashSet<String>,
}

impl Auth {
    /// A policy accepting `accepted` only, or any token when `None`.
    pub fn new(accepted: Option<Vec<String>>) -> Self {
        let state = AuthState {
            accepted: accepted.map(|tokens| tokens.into_iter().collect()),
            expired: HashSet::new(),
        };
        Auth {
            state: Mutex::new(state),
        }
    }

    /// Accept only these tokens from now on.
    pub fn accept_only<I, S>(&self, tokens: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.lock().accepted = Some(tokens.into_iter().map(Into::into).collect());
    }

    /// Accept any non-empty token again, and forget expired ones.
    pub fn accept_any(&self) {
        let mut state = self.lock();
        state.accepted = None;
        state.expired.clear();
    }

    /// Answer `ExpiredAuthenticationToken` for this token from now on.
    pub fn expire(&self, token: impl Into<String>) {
        self.lock().expired.insert(token.into());
    }

    /// Checks an `Authorization` header; returns the request's principal (a token hash).
    pub(crate) fn check(&self, header: Option<&HeaderValue>) -> Result<String, ArmError> {
        let Some(header) = header else {
            return Err(unauthorized(
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
                "The authentication failed because of missing 'Authorization' header.",
            ));
        };
        let token = header
            .to_str()
            .ok()
            .and_then(|value| {
                value
                    .strip_prefix("Bearer ")
                    .or(value.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|token| !token.is_empty());
        let Some(token) = token else {
            return Err(unauthorized(
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is provided in an invalid \
                 format.",
                "The authentication failed because the 'Authorization' header is invalid.",
            ));
        };

        let state = self.lock();
        if state.expired.contains(token) {
            let now = time::OffsetDateTime::now_utc();
            let expiry = now - time::Duration::minutes(5);
            return Err(unauthorized(
                "ExpiredAuthenticationToken",
                &format!(
                    "The access token expiry UTC time '{}' is earlier than current UTC time \
                     '{}'.",
                    super::clock::us_date(expiry),
                    super::clock::us_date(now)
                ),
                "The access token has expired.",
            ));
        }
        if state
            .accepted
            .as_ref()
            .is_some_and(|accepted| !accepted.contains(token))
        {
            return Err(unauthorized(
                "InvalidAuthenticationToken",
                "The access token is invalid.",
                "The access token is invalid.",
            ));
        }
        Ok(principal(token))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, AuthState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A stable, non-reversible name for a token's principal, shaped like an object id.
fn principal(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

fn unauthorized(code: &str, message: &str, description: &str) -> ArmError {
    let mut err = ArmError::new(StatusCode::UNAUTHORIZED, code, message);
    err.headers.push((
        "www-authenticate",
        format!(
            "Bearer authorization_uri=\"https://login.microsoftonline.com/common\", \
             error=\"invalid_token\", error_description=\"{description}\""
        ),
    ));
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_wrong_and_expired_tokens_get_arm_codes() {
        let auth = Auth::new(None);
        assert_eq!(auth.check(None).unwrap_err().code, "AuthenticationFailed");
        let basic = HeaderValue::from_static("Basic abc");
        assert_eq!(
            auth.check(Some(&basic)).unwrap_err().code,
            "AuthenticationFailed"
        );
        let good = HeaderValue::from_static("Bearer t1");
        assert!(auth.check(Some(&good)).is_ok());

        auth.expire("t1");
        assert_eq!(
            auth.check(Some(&good)).unwrap_err().code,
            "ExpiredAuthenticationToken"
        );
        auth.accept_only(["t2"]);
        let other = HeaderValue::from_static("Bearer t3");
        assert_eq!(
            auth.check(Some(&other)).unwrap_err().code,
            "InvalidAuthenticationToken"
        );
    }

    #[test]
    fn principals_do_not_reveal_tokens() {
        let p = principal("secret-token");
        assert!(!p.contains("secret"));
        assert_eq!(p, principal("secret-token"));
    }
}
