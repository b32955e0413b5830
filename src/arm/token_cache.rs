//! The client's token cache: one token per client, fetched from the credential again
//! when it nears expiry or after ARM rejected it. Tokens stay in `Secret`s and are
//! never logged.

use std::sync::atomic::{AtomicU64, Ordering};

use azure_core::credentials::AccessToken;
use time::OffsetDateTime;
use tokio::sync::Mutex;
use tracing::debug;

use super::credential::{ARM_SCOPE, Credential, REFRESH_MARGIN};
use super::error::error_chain;
use super::{ArmError, Secret};

/// The client's token cache: one token, fetched again when it is within
/// [`REFRESH_MARGIN`] of expiring or after ARM rejected it. Concurrent callers wait for a
/// single fetch instead of each asking the identity service.
pub(crate) struct TokenSource {
    credential: Credential,
    cached: Mutex<Option<AccessToken>>,
    fetches: AtomicU64,
}

impl TokenSource {
    pub(crate) fn new(credential: Credential) -> Self {
        TokenSource {
            credential,
            cached: Mutex::new(None),
            fetches: AtomicU64::new(0),
        }
    }

    pub(crate) fn credential(&self) -> &Credential {
        &self.credential
    }

    /// True when asking again can give a different token.
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self.credential, Credential::Azure { .. })
    }

    /// How many tokens were fetched from the credential so far.
    pub(crate) fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// A token valid for at least [`REFRESH_MARGIN`] (or as good as the credential gives).
    pub(crate) async fn token(&self) -> Result<Secret, ArmError> {
        let (name, credential) = match &self.credential {
            Credential::Static(token) => return Ok(token.clone()),
            Credential::Azure { name, credential } => (name, credential),
        };

        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref()
            && token.expires_on > OffsetDateTime::now_utc() + REFRESH_MARGIN
        {
            return Ok(token.token.clone());
        }

        debug!(credential = %name, "requesting an access token");
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let fresh = credential
            .get_token(&[ARM_SCOPE], None)
            .await
            .map_err(|e| ArmError::Auth {
                credential: name.clone(),
                message: error_chain(&e),
            })?;
        debug!(credential = %name, expires_on = %fresh.expires_on, "got an access token");
        let secret = fresh.token.clone();
        *cached = Some(fresh);
        Ok(secret)
    }

    /// Forgets `rejected` (if it is still the cached token) so the next call fetches anew.
    pub(crate) async fn invalidate(&self, rejected: &Secret) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|t| &t.token == rejected) {
            *cached = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use azure_core::credentials::{TokenCredential, TokenRequestOptions};
    use std::sync::Arc;

    /// Hands out `token-1`, `token-2`, ... each valid for `lifetime`.
    #[derive(Debug)]
    struct CountingCredential {
        lifetime: time::Duration,
        calls: AtomicU64,
    }

    #[async_trait::async_trait]
    impl TokenCredential for CountingCredential {
        async fn get_token(
            &self,
            scopes: &[&str],
            _: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AccessToken> {
            assert_eq!(scopes, [ARM_SCOPE]);
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            let expires = OffsetDateTime::now_utc() + self.lifetime;
            Ok(AccessToken::new(format!("token-{n}"), expires))
        }
    }

    fn source(lifetime: time::Duration) -> TokenSource {
        let credential = Arc::new(CountingCredential {
            lifetime,
            calls: AtomicU64::new(0),
        });
        TokenSource::new(Credential::Azure {
            name: "counting".into(),
            credential,
        })
    }

    #[tokio::test]
    async fn tokens_are_cached_until_close_to_expiry() {
        let long = source(time::Duration::hours(1));
        for _ in 0..3 {
            assert_eq!(long.token().await.expect("token").secret(), "token-1");
        }
        assert_eq!(long.fetches(), 1);

        // Expiring within the refresh margin: every call fetches a fresh one.
        let short = source(time::Duration::minutes(4));
        assert_eq!(short.token().await.expect("token").secret(), "token-1");
        assert_eq!(short.token().await.expect("token").secret(), "token-2");
    }

    #[tokio::test]
    async fn a_rejected_token_is_fetched_again() {
        let src = source(time::Duration::hours(1));
        let first = src.token().await.expect("token");
        src.invalidate(&Secret::new("some-older-token")).await;
        assert_eq!(src.token().await.expect("token"), first);
        src.invalidate(&first).await;
        assert_eq!(src.token().await.expect("token").secret(), "token-2");
    }
}
