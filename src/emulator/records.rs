//! What the emulator stores: one record per resource group, container group, profile,
//! NGroup and long-running operation, keyed by lower-cased path so lookups are
//! case-insensitive while each record keeps the casing it was created with.
//!
//! Records hold no secrets: secure values, passwords and keys are stripped before a
//! body is stored, and only the names of secure environment variables are kept.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Any stored record.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    ResourceGroup(RgRecord),
    ContainerGroup(Box<CgRecord>),
    Operation(OpRecord),
    Profile(ProfileRecord),
    NGroup(NGroupRecord),
}

/// A resource group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RgRecord {
    pub sub: String,
    pub name: String,
    /// Programmatic region name, e.g. `westus`.
    pub location: String,
    #[serde(default)]
    pub tags: Option<Value>,
    #[serde(default)]
    pub managed_by: Option<String>,
    pub created_ms: i64,
    /// Set while a DELETE runs; the group is gone once `until_ms` has passed.
    #[serde(default)]
    pub deleting: Option<Deleting>,
}

/// A deletion in progress.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deleting {
    pub op: String,
    pub until_ms: i64,
}

impl Deleting {
    /// Whether the deletion has finished at `now`.
    pub fn is_done(&self, now: i64) -> bool {
        now >= self.until_ms
    }
}

/// The last provisioning operation of a resource (PUT, start, restart).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpState {
    pub id: String,
    pub kind: OpKindRecord,
    pub started_ms: i64,
    pub ends_ms: i64,
    #[serde(default)]
    pub failed: Option<ErrorInfo>,
    #[serde(default)]
    pub stuck: bool,
}

impl OpState {
    /// Whether the operation is still running at `now`.
    pub fn is_running(&self, now: i64) -> bool {
        self.stuck || now < self.ends_ms
    }
}

/// An ARM error kept in a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
}

/// An instance-view event, aggregated by name and message as ACI does.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub name: String,
    pub message: String,
    pub kind: String,
    pub count: u32,
    pub first_ms: i64,
    pub last_ms: i64,
}

/// How a container group runs: its deployment, stop, restarts and events.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunState {
    /// When the containers of the current deployment start (end of its operation).
    pub running_since_ms: i64,
    #[serde(default)]
    pub stopped_ms: Option<i64>,
    #[serde(default)]
    pub ip: Option<String>,
    /// In-place restarts per container (lower-cased name), from PUTs and restarts.
    #[serde(default)]
    pub restarts: BTreeMap<String, u32>,
    /// Events per container (lower-cased name).
    #[serde(default)]
    pub events: BTreeMap<String, Vec<Event>>,
}

/// A container group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CgRecord {
    pub sub: String,
    /// The resource group's name as it was created.
    pub rg: String,
    pub name: String,
    /// The stored body: normalized, without secrets or read-only fields.
    pub body: Value,
    /// Names of secure environment variables per container (lower-cased name).
    #[serde(default)]
    pub secure_env: BTreeMap<String, Vec<String>>,
    pub created_ms: i64,
    pub op: OpState,
    pub run: RunState,
    #[serde(default)]
    pub deleting: Option<Deleting>,
}

/// What a long-running operation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKindRecord {
    Create,
    Update,
    Delete,
    Start,
    Restart,
    ResourceGroupDelete,
}

/// A long-running operation, answered at its `Azure-AsyncOperation` and `Location` URLs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpRecord {
    pub id: String,
    pub sub: String,
    pub kind: OpKindRecord,
    /// Record key of the resource it acts on.
    pub resource_key: String,
    pub resource_id: String,
    pub started_ms: i64,
    pub ends_ms: i64,
    #[serde(default)]
    pub failed: Option<ErrorInfo>,
    #[serde(default)]
    pub stuck: bool,
}

/// A container group profile with all its revisions (oldest first).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProfileRecord {
    pub sub: String,
    pub rg: String,
    pub name: String,
    pub revisions: Vec<Value>,
    #[serde(default)]
    pub tags: Option<Value>,
}

/// An NGroup: stored as sent (secrets stripped), with its last operation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NGroupRecord {
    pub sub: String,
    pub rg: String,
    pub name: String,
    pub body: Value,
    pub op: OpState,
    #[serde(default)]
    pub deleting: Option<Deleting>,
}

/// Key of a resource group.
pub fn rg_key(sub: &str, rg: &str) -> String {
    format!("rg/{}/{}", sub.to_lowercase(), rg.to_lowercase())
}

/// Key prefix of every resource group of a subscription.
pub fn rg_prefix(sub: &str) -> String {
    format!("rg/{}/", sub.to_lowercase())
}

/// Key of a container group.
pub fn cg_key(sub: &str, rg: &str, name: &str) -> String {
    format!("{}{}", cg_prefix(sub, rg), name.to_lowercase())
}

/// Key prefix of the container groups of a resource group.
pub fn cg_prefix(sub: &str, rg: &str) -> String {
    format!("cg/{}/{}/", sub.to_lowercase(), rg.to_lowercase())
}

/// Key prefix of the container groups of a subscription.
pub fn cg_sub_prefix(sub: &str) -> String {
    format!("cg/{}/", sub.to_lowercase())
}

/// Key of a container group profile.
pub fn profile_key(sub: &str, rg: &str, name: &str) -> String {
    format!(
        "cgp/{}/{}/{}",
        sub.to_lowercase(),
        rg.to_lowercase(),
        name.to_lowercase()
    )
}

/// Key of an NGroup.
pub fn ngroup_key(sub: &str, rg: &str, name: &str) -> String {
    format!(
        "ng/{}/{}/{}",
        sub.to_lowercase(),
        rg.to_lowercase(),
        name.to_lowercase()
    )
}

/// Key of a long-running operation.
pub fn op_key(id: &str) -> String {
    format!("op/{}", id.to_lowercase())
}
