//! Typed serde models of the ARM JSON aciform reads and writes (container groups
//! 2025-09-01, resource groups 2024-11-01), camelCase as ARM sends it.
//!
//! Three promises hold for every struct here:
//! - Unknown fields are kept in `extra` and written back, so a field a newer API adds is
//!   still visible to the planner and survives a read-modify-write.
//! - Everything optional is an `Option` skipped when `None`: a field absent on the way in
//!   stays absent on the way out (and `[]` or `{}` stays `[]` or `{}`).
//! - Secret-bearing fields are `Sensitive`, whose `Debug` prints a placeholder.
//!
//! Enum-like values (`osType`, `restartPolicy`, `protocol`, ...) stay strings: ARM's
//! casing varies and a value a newer API adds must not fail the whole read.

mod container;
mod container_group;
mod resource_group;
mod volume;

pub use container::*;
pub use container_group::*;
pub use resource_group::*;
pub use volume::*;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ArmErrorBody;

/// Unknown fields of a model, kept verbatim.
pub type Extra = Map<String, Value>;

/// One page of an ARM list: `{"value": [...], "nextLink": "..."}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPage<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

/// The body an `Azure-AsyncOperation` URL answers with.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Succeeded`, `Failed` and `Canceled` are terminal; anything else means running.
    /// Required: an answer without it would otherwise read as "running" forever.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_complete: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ArmErrorBody>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The answer of the container logs call.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Logs {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{"tags": {...}}`, the body of a tags-only PATCH.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TagsPatch<'a> {
    pub tags: &'a std::collections::BTreeMap<String, String>,
}

/// True for the terminal values of `status` and `provisioningState`.
pub fn is_terminal_state(state: &str) -> bool {
    ["Succeeded", "Failed", "Canceled", "Cancelled"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(state))
}

#[cfg(test)]
mod tests;
