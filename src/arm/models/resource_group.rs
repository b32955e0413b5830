//! The resource group (Microsoft.Resources, api-version 2024-11-01), and the generic
//! resource shape of ARM's list of everything a resource group holds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Extra;

/// A resource group, as ARM returns it and as a PUT sends it (`location` and `tags`;
/// the read-only fields are ignored by ARM on the way in).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroup {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<ResourceGroupProperties>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `properties` of a resource group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroupProperties {
    /// `Succeeded`, or `Deleting` while a delete runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl ResourceGroup {
    /// A body for a PUT: a location and tags, nothing else.
    pub fn new(location: impl Into<String>, tags: BTreeMap<String, String>) -> Self {
        ResourceGroup {
            location: Some(location.into()),
            tags: Some(tags),
            ..ResourceGroup::default()
        }
    }

    /// `properties.provisioningState`, if present.
    pub fn provisioning_state(&self) -> Option<&str> {
        self.properties.as_ref()?.provisioning_state.as_deref()
    }
}

/// Any resource, as ARM's generic list (`GET …/resourceGroups/{rg}/resources`) shows it:
/// whatever its provider, only these fields are promised.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenericResource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Microsoft.ContainerInstance/containerGroups`, `Microsoft.Storage/storageAccounts`…
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    pub extra: Extra,
}
