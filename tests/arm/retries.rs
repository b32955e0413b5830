//! Retries: every transient status is retried after the wait the service asked for;
//! the caller's 4xx never is; attempts, deadlines and the in-flight cap hold.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aciform::arm::{ArmClient, ArmError, ClientConfig, Credential, Secret};
use tokio::io::AsyncWriteExt;

use super::server::{Counter, MockArm, Reply, group_json};

/// A server that answers `status` with `Retry-After: <retry_after>` the first time and
/// the group afterwards.
async fn flaky(status: u16, retry_after: &'static str) -> MockArm {
    let counter = Counter::default();
    MockArm::start(move |_| match counter.next("all") {
        1 => Reply::arm_error(status, "Transient", "try again").header("retry-after", retry_after),
        _ => Reply::json(200, group_json("web", "Succeeded")),
    })
    .await
}

#[tokio::test]
async fn each_transient_status_is_retried_after_retry_after() {
    let mut tasks = tokio::task::JoinSet::new();
    for status in [408u16, 429, 500, 502, 503, 504] {
        tasks.spawn(async move {
            let server = flaky(status, "1").await;
            let client = server.client(|_| {});
            let group = client.get_container_group("rg", "web").await;
            assert!(matches!(group, Ok(Some(_))), "{status}: {group:?}");

            let requests = server.requests();
            assert_eq!(requests.len(), 2, "{status}");
            let gap = requests[1].at - requests[0].at;
            assert!(
                gap >= Duration::from_secs(1),
                "{status}: retried after {gap:?}"
            );
            assert_eq!(client.stats().retries, 1, "{status}");
            assert_eq!(
                client.stats().throttled,
                u64::from(status == 429),
                "{status}"
            );
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task passes");
    }
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_respected() {
    let when = time::OffsetDateTime::now_utc() + time::Duration::seconds(2);
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let date: &'static str = Box::leak(when.format(&format).expect("formats").into_boxed_str());
    let server = flaky(503, date).await;
    let client = server.client(|_| {});

    assert!(client.get_container_group("rg", "web").await.is_ok());
    let requests = server.requests();
    // The date has whole seconds: the wait is between 1 and 2 seconds.
    assert!(requests[1].at - requests[0].at >= Duration::from_millis(1000));
}

#[tokio::test]
async fn the_callers_errors_are_never_retried() {
    for (status, code) in [
        (400, "InvalidRequestContent"),
        (404, "ResourceNotFound"),
        (409, "Conflict"),
    ] {
        let server = MockArm::start(move |_| Reply::arm_error(status, code, "no")).await;
        let client = server.client(|_| {});
        let body = aciform::arm::ResourceGroup::new("westeurope", Default::default());

        let err = client
            .put_resource_group("rg", &body)
            .await
            .expect_err("fails");
        assert_eq!(server.requests().len(), 1, "{status} was retried");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.code(), Some(code));
        assert_eq!(err.request_id(), Some("req-0001"));
        assert!(
            err.to_string()
                .starts_with(&format!("{code}: no (HTTP {status})")),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("x-ms-correlation-request-id corr-0001"),
            "{err}"
        );
    }
}

/// ARM says when to come back, so 429s are waited out (not counted against
/// max_attempts) until the request's deadline; then the last ARM error is returned.
#[tokio::test]
async fn persistent_throttling_gives_up_at_the_deadline_with_the_last_arm_error() {
    let server = MockArm::start(|_| {
        Reply::arm_error(429, "SubscriptionRequestsThrottled", "slow down")
            .header("x-ms-retry-after-ms", "20")
    })
    .await;
    let client = server.client(|c| {
        c.max_attempts = 3;
        c.request_deadline = Duration::from_secs(1);
    });

    let err = client.list_resource_groups().await.expect_err("gives up");
    let attempts = match &err {
        ArmError::Throttled { attempts, .. } => *attempts,
        other => panic!("not throttled: {other}"),
    };
    assert!(attempts > 3, "{attempts} attempts");
    assert_eq!(err.code(), Some("SubscriptionRequestsThrottled"));
    // On a loaded machine the sleep before the last attempt can overrun, leaving it so
    // little of the deadline that it is cut short: before the server sees it, or after
    // (then the server counts a request whose 429 the client never read). The error
    // then still reports the 429 before it. Every other attempt was read as a 429.
    let seen = server.requests().len() as u64;
    let (attempts, throttled) = (u64::from(attempts), client.stats().throttled);
    assert!(
        throttled <= seen && seen <= attempts && attempts <= throttled + 1,
        "{attempts} attempts, {seen} seen by the server, {throttled} read as 429"
    );
}

/// One task's 429 holds back the other tasks' requests of that class until its
/// Retry-After has passed.
#[tokio::test]
async fn a_429_holds_back_every_request_of_its_class() {
    let calls = Counter::default();
    let server = MockArm::start(move |_| {
        if calls.next("any") == 1 {
            Reply::arm_error(429, "SubscriptionRequestsThrottled", "later")
                .header("x-ms-retry-after-ms", "300")
        } else {
            Reply::json(200, serde_json::json!({ "value": [] }))
        }
    })
    .await;
    let client = server.client(|_| {});

    let first = client.list_resource_groups();
    let second = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        client.list_resource_groups().await.expect("lists");
        started.elapsed()
    };
    let (first, waited) = tokio::join!(first, second);
    first.expect("lists after its 429");
    assert!(waited >= Duration::from_millis(200), "{waited:?}");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_gives_up_at_once() {
    let server = MockArm::start(|_| {
        Reply::arm_error(429, "SubscriptionRequestsThrottled", "later").header("retry-after", "120")
    })
    .await;
    let client = server.client(|c| c.request_deadline = Duration::from_secs(5));

    let started = Instant::now();
    let err = client.get_resource_group("rg").await.expect_err("gives up");
    assert!(started.elapsed() < Duration::from_secs(2), "slept anyway");
    assert!(
        matches!(err, ArmError::Throttled { attempts: 1, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn server_errors_give_up_after_max_attempts() {
    let server = MockArm::start(|_| Reply::arm_error(500, "InternalServerError", "oops")).await;
    let client = server.client(|c| c.max_attempts = 4);

    let err = client
        .get_container_group("rg", "web")
        .await
        .expect_err("gives up");
    assert_eq!(server.requests().len(), 4);
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.code(), Some("InternalServerError"));
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let base =
        url::Url::parse(&format!("http://{}", listener.local_addr().expect("addr"))).expect("url");

    // Accept the first connection and close it without answering, then serve normally.
    let client = {
        let credential = Credential::Static(Secret::new("t0ken"));
        ArmClient::new(super::server::test_config(base, credential)).expect("client")
    };
    let request = tokio::spawn({
        let client = client.clone();
        async move { client.get_container_group("rg", "web").await }
    });
    let (mut socket, _) = listener.accept().await.expect("first connection");
    socket.shutdown().await.expect("closes");
    drop(socket);
    let server = MockArm::serve(listener, |_| {
        Reply::json(200, group_json("web", "Succeeded"))
    });

    let group = request.await.expect("joins").expect("succeeds on retry");
    assert!(group.is_some());
    assert_eq!(server.requests().len(), 1);
    assert!(client.stats().retries >= 1);
}

#[tokio::test]
async fn an_unreachable_endpoint_fails_as_transport_after_retries() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        listener.local_addr().expect("addr").port()
    };
    let base = url::Url::parse(&format!("http://127.0.0.1:{port}")).expect("url");
    let mut config = super::server::test_config(base, Credential::Static(Secret::new("t0ken")));
    config.max_attempts = 3;
    let client = ArmClient::new(config).expect("client");

    let err = client
        .list_resource_groups()
        .await
        .expect_err("unreachable");
    assert!(
        matches!(err, ArmError::Transport { attempts: 3, .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("cannot reach http://127.0.0.1:{port}")),
        "{err}"
    );
}

#[tokio::test]
async fn a_slow_server_hits_the_request_deadline() {
    let server = MockArm::start(|_| {
        Reply::json(200, group_json("web", "Succeeded")).delayed(Duration::from_secs(3))
    })
    .await;
    let client = server.client(|c: &mut ClientConfig| {
        c.attempt_timeout = Duration::from_millis(300);
        c.request_deadline = Duration::from_secs(1);
    });

    let started = Instant::now();
    let err = client
        .get_container_group("rg", "web")
        .await
        .expect_err("times out");
    assert!(matches!(err, ArmError::Timeout { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn requests_in_flight_stay_under_the_cap() {
    let server = MockArm::start(|_| {
        Reply::json(200, group_json("web", "Succeeded")).delayed(Duration::from_millis(100))
    })
    .await;
    let client = Arc::new(server.client(|c| c.max_in_flight = 3));

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..12 {
        let client = client.clone();
        tasks.spawn(async move { client.get_container_group("rg", &format!("g{i}")).await });
    }
    while let Some(done) = tasks.join_next().await {
        assert!(done.expect("joins").is_ok());
    }
    assert_eq!(server.requests().len(), 12);
    assert_eq!(server.peak_in_flight(), 3);
}

#[tokio::test]
async fn paced_throttling_outlasts_the_attempt_limit() {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = calls.clone();
    let server = MockArm::start(move |_| {
        if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 5 {
            Reply::arm_error(429, "SubscriptionRequestsThrottled", "slow down")
                .header("x-ms-retry-after-ms", "10")
        } else {
            Reply::json(200, serde_json::json!({ "value": [] }))
        }
    })
    .await;
    let client = server.client(|c| c.max_attempts = 3);
    let groups = client
        .list_resource_groups()
        .await
        .expect("throttling only paces");
    assert!(groups.is_empty());
    assert_eq!(server.requests().len(), 6);
}
