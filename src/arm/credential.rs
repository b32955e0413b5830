//! Where bearer tokens come from: a static token or one of azure_identity's credentials,
//! chosen from the environment the way Azure's own tools choose. Caching the tokens is
//! `token_cache.rs`'s job.
//!
//! azure_identity 1.x has no default chain, so [`credential_from_env`] picks exactly one
//! credential and says which at debug level. Tokens live only in `Secret`s; nothing here
//! logs or formats one.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_identity::{
    ClientSecretCredential, DeveloperToolsCredential, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};
use tracing::debug;

use super::error::error_chain;
use super::target::{Target, env_var, is_loopback};
use super::{ArmError, Secret};

/// The OAuth scope of Azure Resource Manager.
pub const ARM_SCOPE: &str = "https://management.azure.com/.default";

/// The token sent to the local cloud and to loopback endpoints when `ACIFORM_TOKEN` is
/// unset: the emulator wants a bearer token but checks no signature.
pub const LOCAL_TOKEN: &str = "aciform-local";

/// A token is fetched anew when the cached one expires within this margin, so a token
/// never expires between being read and reaching ARM (azure_identity uses the same).
pub const REFRESH_MARGIN: time::Duration = time::Duration::minutes(5);

/// Where the client's bearer tokens come from.
#[derive(Clone)]
pub enum Credential {
    /// A token sent as is and never refreshed (`ACIFORM_TOKEN`, the local cloud).
    Static(Secret),
    /// An azure_identity credential; `name` says which (for errors and logs).
    Azure {
        name: String,
        credential: Arc<dyn TokenCredential>,
    },
}

impl Credential {
    /// What users call this credential in an error message.
    pub fn name(&self) -> &str {
        match self {
            Credential::Static(_) => "a static token (ACIFORM_TOKEN, never refreshed)",
            Credential::Azure { name, .. } => name,
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Static(_) => f.write_str("Credential::Static(..)"),
            Credential::Azure { name, .. } => write!(f, "Credential::Azure({name})"),
        }
    }
}

/// Chooses and builds the credential for Azure from the environment, in this order:
/// `ACIFORM_TOKEN` (static) > `AZURE_CLIENT_SECRET` with `AZURE_CLIENT_ID` and
/// `AZURE_TENANT_ID` (service principal) > `AZURE_FEDERATED_TOKEN_FILE` (workload
/// identity) > `IDENTITY_ENDPOINT`, `MSI_ENDPOINT` or `ACIFORM_USE_MSI=1` (managed
/// identity; `AZURE_CLIENT_ID` picks a user-assigned one) > the developer's `az`/`azd`
/// login. A half-configured service principal is an error rather than a silent fall
/// through to another identity.
pub fn credential_from_env(env: &BTreeMap<String, String>) -> Result<Credential, ArmError> {
    let choice = choose_credential(env)?;
    debug!(
        credential = choice.name(),
        "chose the Azure credential from the environment"
    );
    build_credential(choice)
}

/// The credential for a target: Azure's from [`credential_from_env`]; for the local cloud
/// and loopback endpoints `ACIFORM_TOKEN` or [`LOCAL_TOKEN`]; for an https endpoint
/// elsewhere, Azure's (it is an ARM-compatible cloud that wants real tokens).
pub fn credential_for_target(
    target: &Target,
    env: &BTreeMap<String, String>,
) -> Result<Credential, ArmError> {
    let local = match target {
        Target::Local { .. } => true,
        Target::Endpoint { url, .. } => is_loopback(url),
        Target::Azure { .. } => false,
    };
    if !local {
        return credential_from_env(env);
    }
    let token = env_var(env, "ACIFORM_TOKEN").unwrap_or_else(|| LOCAL_TOKEN.to_string());
    Ok(Credential::Static(Secret::new(token)))
}

/// The credential [`credential_from_env`] picked, with the values it needs.
#[derive(Debug, PartialEq)]
pub(crate) enum CredentialChoice {
    StaticToken(Secret),
    ClientSecret {
        tenant_id: String,
        client_id: String,
        secret: Secret,
    },
    WorkloadIdentity {
        tenant_id: String,
        client_id: String,
        token_file: PathBuf,
    },
    ManagedIdentity {
        client_id: Option<String>,
    },
    DeveloperTools,
}

impl CredentialChoice {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            CredentialChoice::StaticToken(_) => "ACIFORM_TOKEN (static token)",
            CredentialChoice::ClientSecret { .. } => {
                "ClientSecretCredential (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET)"
            }
            CredentialChoice::WorkloadIdentity { .. } => {
                "WorkloadIdentityCredential (AZURE_FEDERATED_TOKEN_FILE)"
            }
            CredentialChoice::ManagedIdentity { .. } => "ManagedIdentityCredential",
            CredentialChoice::DeveloperTools => "DeveloperToolsCredential (az or azd login)",
        }
    }
}

pub(crate) fn choose_credential(
    env: &BTreeMap<String, String>,
) -> Result<CredentialChoice, ArmError> {
    if let Some(token) = env_var(env, "ACIFORM_TOKEN") {
        return Ok(CredentialChoice::StaticToken(Secret::new(token)));
    }

    let client_id = env_var(env, "AZURE_CLIENT_ID");
    let tenant_id = env_var(env, "AZURE_TENANT_ID");
    if let Some(secret) = env.get("AZURE_CLIENT_SECRET").filter(|s| !s.is_empty()) {
        let (tenant_id, client_id) = need_ids(tenant_id, client_id, "AZURE_CLIENT_SECRET")?;
        let secret = Secret::new(secret.clone());
        return Ok(CredentialChoice::ClientSecret {
            tenant_id,
            client_id,
            secret,
        });
    }
    if env_var(env, "AZURE_CLIENT_CERTIFICATE_PATH").is_some() {
        // TODO: certificate service principals (azure_identity's client_certificate
        // feature pulls in openssl); until then refuse rather than use another identity.
        return Err(ArmError::Config(
            "AZURE_CLIENT_CERTIFICATE_PATH is set, but certificate credentials are not \
             supported yet: use AZURE_CLIENT_SECRET or workload identity"
                .into(),
        ));
    }
    if let Some(file) = env_var(env, "AZURE_FEDERATED_TOKEN_FILE") {
        let (tenant_id, client_id) = need_ids(tenant_id, client_id, "AZURE_FEDERATED_TOKEN_FILE")?;
        let token_file = PathBuf::from(file);
        return Ok(CredentialChoice::WorkloadIdentity {
            tenant_id,
            client_id,
            token_file,
        });
    }

    let msi_flag = env_var(env, "ACIFORM_USE_MSI")
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"));
    if msi_flag
        || env_var(env, "IDENTITY_ENDPOINT").is_some()
        || env_var(env, "MSI_ENDPOINT").is_some()
    {
        return Ok(CredentialChoice::ManagedIdentity { client_id });
    }
    Ok(CredentialChoice::DeveloperTools)
}

fn need_ids(
    tenant_id: Option<String>,
    client_id: Option<String>,
    because: &str,
) -> Result<(String, String), ArmError> {
    match (tenant_id, client_id) {
        (Some(tenant), Some(client)) => Ok((tenant, client)),
        (tenant, client) => {
            let missing: Vec<&str> = [
                tenant.is_none().then_some("AZURE_TENANT_ID"),
                client.is_none().then_some("AZURE_CLIENT_ID"),
            ]
            .into_iter()
            .flatten()
            .collect();
            Err(ArmError::Config(format!(
                "{because} is set but {} {} missing",
                missing.join(" and "),
                if missing.len() == 1 { "is" } else { "are" }
            )))
        }
    }
}

fn build_credential(choice: CredentialChoice) -> Result<Credential, ArmError> {
    let name = choice.name().to_string();
    let auth_error = |e: azure_core::Error| ArmError::Auth {
        credential: name.clone(),
        message: error_chain(&e),
    };

    let credential: Arc<dyn TokenCredential> = match choice {
        CredentialChoice::StaticToken(token) => return Ok(Credential::Static(token)),
        CredentialChoice::ClientSecret {
            tenant_id,
            client_id,
            secret,
        } => {
            ClientSecretCredential::new(&tenant_id, client_id, secret, None).map_err(auth_error)?
        }
        CredentialChoice::WorkloadIdentity {
            tenant_id,
            client_id,
            token_file,
        } => {
            let options = WorkloadIdentityCredentialOptions {
                client_id: Some(client_id),
                tenant_id: Some(tenant_id),
                token_file_path: Some(token_file),
                ..Default::default()
            };
            WorkloadIdentityCredential::new(Some(options)).map_err(auth_error)?
        }
        CredentialChoice::ManagedIdentity { client_id } => {
            let options = ManagedIdentityCredentialOptions {
                user_assigned_id: client_id.map(UserAssignedId::ClientId),
                ..Default::default()
            };
            ManagedIdentityCredential::new(Some(options)).map_err(auth_error)?
        }
        CredentialChoice::DeveloperTools => {
            DeveloperToolsCredential::new(None).map_err(auth_error)?
        }
    };
    Ok(Credential::Azure { name, credential })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn choose(pairs: &[(&str, &str)]) -> Result<CredentialChoice, ArmError> {
        choose_credential(&env(pairs))
    }

    const SP: [(&str, &str); 3] = [
        ("AZURE_CLIENT_ID", "app"),
        ("AZURE_TENANT_ID", "tenant"),
        ("AZURE_CLIENT_SECRET", "s3cret"),
    ];

    #[test]
    fn aciform_token_comes_first() {
        let mut pairs = SP.to_vec();
        pairs.push(("ACIFORM_TOKEN", "tok"));
        assert_eq!(
            choose(&pairs).ok(),
            Some(CredentialChoice::StaticToken(Secret::new("tok")))
        );
    }

    #[test]
    fn service_principal_beats_workload_and_managed_identity() {
        let mut pairs = SP.to_vec();
        pairs.push(("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"));
        pairs.push(("IDENTITY_ENDPOINT", "http://127.0.0.1:1"));
        let choice = choose(&pairs).expect("chooses");
        assert!(
            matches!(choice, CredentialChoice::ClientSecret { .. }),
            "{choice:?}"
        );
        assert!(!format!("{choice:?}").contains("s3cret"));
    }

    #[test]
    fn workload_identity_then_managed_identity_then_developer_tools() {
        let choice = choose(&[
            ("AZURE_CLIENT_ID", "app"),
            ("AZURE_TENANT_ID", "t"),
            ("AZURE_FEDERATED_TOKEN_FILE", "/f"),
            ("MSI_ENDPOINT", "http://x"),
        ]);
        assert!(matches!(
            choice,
            Ok(CredentialChoice::WorkloadIdentity { .. })
        ));

        for var in ["IDENTITY_ENDPOINT", "MSI_ENDPOINT", "ACIFORM_USE_MSI"] {
            let value = if var == "ACIFORM_USE_MSI" {
                "1"
            } else {
                "http://127.0.0.1:9"
            };
            let choice = choose(&[(var, value), ("AZURE_CLIENT_ID", "uai")]).expect(var);
            let expected = CredentialChoice::ManagedIdentity {
                client_id: Some("uai".into()),
            };
            assert_eq!(choice, expected, "{var}");
        }

        assert_eq!(
            choose(&[("ACIFORM_USE_MSI", "0")]).ok(),
            Some(CredentialChoice::DeveloperTools)
        );
        assert_eq!(choose(&[]).ok(), Some(CredentialChoice::DeveloperTools));
    }

    #[test]
    fn half_configured_service_principal_is_an_error() {
        let err = choose(&[("AZURE_CLIENT_SECRET", "s3cret")]).expect_err("missing ids");
        assert_eq!(
            err.to_string(),
            "AZURE_CLIENT_SECRET is set but AZURE_TENANT_ID and AZURE_CLIENT_ID are missing"
        );
        assert!(!err.to_string().contains("s3cret"));

        let err = choose(&[
            ("AZURE_FEDERATED_TOKEN_FILE", "/f"),
            ("AZURE_TENANT_ID", "t"),
        ]);
        assert!(err.is_err());
        assert!(choose(&[("AZURE_CLIENT_CERTIFICATE_PATH", "/c.pem")]).is_err());
    }

    #[test]
    fn loopback_targets_use_the_local_token() {
        let target = Target::Local {
            dir: PathBuf::from("x"),
        };
        let cred = credential_for_target(&target, &env(&[])).expect("static");
        assert!(matches!(&cred, Credential::Static(t) if t.secret() == LOCAL_TOKEN));

        let url = url::Url::parse("http://127.0.0.1:1").expect("url");
        let target = Target::Endpoint {
            url,
            subscription: "s".into(),
        };
        let cred = credential_for_target(&target, &env(&[("ACIFORM_TOKEN", "t")])).expect("ok");
        assert!(matches!(&cred, Credential::Static(t) if t.secret() == "t"));
        assert_eq!(format!("{cred:?}"), "Credential::Static(..)");
    }
}
