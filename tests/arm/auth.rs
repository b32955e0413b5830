//! Credentials end to end on loopback: managed identity through `IDENTITY_ENDPOINT`,
//! the Azure CLI through a fake `az`, token caching and refresh, and 401 answers.
//!
//! Some tests set process environment variables, because azure_identity reads them
//! itself (see `EnvGuard`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aciform::arm::{ArmClient, ArmError, Credential, credential_from_env};
use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use serde_json::json;

use super::server::{Counter, EnvGuard, MockArm, Reply, TEST_TOKEN, test_config};

fn env_map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn rg_reply() -> Reply {
    Reply::json(200, json!({"name": "rg", "location": "westeurope"}))
}

/// A fake App Service managed identity endpoint: token N is `msi-token-N`, valid for
/// `lifetime(N)` seconds.
async fn msi_server(lifetime: fn(usize) -> i64) -> MockArm {
    let counter = Counter::default();
    MockArm::start(move |_| {
        let n = counter.next("token");
        let expires = time::OffsetDateTime::now_utc().unix_timestamp() + lifetime(n);
        Reply::json(
            200,
            json!({
                "access_token": format!("msi-token-{n}"),
                "expires_on": expires.to_string(),
                "token_type": "Bearer",
                "resource": "https://management.azure.com"
            }),
        )
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managed_identity_tokens_are_cached_and_refreshed_before_expiry() {
    // The first token expires 2 s after the 5-minute refresh margin begins.
    let msi = msi_server(|n| if n == 1 { 302 } else { 3600 }).await;
    let endpoint = format!("{}msi/token", msi.base);
    let _env = EnvGuard::set(&[
        ("IDENTITY_ENDPOINT", &endpoint),
        ("IDENTITY_HEADER", "hdr-1"),
    ])
    .await;
    let credential = credential_from_env(&env_map(&[("IDENTITY_ENDPOINT", &endpoint)]))
        .expect("managed identity is chosen");
    assert_eq!(credential.name(), "ManagedIdentityCredential");

    let arm = MockArm::start(|_| rg_reply()).await;
    let client = ArmClient::new(test_config(arm.base.clone(), credential)).expect("client");
    client.get_resource_group("rg").await.expect("first call");
    client.get_resource_group("rg").await.expect("second call");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    client.get_resource_group("rg").await.expect("third call");

    let seen: Vec<_> = arm
        .requests()
        .iter()
        .map(|r| r.authorization.clone())
        .collect();
    let bearer = |n: u32| Some(format!("Bearer msi-token-{n}"));
    assert_eq!(seen, [bearer(1), bearer(1), bearer(2)]);
    assert_eq!(msi.requests().len(), 2);
    assert_eq!(client.stats().token_fetches, 2);
    assert!(
        msi.requests()[0]
            .query
            .contains("resource=https%3A%2F%2Fmanagement.azure.com")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_identity_endpoint_is_an_auth_error_naming_the_credential() {
    let msi = MockArm::start(|_| Reply::new(400, "{\"error\":\"invalid_request\"}")).await;
    let endpoint = format!("{}msi/token", msi.base);
    let _env = EnvGuard::set(&[
        ("IDENTITY_ENDPOINT", &endpoint),
        ("IDENTITY_HEADER", "hdr-1"),
    ])
    .await;
    let credential = credential_from_env(&env_map(&[("ACIFORM_USE_MSI", "1")])).expect("builds");

    let arm = MockArm::start(|_| rg_reply()).await;
    let client = ArmClient::new(test_config(arm.base.clone(), credential)).expect("client");
    let err = client.get_resource_group("rg").await.expect_err("no token");

    assert!(matches!(err, ArmError::Auth { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with("cannot get an Azure token from ManagedIdentityCredential"),
        "{text}"
    );
    assert!(
        !text.contains("backtrace") && !text.contains("Backtrace"),
        "{text}"
    );
    assert!(arm.requests().is_empty(), "no ARM call without a token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_developers_az_login_is_used_when_nothing_else_is_configured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let expires = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let script = format!(
        "#!/bin/sh\necho '{{\"accessToken\":\"cli-token-1\",\"expires_on\":{expires},\
         \"tokenType\":\"Bearer\"}}'\n"
    );
    let az = dir.path().join("az");
    std::fs::write(&az, script).expect("writes az");
    std::fs::set_permissions(&az, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let _env = EnvGuard::set(&[("PATH", &path)]).await;

    let credential = credential_from_env(&env_map(&[])).expect("developer tools");
    assert_eq!(
        credential.name(),
        "DeveloperToolsCredential (az or azd login)"
    );
    let arm = MockArm::start(|_| rg_reply()).await;
    let client = ArmClient::new(test_config(arm.base.clone(), credential)).expect("client");

    client.get_resource_group("rg").await.expect("works");
    assert_eq!(
        arm.requests()[0].authorization.as_deref(),
        Some("Bearer cli-token-1")
    );
}

#[tokio::test]
async fn an_expired_static_token_is_surfaced_clearly() {
    let arm = MockArm::start(|_| {
        Reply::arm_error(
            401,
            "ExpiredAuthenticationToken",
            "The access token expiry UTC time '12/4/2026 9:00:00 AM' is earlier than \
             current UTC time.",
        )
    })
    .await;
    let client = arm.client(|_| {});

    let err = client.list_container_groups("rg").await.expect_err("401");
    assert!(matches!(err, ArmError::Unauthorized { .. }), "{err}");
    assert_eq!(err.code(), Some("ExpiredAuthenticationToken"));
    assert_eq!(err.status(), Some(401));
    let text = err.to_string();
    assert!(
        text.starts_with("ExpiredAuthenticationToken: The access token expiry"),
        "{text}"
    );
    assert!(
        text.contains("(HTTP 401)") && text.contains("ACIFORM_TOKEN"),
        "{text}"
    );
    assert!(!text.contains(TEST_TOKEN));
    assert_eq!(
        arm.requests().len(),
        1,
        "a static token cannot get better by retrying"
    );
}

/// Hands out `token-1`, `token-2`, ..., each valid for an hour.
#[derive(Debug, Default)]
struct Sequence(AtomicU64);

#[async_trait::async_trait]
impl TokenCredential for Sequence {
    async fn get_token(
        &self,
        _: &[&str],
        _: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        let expires = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
        Ok(AccessToken::new(format!("token-{n}"), expires))
    }
}

fn sequence_credential() -> Credential {
    Credential::Azure {
        name: "SequenceCredential".into(),
        credential: Arc::new(Sequence::default()),
    }
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once() {
    let arm = MockArm::start(|r| match r.authorization.as_deref() {
        Some("Bearer token-1") => {
            Reply::arm_error(401, "InvalidAuthenticationToken", "The token was revoked.")
        }
        _ => rg_reply(),
    })
    .await;
    let client =
        ArmClient::new(test_config(arm.base.clone(), sequence_credential())).expect("client");

    assert!(
        client
            .get_resource_group("rg")
            .await
            .expect("works after refresh")
            .is_some()
    );
    let seen: Vec<_> = arm
        .requests()
        .iter()
        .filter_map(|r| r.authorization.clone())
        .collect();
    assert_eq!(seen, ["Bearer token-1", "Bearer token-2"]);
}

#[tokio::test]
async fn a_token_rejected_twice_is_an_error() {
    let arm = MockArm::start(|_| {
        Reply::arm_error(
            401,
            "InvalidAuthenticationTokenAudience",
            "The access token has been obtained for the wrong audience.",
        )
    })
    .await;
    let client =
        ArmClient::new(test_config(arm.base.clone(), sequence_credential())).expect("client");

    let err = client
        .get_resource_group("rg")
        .await
        .expect_err("401 twice");
    assert_eq!(err.code(), Some("InvalidAuthenticationTokenAudience"));
    assert!(
        err.to_string()
            .contains("the token from SequenceCredential was rejected"),
        "{err}"
    );
    assert_eq!(arm.requests().len(), 2);
}

#[tokio::test]
async fn plain_http_to_another_host_is_refused_before_any_request() {
    let base = url::Url::parse("http://arm.example.test:8080").expect("url");
    let err = ArmClient::new(test_config(base, sequence_credential())).expect_err("refused");
    assert!(matches!(err, ArmError::InsecureEndpoint { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("refusing to send credentials over plain http"),
        "{err}"
    );

    let env = env_map(&[("ACIFORM_ENDPOINT", "http://192.0.2.10:8080")]);
    let err =
        aciform::arm::choose_target(None, std::path::Path::new("."), &env).expect_err("refused");
    assert!(matches!(err, ArmError::InsecureEndpoint { .. }), "{err}");
}
