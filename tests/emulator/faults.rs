//! Misbehaviour on demand: throttling with `Retry-After`, the next N requests failing,
//! a group whose operations fail permanently or never finish, random transient
//! failures and dropped connections, and the counters that show it all.

use std::time::Duration;

use aciform::emulator::{EmulatorConfig, FaultOperation, ThrottleConfig};
use reqwest::Method;
use serde_json::json;

use super::{Cloud, SUB, cg_path, group, rg_path};

#[tokio::test]
async fn an_empty_bucket_answers_429_with_retry_after_and_refills() {
    let mut config = EmulatorConfig::for_tests();
    config.throttle = Some(ThrottleConfig::uniform(5, 5.0));
    let cloud = Cloud::with(config).await;
    let path = rg_path(SUB, "rg");

    let mut remaining = Vec::new();
    for _ in 0..5 {
        let resp = cloud.get(&path).await;
        remaining.push(
            resp.header("x-ms-ratelimit-remaining-subscription-reads")
                .map(str::to_string),
        );
    }
    assert_eq!(
        remaining.last(),
        Some(&Some("0".to_string())),
        "{remaining:?}"
    );
    let throttled = cloud.get(&path).await;
    assert_eq!(
        (throttled.status, throttled.code()),
        (429, "SubscriptionRequestsThrottled")
    );
    let wait: u64 = throttled
        .header("retry-after")
        .and_then(|s| s.parse().ok())
        .expect("Retry-After");
    assert!(wait >= 1);

    // Writes have their own bucket.
    let write = cloud
        .send(Method::PUT, &path, Some(&json!({ "location": "westus" })))
        .await;
    assert_eq!(write.status, 201);
    assert!(
        write
            .header("x-ms-ratelimit-remaining-subscription-writes")
            .is_some()
    );

    tokio::time::sleep(Duration::from_secs(wait)).await;
    assert_eq!(cloud.get(&path).await.status, 200, "the bucket refilled");
    assert_eq!(cloud.handle.stats().throttled, 1);
}

#[tokio::test]
async fn the_next_requests_can_be_made_to_fail() {
    let cloud = Cloud::start().await;
    cloud.handle.faults().fail_next(2, 429);
    let path = rg_path(SUB, "rg");
    let first = cloud.get(&path).await;
    assert_eq!(first.status, 429);
    assert_eq!(first.header("retry-after"), Some("1"));
    assert_eq!(cloud.get(&path).await.status, 429);
    assert_eq!(cloud.get(&path).await.status, 404);

    // The same through the control API, as an out-of-process test would do it.
    let control = format!("{}/_emulator/faults/next", cloud.base);
    let resp = cloud
        .client
        .post(control)
        .json(&json!({ "count": 1, "status": 503 }))
        .send()
        .await;
    assert_eq!(resp.expect("control answers").status(), 204);
    assert_eq!(cloud.get(&path).await.status, 503);
    let stats: serde_json::Value = cloud
        .client
        .get(format!("{}/_emulator/stats", cloud.base))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("json");
    assert_eq!(stats["injected_failures"], 3);
    assert_eq!(stats["throttled"], 2);
    assert_eq!(stats["by_kind"]["get"], 4);
}

#[tokio::test]
async fn one_group_fails_permanently_while_others_succeed() {
    let cloud = Cloud::start().await;
    cloud.put_rg(SUB, "rg", "westeurope").await;
    cloud
        .handle
        .faults()
        .reject("bad", FaultOperation::Put, 400, "RegistryErrorResponse");
    cloud
        .handle
        .faults()
        .fail_provisioning("broken", "ContainerGroupTransitioning", "capacity");
    cloud.handle.faults().stick("stuck");

    let rejected = cloud.put_cg("rg", "bad", &group("nginx")).await;
    assert_eq!(
        (rejected.status, rejected.code()),
        (400, "RegistryErrorResponse")
    );
    let good = cloud.put_cg("rg", "good", &group("nginx")).await;
    assert_eq!(cloud.wait(&good).await["status"], "Succeeded");

    let broken = cloud.put_cg("rg", "broken", &group("nginx")).await;
    assert_eq!(broken.status, 201);
    let op = cloud.wait(&broken).await;
    assert_eq!(op["status"], "Failed");
    assert_eq!(op["error"]["code"], "ContainerGroupTransitioning");
    let got = cloud.get(&cg_path(SUB, "rg", "broken")).await.json;
    assert_eq!(got["properties"]["provisioningState"], "Failed");
    let events = got["properties"]["instanceView"]["events"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        events
            .iter()
            .any(|e| e["name"] == "ContainerGroupTransitioning")
    );

    let stuck = cloud.put_cg("rg", "stuck", &group("nginx")).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let url = stuck
        .header("azure-asyncoperation")
        .expect("header")
        .trim_start_matches(&cloud.base)
        .to_string();
    assert_eq!(cloud.get(&url).await.json["status"], "InProgress");
    let state = cloud.get(&cg_path(SUB, "rg", "stuck")).await.json;
    assert_eq!(state["properties"]["provisioningState"], "Pending");
}

#[tokio::test]
async fn fault_rules_can_be_added_out_of_process() {
    let cloud = Cloud::start().await;
    cloud.put_rg(SUB, "rg", "westeurope").await;
    let rule = json!({
        "name": "web", "operation": "delete", "times": 1,
        "effect": { "kind": "reject", "status": 409, "code": "Conflict", "message": "busy" }
    });
    let resp = cloud
        .client
        .post(format!("{}/_emulator/faults", cloud.base))
        .json(&rule)
        .send()
        .await;
    assert_eq!(resp.expect("control").status(), 204);
    cloud.create_group("rg", "web", &group("nginx")).await;
    let first = cloud
        .send(Method::DELETE, &cg_path(SUB, "rg", "web"), None)
        .await;
    assert_eq!((first.status, first.code()), (409, "Conflict"));
    let second = cloud
        .send(Method::DELETE, &cg_path(SUB, "rg", "web"), None)
        .await;
    assert_eq!(second.status, 202, "the rule applied once");
}

#[tokio::test]
async fn a_fail_rate_produces_transient_errors_and_dropped_connections() {
    let mut config = EmulatorConfig::for_tests();
    config.fail_rate = 1.0;
    let cloud = Cloud::with(config).await;
    let url = format!("{}{}", cloud.base, rg_path(SUB, "rg"));
    let (mut statuses, mut dropped) = (Vec::new(), 0);
    for _ in 0..40 {
        let resp = cloud
            .client
            .get(&url)
            .bearer_auth(super::TOKEN)
            .send()
            .await;
        match resp {
            Ok(resp) => match resp.text_with_status().await {
                Ok(status) => statuses.push(status),
                Err(_) => dropped += 1,
            },
            Err(_) => dropped += 1,
        }
    }
    assert!(
        statuses.iter().all(|s| *s == 500 || *s == 503),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&500) && statuses.contains(&503),
        "{statuses:?}"
    );
    assert!(dropped > 0, "some connections are dropped");
    assert_eq!(cloud.handle.stats().injected_failures, 40);
}

trait TextWithStatus {
    async fn text_with_status(self) -> Result<u16, reqwest::Error>;
}

impl TextWithStatus for reqwest::Response {
    /// The status, once the whole body has been read (a dropped connection fails here).
    async fn text_with_status(self) -> Result<u16, reqwest::Error> {
        let status = self.status().as_u16();
        self.bytes().await.map(|_| status)
    }
}
