//! `ArmClient`: its configuration, its shared state and the URLs and ids it builds.
//!
//! The operations live beside it (`resource_groups.rs`, `container_groups.rs`); the
//! request loop in `http.rs` and long-running operations in `lro.rs`. One client is
//! shared by every task of a command: cloning is cheap and all clones share the
//! connection pool, the token cache, the cap on requests in flight and the counters.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::Semaphore;
use url::Url;

use super::credential::Credential;
use super::target::check_endpoint;
use super::throttle::ThrottleGate;
use super::token_cache::TokenSource;
use super::{ArmError, CONTAINER_API_VERSION, RESOURCE_API_VERSION};

/// Everything an [`ArmClient`] needs; [`ClientConfig::new`] fills in the defaults.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `https://management.azure.com`, or a loopback `http://` URL (an emulator).
    pub base_url: Url,
    pub subscription: String,
    pub credential: Credential,
    /// Global cap on requests in flight across all clones of the client (default 16).
    pub max_in_flight: usize,
    /// Attempts per request, the first included (default 8). Answers 429 do not count:
    /// throttled requests wait as ARM asks, within `request_deadline`.
    pub max_attempts: u32,
    /// Bound on one request's total time, retries and their waits included (default 5 min).
    pub request_deadline: Duration,
    /// Bound on one attempt, the body included (default 60 s).
    pub attempt_timeout: Duration,
    /// First step of the exponential backoff when the service sends no `Retry-After`
    /// (default 500 ms; the step doubles up to 30 s and is jittered).
    pub base_backoff: Duration,
    /// Bound on one long-running operation (default 30 min, ACI's own deployment limit).
    pub lro_timeout: Duration,
    /// Poll interval of long-running operations when the service sends no `Retry-After`
    /// (default 5 s).
    pub default_poll_interval: Duration,
}

impl ClientConfig {
    /// A configuration with the default limits.
    pub fn new(base_url: Url, subscription: impl Into<String>, credential: Credential) -> Self {
        ClientConfig {
            base_url,
            subscription: subscription.into(),
            credential,
            max_in_flight: 16,
            max_attempts: 8,
            request_deadline: Duration::from_secs(5 * 60),
            attempt_timeout: Duration::from_secs(60),
            base_backoff: Duration::from_millis(500),
            lro_timeout: Duration::from_secs(30 * 60),
            default_poll_interval: Duration::from_secs(5),
        }
    }
}

/// Counters since the client was built (for benchmarks and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP requests sent, every attempt and poll counted.
    pub requests: u64,
    /// Attempts that were retries of an earlier one.
    pub retries: u64,
    /// 429 answers received.
    pub throttled: u64,
    /// Polls of long-running operations.
    pub lro_polls: u64,
    /// Tokens fetched from the credential.
    pub token_fetches: u64,
}

#[derive(Default)]
pub(crate) struct Counters {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
    pub lro_polls: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// The client for Azure Resource Manager, the local cloud and any ARM-compatible
/// endpoint. `Clone` shares everything; `Send + Sync`.
#[derive(Clone)]
pub struct ArmClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub config: ClientConfig,
    pub http: reqwest::Client,
    pub tokens: TokenSource,
    pub in_flight: Semaphore,
    pub counters: Counters,
    pub throttle: ThrottleGate,
}

impl fmt::Debug for ArmClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArmClient")
            .field("base_url", &self.inner.config.base_url.as_str())
            .field("subscription", &self.inner.config.subscription)
            .field("credential", &self.inner.config.credential)
            .finish_non_exhaustive()
    }
}

impl ArmClient {
    /// Builds a client. Refuses plain `http://` to anything but a loopback address, and
    /// limits of zero.
    pub fn new(config: ClientConfig) -> Result<ArmClient, ArmError> {
        check_endpoint(&config.base_url)?;
        if config.subscription.is_empty() || config.subscription.contains(['/', '?', '#']) {
            let sub = &config.subscription;
            return Err(ArmError::Config(format!(
                "not a valid subscription id: {sub:?}"
            )));
        }
        if config.max_in_flight == 0 || config.max_attempts == 0 {
            return Err(ArmError::Config(
                "max_in_flight and max_attempts must be >= 1".into(),
            ));
        }

        // Retries, redirects and timeouts are ours: reqwest's own retries know nothing of
        // Retry-After, and a redirect must never carry the token to another host.
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("aciform/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .retry(reqwest::retry::never())
            .redirect(reqwest::redirect::Policy::none());
        if config.base_url.scheme() == "http" {
            // Plain HTTP to loopback never uses TLS (and redirects are not followed), so
            // the system's root certificates need not be read: that read is a few dozen
            // milliseconds of every command's start.
            builder = builder.tls_certs_only(Vec::<reqwest::Certificate>::new());
        }
        let http = builder
            .build()
            .map_err(|e| ArmError::Config(format!("cannot build the HTTP client: {e}")))?;

        let inner = Inner {
            tokens: TokenSource::new(config.credential.clone()),
            in_flight: Semaphore::new(config.max_in_flight),
            counters: Counters::default(),
            throttle: ThrottleGate::default(),
            http,
            config,
        };
        Ok(ArmClient {
            inner: Arc::new(inner),
        })
    }

    /// The subscription every call goes to.
    pub fn subscription(&self) -> &str {
        &self.inner.config.subscription
    }

    /// The base URL every call goes to.
    pub fn base_url(&self) -> &Url {
        &self.inner.config.base_url
    }

    /// The ARM id of a resource group.
    pub fn resource_group_id(&self, rg: &str) -> String {
        format!("/subscriptions/{}/resourceGroups/{rg}", self.subscription())
    }

    /// The ARM id of a container group.
    pub fn container_group_id(&self, rg: &str, name: &str) -> String {
        format!(
            "{}/providers/Microsoft.ContainerInstance/containerGroups/{name}",
            self.resource_group_id(rg)
        )
    }

    /// Counters since the client was built.
    pub fn stats(&self) -> ClientStats {
        let c = &self.inner.counters;
        ClientStats {
            requests: c.requests.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            throttled: c.throttled.load(Ordering::Relaxed),
            lro_polls: c.lro_polls.load(Ordering::Relaxed),
            token_fetches: self.inner.tokens.fetches(),
        }
    }

    /// `<base>/subscriptions/<sub>/<segments...>?api-version=<version>`; each segment is
    /// percent-encoded, so a name can never add path segments or a query.
    pub(crate) fn url(&self, segments: &[&str], api_version: &str) -> Url {
        let mut url = self.inner.config.base_url.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty()
                .push("subscriptions")
                .push(self.subscription())
                .extend(segments);
        }
        url.query_pairs_mut()
            .append_pair("api-version", api_version);
        url
    }

    pub(crate) fn resource_group_url(&self, rg: &str) -> Url {
        self.url(&["resourcegroups", rg], RESOURCE_API_VERSION)
    }

    pub(crate) fn container_group_url(&self, rg: &str, name: &str, rest: &[&str]) -> Url {
        let mut segments = vec![
            "resourceGroups",
            rg,
            "providers",
            "Microsoft.ContainerInstance",
            "containerGroups",
            name,
        ];
        segments.extend_from_slice(rest);
        self.url(&segments, CONTAINER_API_VERSION)
    }

    /// Refuses to send the token to a URL the service handed us (`nextLink`, a polling
    /// URL) unless it is on the configured endpoint: same scheme, host and port.
    pub(crate) fn check_same_origin(&self, url: &Url, what: &str) -> Result<(), ArmError> {
        let base = &self.inner.config.base_url;
        let same = url.scheme() == base.scheme()
            && url.host_str().map(str::to_ascii_lowercase)
                == base.host_str().map(str::to_ascii_lowercase)
            && url.port_or_known_default() == base.port_or_known_default();
        if same {
            return Ok(());
        }
        Err(ArmError::BadResponse {
            operation: what.to_string(),
            detail: format!(
                "refusing to follow a URL to another host ({}://{}); expected {}",
                url.scheme(),
                url.host_str().unwrap_or(""),
                base.origin().ascii_serialization()
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::Secret;

    fn client(base: &str) -> Result<ArmClient, ArmError> {
        let url = Url::parse(base).expect("url");
        let cred = Credential::Static(Secret::new("t"));
        ArmClient::new(ClientConfig::new(url, "sub-1", cred))
    }

    #[test]
    fn http_to_a_remote_host_is_refused() {
        let err = client("http://management.example.test").expect_err("refused");
        assert!(matches!(err, ArmError::InsecureEndpoint { .. }), "{err}");
        assert!(client("http://127.0.0.1:9").is_ok());
        assert!(client("https://management.azure.com").is_ok());
    }

    #[test]
    fn urls_encode_names_and_keep_a_base_path() {
        let c = client("http://127.0.0.1:9/prefix/").expect("client");
        let url = c.container_group_url("rg", "a/b?c", &["start"]);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/prefix/subscriptions/sub-1/resourceGroups/rg/providers/\
             Microsoft.ContainerInstance/containerGroups/a%2Fb%3Fc/start?api-version=2025-09-01"
        );
        assert_eq!(
            c.resource_group_url("rg").as_str(),
            "http://127.0.0.1:9/prefix/subscriptions/sub-1/resourcegroups/rg?api-version=2024-11-01"
        );
    }

    #[test]
    fn ids_follow_arm() {
        let c = client("https://management.azure.com").expect("client");
        assert_eq!(
            c.resource_group_id("rg"),
            "/subscriptions/sub-1/resourceGroups/rg"
        );
        assert_eq!(
            c.container_group_id("rg", "web"),
            "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.ContainerInstance/\
             containerGroups/web"
        );
    }

    #[test]
    fn only_the_configured_origin_is_followed() {
        let c = client("https://management.azure.com").expect("client");
        let ok = Url::parse("https://MANAGEMENT.azure.com:443/x?y").expect("url");
        assert!(c.check_same_origin(&ok, "list").is_ok());
        for other in [
            "https://evil.test/x",
            "http://management.azure.com/x",
            "https://management.azure.com:8443/",
        ] {
            let url = Url::parse(other).expect("url");
            assert!(c.check_same_origin(&url, "list").is_err(), "{other}");
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let c = client("http://127.0.0.1:9").expect("client");
        assert!(!format!("{c:?}").contains("\"t\""));
    }
}
