//! ARM's contract over real HTTP: tokens, api-versions, case-insensitive paths, error
//! bodies, long-running operations and resource group deletion.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::{ACI, Cloud, RES, SUB, aci_path, cg_base, cg_path, group, rg_path, send_to};

#[tokio::test]
async fn a_missing_or_malformed_token_gets_arm_401() {
    let cloud = Cloud::start().await;
    let path = rg_path(SUB, "rg");
    let none = send_to(&cloud.client, &cloud.base, Method::GET, &path, None, None).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.code(), "AuthenticationFailed");
    assert!(
        none.header("www-authenticate")
            .is_some_and(|h| h.starts_with("Bearer"))
    );

    let basic = cloud
        .client
        .get(format!("{}{path}", cloud.base))
        .header("authorization", "Basic x");
    let basic = basic.send().await.expect("answer");
    assert_eq!(basic.status(), 401);
}

#[tokio::test]
async fn restricted_and_expired_tokens_are_refused() {
    let cloud = Cloud::start().await;
    let path = rg_path(SUB, "rg");
    cloud.handle.auth().accept_only(["good"]);
    let other = send_to(
        &cloud.client,
        &cloud.base,
        Method::GET,
        &path,
        None,
        Some("bad"),
    )
    .await;
    assert_eq!(other.code(), "InvalidAuthenticationToken");
    let good = send_to(
        &cloud.client,
        &cloud.base,
        Method::GET,
        &path,
        None,
        Some("good"),
    )
    .await;
    assert_eq!(
        good.status, 404,
        "authenticated, and the group does not exist"
    );

    cloud.handle.auth().expire("good");
    let expired = send_to(
        &cloud.client,
        &cloud.base,
        Method::GET,
        &path,
        None,
        Some("good"),
    )
    .await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.code(), "ExpiredAuthenticationToken");
}

#[tokio::test]
async fn api_version_is_required_and_must_be_published() {
    let cloud = Cloud::start().await;
    let missing = cloud
        .get(&format!("/subscriptions/{SUB}/resourcegroups/rg"))
        .await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.code(), "MissingApiVersionParameter");

    let wrong_rg = cloud
        .get(&format!(
            "/subscriptions/{SUB}/resourcegroups/rg?api-version={ACI}"
        ))
        .await;
    assert_eq!(wrong_rg.code(), "InvalidApiVersionParameter");
    let future = format!("{}?api-version=2031-01-01", cg_base(SUB, "rg", "web"));
    assert_eq!(cloud.get(&future).await.code(), "NoRegisteredProviderFound");
    let older = format!("{}?api-version=2023-05-01", cg_base(SUB, "rg", "web"));
    assert_eq!(cloud.get(&older).await.code(), "ResourceGroupNotFound");
}

#[tokio::test]
async fn paths_and_names_are_case_insensitive_and_ids_keep_service_casing() {
    let cloud = Cloud::start().await;
    cloud.put_rg(SUB, "Shop-Dev", "westeurope").await;
    let created = cloud.put_cg("Shop-Dev", "web", &group("nginx")).await;
    assert_eq!(created.status, 201);
    cloud.wait(&created).await;

    let shouting = format!(
        "/SUBSCRIPTIONS/{SUB}/RESOURCEGROUPS/shop-dev/PROVIDERS/microsoft.containerinstance/\
         CONTAINERGROUPS/WEB?api-version={ACI}"
    );
    let got = cloud.get(&shouting).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let id = got.json["id"].as_str().expect("id");
    assert_eq!(
        id,
        format!(
            "/subscriptions/{SUB}/resourceGroups/Shop-Dev/providers/\
             Microsoft.ContainerInstance/containerGroups/web"
        )
    );

    // A PUT through another casing of the resource group updates the same group; ACI
    // itself only accepts lower-case group names.
    let again = cloud.put_cg("SHOP-DEV", "web", &group("nginx")).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json["name"], "web");
}

#[tokio::test]
async fn missing_things_get_arm_404_bodies() {
    let cloud = Cloud::start().await;
    let no_rg = cloud.get(&cg_path(SUB, "nope", "web")).await;
    assert_eq!((no_rg.status, no_rg.code()), (404, "ResourceGroupNotFound"));
    assert!(
        no_rg.json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("'nope'"))
    );
    let put = cloud.put_cg("nope", "web", &group("nginx")).await;
    assert_eq!(put.code(), "ResourceGroupNotFound");

    cloud.put_rg(SUB, "rg", "westus").await;
    let no_cg = cloud.get(&cg_path(SUB, "rg", "web")).await;
    assert_eq!((no_cg.status, no_cg.code()), (404, "ResourceNotFound"));
    let head = cloud.send(Method::HEAD, &rg_path(SUB, "rg"), None).await;
    assert_eq!(head.status, 204);
    let head = cloud.send(Method::HEAD, &rg_path(SUB, "other"), None).await;
    assert_eq!(head.status, 404);
    let unknown = cloud
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines?api-version={ACI}"
        ))
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn a_put_is_a_long_running_operation_that_moves_pending_to_succeeded() {
    let mut config = aciform::emulator::EmulatorConfig::for_tests();
    config.operation_time = Duration::from_millis(300);
    config.retry_after = Some(2);
    let cloud = Cloud::with(config).await;
    cloud.put_rg(SUB, "rg", "westus").await;

    let created = cloud.put_cg("rg", "web", &group("nginx")).await;
    assert_eq!(created.status, 201);
    assert_eq!(created.header("retry-after"), Some("2"));
    assert!(
        created
            .header("location")
            .is_some_and(|l| l.contains("/operationResults/"))
    );
    assert_eq!(created.json["properties"]["provisioningState"], "Pending");

    let op_url = created.header("azure-asyncoperation").expect("header");
    let op_path = op_url.trim_start_matches(&cloud.base).to_string();
    let first = cloud.get(&op_path).await;
    assert_eq!(first.json["status"], "InProgress");
    let location = created
        .header("location")
        .expect("location")
        .trim_start_matches(&cloud.base)
        .to_string();
    assert_eq!(cloud.get(&location).await.status, 202);

    let done = cloud.wait(&created).await;
    assert_eq!(done["status"], "Succeeded");
    assert!(done["endTime"].is_string());
    let got = cloud.get(&cg_path(SUB, "rg", "web")).await;
    assert_eq!(got.json["properties"]["provisioningState"], "Succeeded");
    let result = cloud.get(&location).await;
    assert_eq!(result.status, 200);
    assert_eq!(result.json["name"], "web");
}

#[tokio::test]
async fn delete_is_long_running_and_idempotent() {
    let cloud = Cloud::start().await;
    cloud.create_group("rg", "web", &group("nginx")).await;
    let deleted = cloud
        .send(Method::DELETE, &cg_path(SUB, "rg", "web"), None)
        .await;
    assert_eq!(deleted.status, 202);
    let during = cloud.get(&cg_path(SUB, "rg", "web")).await;
    assert_eq!(during.json["properties"]["provisioningState"], "Deleting");
    cloud.wait(&deleted).await;
    assert_eq!(cloud.get(&cg_path(SUB, "rg", "web")).await.status, 404);
    assert_eq!(
        cloud
            .send(Method::DELETE, &cg_path(SUB, "rg", "web"), None)
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn deleting_a_resource_group_deletes_its_groups() {
    let cloud = Cloud::start().await;
    cloud.create_group("rg", "one", &group("nginx")).await;
    cloud.create_group("rg", "two", &group("nginx")).await;
    let deleted = cloud.send(Method::DELETE, &rg_path(SUB, "rg"), None).await;
    assert_eq!(deleted.status, 202);
    let location = deleted
        .header("location")
        .expect("location")
        .trim_start_matches(&cloud.base)
        .to_string();
    assert!(location.contains(&format!("api-version={RES}")));

    let writes = cloud.put_cg("rg", "three", &group("nginx")).await;
    assert_eq!(
        (writes.status, writes.code()),
        (409, "ResourceGroupBeingDeleted")
    );
    for _ in 0..200 {
        if cloud.get(&location).await.status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(cloud.get(&location).await.status, 200);
    assert_eq!(cloud.get(&rg_path(SUB, "rg")).await.status, 404);

    cloud.put_rg(SUB, "rg", "westeurope").await;
    let list = format!(
        "{}?api-version={ACI}",
        aci_path(SUB, Some("rg"), "containerGroups")
    );
    let list = cloud.get(&list).await;
    assert_eq!(
        list.json["value"],
        json!([]),
        "nothing survives the deletion"
    );
}

#[tokio::test]
async fn resource_groups_keep_their_location_and_list_in_pages() {
    let mut config = aciform::emulator::EmulatorConfig::for_tests();
    config.page_size = 2;
    let cloud = Cloud::with(config).await;
    for name in ["a", "b", "c"] {
        let created = cloud.put_rg(SUB, name, "West Europe").await;
        assert_eq!(created.json["location"], "westeurope");
    }
    let moved = cloud
        .send(
            Method::PUT,
            &rg_path(SUB, "a"),
            Some(&json!({ "location": "eastus" })),
        )
        .await;
    assert_eq!(
        (moved.status, moved.code()),
        (409, "InvalidResourceGroupLocation")
    );

    let first = cloud
        .get(&format!(
            "/subscriptions/{SUB}/resourcegroups?api-version={RES}"
        ))
        .await;
    assert_eq!(first.json["value"].as_array().map(Vec::len), Some(2));
    let next = first.json["nextLink"]
        .as_str()
        .expect("nextLink")
        .trim_start_matches(&cloud.base)
        .to_string();
    let second = cloud.get(&next).await;
    assert_eq!(second.json["value"].as_array().map(Vec::len), Some(1));
    assert!(second.json.get("nextLink").is_none());
}

#[tokio::test]
async fn malformed_bodies_get_arm_400s_not_crashes() {
    let cloud = Cloud::start().await;
    cloud.put_rg(SUB, "rg", "westus").await;
    let bodies = [
        json!("a string"),
        json!({ "location": "westus", "properties": "x" }),
        json!({ "location": "westus",
            "properties": { "containers": [{ "name": "c", "properties": 5 }] } }),
        json!({ "location": "westus", "properties": { "containers": "none" } }),
        json!({ "location": 7, "properties": {} }),
    ];
    for body in &bodies {
        let resp = cloud.put_cg("rg", "web", body).await;
        assert_eq!(resp.status, 400, "{body}: {}", resp.text);
        assert!(!resp.code().is_empty());
        let ngroup = format!(
            "{}?api-version={ACI}",
            aci_path(SUB, Some("rg"), "ngroups/n")
        );
        let resp = cloud.send(Method::PUT, &ngroup, Some(body)).await;
        assert!(
            [200, 201, 400].contains(&resp.status),
            "{body}: {}",
            resp.text
        );
    }
    let raw = cloud
        .client
        .put(format!("{}{}", cloud.base, cg_path(SUB, "rg", "web")))
        .bearer_auth(super::TOKEN)
        .body("{not json")
        .send()
        .await
        .expect("answer");
    assert_eq!(raw.status(), 400);
}

/// `latency` is the round trip a client sees: no answer, whether it did work (a PUT)
/// or failed early (a missing token), comes back sooner; and a request takes effect
/// before its answer leaves, so a read sent after the answer sees it.
#[tokio::test]
async fn every_answer_takes_at_least_the_latency() {
    let latency = Duration::from_millis(80);
    let cloud = Cloud::with(aciform::emulator::EmulatorConfig {
        latency,
        ..aciform::emulator::EmulatorConfig::for_tests()
    })
    .await;
    let path = rg_path(SUB, "rg-slow");
    let started = std::time::Instant::now();
    let put = cloud.put_rg(SUB, "rg-slow", "westeurope").await;
    assert!(started.elapsed() >= latency, "{:?}", started.elapsed());
    assert!(put.status == 200 || put.status == 201, "{}", put.status);

    let started = std::time::Instant::now();
    let anonymous = send_to(&cloud.client, &cloud.base, Method::GET, &path, None, None).await;
    assert_eq!(anonymous.status, 401);
    assert!(started.elapsed() >= latency, "{:?}", started.elapsed());

    assert_eq!(cloud.get(&path).await.status, 200, "the PUT took effect");
}

/// ARM refuses more than 50 tags on a container group's PUT, as on a tags PATCH.
#[tokio::test]
async fn a_put_with_more_than_fifty_tags_is_refused() {
    let cloud = Cloud::start().await;
    cloud.put_rg(SUB, "rg-tags", "westeurope").await;
    let mut body = group("nginx");
    let tags: serde_json::Map<String, serde_json::Value> =
        (0..51).map(|i| (format!("t{i}"), json!("v"))).collect();
    body["tags"] = serde_json::Value::Object(tags);
    let refused = cloud.put_cg("rg-tags", "many", &body).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.code(), "InvalidTag");
    body["tags"].as_object_mut().expect("tags").remove("t0");
    let accepted = cloud.put_cg("rg-tags", "many", &body).await;
    assert!(
        accepted.status == 200 || accepted.status == 201,
        "{}",
        accepted.status
    );
}
