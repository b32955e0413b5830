//! What Azure does to a body and to running containers, over real HTTP: echoed
//! locations, defaults, secrets never returned, updates that need a recreate, restarts
//! on every PUT, DNS labels, quotas, run state, crash loops, jobs and logs.

use std::time::Duration;

use aciform::emulator::EmulatorConfig;
use reqwest::Method;
use serde_json::{Value, json};

use super::{ACI, Cloud, SUB, aci_path, cg_base, cg_path, group};

const SECRETS: [&str; 5] = [
    "env-s3cret",
    "pw-s3cret",
    "key-s3cret",
    "c2VjcmV0LWZpbGU=",
    "law-s3cret",
];

fn secret_group() -> Value {
    json!({
        "location": "West Europe",
        "tags": { "team": "shop" },
        "identity": { "type": "SystemAssigned" },
        "properties": {
            "osType": "linux",
            "futureProperty": { "kept": true },
            "containers": [{ "name": "app", "properties": {
                "image": "shop.azurecr.io/app:1.0",
                "ports": [{ "port": 80 }],
                "environmentVariables": [
                    { "name": "MODE", "value": "prod" },
                    { "name": "API_KEY", "secureValue": "env-s3cret" }],
                "volumeMounts": [
                    { "name": "files", "mountPath": "/files" },
                    { "name": "conf", "mountPath": "/conf" }],
                "resources": { "requests": { "cpu": 1, "memoryInGB": 1 } } } }],
            "imageRegistryCredentials": [
                { "server": "shop.azurecr.io", "username": "shop", "password": "pw-s3cret" }],
            "volumes": [
                { "name": "files", "azureFile": { "shareName": "s", "storageAccountName": "acct",
                  "storageAccountKey": "key-s3cret" } },
                { "name": "conf", "secret": { "app.conf": "c2VjcmV0LWZpbGU=" } }],
            "diagnostics": {
                "logAnalytics": { "workspaceId": "ws", "workspaceKey": "law-s3cret" } },
            "ipAddress": {
                "type": "public", "ports": [{ "port": 80 }], "dnsNameLabel": "shop-app-1" }
        }
    })
}

fn assert_no_secret(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "secret {secret} leaked: {text}");
    }
}

#[tokio::test]
async fn azure_reshapes_the_body_and_never_returns_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = EmulatorConfig::for_tests();
    config.data_dir = Some(dir.path().to_path_buf());
    let cloud = Cloud::with(config).await;
    cloud.put_rg(SUB, "rg", "westeurope").await;

    let created = cloud.put_cg("rg", "app", &secret_group()).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_no_secret(&created.text);
    cloud.wait(&created).await;
    let got = cloud.get(&cg_path(SUB, "rg", "app")).await;
    assert_no_secret(&got.text);
    let list = format!(
        "{}?api-version={ACI}",
        aci_path(SUB, None, "containerGroups")
    );
    let list = cloud.get(&list).await;
    assert_no_secret(&list.text);
    for entry in std::fs::read_dir(dir.path().join("records")).expect("records") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("record");
        assert_no_secret(&text);
    }

    let body = &got.json;
    assert_eq!(
        body["location"], "WestEurope",
        "display names come back compacted"
    );
    assert_eq!(body["properties"]["osType"], "Linux");
    assert_eq!(body["properties"]["restartPolicy"], "Always");
    assert_eq!(body["properties"]["sku"], "Standard");
    assert_eq!(body["properties"]["ipAddress"]["type"], "Public");
    assert_eq!(
        body["properties"]["ipAddress"]["ports"][0]["protocol"],
        "TCP"
    );
    assert_eq!(
        body["properties"]["ipAddress"]["fqdn"],
        "shop-app-1.westeurope.azurecontainer.io"
    );
    assert!(body["properties"]["ipAddress"]["ip"].is_string());
    assert_eq!(
        body["properties"]["futureProperty"],
        json!({ "kept": true }),
        "unknown fields survive"
    );
    assert_eq!(
        body["properties"]["containers"][0]["properties"]["resources"]["requests"]["cpu"]
            .to_string(),
        "1.0"
    );
    let env = &body["properties"]["containers"][0]["properties"]["environmentVariables"];
    assert_eq!(env[1], json!({ "name": "API_KEY" }));
    assert_eq!(body["properties"]["volumes"][1]["secret"], json!({}));
    assert_eq!(
        body["properties"]["diagnostics"],
        json!({ "logAnalytics": { "workspaceId": "ws" } })
    );
    assert_eq!(body["properties"]["instanceView"]["state"], "Running");
    assert!(
        list.json["value"][0]["properties"]
            .get("instanceView")
            .is_none()
    );
    assert!(
        list.json["value"][0]["properties"]["containers"][0]["properties"]
            .get("instanceView")
            .is_none()
    );
    assert!(body["identity"]["principalId"].is_string());
    // Otherwise a LIST entry is the GET body, field for field.
    let mut expected = got.json.clone();
    let props = expected["properties"].as_object_mut().expect("properties");
    props.remove("instanceView");
    for container in props["containers"].as_array_mut().expect("containers") {
        let cp = container["properties"].as_object_mut().expect("container");
        cp.remove("instanceView");
    }
    assert_eq!(list.json["value"][0], expected);
}

#[tokio::test]
async fn a_put_that_leaves_out_stored_secrets_fails() {
    let cloud = Cloud::start().await;
    cloud.put_rg(SUB, "rg", "westeurope").await;
    let created = cloud.put_cg("rg", "app", &secret_group()).await;
    cloud.wait(&created).await;

    // Echoing the GET body back (what a naive client does) loses every secret.
    let mut echoed = cloud.get(&cg_path(SUB, "rg", "app")).await.json;
    echoed["properties"]["volumes"][0]["azureFile"]["storageAccountKey"] = json!("key-s3cret");
    echoed["properties"]["imageRegistryCredentials"][0]["password"] = json!("pw-s3cret");
    let resp = cloud.put_cg("rg", "app", &echoed).await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "MissingSecureEnvironmentVariableValue"),
        "{}",
        resp.text
    );

    let mut no_key = secret_group();
    no_key["properties"]["volumes"][0]["azureFile"]
        .as_object_mut()
        .map(|f| f.remove("storageAccountKey"));
    assert_eq!(
        cloud.put_cg("rg", "app", &no_key).await.code(),
        "AzureFileVolumeKeyMissing"
    );
    let mut no_password = secret_group();
    no_password["properties"]["imageRegistryCredentials"][0]
        .as_object_mut()
        .map(|c| c.remove("password"));
    assert_eq!(
        cloud.put_cg("rg", "app", &no_password).await.code(),
        "InvalidImageRegistryCredential"
    );
}

#[tokio::test]
async fn an_immutable_change_is_rejected_and_an_omitted_field_is_reset() {
    let cloud = Cloud::start().await;
    let mut body = group("nginx");
    body["properties"]["restartPolicy"] = json!("OnFailure");
    cloud.create_group("rg", "web", &body).await;

    for (pointer, value) in [
        ("/properties/restartPolicy", json!("Always")),
        ("/properties/osType", json!("Windows")),
        (
            "/properties/containers/0/properties/resources/requests/cpu",
            json!(2),
        ),
        ("/properties/sku", json!("Confidential")),
    ] {
        let mut changed = body.clone();
        changed["properties"]["sku"] = json!("Standard");
        *changed.pointer_mut(pointer).expect("pointer") = value;
        let resp = cloud.put_cg("rg", "web", &changed).await;
        assert_eq!(
            (resp.status, resp.code()),
            (409, "InvalidContainerGroupUpdate"),
            "{pointer}: {}",
            resp.text
        );
        assert!(
            resp.json["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("delete it first"))
        );
    }
    let mut moved = body.clone();
    moved["location"] = json!("eastus");
    assert_eq!(
        cloud.put_cg("rg", "web", &moved).await.code(),
        "InvalidResourceLocation"
    );

    // Image, environment and ports change in place; a field left out is reset.
    let mut image = body.clone();
    image["properties"]["containers"][0]["properties"]["image"] = json!("nginx:1.27");
    image["properties"]
        .as_object_mut()
        .map(|p| p.remove("restartPolicy"));
    let resp = cloud.put_cg("rg", "web", &image).await;
    assert_eq!(
        resp.code(),
        "InvalidContainerGroupUpdate",
        "omitting restartPolicy resets it to Always"
    );
    image["properties"]["restartPolicy"] = json!("OnFailure");
    image["properties"]["ipAddress"]
        .as_object_mut()
        .map(|ip| ip.remove("dnsNameLabel"));
    let resp = cloud.put_cg("rg", "web", &image).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
}

#[tokio::test]
async fn the_invalid_update_status_is_configurable() {
    let mut config = EmulatorConfig::for_tests();
    config.invalid_update_status = reqwest::StatusCode::BAD_REQUEST;
    let cloud = Cloud::with(config).await;
    cloud.create_group("rg", "web", &group("nginx")).await;
    let mut changed = group("nginx");
    changed["properties"]["osType"] = json!("Windows");
    assert_eq!(cloud.put_cg("rg", "web", &changed).await.status, 400);
}

#[tokio::test]
async fn every_put_of_an_existing_group_restarts_its_containers() {
    let cloud = Cloud::start().await;
    let before = cloud.create_group("rg", "web", &group("nginx")).await;
    let view =
        |body: &Value| body["properties"]["containers"][0]["properties"]["instanceView"].clone();
    assert_eq!(view(&before)["restartCount"], 0);

    for expected in 1..=2 {
        let resp = cloud.put_cg("rg", "web", &group("nginx")).await;
        assert_eq!(resp.status, 200);
        cloud.wait(&resp).await;
        let after = cloud.get(&cg_path(SUB, "rg", "web")).await.json;
        assert_eq!(
            view(&after)["restartCount"],
            expected,
            "identical PUT #{expected} restarts"
        );
        let events = view(&after)["events"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            events
                .iter()
                .any(|e| e["name"] == "Killing" && e["count"] == expected)
        );
    }

    // Tags go through PATCH without a restart.
    let path = cg_path(SUB, "rg", "web");
    let patched = cloud
        .send(Method::PATCH, &path, Some(&json!({ "tags": { "a": "b" } })))
        .await;
    assert_eq!(patched.json["tags"], json!({ "a": "b" }));
    assert_eq!(view(&patched.json)["restartCount"], 2);
}

#[tokio::test]
async fn dns_labels_are_unique_per_region_and_quota_is_enforced() {
    let mut config = EmulatorConfig::for_tests();
    config.quota = 2;
    let cloud = Cloud::with(config).await;
    let mut labelled = group("nginx");
    labelled["properties"]["ipAddress"]["dnsNameLabel"] = json!("shop-web");
    cloud.create_group("rg", "one", &labelled).await;
    let taken = cloud.put_cg("rg", "two", &labelled).await;
    assert_eq!(
        (taken.status, taken.code()),
        (400, "DnsNameLabelAlreadyTaken"),
        "{}",
        taken.text
    );
    labelled["location"] = json!("eastus");
    assert_eq!(
        cloud.put_cg("rg", "two", &labelled).await.status,
        201,
        "other regions are free"
    );

    cloud.create_group("rg", "three", &group("nginx")).await;
    let over = cloud.put_cg("rg", "four", &group("nginx")).await;
    assert_eq!(
        (over.status, over.code()),
        (400, "ContainerGroupQuotaReached")
    );
    let mut bad = group("nginx");
    bad["properties"]["ipAddress"]["dnsNameLabel"] = json!("-bad");
    assert_eq!(
        cloud.put_cg("rg", "five", &bad).await.code(),
        "InvalidDnsNameLabel"
    );
    let missing = cloud
        .put_cg("rg", "web", &group("example.com/doesnotexist/app:1"))
        .await;
    assert_eq!(missing.code(), "InaccessibleImage");
}

#[tokio::test]
async fn stop_start_and_put_move_the_run_state() {
    let cloud = Cloud::start().await;
    let running = cloud.create_group("rg", "web", &group("nginx")).await;
    let base = cg_base(SUB, "rg", "web");
    let stop = cloud
        .send(
            Method::POST,
            &format!("{base}/stop?api-version={ACI}"),
            None,
        )
        .await;
    assert_eq!(stop.status, 204);
    assert!(
        stop.header("azure-asyncoperation").is_none(),
        "stop is synchronous"
    );

    let stopped = cloud.get(&cg_path(SUB, "rg", "web")).await.json;
    assert_eq!(stopped["properties"]["instanceView"]["state"], "Stopped");
    assert_eq!(stopped["properties"]["provisioningState"], "Succeeded");
    let current =
        &stopped["properties"]["containers"][0]["properties"]["instanceView"]["currentState"];
    assert_eq!(current["state"], "Terminated");
    let list = cloud
        .get(&format!(
            "{}?api-version={ACI}",
            base.rsplit_once('/').expect("parent").0
        ))
        .await;
    assert_eq!(
        list.json["value"][0]["properties"]["provisioningState"],
        "Succeeded"
    );

    let restart = cloud
        .send(
            Method::POST,
            &format!("{base}/restart?api-version={ACI}"),
            None,
        )
        .await;
    assert_eq!(restart.status, 409);
    let start = cloud
        .send(
            Method::POST,
            &format!("{base}/start?api-version={ACI}"),
            None,
        )
        .await;
    assert_eq!(start.status, 202);
    cloud.wait(&start).await;
    let started = cloud.get(&cg_path(SUB, "rg", "web")).await.json;
    assert_eq!(started["properties"]["instanceView"]["state"], "Running");
    assert_ne!(
        started["properties"]["ipAddress"]["ip"], running["properties"]["ipAddress"]["ip"],
        "a start redeploys with a new public IP"
    );

    cloud
        .send(
            Method::POST,
            &format!("{base}/stop?api-version={ACI}"),
            None,
        )
        .await;
    let mut changed = group("nginx");
    changed["properties"]["osType"] = json!("Windows");
    let resp = cloud.put_cg("rg", "web", &changed).await;
    assert_eq!(
        resp.status, 200,
        "a stopped group is deployed as new: {}",
        resp.text
    );
    cloud.wait(&resp).await;
    let redeployed = cloud.get(&cg_path(SUB, "rg", "web")).await.json;
    assert_eq!(redeployed["properties"]["instanceView"]["state"], "Running");

    let restart = cloud
        .send(
            Method::POST,
            &format!("{base}/restart?api-version={ACI}"),
            None,
        )
        .await;
    assert_eq!(restart.status, 204);
    assert!(
        restart.header("azure-asyncoperation").is_some(),
        "restart is long-running"
    );
}

#[tokio::test]
async fn crashloop_images_restart_and_jobs_complete() {
    let cloud = Cloud::start().await;
    cloud
        .create_group("rg", "crash", &group("shop/app:crashloop"))
        .await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let crash = cloud.get(&cg_path(SUB, "rg", "crash")).await.json;
    assert_eq!(
        crash["properties"]["provisioningState"], "Succeeded",
        "ARM accepted the group"
    );
    let view = &crash["properties"]["containers"][0]["properties"]["instanceView"];
    assert!(view["restartCount"].as_u64().unwrap_or(0) >= 2, "{view}");
    let events = view["events"].as_array().cloned().unwrap_or_default();
    assert!(
        events
            .iter()
            .any(|e| e["name"] == "BackOff" && e["type"] == "Warning"),
        "{view}"
    );

    let mut job = group("shop/migrate:job");
    job["properties"]["restartPolicy"] = json!("Never");
    job["properties"]
        .as_object_mut()
        .map(|p| p.remove("ipAddress"));
    cloud.create_group("rg", "job", &job).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let done = cloud.get(&cg_path(SUB, "rg", "job")).await.json;
    assert_eq!(done["properties"]["instanceView"]["state"], "Succeeded");
    let state = &done["properties"]["containers"][0]["properties"]["instanceView"]["currentState"];
    assert_eq!(
        (state["state"].as_str(), state["exitCode"].as_i64()),
        (Some("Terminated"), Some(0))
    );
}

#[tokio::test]
async fn logs_name_variables_but_never_values() {
    let cloud = Cloud::start().await;
    cloud.put_rg(SUB, "rg", "westeurope").await;
    let created = cloud.put_cg("rg", "app", &secret_group()).await;
    cloud.wait(&created).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let base = cg_base(SUB, "rg", "app");

    let logs = cloud
        .get(&format!("{base}/containers/app/logs?api-version={ACI}"))
        .await;
    assert_eq!(logs.status, 200);
    let content = logs.json["content"].as_str().expect("content");
    assert!(content.contains("shop.azurecr.io/app:1.0"), "{content}");
    assert!(
        content.contains("API_KEY") && content.contains("MODE"),
        "{content}"
    );
    assert!(
        !content.contains("prod") && !content.contains("env-s3cret"),
        "{content}"
    );

    let tail = cloud
        .get(&format!(
            "{base}/containers/app/logs?api-version={ACI}&tail=1&timestamps=true"
        ))
        .await;
    let tail = tail.json["content"].as_str().expect("content");
    assert_eq!(tail.lines().count(), 1);
    assert!(tail.starts_with("20"), "timestamped: {tail}");

    let unknown = cloud
        .get(&format!("{base}/containers/nope/logs?api-version={ACI}"))
        .await;
    assert_eq!((unknown.status, unknown.code()), (404, "ContainerNotFound"));
}
