//! No token or secret in any log line at any level: every log record of the process
//! (tracing and `log`, ours and our dependencies') is captured at trace level across
//! token fetching, success, retry, long-running operation and 401 paths, then searched
//! for every secret involved.

use std::io::Write;
use std::sync::{Arc, Mutex};

use aciform::arm::models::ContainerGroup;
use aciform::arm::{ArmClient, credential_from_env};
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;

use super::server::{Counter, EnvGuard, MockArm, Reply, group_json, test_config};

const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.msi-secret-token";
const IDENTITY_HEADER: &str = "identity-header-secret-42";
const SECRETS: [&str; 6] = [
    "env-secure-value-1",
    "registry-password-2",
    "storage-account-key-3",
    "workspace-key-4",
    "c2VjcmV0LXZvbHVtZS01",
    "protected-setting-6",
];

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// A PUT body carrying one of each kind of secret.
fn secret_body() -> ContainerGroup {
    let mut group = group_json("web", "Succeeded");
    let props = &mut group["properties"];
    props["containers"][0]["properties"]["environmentVariables"] =
        json!([{"name": "API_KEY", "secureValue": SECRETS[0]}]);
    props["imageRegistryCredentials"] =
        json!([{"server": "r.azurecr.io", "username": "u", "password": SECRETS[1]}]);
    props["volumes"] = json!([
        {"name": "share", "azureFile": {"shareName": "s", "storageAccountName": "a",
                                        "storageAccountKey": SECRETS[2]}},
        {"name": "secrets", "secret": {"app.conf": SECRETS[4]}}
    ]);
    props["diagnostics"] =
        json!({"logAnalytics": {"workspaceId": "w", "workspaceKey": SECRETS[3]}});
    props["extensions"] = json!([{"name": "kube", "properties": {
        "extensionType": "kube-proxy", "version": "1.0",
        "protectedSettings": {"kubeConfig": SECRETS[5]}}}]);
    serde_json::from_value(group).expect("group parses")
}

/// The scripted cloud: throttles the first PUT, runs it as an LRO, rejects any token
/// on the `rg-401` resource group.
async fn cloud() -> MockArm {
    let counter = Counter::default();
    MockArm::start(move |r| match (r.method.as_str(), r.path.as_str()) {
        (_, p) if p.contains("rg-401") => {
            Reply::arm_error(401, "InvalidAuthenticationToken", "The token is invalid.")
        }
        ("PUT", _) if counter.next("put") == 1 => {
            Reply::arm_error(429, "SubscriptionRequestsThrottled", "slow down")
                .header("retry-after", "0")
        }
        ("PUT", _) => Reply::json(201, group_json("web", "Pending"))
            .header(
                "azure-asyncoperation",
                "{base}/subscriptions/s/operations/op-9",
            )
            .header("retry-after", "0"),
        ("GET", p) if p.ends_with("op-9") => match counter.next("op") {
            1 => Reply::json(200, json!({"status": "InProgress"})).header("retry-after", "0"),
            _ => Reply::json(200, json!({"status": "Succeeded"})),
        },
        ("GET", p) if p.contains("containerGroups") => {
            Reply::json(200, group_json("web", "Succeeded"))
        }
        _ => Reply::json(200, json!({"name": "rg", "location": "westeurope"})),
    })
    .await
}

#[tokio::test]
async fn no_token_or_secret_reaches_any_log_line() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);
    let _ = tracing_log::LogTracer::init();

    let msi = MockArm::start(|_| {
        let expires = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
        let resource = "https://management.azure.com";
        let token = json!({"access_token": TOKEN, "expires_on": expires.to_string(),
                           "token_type": "Bearer", "resource": resource});
        Reply::json(200, token)
    })
    .await;
    let endpoint = format!("{}msi/token", msi.base);
    let _env = EnvGuard::set(&[
        ("IDENTITY_ENDPOINT", &endpoint),
        ("IDENTITY_HEADER", IDENTITY_HEADER),
    ])
    .await;
    let env = [("IDENTITY_ENDPOINT".to_string(), endpoint.clone())].into();
    let credential = credential_from_env(&env).expect("managed identity");

    let arm = cloud().await;
    let client = ArmClient::new(test_config(arm.base.clone(), credential)).expect("client");
    let body = secret_body();

    client.get_resource_group("rg").await.expect("success path");
    let put = client
        .put_container_group("rg", "web", &body)
        .await
        .expect("retry and LRO paths");
    let denied = client
        .get_resource_group("rg-401")
        .await
        .expect_err("401 path");

    // What a careless caller would log.
    tracing::error!(error = %denied, debug = ?denied, "request failed");
    tracing::debug!(?body, ?put, ?client, "bodies");

    let logs = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(
        logs.contains("ARM request"),
        "logs were not captured:\n{logs}"
    );
    assert!(
        logs.contains("retrying"),
        "the retry path did not run:\n{logs}"
    );
    assert!(
        arm.requests().iter().any(|r| r.body.contains(SECRETS[0])),
        "secrets were sent"
    );
    for secret in [TOKEN, "msi-secret-token", IDENTITY_HEADER]
        .iter()
        .chain(SECRETS.iter())
    {
        assert!(
            !logs.contains(secret),
            "{secret} appears in the logs:\n{logs}"
        );
    }
}
