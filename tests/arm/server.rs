//! A scripted ARM stand-in for the client tests: an axum server on 127.0.0.1:0 that
//! records every request and answers from a closure, so a test can provoke what the
//! emulator cannot (a given status sequence, headers, delays). It stops when dropped.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aciform::arm::{ArmClient, ClientConfig, Credential, Secret};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use tokio::sync::oneshot;
use url::Url;

/// The subscription of the test clients.
pub const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000000";

/// Where the test container groups of resource group `rg` live.
pub const CGS: &str = concat!(
    "/subscriptions/00000000-0000-0000-0000-000000000000",
    "/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups"
);

/// The static token the test clients send.
pub const TEST_TOKEN: &str = "test-token-5f0c2a9e";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub authorization: Option<String>,
    pub body: String,
    pub at: Instant,
}

/// An answer: status, headers and body; `{base}` in header values and the body becomes
/// the server's own base URL (for Location, Azure-AsyncOperation and nextLink).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn new(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: vec![],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Reply::new(status, &body.to_string())
    }

    /// An ARM error body with request ids.
    pub fn arm_error(status: u16, code: &str, message: &str) -> Self {
        let body = serde_json::json!({"error": {"code": code, "message": message}});
        Reply::json(status, body)
            .header("x-ms-request-id", "req-0001")
            .header("x-ms-correlation-request-id", "corr-0001")
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

struct Shared {
    base: String,
    handler: Box<Handler>,
    requests: Mutex<Vec<Recorded>>,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

/// A running scripted server.
pub struct MockArm {
    pub base: Url,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl MockArm {
    /// Starts a server answering every request with `handler`.
    pub async fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> MockArm {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        MockArm::serve(listener, handler)
    }

    /// Serves on a listener the test already holds (to play with connections first).
    pub fn serve(
        listener: tokio::net::TcpListener,
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> MockArm {
        let addr = listener.local_addr().expect("local addr");
        let base = format!("http://{addr}");
        let shared = Arc::new(Shared {
            base: base.clone(),
            handler: Box::new(handler),
            requests: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        });

        let router = axum::Router::new()
            .fallback(answer)
            .with_state(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            let _ = serve.await;
        });
        let base = Url::parse(&base).expect("base url");
        MockArm {
            base,
            shared,
            shutdown: Some(tx),
        }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().expect("lock").clone()
    }

    /// The highest number of requests handled at once.
    pub fn peak_in_flight(&self) -> usize {
        self.shared.peak.load(Ordering::SeqCst)
    }

    /// A client for this server with test-sized limits; `tune` adjusts them.
    pub fn client(&self, tune: impl FnOnce(&mut ClientConfig)) -> ArmClient {
        let credential = Credential::Static(Secret::new(TEST_TOKEN));
        let mut config = test_config(self.base.clone(), credential);
        tune(&mut config);
        ArmClient::new(config).expect("client builds")
    }
}

/// Test-sized limits: short backoff and polling, bounded waits.
pub fn test_config(base: Url, credential: Credential) -> ClientConfig {
    let mut config = ClientConfig::new(base, "00000000-0000-0000-0000-000000000000", credential);
    config.base_backoff = Duration::from_millis(10);
    config.default_poll_interval = Duration::from_millis(20);
    config.lro_timeout = Duration::from_secs(10);
    config.request_deadline = Duration::from_secs(20);
    config.attempt_timeout = Duration::from_secs(5);
    config
}

impl Drop for MockArm {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn answer(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.peak.fetch_max(now, Ordering::SeqCst);

    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 16 * 1024 * 1024).await.unwrap_or_default();
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        authorization: parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
    };
    shared.requests.lock().expect("lock").push(recorded.clone());

    let reply = (shared.handler)(&recorded);
    tokio::time::sleep(reply.delay).await;
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    build(reply, &shared.base)
}

fn build(reply: Reply, base: &str) -> Response {
    let mut response = Response::new(Body::from(reply.body.replace("{base}", base)));
    *response.status_mut() = StatusCode::from_u16(reply.status).expect("status");
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    for (name, value) in reply.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("header name");
        let value = HeaderValue::from_str(&value.replace("{base}", base)).expect("header value");
        headers.insert(name, value);
    }
    response
}

/// Sets process environment variables for one test and restores them on drop. Tests
/// that set variables take turns (a lock), so they also pass under `cargo test`, which
/// runs tests as threads of one process; nextest gives each test its own process.
pub struct EnvGuard {
    saved: Vec<(String, Option<String>)>,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

static ENV_TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl EnvGuard {
    pub async fn set(pairs: &[(&str, &str)]) -> EnvGuard {
        let turn = ENV_TURN.lock().await;
        let mut saved = Vec::new();
        for (name, value) in pairs {
            saved.push((name.to_string(), std::env::var(name).ok()));
            // SAFETY: only tests holding ENV_TURN change the environment, and the
            // variables set here are read only by the code under test.
            unsafe { std::env::set_var(name, value) };
        }
        EnvGuard { saved, _turn: turn }
    }
}

impl Drop for EnvGuard {
    fn drop(&mut self) {
        for (name, value) in self.saved.drain(..) {
            // SAFETY: as in `set`; the lock is still held.
            unsafe {
                match value {
                    Some(v) => std::env::set_var(&name, v),
                    None => std::env::remove_var(&name),
                }
            }
        }
    }
}

/// Counts calls per key, for scripts like "the 1st time answer 429, then 200".
#[derive(Default)]
pub struct Counter(Mutex<BTreeMap<String, usize>>);

impl Counter {
    /// 1 on the first call with `key`, 2 on the second, ...
    pub fn next(&self, key: &str) -> usize {
        let mut map = self.0.lock().expect("lock");
        let n = map.entry(key.to_string()).or_insert(0);
        *n += 1;
        *n
    }
}

/// A minimal container group body in ARM's shape.
pub fn group_json(name: &str, state: &str) -> serde_json::Value {
    serde_json::json!({
        "id": format!("{CGS}/{name}"),
        "name": name,
        "type": "Microsoft.ContainerInstance/containerGroups",
        "location": "westeurope",
        "properties": {
            "provisioningState": state,
            "osType": "Linux",
            "containers": [{"name": name, "properties": {
                "image": "nginx",
                "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}}
            }}]
        }
    })
}
