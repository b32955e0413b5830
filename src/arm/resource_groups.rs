//! Resource group operations (Microsoft.Resources, api-version 2024-11-01), the
//! generic list of what a resource group holds, and the paging helper every LIST uses.

use std::collections::{BTreeMap, HashSet};

use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;

use super::client::ArmClient;
use super::lro::LroKind;
use super::models::{GenericResource, ListPage, ResourceGroup, TagsPatch};
use super::request::ArmRequest;
use super::{ArmError, RESOURCE_API_VERSION};

/// api-version of the generic resource list: the version ARM's documentation of
/// "Resources - List By Resource Group" uses, answered by every ARM endpoint.
const GENERIC_RESOURCES_API_VERSION: &str = "2021-04-01";

/// A guard against a service that keeps handing out new `nextLink`s.
const MAX_PAGES: usize = 10_000;

impl ArmClient {
    /// The resource group, or `None` when it does not exist.
    pub async fn get_resource_group(&self, rg: &str) -> Result<Option<ResourceGroup>, ArmError> {
        let req = ArmRequest::get(self.resource_group_url(rg));
        match self.send(&req).await {
            Ok(response) => response.json(&req.operation()).map(Some),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every resource group of the subscription, all pages.
    pub async fn list_resource_groups(&self) -> Result<Vec<ResourceGroup>, ArmError> {
        self.list_all(self.url(&["resourcegroups"], RESOURCE_API_VERSION))
            .await
    }

    /// Everything the resource group holds, whatever its provider (all pages). A
    /// resource group that does not exist holds nothing: the answer is empty.
    pub async fn list_resources_in_group(
        &self,
        rg: &str,
    ) -> Result<Vec<GenericResource>, ArmError> {
        let url = self.url(
            &["resourceGroups", rg, "resources"],
            GENERIC_RESOURCES_API_VERSION,
        );
        match self.list_all(url).await {
            Err(e) if e.is_not_found() && e.code() == Some("ResourceGroupNotFound") => Ok(vec![]),
            other => other,
        }
    }

    /// Creates or updates a resource group (synchronous in ARM): `location` and `tags`.
    pub async fn put_resource_group(
        &self,
        rg: &str,
        body: &ResourceGroup,
    ) -> Result<ResourceGroup, ArmError> {
        let req = ArmRequest::with_json(Method::PUT, self.resource_group_url(rg), body)?;
        self.send(&req).await?.json(&req.operation())
    }

    /// Replaces a resource group's tags, nothing else.
    pub async fn patch_resource_group_tags(
        &self,
        rg: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<ResourceGroup, ArmError> {
        let url = self.resource_group_url(rg);
        let req = ArmRequest::with_json(Method::PATCH, url, &TagsPatch { tags })?;
        self.send(&req).await?.json(&req.operation())
    }

    /// Deletes a resource group and everything in it, waiting for the operation.
    /// A group that does not exist counts as deleted.
    pub async fn delete_resource_group(&self, rg: &str) -> Result<(), ArmError> {
        let url = self.resource_group_url(rg);
        let req = ArmRequest {
            method: Method::DELETE,
            url: url.clone(),
            body: None,
        };
        let response = match self.send(&req).await {
            Err(e) if e.is_not_found() => return Ok(()),
            other => other?,
        };
        self.wait_for_operation(&req.operation(), &response, &url, LroKind::Delete)
            .await?;
        Ok(())
    }

    /// GETs `first` and follows `nextLink` until the last page, on the configured
    /// endpoint only.
    pub(crate) async fn list_all<T: DeserializeOwned>(
        &self,
        first: Url,
    ) -> Result<Vec<T>, ArmError> {
        let mut items = Vec::new();
        let mut seen = HashSet::new();
        let mut url = first;

        for _ in 0..MAX_PAGES {
            let req = ArmRequest::get(url);
            let operation = req.operation();
            let page: ListPage<T> = self.send(&req).await?.json(&operation)?;
            items.extend(page.value);

            let Some(next) = page.next_link.filter(|link| !link.trim().is_empty()) else {
                return Ok(items);
            };
            let next = Url::parse(next.trim()).map_err(|e| ArmError::BadResponse {
                operation: operation.clone(),
                detail: format!("nextLink is not a URL ({e})"),
            })?;
            self.check_same_origin(&next, &operation)?;
            if !seen.insert(next.to_string()) {
                return Err(ArmError::BadResponse {
                    operation,
                    detail: "nextLink points back to a page already read".into(),
                });
            }
            url = next;
        }
        Err(ArmError::BadResponse {
            operation: "list".into(),
            detail: format!("more than {MAX_PAGES} pages"),
        })
    }
}
