//! Which cloud a command talks to, chosen from the stack and the environment exactly as
//! SPEC.md's Targets table says, and the endpoint rules every client obeys.
//!
//! Choosing is pure: the environment comes in as a map, so tests need no process
//! environment. Starting the embedded emulator for `Target::Local` is the CLI's job.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use url::{Host, Url};

use super::ArmError;

/// The public Azure Resource Manager endpoint.
pub const AZURE_ENDPOINT: &str = "https://management.azure.com";

/// The subscription of the local cloud, used when nothing names one.
pub const LOCAL_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

/// Which cloud, decided from the stack's `subscription` and the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The embedded local cloud; `dir` is `ACIFORM_LOCAL_DIR` or `<stack dir>/.aciform/cloud`.
    Local { dir: PathBuf },
    /// `ACIFORM_ENDPOINT`: an ARM-compatible endpoint such as `aciform emulator`.
    Endpoint { url: Url, subscription: String },
    /// Azure Resource Manager itself.
    Azure { subscription: String },
}

/// Chooses the target (SPEC.md, Targets): `ACIFORM_ENDPOINT` wins; otherwise a
/// subscription (the stack's, else `AZURE_SUBSCRIPTION_ID`) means Azure; otherwise the
/// embedded local cloud. Empty variables count as unset. Refuses plain `http://` to
/// anything but a loopback address and a subscription that cannot be one.
pub fn choose_target(
    stack_subscription: Option<&str>,
    stack_dir: &Path,
    env: &BTreeMap<String, String>,
) -> Result<Target, ArmError> {
    let subscription = stack_subscription
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| (s.to_string(), "the stack's `subscription`"))
        .or_else(|| env_var(env, "AZURE_SUBSCRIPTION_ID").map(|s| (s, "AZURE_SUBSCRIPTION_ID")));

    if let Some(endpoint) = env_var(env, "ACIFORM_ENDPOINT") {
        let url = parse_endpoint(&endpoint, "ACIFORM_ENDPOINT")?;
        let subscription = match subscription {
            Some((sub, source)) => check_subscription(sub, source, false)?,
            None => LOCAL_SUBSCRIPTION.to_string(),
        };
        return Ok(Target::Endpoint { url, subscription });
    }

    if let Some((sub, source)) = subscription {
        let subscription = check_subscription(sub, source, true)?;
        return Ok(Target::Azure { subscription });
    }

    let dir = match env_var(env, "ACIFORM_LOCAL_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => stack_dir.join(".aciform").join("cloud"),
    };
    Ok(Target::Local { dir })
}

impl Target {
    /// The first line every command prints, naming the cloud it talks to.
    pub fn describe(&self) -> String {
        match self {
            Target::Local { dir } => format!(
                "Target: local cloud (embedded emulator, data in {})",
                dir.display()
            ),
            Target::Endpoint { url, subscription } => format!(
                "Target: ARM endpoint {} (ACIFORM_ENDPOINT), subscription {subscription}",
                url.as_str().trim_end_matches('/')
            ),
            Target::Azure { subscription } => {
                format!("Target: Azure Resource Manager, subscription {subscription}")
            }
        }
    }

    /// The subscription, except for the local cloud, which always uses
    /// [`LOCAL_SUBSCRIPTION`].
    pub fn subscription(&self) -> &str {
        match self {
            Target::Local { .. } => LOCAL_SUBSCRIPTION,
            Target::Endpoint { subscription, .. } | Target::Azure { subscription } => subscription,
        }
    }

    /// The ARM base URL, unknown for the local cloud until the CLI starts it.
    pub fn base_url(&self) -> Option<Url> {
        match self {
            Target::Local { .. } => None,
            Target::Endpoint { url, .. } => Some(url.clone()),
            Target::Azure { .. } => Url::parse(AZURE_ENDPOINT).ok(),
        }
    }
}

/// Parses an ARM base URL and applies the endpoint rule: `https://` anywhere, `http://`
/// only for loopback addresses, nothing else.
pub fn parse_endpoint(text: &str, source: &str) -> Result<Url, ArmError> {
    // A URL with `user:password@` must not be echoed: the password would be printed.
    let shown = if text.contains('@') {
        "(not shown: it holds `@`)"
    } else {
        text
    };
    let url = Url::parse(text.trim())
        .map_err(|e| ArmError::Config(format!("{source} is not a valid URL ({e}): {shown}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ArmError::Config(format!(
            "{source} must not hold a user name or password: aciform authenticates with a \
             token or an Azure credential, never with credentials in the URL"
        )));
    }
    check_endpoint(&url)?;
    Ok(url)
}

/// Refuses what a client must never send a token to: plain http to a host that is not
/// this machine, and schemes other than http(s).
pub fn check_endpoint(url: &Url) -> Result<(), ArmError> {
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(ArmError::InsecureEndpoint {
            url: url.to_string(),
        }),
        _ => Err(ArmError::Config(format!(
            "ARM endpoint must be an https:// URL (or http:// on a loopback address): {url}"
        ))),
    }
}

/// True for 127.0.0.0/8, ::1 and `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// A subscription goes into every URL path: refuse what cannot be one. Azure's are
/// GUIDs; an emulator may accept other plain names.
fn check_subscription(sub: String, source: &str, must_be_guid: bool) -> Result<String, ArmError> {
    let plain = sub
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !plain || (must_be_guid && uuid::Uuid::try_parse(&sub).is_err()) {
        let expected = if must_be_guid {
            "a GUID"
        } else {
            "letters, digits and '-'"
        };
        return Err(ArmError::Config(format!(
            "{source} is not a valid subscription id (expected {expected}): {sub}"
        )));
    }
    Ok(sub)
}

/// A variable of the environment map, trimmed, with empty treated as unset.
pub(crate) fn env_var(env: &BTreeMap<String, String>, name: &str) -> Option<String> {
    env.get(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "2f1c0a4e-0000-4000-8000-000000000001";

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn choose(sub: Option<&str>, pairs: &[(&str, &str)]) -> Result<Target, ArmError> {
        choose_target(sub, Path::new("."), &env(pairs))
    }

    #[test]
    fn nothing_set_means_the_local_cloud_beside_the_stack() {
        let target = choose(None, &[]).expect("local");
        assert_eq!(
            target,
            Target::Local {
                dir: PathBuf::from("./.aciform/cloud")
            }
        );
        assert_eq!(
            target.describe(),
            "Target: local cloud (embedded emulator, data in ./.aciform/cloud)"
        );
        assert_eq!(target.subscription(), LOCAL_SUBSCRIPTION);
    }

    #[test]
    fn local_dir_comes_from_the_environment() {
        let target = choose(None, &[("ACIFORM_LOCAL_DIR", "/tmp/cloud")]).expect("local");
        assert_eq!(
            target,
            Target::Local {
                dir: PathBuf::from("/tmp/cloud")
            }
        );
    }

    #[test]
    fn a_subscription_means_azure() {
        let target = choose(Some(SUB), &[]).expect("azure");
        assert_eq!(
            target,
            Target::Azure {
                subscription: SUB.into()
            }
        );
        assert_eq!(
            target.describe(),
            format!("Target: Azure Resource Manager, subscription {SUB}")
        );
        assert_eq!(
            target.base_url().map(String::from),
            Some(format!("{AZURE_ENDPOINT}/"))
        );

        let from_env = choose(None, &[("AZURE_SUBSCRIPTION_ID", SUB)]).expect("azure");
        assert_eq!(
            from_env,
            Target::Azure {
                subscription: SUB.into()
            }
        );
    }

    #[test]
    fn the_stack_subscription_wins_over_the_environment() {
        let other = "11111111-1111-4111-8111-111111111111";
        let target = choose(Some(SUB), &[("AZURE_SUBSCRIPTION_ID", other)]).expect("azure");
        assert_eq!(
            target,
            Target::Azure {
                subscription: SUB.into()
            }
        );
    }

    #[test]
    fn the_endpoint_wins_whatever_the_stack_says() {
        let target =
            choose(Some(SUB), &[("ACIFORM_ENDPOINT", "http://127.0.0.1:8080")]).expect("endpoint");
        assert_eq!(target.subscription(), SUB);
        assert_eq!(
            target.describe(),
            format!(
                "Target: ARM endpoint http://127.0.0.1:8080 (ACIFORM_ENDPOINT), subscription {SUB}"
            )
        );
    }

    #[test]
    fn an_endpoint_without_subscription_uses_the_local_one() {
        let target = choose(None, &[("ACIFORM_ENDPOINT", "http://localhost:1")]).expect("endpoint");
        assert_eq!(target.subscription(), LOCAL_SUBSCRIPTION);
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let target = choose(
            None,
            &[("ACIFORM_ENDPOINT", ""), ("AZURE_SUBSCRIPTION_ID", " ")],
        );
        assert!(matches!(target, Ok(Target::Local { .. })));
    }

    #[test]
    fn plain_http_to_another_host_is_refused() {
        for url in [
            "http://10.0.0.4:8080",
            "http://example.com",
            "http://[fe80::1]:80",
        ] {
            let err = choose(None, &[("ACIFORM_ENDPOINT", url)]).expect_err(url);
            assert!(
                matches!(err, ArmError::InsecureEndpoint { .. }),
                "{url}: {err}"
            );
        }
        for url in [
            "http://127.0.0.2:1",
            "http://[::1]:1",
            "http://LOCALHOST",
            "https://x.test",
        ] {
            assert!(choose(None, &[("ACIFORM_ENDPOINT", url)]).is_ok(), "{url}");
        }
    }

    #[test]
    fn malformed_endpoints_and_subscriptions_are_config_errors() {
        let err = choose(None, &[("ACIFORM_ENDPOINT", "not a url")]).expect_err("bad url");
        assert!(
            err.to_string()
                .starts_with("ACIFORM_ENDPOINT is not a valid URL"),
            "{err}"
        );
        assert!(choose(None, &[("ACIFORM_ENDPOINT", "ftp://127.0.0.1")]).is_err());

        let err = choose(Some("my-sub"), &[]).expect_err("not a guid");
        assert!(
            err.to_string().contains("not a valid subscription id"),
            "{err}"
        );
        assert!(choose(Some("../x"), &[("ACIFORM_ENDPOINT", "http://127.0.0.1:1")]).is_err());
        assert!(choose(Some("sub1"), &[("ACIFORM_ENDPOINT", "http://127.0.0.1:1")]).is_ok());
    }

    #[test]
    fn credentials_in_the_endpoint_are_refused_and_never_echoed() {
        for url in [
            "http://admin:hunter2@127.0.0.1:8080",
            "https://admin@arm.test",
            "http://admin:hunter2@[not a url",
        ] {
            let err = choose(None, &[("ACIFORM_ENDPOINT", url)]).expect_err(url);
            assert!(!err.to_string().contains("hunter2"), "{err}");
            assert!(err.to_string().starts_with("ACIFORM_ENDPOINT"), "{err}");
        }
    }
}
