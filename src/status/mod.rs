//! What `aciform status` and `aciform logs` know about a stack's live resources: one
//! row per resource (address, Azure name, desired and live state, IP and FQDN, each
//! container's state and restart count, the latest warning event), built from the
//! stack and ARM's instance views.
//!
//! This module decides nothing about changes (that is the planner's job) and prints
//! nothing: `build_report` is pure, `read_status` does the reading, and `view` turns a
//! report into the text table or the JSON that the CLI prints. Only names, states,
//! addresses and event messages are carried: never an environment value, so nothing
//! here can leak a secret.

mod build;
mod logs;
mod read;
mod view;

use serde::Serialize;

pub use build::{LiveView, build_report, health_note};
pub use logs::{LogsTarget, logs_target};
pub use read::read_status;
pub use view::{status_json, status_styled, status_text};

use crate::arm::ArmError;
use crate::plan::TargetInfo;

/// Version of the status JSON (`aciform status --format json`); docs/cli.md describes it.
pub const STATUS_FORMAT_VERSION: u32 = 1;

/// Everything `aciform status` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    pub format_version: u32,
    pub stack: String,
    pub target: TargetInfo,
    /// Resource groups first, then container groups, each sorted by key; owned
    /// leftovers (in the cloud, no longer in the stack) last.
    pub resources: Vec<ResourceStatus>,
}

/// One resource: a resource group or a container group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceStatus {
    /// `resource_group.KEY` or `container_group.KEY`.
    pub address: String,
    /// `resource_group` or `container_group`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The Azure name.
    pub name: String,
    /// The Azure resource group holding a container group; `None` for a resource group.
    pub resource_group: Option<String>,
    /// The ARM id, when the resource exists.
    pub id: Option<String>,
    /// What the stack wants: `running` or `stopped` for a container group, `present`
    /// or `existing` (read-only) for a resource group, `absent` for an owned leftover
    /// that the next apply deletes.
    pub desired: &'static str,
    /// What the cloud says: `not deployed` when absent; for a container group its
    /// instance state (`Running`, `Stopped`, `Pending`, `Succeeded`, `Failed`, …) or,
    /// without an instance view, its provisioning state; `exists` for a resource group.
    pub live: String,
    /// `properties.provisioningState` of a container group.
    pub provisioning_state: Option<String>,
    pub ip: Option<String>,
    pub fqdn: Option<String>,
    /// Each container of the live group, in the order ARM lists them.
    pub containers: Vec<ContainerStatus>,
    /// The most recent event of type `Warning`, of the group or any container.
    pub last_warning: Option<WarningEvent>,
}

impl ResourceStatus {
    /// Whether the resource exists in the cloud.
    pub fn is_deployed(&self) -> bool {
        self.live != NOT_DEPLOYED
    }
}

/// `live` of a resource that does not exist.
pub const NOT_DEPLOYED: &str = "not deployed";

/// One container of a live group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContainerStatus {
    pub name: String,
    /// `currentState.state`: `Running`, `Waiting` or `Terminated`.
    pub state: Option<String>,
    /// `currentState.detailStatus`, e.g. `CrashLoopBackOff`, `Completed`.
    pub detail: Option<String>,
    pub exit_code: Option<i32>,
    pub restart_count: Option<i32>,
}

/// An instance-view event of type `Warning`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WarningEvent {
    /// The container it belongs to; `None` for an event of the group.
    pub container: Option<String>,
    /// `BackOff`, `Failed`, …
    pub name: String,
    pub message: String,
    pub count: Option<i32>,
    /// `lastTimestamp` as ARM sent it.
    pub last_timestamp: Option<String>,
}

/// What can go wrong when reading status or logs.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error("cannot read live state")]
    Read(#[source] ArmError),
    #[error("{address} is not in the stack")]
    UnknownAddress {
        address: String,
        suggestion: Option<String>,
    },
    #[error("{address} is a resource group; logs belong to container groups")]
    NotAContainerGroup { address: String },
    #[error("{address} has no container named `{container}` (it has: {known})")]
    UnknownContainer {
        address: String,
        container: String,
        known: String,
    },
}
