//! The container group and its group-level parts (Microsoft.ContainerInstance
//! 2025-09-01): identity, IP address, DNS, diagnostics, subnets, encryption,
//! extensions, access control and the group instance view.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    Container, Event, Extra, ImageRegistryCredential, InitContainer, SecretReference, Volume,
};
use crate::arm::Sensitive;

/// A container group, as GET/LIST return it and as a PUT sends it. LIST leaves out
/// `instanceView`; GET and LIST leave out every secret (see aci-api/README.md §7).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerGroup {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<ContainerGroupIdentity>,
    pub properties: ContainerGroupProperties,
    #[serde(flatten)]
    pub extra: Extra,
}

impl ContainerGroup {
    /// `properties.provisioningState`, if present.
    pub fn provisioning_state(&self) -> Option<&str> {
        self.properties.provisioning_state.as_deref()
    }

    /// `properties.instanceView.state` (`Running`, `Stopped`, ...), only in GET answers.
    pub fn instance_state(&self) -> Option<&str> {
        self.properties.instance_view.as_ref()?.state.as_deref()
    }

    /// The containers, empty when absent.
    pub fn containers(&self) -> &[Container] {
        self.properties.containers.as_deref().unwrap_or_default()
    }
}

/// `properties` of a container group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerGroupProperties {
    /// Read-only; reflects the last operation (PUT, POST, DELETE).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_references: Option<Vec<SecretReference>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containers: Option<Vec<Container>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_registry_credentials: Option<Vec<ImageRegistryCredential>>,
    /// `Always` (the default) | `OnFailure` | `Never`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<IpAddress>,
    /// `Linux` | `Windows`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Vec<Volume>>,
    /// Read-only; GET only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_view: Option<ContainerGroupInstanceView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<ContainerGroupDiagnostics>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_ids: Option<Vec<ContainerGroupSubnetId>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_config: Option<DnsConfiguration>,
    /// `Standard` (returned when omitted) | `Dedicated` | `Confidential`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_properties: Option<EncryptionProperties>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_containers: Option<Vec<InitContainer>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Vec<DeploymentExtension>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidential_compute_properties: Option<ConfidentialComputeProperties>,
    /// `Regular` | `Spot`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_acls: Option<IdentityAcls>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_group_profile: Option<ContainerGroupProfileReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standby_pool_profile: Option<StandbyPoolProfile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_created_from_standby_pool: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `identity`: system-assigned and/or user-assigned managed identities.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerGroupIdentity {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// `SystemAssigned` | `UserAssigned` | `SystemAssigned, UserAssigned` | `None`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Keyed by the identity's ARM id (compare keys case-insensitively).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_assigned_identities: Option<BTreeMap<String, UserAssignedIdentity>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A value of `userAssignedIdentities`: `{}` in requests, ids in responses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserAssignedIdentity {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ipAddress` of a group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpAddress {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<Port>>,
    /// `Public` | `Private`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Assigned by the service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_name_label: Option<String>,
    /// The DNS name label reuse policy (`Unsecure`, `TenantReuse`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_generated_domain_name_label_scope: Option<String>,
    /// Read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A port of the group's IP address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Port {
    /// `TCP` (the default) | `UDP`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    pub port: i32,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `dnsConfig`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_servers: Option<Vec<String>>,
    /// Space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_domains: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `diagnostics`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerGroupDiagnostics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_analytics: Option<LogAnalytics>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `diagnostics.logAnalytics`; ARM never returns `workspaceKey`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogAnalytics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_key: Option<Sensitive<String>>,
    /// `ContainerInsights` | `ContainerInstanceLogs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Marked `x-ms-secret` in the OpenAPI file, so treated as one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_resource_id: Option<Sensitive<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An entry of `subnetIds`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerGroupSubnetId {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `encryptionProperties` (customer-managed keys).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vault_base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An entry of `extensions` (virtual-kubelet sidecars).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentExtension {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<DeploymentExtensionProperties>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `properties` of an extension; `protectedSettings` is never echoed by ARM.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentExtensionProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_settings: Option<Sensitive<Value>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `confidentialComputeProperties`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfidentialComputeProperties {
    /// Base64 confidential computing enforcement policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cce_policy: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `identityAcls`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityAcls {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_access: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acls: Option<Vec<IdentityAccessControl>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An entry of `identityAcls.acls`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityAccessControl {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `containerGroupProfile`: the profile (and revision) a group was made from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerGroupProfileReference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `standbyPoolProfile`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StandbyPoolProfile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_container_group_create_on_reuse_failure: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `instanceView` of a group (read-only, GET only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerGroupInstanceView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<Event>>,
    /// `Running`, `Stopped`, `Pending`, `Succeeded`, `Failed`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}
