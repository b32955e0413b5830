//! Every official example (tests/fixtures/aci-api/examples) is sent to the emulator,
//! and each answer must have the documented shape: the documented status, and every
//! key of the documented body present (values the service generates may differ).

use std::path::PathBuf;

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::{Cloud, Resp, aci_path};

/// The official examples, vendored in tests/fixtures (see its README).
fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aci-api/examples")
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(examples_dir().join(name)).expect("example readable");
    serde_json::from_str(&text).expect("example is JSON")
}

fn param<'a>(example: &'a Value, name: &str) -> &'a str {
    example["parameters"][name]
        .as_str()
        .unwrap_or_else(|| panic!("parameter {name}"))
}

fn version(example: &Value) -> String {
    param(example, "api-version").to_string()
}

/// Every key of `documented` must be in `actual`; arrays compare their elements by
/// `name` (or position). `skip` lists documented paths the emulator does not produce.
fn assert_shape(documented: &Value, actual: &Value, path: &str, skip: &[&str]) {
    if skip.contains(&path) {
        return;
    }
    match (documented, actual) {
        (Value::Object(doc), Value::Object(act)) => {
            for (key, value) in doc {
                let child = format!("{path}.{key}");
                if skip.contains(&child.as_str()) {
                    continue;
                }
                let Some(found) = act.get(key) else {
                    panic!("missing {child}\nactual: {actual}");
                };
                assert_shape(value, found, &child, skip);
            }
        }
        (Value::Array(doc), Value::Array(act)) => {
            for (i, item) in doc.iter().enumerate() {
                let found = match item.get("name") {
                    Some(name) => act.iter().find(|a| a.get("name") == Some(name)),
                    None => act.get(i),
                };
                let Some(found) = found else {
                    panic!("missing {path}[{i}]\nactual: {actual}")
                };
                assert_shape(item, found, &format!("{path}[]"), skip);
            }
        }
        (Value::Object(_) | Value::Array(_), other) => {
            panic!("{path}: expected {documented}, got {other}")
        }
        _ => {}
    }
}

fn documented(example: &Value, status: u16) -> Value {
    example["responses"][status.to_string()]["body"].clone()
}

fn assert_documented_status(example: &Value, resp: &Resp) {
    let statuses: Vec<&String> = example["responses"]
        .as_object()
        .expect("responses")
        .keys()
        .collect();
    assert!(
        statuses
            .iter()
            .any(|s| s.as_str() == resp.status.to_string()),
        "status {} not among {statuses:?}: {}",
        resp.status,
        resp.text
    );
}

/// A PUT body that recreates a documented response: read-only fields dropped, the
/// secrets the service never returns filled in.
fn seed_from(response: &Value) -> Value {
    let mut body = response.clone();
    if let Some(top) = body.as_object_mut() {
        top.remove("id");
        top.remove("type");
    }
    strip_read_only(&mut body);
    let props = &mut body["properties"];
    for volume in props["volumes"].as_array_mut().into_iter().flatten() {
        if let Some(file) = volume.get_mut("azureFile").and_then(Value::as_object_mut) {
            file.insert("storageAccountKey".into(), json!("a-key"));
        }
    }
    for cred in props["imageRegistryCredentials"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        if cred.get("username").is_some() && cred.get("passwordReference").is_none() {
            cred["password"] = json!("a-password");
        }
    }
    body
}

fn strip_read_only(value: &mut Value) {
    if let Some(map) = value.as_object_mut() {
        let read_only = [
            "provisioningState",
            "instanceView",
            "ip",
            "fqdn",
            "isCreatedFromStandbyPool",
            "revision",
        ];
        for key in read_only {
            map.remove(key);
        }
        map.values_mut().for_each(strip_read_only);
    } else if let Some(list) = value.as_array_mut() {
        list.iter_mut().for_each(strip_read_only);
    }
}

fn cg(sub: &str, rg: &str, name: &str) -> String {
    super::cg_base(sub, rg, name)
}

fn with_version(path: String) -> String {
    format!("{path}?api-version=2025-09-01")
}

async fn seed_group(cloud: &Cloud, sub: &str, rg: &str, name: &str, body: &Value) {
    cloud.put_rg(sub, rg, "westus").await;
    let resp = cloud
        .send(
            Method::PUT,
            &format!("{}?api-version=2025-09-01", cg(sub, rg, name)),
            Some(body),
        )
        .await;
    assert!(
        resp.status == 201 || resp.status == 200,
        "seeding {name}: {}",
        resp.text
    );
    cloud.wait(&resp).await;
}

/// A group with a container called `container`, for the per-container examples.
fn group_with(container: &str) -> Value {
    json!({ "location": "westus", "properties": { "osType": "Linux", "containers": [
        { "name": container, "properties": { "image": "nginx",
          "resources": { "requests": { "cpu": 1, "memoryInGB": 1 } } } }] } })
}

async fn create_example(cloud: &Cloud, file: &str) {
    let example = load(file);
    let (sub, rg, name) = (
        param(&example, "subscriptionId"),
        param(&example, "resourceGroupName"),
        param(&example, "containerGroupName"),
    );
    cloud.put_rg(sub, rg, "westus").await;
    let mut body = example["parameters"]["containerGroup"].clone();
    if let Some(zones) = example["parameters"].get("zones") {
        body["zones"] = zones.clone();
    }
    let path = format!("{}?api-version={}", cg(sub, rg, name), version(&example));

    let created = cloud.send(Method::PUT, &path, Some(&body)).await;
    assert_eq!(created.status, 201, "{file}: {}", created.text);
    assert_shape(&documented(&example, 201), &created.json, file, &[]);
    cloud.wait(&created).await;

    let updated = cloud.send(Method::PUT, &path, Some(&body)).await;
    assert_eq!(updated.status, 200, "{file}: {}", updated.text);
    assert_shape(&documented(&example, 200), &updated.json, file, &[]);
    cloud.wait(&updated).await;
    let deleted = cloud.send(Method::DELETE, &path, None).await;
    assert_eq!(deleted.status, 202);
    cloud.wait(&deleted).await;
}

#[tokio::test]
async fn every_create_example_is_accepted_with_the_documented_shape() {
    let cloud = Cloud::start().await;
    // The standby-pool example references a profile revision that must exist first.
    let profile = load("ContainerGroupProfilesCreateOrUpdate.json");
    cloud.put_rg("subid", "demo", "westus").await;
    let resp = cloud
        .send(
            Method::PUT,
            &with_version(aci_path(
                "subid",
                Some("demo"),
                "containerGroupProfiles/democgp",
            )),
            Some(&profile["parameters"]["ContainerGroupProfile"]),
        )
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);

    for file in [
        "ContainerGroupsCreateOrUpdate.json",
        "ContainerGroupsCreateOrUpdateSecretReference.json",
        "ContainerGroupsCreatePriority.json",
        "ContainerGroupCreateConfidential.json",
        "ContainerGroupEncryptionProperties.json",
        "ContainerGroupExtensions.json",
        "ContainerGroupCreateOrUpdateStandbyPool.json",
    ] {
        create_example(&cloud, file).await;
    }
}

#[tokio::test]
async fn get_list_patch_and_delete_examples_have_the_documented_shape() {
    let cloud = Cloud::start().await;
    for file in [
        "ContainerGroupsGet_Succeeded.json",
        "ContainerGroupsGet_Failed.json",
        "ContainerGroupsGetPriority.json",
    ] {
        let example = load(file);
        let (sub, rg, name) = (
            param(&example, "subscriptionId"),
            param(&example, "resourceGroupName"),
            param(&example, "containerGroupName"),
        );
        let doc = documented(&example, 200);
        if file.contains("Failed") {
            cloud.handle.faults().fail_provisioning(
                name,
                "FailedMount",
                "Output: mount error(2): Permission denied",
            );
        }
        seed_group(&cloud, sub, rg, name, &seed_from(&doc)).await;
        // Let the `sleep 10` container of the Spot example run to completion.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let got = cloud
            .get(&format!(
                "{}?api-version={}",
                cg(sub, rg, name),
                version(&example)
            ))
            .await;
        assert_eq!(got.status, 200, "{file}");
        assert_shape(&doc, &got.json, file, &[]);
        if file.contains("Failed") {
            assert_eq!(got.json["properties"]["provisioningState"], "Failed");
            cloud.handle.faults().clear();
        }
        let path = format!("{}?api-version=2025-09-01", cg(sub, rg, name));
        let deleted = cloud.send(Method::DELETE, &path, None).await;
        cloud.wait(&deleted).await;
    }

    let list = load("ContainerGroupsList.json");
    let doc = documented(&list, 200);
    let item = &doc["value"][0];
    seed_group(
        &cloud,
        param(&list, "subscriptionId"),
        "demo",
        "demo1",
        &seed_from(item),
    )
    .await;
    let got = cloud
        .get(&with_version(aci_path(
            param(&list, "subscriptionId"),
            None,
            "containerGroups",
        )))
        .await;
    assert_shape(&doc, &got.json, "ContainerGroupsList.json", &[]);
    assert!(
        got.json["value"][0]["properties"]
            .get("instanceView")
            .is_none(),
        "LIST omits the instance view"
    );

    let by_rg = load("ContainerGroupsListByResourceGroup.json");
    let got = cloud
        .get(&with_version(aci_path(
            param(&by_rg, "subscriptionId"),
            Some("demo"),
            "containerGroups",
        )))
        .await;
    assert_shape(
        &documented(&by_rg, 200),
        &got.json,
        "ContainerGroupsListByResourceGroup.json",
        &[],
    );

    let update = load("ContainerGroupsUpdate.json");
    let doc = documented(&update, 200);
    seed_group(
        &cloud,
        param(&update, "subscriptionId"),
        "demoResource",
        "demo1",
        &seed_from(&doc),
    )
    .await;
    let patched = cloud
        .send(
            Method::PATCH,
            &format!(
                "{}?api-version=2025-09-01",
                cg(param(&update, "subscriptionId"), "demoResource", "demo1")
            ),
            Some(&update["parameters"]["Resource"]),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_shape(&doc, &patched.json, "ContainerGroupsUpdate.json", &[]);

    let delete = load("ContainerGroupsDelete.json");
    let path = format!(
        "{}?api-version=2025-09-01",
        cg(param(&delete, "subscriptionId"), "demoResource", "demo1")
    );
    let deleted = cloud.send(Method::DELETE, &path, None).await;
    assert_documented_status(&delete, &deleted);
    assert!(deleted.header("azure-asyncoperation").is_some());
    cloud.wait(&deleted).await;
    let again = cloud.send(Method::DELETE, &path, None).await;
    assert_eq!(again.status, 204);
}

#[tokio::test]
async fn action_log_and_terminal_examples_have_the_documented_shape() {
    let cloud = Cloud::start().await;
    seed_group(
        &cloud,
        super::SUB,
        "demo",
        "demo1",
        &group_with("container1"),
    )
    .await;
    let base = cg(super::SUB, "demo", "demo1");

    for file in [
        "ContainerGroupsStop.json",
        "ContainerGroupsStart.json",
        "ContainerGroupsRestart.json",
    ] {
        let example = load(file);
        let action = file
            .trim_start_matches("ContainerGroups")
            .trim_end_matches(".json")
            .to_lowercase();
        let resp = cloud
            .send(
                Method::POST,
                &format!("{base}/{action}?api-version={}", version(&example)),
                None,
            )
            .await;
        assert_documented_status(&example, &resp);
        if resp.header("azure-asyncoperation").is_some() {
            cloud.wait(&resp).await;
        }
    }

    let logs = load("ContainerListLogs.json");
    let resp = cloud
        .get(&format!(
            "{base}/containers/container1/logs?api-version={}&tail=10",
            version(&logs)
        ))
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_shape(
        &documented(&logs, 200),
        &resp.json,
        "ContainerListLogs.json",
        &[],
    );

    for file in ["ContainerExec.json", "ContainerAttach.json"] {
        let example = load(file);
        let verb = if file.contains("Exec") {
            "exec"
        } else {
            "attach"
        };
        let body = example["parameters"].get("containerExecRequest").cloned();
        let resp = cloud
            .send(
                Method::POST,
                &format!("{base}/containers/container1/{verb}?api-version=2025-09-01"),
                body.as_ref(),
            )
            .await;
        assert_eq!(resp.status, 200, "{file}: {}", resp.text);
        assert_shape(&documented(&example, 200), &resp.json, file, &[]);
    }

    let outbound = load("ContainerGroupsGetOutboundNetworkDependenciesEndpoints.json");
    seed_group(&cloud, super::SUB, "demo", "demo-cg", &group_with("c")).await;
    let resp = cloud
        .get(&format!(
            "{}/outboundNetworkDependenciesEndpoints?api-version=2025-09-01",
            cg(super::SUB, "demo", "demo-cg")
        ))
        .await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json, documented(&outbound, 200));

    // The operation status of the old preview sample, reached through a real operation.
    let example = load("ContainerGroupAsyncOperation.json");
    let put = cloud
        .send(
            Method::PUT,
            &format!("{base}?api-version=2025-09-01"),
            Some(&group_with("container1")),
        )
        .await;
    let url = put
        .header("azure-asyncoperation")
        .expect("header")
        .to_string();
    let path = url
        .trim_start_matches(&cloud.base)
        .replace("2025-09-01", &version(&example));
    let resp = cloud.get(&path).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_shape(
        &documented(&example, 200),
        &resp.json,
        "ContainerGroupAsyncOperation.json",
        &[],
    );
}

#[tokio::test]
async fn location_and_provider_examples_have_the_documented_shape() {
    let cloud = Cloud::start().await;
    for (file, suffix) in [
        ("CachedImagesList.json", "cachedImages"),
        ("CapabilitiesList.json", "capabilities"),
        ("ContainerGroupUsage.json", "usages"),
    ] {
        let example = load(file);
        let path = format!(
            "{}?api-version={}",
            aci_path(
                param(&example, "subscriptionId"),
                None,
                &format!("locations/{}/{suffix}", param(&example, "location"))
            ),
            version(&example)
        );
        let resp = cloud.get(&path).await;
        assert_eq!(resp.status, 200, "{file}: {}", resp.text);
        assert_shape(&documented(&example, 200), &resp.json, file, &[]);
    }
    let ops = load("OperationsList.json");
    let resp = cloud
        .get("/providers/Microsoft.ContainerInstance/operations?api-version=2025-09-01")
        .await;
    assert_shape(
        &documented(&ops, 200),
        &resp.json,
        "OperationsList.json",
        &[],
    );

    let sal = load("SubnetServiceAssociationLinkDelete.json");
    let path = format!(
        "/subscriptions/{}/resourcegroups/{}/providers/Microsoft.Network/virtualNetworks/{}/\
         subnets/{}/providers/Microsoft.ContainerInstance/serviceAssociationLinks/default\
         ?api-version=2025-09-01",
        param(&sal, "subscriptionId"),
        param(&sal, "resourceGroupName"),
        param(&sal, "virtualNetworkName"),
        param(&sal, "subnetName")
    );
    let resp = cloud.send(Method::DELETE, &path, None).await;
    assert_documented_status(&sal, &resp);
}

#[tokio::test]
async fn profile_and_ngroup_examples_have_the_documented_shape() {
    let cloud = Cloud::start().await;
    let create = load("ContainerGroupProfilesCreateOrUpdate.json");
    let sub = param(&create, "subscriptionId");
    cloud.put_rg(sub, "demo", "westus").await;
    let base = format!(
        "{}?api-version=2025-09-01",
        aci_path(sub, Some("demo"), "containerGroupProfiles/demo1")
    );
    let resp = cloud
        .send(
            Method::PUT,
            &base,
            Some(&create["parameters"]["ContainerGroupProfile"]),
        )
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    assert_shape(&documented(&create, 201), &resp.json, "profile create", &[]);

    let skip = [];
    let get = load("ContainerGroupProfilesGet.json");
    let seeded = seed_from(&documented(&get, 200));
    cloud.send(Method::PUT, &base, Some(&seeded)).await;
    let resp = cloud.get(&base).await;
    assert_shape(&documented(&get, 200), &resp.json, "profile get", &skip);

    let patch = load("ContainerGroupProfilesPatch.json");
    cloud.put_rg(sub, "demoResource", "westus").await;
    let patch_path = base.replace("/demo/", "/demoResource/");
    cloud
        .send(
            Method::PUT,
            &patch_path,
            Some(&seed_from(&documented(&patch, 200))),
        )
        .await;
    let resp = cloud
        .send(
            Method::PATCH,
            &patch_path,
            Some(&patch["parameters"]["properties"]),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_shape(&documented(&patch, 200), &resp.json, "profile patch", &skip);
    assert_eq!(resp.json["properties"]["revision"], 2);

    let delete = load("ContainerGroupProfilesDelete.json");
    assert_documented_status(&delete, &cloud.send(Method::DELETE, &base, None).await);
    assert_documented_status(&delete, &cloud.send(Method::DELETE, &base, None).await);

    let ngroup = load("NGroupsCreateOrUpdate.json");
    let path = format!(
        "{}?api-version=2025-09-01",
        aci_path(sub, Some("demo"), "ngroups/demo-ngroup")
    );
    let resp = cloud
        .send(Method::PUT, &path, Some(&ngroup["parameters"]["NGroup"]))
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    assert_shape(&documented(&ngroup, 201), &resp.json, "ngroup create", &[]);
    cloud.wait(&resp).await;
    let get = load("NGroupsGet.json");
    let resp = cloud.get(&path).await;
    assert_shape(&documented(&get, 200), &resp.json, "ngroup get", &[]);
    assert_eq!(resp.json["properties"]["provisioningState"], "Succeeded");
    let delete = load("NGroupsDelete.json");
    let resp = cloud.send(Method::DELETE, &path, None).await;
    assert_documented_status(&delete, &resp);
    assert!(resp.header("azure-asyncoperation").is_some());
}

#[test]
fn the_walk_covers_every_example_file() {
    let covered = [
        "CachedImagesList.json",
        "CapabilitiesList.json",
        "ContainerAttach.json",
        "ContainerExec.json",
        "ContainerGroupAsyncOperation.json",
        "ContainerGroupCreateConfidential.json",
        "ContainerGroupCreateOrUpdateStandbyPool.json",
        "ContainerGroupEncryptionProperties.json",
        "ContainerGroupExtensions.json",
        "ContainerGroupProfilesCreateOrUpdate.json",
        "ContainerGroupProfilesDelete.json",
        "ContainerGroupProfilesGet.json",
        "ContainerGroupProfilesPatch.json",
        "ContainerGroupUsage.json",
        "ContainerGroupsCreateOrUpdate.json",
        "ContainerGroupsCreateOrUpdateSecretReference.json",
        "ContainerGroupsCreatePriority.json",
        "ContainerGroupsDelete.json",
        "ContainerGroupsGetOutboundNetworkDependenciesEndpoints.json",
        "ContainerGroupsGetPriority.json",
        "ContainerGroupsGet_Failed.json",
        "ContainerGroupsGet_Succeeded.json",
        "ContainerGroupsList.json",
        "ContainerGroupsListByResourceGroup.json",
        "ContainerGroupsRestart.json",
        "ContainerGroupsStart.json",
        "ContainerGroupsStop.json",
        "ContainerGroupsUpdate.json",
        "ContainerListLogs.json",
        "NGroupsCreateOrUpdate.json",
        "NGroupsDelete.json",
        "NGroupsGet.json",
        "OperationsList.json",
        "SubnetServiceAssociationLinkDelete.json",
    ];
    let mut files: Vec<String> = std::fs::read_dir(examples_dir())
        .expect("examples")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    let missing: Vec<&String> = files
        .iter()
        .filter(|f| !covered.contains(&f.as_str()))
        .collect();
    assert!(missing.is_empty(), "examples not walked: {missing:?}");
    let _ = Map::<String, Value>::new();
}
