//! The HTTP server: one entry point for every request (ARM paths are matched by hand,
//! see `route.rs`), the ARM pipeline every request goes through (latency, injected
//! faults, token, api-version, throttling, handler, common headers), and the handle
//! that stops it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::api::{self, Ctx};
use super::auth::Auth;
use super::clock;
use super::config::EmulatorConfig;
use super::control;
use super::error::{ArmError, EmulatorError, ErrorMarker};
use super::faults::{Faults, Transient};
use super::route::{self, Route};
use super::stats::{Counters, Stats};
use super::store::Store;
use super::throttle::{OpClass, Throttle};
use super::versions;

/// Largest request body accepted (ARM's own limit is 4 MB).
const MAX_BODY: usize = 4 * 1024 * 1024;

/// The emulator's shared state.
#[derive(Debug)]
pub struct Emu {
    pub config: EmulatorConfig,
    pub store: Store,
    pub auth: Auth,
    pub faults: Faults,
    pub throttle: Throttle,
    pub counters: Counters,
    rng: Mutex<fastrand::Rng>,
}

impl Emu {
    /// Builds the state (opening the data directory, if any).
    pub fn new(config: EmulatorConfig) -> Result<Emu, EmulatorError> {
        let seed = config.seed.unwrap_or_else(|| fastrand::u64(..));
        let store = Store::open(config.data_dir.as_deref())?;
        Ok(Emu {
            store,
            auth: Auth::new(config.accepted_tokens.clone()),
            faults: Faults::new(config.fail_rate, fastrand::Rng::with_seed(seed ^ 0x5eed)),
            throttle: Throttle::new(config.throttle),
            counters: Counters::default(),
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
            config,
        })
    }

    /// A new id (operations, exec sessions), deterministic under a seed.
    pub fn new_id(&self) -> String {
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        let mut bytes = [0u8; 16];
        rng.fill(&mut bytes);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    /// A new IP address: public ones from 20.0.0.0/8, private ones from 10.0.0.0/16.
    pub fn new_ip(&self, ip_type: &str) -> String {
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        if ip_type == "Private" {
            format!("10.0.{}.{}", rng.u8(0..=255), rng.u8(4..=254))
        } else {
            format!(
                "20.{}.{}.{}",
                rng.u8(0..=255),
                rng.u8(0..=255),
                rng.u8(1..=254)
            )
        }
    }
}

/// A running emulator. Dropping it stops the server.
#[derive(Debug)]
pub struct EmulatorHandle {
    /// The address the server listens on.
    pub addr: SocketAddr,
    emu: Arc<Emu>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl EmulatorHandle {
    /// `http://ADDR`, the endpoint clients use.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request counters now.
    pub fn stats(&self) -> Stats {
        self.emu.counters.snapshot()
    }

    /// Sets the request counters back to zero.
    pub fn reset_stats(&self) {
        self.emu.counters.reset();
    }

    /// Fault injection for this emulator.
    pub fn faults(&self) -> &Faults {
        &self.emu.faults
    }

    /// The token policy of this emulator.
    pub fn auth(&self) -> &Auth {
        &self.emu.auth
    }

    /// Stops accepting requests and waits (up to 5 s) for the server to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Starts the emulator on `listen` (use `127.0.0.1:0` for an ephemeral port).
pub async fn start(
    config: EmulatorConfig,
    listen: SocketAddr,
) -> Result<EmulatorHandle, EmulatorError> {
    let emu = Arc::new(Emu::new(config)?);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| EmulatorError::Bind {
            addr: listen,
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|source| EmulatorError::Bind {
            addr: listen,
            source,
        })?;

    let router = Router::new().fallback(entry).with_state(emu.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, router).with_graceful_shutdown(async {
            let _ = rx.await;
        });
        if let Err(err) = serve.await {
            tracing::error!("emulator server stopped: {err}");
        }
    });
    tracing::info!("emulator listening on http://{addr}");
    Ok(EmulatorHandle {
        addr,
        emu,
        shutdown: Some(tx),
        task: Some(task),
    })
}

async fn entry(State(emu): State<Arc<Emu>>, request: Request) -> Response {
    if request.uri().path().starts_with("/_emulator") {
        return control::handle(&emu, request).await;
    }
    let client_request_id = request.headers().get("x-ms-client-request-id").cloned();
    let correlation = request
        .headers()
        .get("x-ms-correlation-request-id")
        .cloned()
        .unwrap_or_else(|| {
            HeaderValue::from_str(&emu.new_id()).unwrap_or(HeaderValue::from_static("0"))
        });

    let mut response = arm(&emu, request).await;
    let headers = response.headers_mut();
    if let Ok(id) = HeaderValue::from_str(&emu.new_id()) {
        headers.insert("x-ms-request-id", id);
    }
    headers.insert("x-ms-correlation-request-id", correlation);
    if let Some(id) = client_request_id {
        headers.insert("x-ms-client-request-id", id);
    }
    response
}

/// The ARM pipeline.
async fn arm(emu: &Emu, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query: Vec<(String, String)> = request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let route = route::parse(&path);
    let kind = route.as_ref().map_or("other", |r| r.kind(&method).as_str());
    emu.counters.request(method.as_str(), kind);
    tracing::debug!(%method, %path, "emulator request");

    // The latency is the round trip as a client sees it: half on the way in, the rest
    // after the answer is made, so the emulator's own work (which shares the client's
    // cores, as Azure's servers do not) is inside it rather than added to it.
    let arrived = tokio::time::Instant::now();
    let latency = emu.config.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency / 2).await;
    }
    let response = answer(emu, request, method, path, query, route).await;
    if !latency.is_zero() {
        tokio::time::sleep_until(arrived + latency).await;
    }
    response
}

/// Faults, checks and the API's answer to one request.
async fn answer(
    emu: &Emu,
    request: Request,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    route: Result<route::Route, ArmError>,
) -> Response {
    if let Some(err) = emu.faults.take_next() {
        emu.counters.injected();
        if err.status == StatusCode::TOO_MANY_REQUESTS {
            emu.counters.throttled();
        }
        return err.into_response();
    }
    let transient = emu.faults.transient();
    match transient {
        Some(Transient::InternalError) => {
            emu.counters.injected();
            return super::faults::injected_status(StatusCode::INTERNAL_SERVER_ERROR)
                .into_response();
        }
        Some(Transient::Unavailable) => {
            emu.counters.injected();
            return super::faults::injected_status(StatusCode::SERVICE_UNAVAILABLE).into_response();
        }
        Some(Transient::DropBefore) => {
            emu.counters.injected();
            return dropped_connection();
        }
        _ => {}
    }

    let (parts, body) = request.into_parts();
    let checks = checked(emu, &parts.headers, route, &method, api_version(&query));
    let response = match checks {
        Err(err) => err.into_response(),
        Ok((route, remaining)) => {
            let body = match axum::body::to_bytes(body, MAX_BODY).await {
                Ok(body) => body,
                Err(_) => Bytes::new(),
            };
            let ctx = Ctx {
                emu,
                base: base_url(&parts.headers),
                path,
                api_version: api_version(&query).unwrap_or_default().to_string(),
                query,
                now: clock::now_ms(),
            };
            let mut response = api::dispatch(&ctx, route, &method, &body)
                .unwrap_or_else(IntoResponse::into_response);
            if let Some((name, remaining)) = remaining {
                response
                    .headers_mut()
                    .insert(name, HeaderValue::from(remaining));
            }
            response
        }
    };

    if let Some(code) = response.extensions().get::<ErrorMarker>() {
        tracing::debug!(status = %response.status(), code = %code.0, "emulator error answer");
    }
    if transient == Some(Transient::DropAfter) {
        emu.counters.injected();
        return dropped_connection();
    }
    response
}

/// The `x-ms-ratelimit-remaining-*` header a request earned, and its value.
type Remaining = Option<(&'static str, u32)>;

/// Token, route, api-version and throttle checks, in ARM's order.
fn checked(
    emu: &Emu,
    headers: &HeaderMap,
    route: Result<Route, ArmError>,
    method: &Method,
    version: Option<&str>,
) -> Result<(Route, Remaining), ArmError> {
    let principal = emu.auth.check(headers.get(header::AUTHORIZATION))?;
    let route = route?;
    versions::check(route.provider(), version, "westus")?;

    let class = OpClass::of(method);
    let sub = route.subscription().unwrap_or("tenant");
    match emu.throttle.take(sub, &principal, class) {
        Ok(remaining) => Ok((route, Some((class.header(), remaining)))),
        Err(err) => {
            emu.counters.throttled();
            Err(err)
        }
    }
}

fn api_version(query: &[(String, String)]) -> Option<&str> {
    query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("api-version"))
        .map(|(_, v)| v.as_str())
}

/// `http://host` as the client addressed the server (for URLs in headers and links).
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// A response whose body fails: the connection is closed without a complete answer,
/// as a dropped connection looks to a client.
fn dropped_connection() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped by the emulator"))
    });
    let mut response = Response::new(Body::from_stream(failing));
    *response.status_mut() = StatusCode::OK;
    response
}
