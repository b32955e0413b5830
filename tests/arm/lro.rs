//! Long-running operations: Azure-AsyncOperation, Location and resource polling, at the
//! interval the service asks, to success, failure or timeout.

use std::time::{Duration, Instant};

use aciform::arm::ArmError;
use aciform::arm::models::ContainerGroup;
use serde_json::json;

use super::server::{Counter, MockArm, Recorded, Reply, group_json};

const CG_PATH: &str = concat!(
    "/subscriptions/00000000-0000-0000-0000-000000000000",
    "/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/web"
);
const OP_PATH: &str = concat!(
    "/subscriptions/00000000-0000-0000-0000-000000000000",
    "/providers/Microsoft.ContainerInstance/locations/westeurope/operations/op-1"
);

fn body() -> ContainerGroup {
    serde_json::from_value(group_json("web", "Succeeded")).expect("group parses")
}

fn is_op(r: &Recorded) -> bool {
    r.path == OP_PATH
}

/// PUT answers 201 + Azure-AsyncOperation; the operation reports `statuses` in turn
/// (each with `Retry-After: 1` when `slow`); GET of the group gives `final_state`.
async fn async_put_server(statuses: Vec<serde_json::Value>, slow: bool) -> MockArm {
    let counter = Counter::default();
    MockArm::start(move |r| match r.method.as_str() {
        "PUT" => Reply::json(201, group_json("web", "Pending"))
            .header(
                "azure-asyncoperation",
                &format!("{{base}}{OP_PATH}?api-version=2025-09-01"),
            )
            .header("retry-after", if slow { "1" } else { "0" }),
        "GET" if is_op(r) => {
            let n = counter.next("op").min(statuses.len()) - 1;
            let reply = Reply::json(200, statuses[n].clone());
            if slow {
                reply.header("retry-after", "1")
            } else {
                reply
            }
        }
        "GET" => Reply::json(200, group_json("web", "Succeeded")),
        _ => Reply::arm_error(405, "MethodNotAllowed", "unexpected"),
    })
    .await
}

#[tokio::test]
async fn put_follows_the_async_operation_to_success() {
    let statuses = vec![
        json!({"status": "InProgress"}),
        json!({"status": "Creating"}),
        json!({"status": "Succeeded"}),
    ];
    let server = async_put_server(statuses, false).await;
    let client = server.client(|_| {});

    let group = client
        .put_container_group("rg", "web", &body())
        .await
        .expect("succeeds");
    assert_eq!(group.provisioning_state(), Some("Succeeded"));

    let methods: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["PUT", "GET", "GET", "GET", "GET"]);
    assert_eq!(client.stats().lro_polls, 3);
    let put = &server.requests()[0];
    assert!(put.query.contains("api-version=2025-09-01"));
    assert!(put.body.contains("\"image\":\"nginx\""));
}

#[tokio::test]
async fn polls_wait_as_long_as_retry_after_says() {
    let statuses = vec![
        json!({"status": "InProgress"}),
        json!({"status": "Succeeded"}),
    ];
    let server = async_put_server(statuses, true).await;
    let client = server.client(|_| {});

    client
        .put_container_group("rg", "web", &body())
        .await
        .expect("succeeds");
    let at: Vec<Instant> = server.requests().iter().map(|r| r.at).collect();
    assert!(
        at[1] - at[0] >= Duration::from_secs(1),
        "first poll too early"
    );
    assert!(
        at[2] - at[1] >= Duration::from_secs(1),
        "second poll too early"
    );
}

#[tokio::test]
async fn a_failed_operation_surfaces_its_arm_error() {
    let failed = json!({
        "status": "Failed",
        "error": {
            "code": "InaccessibleImage",
            "message": "The image 'nginx:nope' is not accessible."
        }
    });
    let server = async_put_server(vec![json!({"status": "InProgress"}), failed], false).await;
    let client = server.client(|_| {});

    let err = client
        .put_container_group("rg", "web", &body())
        .await
        .expect_err("fails");
    assert!(matches!(err, ArmError::OperationFailed { .. }), "{err}");
    assert_eq!(err.code(), Some("InaccessibleImage"));
    assert!(
        err.to_string().ends_with(
            "ended with status Failed: InaccessibleImage: The image 'nginx:nope' is not accessible."
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_stuck_operation_times_out() {
    let server = async_put_server(vec![json!({"status": "InProgress"})], false).await;
    let client = server.client(|c| {
        c.lro_timeout = Duration::from_millis(500);
        c.default_poll_interval = Duration::from_millis(50);
    });

    let started = Instant::now();
    let err = client
        .put_container_group("rg", "web", &body())
        .await
        .expect_err("times out");
    assert!(matches!(err, ArmError::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("timed out after 500ms"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn server_errors_while_polling_are_not_fatal() {
    let counter = Counter::default();
    let server = MockArm::start(move |r| match (r.method.as_str(), is_op(r)) {
        ("DELETE", _) => {
            Reply::new(202, "").header("azure-asyncoperation", &format!("{{base}}{OP_PATH}"))
        }
        ("GET", true) => match counter.next("op") {
            1..=3 => Reply::arm_error(503, "ServiceUnavailable", "busy"),
            _ => Reply::json(200, json!({"status": "Succeeded"})),
        },
        _ => Reply::arm_error(500, "Unexpected", "unexpected"),
    })
    .await;
    let client = server.client(|c| c.max_attempts = 2);

    client
        .delete_container_group("rg", "web")
        .await
        .expect("deleted despite 503s");
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn resource_group_delete_follows_location() {
    let counter = Counter::default();
    let server = MockArm::start(move |r| match r.method.as_str() {
        "DELETE" => Reply::new(202, "")
            .header("location", "{base}/subscriptions/s/operationresults/del-1")
            .header("retry-after", "0"),
        _ => match counter.next("poll") {
            1 | 2 => Reply::new(202, "").header("retry-after", "0"),
            _ => Reply::new(200, ""),
        },
    })
    .await;
    let client = server.client(|_| {});

    client.delete_resource_group("rg").await.expect("deleted");
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths.len(), 4);
    assert!(
        paths[1..]
            .iter()
            .all(|p| p == "/subscriptions/s/operationresults/del-1")
    );
}

#[tokio::test]
async fn deleting_what_is_gone_is_done() {
    for status in [404u16, 204] {
        let server = MockArm::start(move |_| match status {
            404 => Reply::arm_error(404, "ResourceNotFound", "gone"),
            _ => Reply::new(204, ""),
        })
        .await;
        let client = server.client(|_| {});
        client
            .delete_container_group("rg", "web")
            .await
            .expect("done");
        client.delete_resource_group("rg").await.expect("done");
        assert_eq!(server.requests().len(), 2, "{status}");
    }
}

#[tokio::test]
async fn delete_without_polling_url_waits_for_404() {
    let counter = Counter::default();
    let server = MockArm::start(move |r| match r.method.as_str() {
        "DELETE" => Reply::new(202, ""),
        _ => match counter.next("get") {
            1 => Reply::json(200, group_json("web", "Deleting")),
            _ => Reply::arm_error(404, "ResourceNotFound", "gone"),
        },
    })
    .await;
    let client = server.client(|_| {});

    client
        .delete_container_group("rg", "web")
        .await
        .expect("deleted");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn put_without_polling_url_reads_the_resource_until_terminal() {
    let counter = Counter::default();
    let server = MockArm::start(move |r| match r.method.as_str() {
        "PUT" => Reply::json(201, group_json("web", "Succeeded")),
        _ => match counter.next("get") {
            1 => Reply::json(200, group_json("web", "Creating")),
            _ => Reply::json(200, group_json("web", "Succeeded")),
        },
    })
    .await;
    let client = server.client(|_| {});

    let group = client
        .put_container_group("rg", "web", &body())
        .await
        .expect("succeeds");
    assert_eq!(group.provisioning_state(), Some("Succeeded"));
    // The PUT body said Succeeded, but a PUT's own body is never final.
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_group_that_ends_failed_is_an_error() {
    let server = MockArm::start(|r| match r.method.as_str() {
        "PUT" => Reply::json(201, group_json("web", "Pending")),
        _ => Reply::json(200, group_json("web", "Failed")),
    })
    .await;
    let client = server.client(|_| {});

    let err = client
        .put_container_group("rg", "web", &body())
        .await
        .expect_err("fails");
    assert!(
        matches!(&err, ArmError::OperationFailed { status, .. } if status == "Failed"),
        "{err}"
    );
}

#[tokio::test]
async fn actions_start_stop_restart() {
    let server = MockArm::start(|r| match (r.method.as_str(), r.path.rsplit('/').next()) {
        ("POST", Some("start")) => {
            Reply::new(202, "").header("azure-asyncoperation", &format!("{{base}}{OP_PATH}"))
        }
        ("POST", _) => Reply::new(204, ""),
        ("GET", _) => Reply::json(200, json!({"status": "Succeeded"})),
        _ => Reply::arm_error(405, "MethodNotAllowed", "unexpected"),
    })
    .await;
    let client = server.client(|_| {});

    client
        .start_container_group("rg", "web")
        .await
        .expect("started");
    client
        .stop_container_group("rg", "web")
        .await
        .expect("stopped");
    client
        .restart_container_group("rg", "web")
        .await
        .expect("restarted");
    let seen: Vec<String> = server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        seen,
        [
            format!("POST {CG_PATH}/start"),
            format!("GET {OP_PATH}"),
            format!("POST {CG_PATH}/stop"),
            format!("POST {CG_PATH}/restart"),
        ]
    );
}

#[tokio::test]
async fn a_polling_url_on_another_host_is_refused() {
    let server = MockArm::start(|_| {
        Reply::new(202, "").header("azure-asyncoperation", "https://collector.example.test/op")
    })
    .await;
    let client = server.client(|_| {});

    let err = client
        .delete_container_group("rg", "web")
        .await
        .expect_err("refused");
    assert!(
        err.to_string()
            .contains("refusing to follow a URL to another host"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn logs_and_tag_patches() {
    let server = MockArm::start(|r| match r.method.as_str() {
        "PATCH" => Reply::json(200, group_json("web", "Succeeded")),
        _ => Reply::json(200, json!({"content": "line 1\nline 2\n"})),
    })
    .await;
    let client = server.client(|_| {});

    let logs = client
        .container_logs("rg", "web", "app", Some(10))
        .await
        .expect("logs");
    assert_eq!(logs, "line 1\nline 2\n");
    let tags = [("tier".to_string(), "front".to_string())].into();
    client
        .patch_container_group_tags("rg", "web", &tags)
        .await
        .expect("patched");

    let requests = server.requests();
    assert_eq!(requests[0].path, format!("{CG_PATH}/containers/app/logs"));
    assert_eq!(requests[0].query, "api-version=2025-09-01&tail=10");
    assert_eq!(requests[1].body, r#"{"tags":{"tier":"front"}}"#);
}

#[tokio::test]
async fn put_following_location_reads_the_group_back() {
    let counter = Counter::default();
    let server = MockArm::start(move |r| match (r.method.as_str(), r.path.as_str()) {
        ("PUT", _) => Reply::json(201, group_json("web", "Pending"))
            .header("location", "{base}/subscriptions/s/operationResults/put-1"),
        ("GET", "/subscriptions/s/operationResults/put-1") => match counter.next("poll") {
            1 => Reply::new(202, ""),
            _ => Reply::json(200, json!({"status": "Succeeded"})),
        },
        _ => Reply::json(200, group_json("web", "Succeeded")),
    })
    .await;
    let client = server.client(|_| {});

    let group = client
        .put_container_group("rg", "web", &body())
        .await
        .expect("succeeds");
    assert_eq!(group.name.as_deref(), Some("web"));
    assert_eq!(
        server.requests().last().map(|r| r.path.clone()),
        Some(CG_PATH.to_string())
    );
}

#[tokio::test]
async fn an_operation_status_without_status_is_a_bad_response() {
    let server = MockArm::start(|r| match r.method.as_str() {
        "DELETE" => Reply::new(202, "").header("azure-asyncoperation", "{base}/op"),
        _ => Reply::json(200, json!({"id": "op"})),
    })
    .await;
    let client = server.client(|_| {});

    let err = client
        .delete_container_group("rg", "web")
        .await
        .expect_err("bad shape");
    assert!(matches!(err, ArmError::BadResponse { .. }), "{err}");
}
