//! Container group operations (Microsoft.ContainerInstance, api-version 2025-09-01):
//! read, list, create or replace, tag, delete, start, stop, restart, logs.
//!
//! Every write waits for its long-running operation, so callers see one call that
//! either finished or failed with the operation's own error.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::client::ArmClient;
use super::lro::LroKind;
use super::models::{ContainerGroup, Logs, TagsPatch};
use super::request::ArmRequest;
use super::{ArmError, CONTAINER_API_VERSION};

const PROVIDER: &str = "Microsoft.ContainerInstance";

impl ArmClient {
    /// The container group with its instance view, or `None` when it (or its resource
    /// group) does not exist.
    pub async fn get_container_group(
        &self,
        rg: &str,
        name: &str,
    ) -> Result<Option<ContainerGroup>, ArmError> {
        let req = ArmRequest::get(self.container_group_url(rg, name, &[]));
        match self.send(&req).await {
            Ok(response) => response.json(&req.operation()).map(Some),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every container group of a resource group with one LIST (all pages). LIST leaves
    /// out instance views. A resource group that does not exist
    /// (`ResourceGroupNotFound`) holds no groups: the answer is empty, not an error. Any
    /// other 404 is an error, so a wrong endpoint never reads as "nothing exists".
    pub async fn list_container_groups(&self, rg: &str) -> Result<Vec<ContainerGroup>, ArmError> {
        self.list_groups_in(rg).await
    }

    /// Like [`ArmClient::list_container_groups`], with each group as the JSON ARM sent:
    /// for readers that work on JSON anyway (the planner), which then skip a typed
    /// decode and re-encode of every group.
    pub async fn list_container_group_bodies(&self, rg: &str) -> Result<Vec<Value>, ArmError> {
        self.list_groups_in(rg).await
    }

    async fn list_groups_in<T: DeserializeOwned>(&self, rg: &str) -> Result<Vec<T>, ArmError> {
        let segments = [
            "resourceGroups",
            rg,
            "providers",
            PROVIDER,
            "containerGroups",
        ];
        match self
            .list_all(self.url(&segments, CONTAINER_API_VERSION))
            .await
        {
            Err(e) if e.is_not_found() && e.code() == Some("ResourceGroupNotFound") => Ok(vec![]),
            other => other,
        }
    }

    /// Every container group of the subscription (all pages).
    pub async fn list_container_groups_in_subscription(
        &self,
    ) -> Result<Vec<ContainerGroup>, ArmError> {
        let segments = ["providers", PROVIDER, "containerGroups"];
        self.list_all(self.url(&segments, CONTAINER_API_VERSION))
            .await
    }

    /// PUTs the whole group (a PUT replaces: what `body` leaves out reverts to defaults),
    /// waits for the operation and returns the group as ARM has it afterwards.
    pub async fn put_container_group(
        &self,
        rg: &str,
        name: &str,
        body: &ContainerGroup,
    ) -> Result<ContainerGroup, ArmError> {
        let url = self.container_group_url(rg, name, &[]);
        let req = ArmRequest::with_json(Method::PUT, url.clone(), body)?;
        let operation = req.operation();
        let response = self.send(&req).await?;

        let final_body = self
            .wait_for_operation(&operation, &response, &url, LroKind::Put)
            .await?;
        if let Some(body) = final_body {
            return serde_json::from_slice(&body).map_err(|e| ArmError::BadResponse {
                operation,
                detail: format!("the final container group is not the expected JSON ({e})"),
            });
        }
        self.get_container_group(rg, name)
            .await?
            .ok_or_else(|| ArmError::BadResponse {
                operation,
                detail: "the container group is gone right after it was created".into(),
            })
    }

    /// Replaces the group's tags (PATCH: no redeployment, no restart).
    pub async fn patch_container_group_tags(
        &self,
        rg: &str,
        name: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<ContainerGroup, ArmError> {
        let url = self.container_group_url(rg, name, &[]);
        let req = ArmRequest::with_json(Method::PATCH, url, &TagsPatch { tags })?;
        self.send(&req).await?.json(&req.operation())
    }

    /// Deletes the group and waits until it is gone; one that does not exist counts as
    /// deleted (404, or 204 from ARM).
    pub async fn delete_container_group(&self, rg: &str, name: &str) -> Result<(), ArmError> {
        let url = self.container_group_url(rg, name, &[]);
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

    /// Starts a stopped group (a new deployment of the same configuration) and waits.
    pub async fn start_container_group(&self, rg: &str, name: &str) -> Result<(), ArmError> {
        self.action(rg, name, "start").await
    }

    /// Stops the group (synchronous in ACI; followed like the others if it is not).
    pub async fn stop_container_group(&self, rg: &str, name: &str) -> Result<(), ArmError> {
        self.action(rg, name, "stop").await
    }

    /// Restarts every container of the group in place and waits.
    pub async fn restart_container_group(&self, rg: &str, name: &str) -> Result<(), ArmError> {
        self.action(rg, name, "restart").await
    }

    /// A container's logs; `tail` keeps only the last lines.
    pub async fn container_logs(
        &self,
        rg: &str,
        name: &str,
        container: &str,
        tail: Option<u32>,
    ) -> Result<String, ArmError> {
        let mut url = self.container_group_url(rg, name, &["containers", container, "logs"]);
        if let Some(tail) = tail {
            url.query_pairs_mut().append_pair("tail", &tail.to_string());
        }
        let req = ArmRequest::get(url);
        let logs: Logs = self.send(&req).await?.json(&req.operation())?;
        Ok(logs.content.unwrap_or_default())
    }

    async fn action(&self, rg: &str, name: &str, action: &str) -> Result<(), ArmError> {
        let url = self.container_group_url(rg, name, &[action]);
        let req = ArmRequest {
            method: Method::POST,
            url,
            body: None,
        };
        let response = self.send(&req).await?;
        let resource = self.container_group_url(rg, name, &[]);
        self.wait_for_operation(&req.operation(), &response, &resource, LroKind::Action)
            .await?;
        Ok(())
    }
}
