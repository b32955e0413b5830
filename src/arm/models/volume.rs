//! Volumes, registry credentials and secret references: the parts of a group that
//! carry most of its secrets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Extra;
use crate::arm::Sensitive;

/// An entry of `volumes`: a name and exactly one source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azure_file: Option<AzureFileVolume>,
    /// Always `{}`; kept as JSON so an unexpected shape survives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub empty_dir: Option<Value>,
    /// File name to base64 content; ARM returns it as `{}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<Sensitive<BTreeMap<String, String>>>,
    /// File name to the name of an entry of `secretReferences`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_reference: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git_repo: Option<GitRepoVolume>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An Azure Files share; ARM never returns `storageAccountKey`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AzureFileVolume {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_account_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_account_key: Option<Sensitive<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_account_key_reference: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A git repository cloned into the volume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitRepoVolume {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An entry of `imageRegistryCredentials`; ARM never returns `password`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageRegistryCredential {
    /// Host name without scheme, e.g. `shop.azurecr.io`.
    pub server: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<Sensitive<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_reference: Option<String>,
    /// A user-assigned identity's ARM id, for identity-based pulls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_url: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An entry of `secretReferences`: a Key Vault secret read with a managed identity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretReference {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_reference_uri: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}
