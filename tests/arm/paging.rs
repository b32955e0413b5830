//! Lists read whole resource groups with one LIST and follow `nextLink` pages.

use aciform::arm::ArmError;
use serde_json::json;

use super::server::{CGS, MockArm, Reply, SUB, group_json};

#[tokio::test]
async fn next_links_are_followed_to_the_last_page() {
    let server = MockArm::start(|r| match r.query.as_str() {
        q if q.contains("skiptoken=2") => {
            Reply::json(200, json!({"value": [group_json("c", "Succeeded")]}))
        }
        q if q.contains("skiptoken=1") => Reply::json(
            200,
            json!({
                "value": [group_json("b", "Succeeded")],
                "nextLink": format!("{{base}}{CGS}?api-version=2025-09-01&%24skiptoken=2")
            }),
        ),
        _ => Reply::json(
            200,
            json!({
                "value": [group_json("a", "Succeeded")],
                "nextLink": format!("{{base}}{CGS}?api-version=2025-09-01&%24skiptoken=1")
            }),
        ),
    })
    .await;
    let client = server.client(|_| {});

    let groups = client.list_container_groups("rg").await.expect("lists");
    let names: Vec<_> = groups.iter().filter_map(|g| g.name.clone()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(server.requests().len(), 3);
    assert_eq!(server.requests()[0].query, "api-version=2025-09-01");
}

#[tokio::test]
async fn a_missing_resource_group_lists_as_empty() {
    let server = MockArm::start(|_| {
        Reply::arm_error(
            404,
            "ResourceGroupNotFound",
            "Resource group 'rg' could not be found.",
        )
    })
    .await;
    let client = server.client(|_| {});
    assert!(
        client
            .list_container_groups("rg")
            .await
            .expect("empty")
            .is_empty()
    );
    assert!(
        client
            .get_resource_group("rg")
            .await
            .expect("none")
            .is_none()
    );
    assert!(
        client
            .get_container_group("rg", "web")
            .await
            .expect("none")
            .is_none()
    );
}

#[tokio::test]
async fn any_other_404_on_a_list_is_an_error() {
    let server = MockArm::start(|_| Reply::new(404, "<html>no such route</html>")).await;
    let client = server.client(|_| {});
    let err = client
        .list_container_groups("rg")
        .await
        .expect_err("not silently empty");
    assert!(err.is_not_found());
    assert!(
        err.to_string().starts_with("HTTP 404: Not Found: <html>"),
        "{err}"
    );
}

#[tokio::test]
async fn resource_groups_and_subscription_lists_page_too() {
    let server = MockArm::start(|r| match (r.path.as_str(), r.query.contains("page=2")) {
        (p, false) if p.ends_with("/resourcegroups") => Reply::json(
            200,
            json!({
                "value": [{"name": "rg1", "location": "westeurope"}],
                "nextLink": format!("{{base}}{SUB}/resourcegroups?api-version=2024-11-01&page=2")
            }),
        ),
        (p, true) if p.ends_with("/resourcegroups") => Reply::json(
            200,
            json!({"value": [{"name": "rg2", "location": "westeurope"}]}),
        ),
        _ => Reply::json(
            200,
            json!({"value": [group_json("x", "Succeeded")], "nextLink": ""}),
        ),
    })
    .await;
    let client = server.client(|_| {});

    let rgs = client.list_resource_groups().await.expect("lists");
    assert_eq!(rgs.len(), 2);
    let all = client
        .list_container_groups_in_subscription()
        .await
        .expect("lists");
    assert_eq!(all.len(), 1);
    assert_eq!(
        server.requests().last().map(|r| r.path.clone()),
        Some(
            "/subscriptions/00000000-0000-0000-0000-000000000000/providers/\
             Microsoft.ContainerInstance/containerGroups"
                .to_string()
        )
    );
}

#[tokio::test]
async fn a_next_link_to_another_host_or_in_a_loop_is_refused() {
    let server = MockArm::start(|_| {
        Reply::json(
            200,
            json!({"value": [], "nextLink": "https://elsewhere.example.test/page2"}),
        )
    })
    .await;
    let client = server.client(|_| {});
    let err = client.list_resource_groups().await.expect_err("refused");
    assert!(matches!(err, ArmError::BadResponse { .. }), "{err}");
    assert_eq!(server.requests().len(), 1);

    let looping =
        MockArm::start(|_| Reply::json(200, json!({"value": [], "nextLink": "{base}/same?x=1"})))
            .await;
    let client = looping.client(|_| {});
    let err = client
        .list_resource_groups()
        .await
        .expect_err("loop detected");
    assert!(err.to_string().contains("already read"), "{err}");
}

#[tokio::test]
async fn a_body_that_is_not_arm_json_is_a_bad_response() {
    let server = MockArm::start(|_| Reply::new(200, "{\"value\": 3}")).await;
    let client = server.client(|_| {});
    let err = client.list_resource_groups().await.expect_err("bad shape");
    assert!(
        err.to_string()
            .starts_with("unexpected response to GET /subscriptions/"),
        "{err}"
    );
}
