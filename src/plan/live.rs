//! Reading live state fast: one LIST of the subscription's resource groups, one LIST of
//! container groups per relevant resource group (in parallel), and a GET only where
//! LIST leaves out what the plan needs (the run state of groups that are, or should
//! be, stopped). The request count grows with resource groups, not container groups.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;
use tokio::task::JoinSet;

use super::canon::{Canon, canonicalize_container_group};
use super::rules::{TAG_STACK, TAG_STATE};
use super::step::fingerprint;
use crate::arm::{ArmClient, ArmError};
use crate::spec::{RunState, Stack};

/// The run state of a live group, from its instance view (GET only) or, when not read,
/// from the marker tag aciform leaves on groups it stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveRunState {
    Running,
    Stopped,
    /// All containers exited (`Succeeded`/`Failed` with restart policy Never or
    /// OnFailure): a finished job.
    Terminated(String),
    /// Being deployed (`Pending`, `Creating`, …): counts as running.
    Starting(String),
}

impl LiveRunState {
    /// From `properties.instanceView.state`.
    pub fn from_instance_state(state: &str) -> LiveRunState {
        match state.to_ascii_lowercase().as_str() {
            "running" => LiveRunState::Running,
            "stopped" => LiveRunState::Stopped,
            "succeeded" | "failed" | "terminated" => LiveRunState::Terminated(state.into()),
            _ => LiveRunState::Starting(state.into()),
        }
    }

    /// As the desired run state names it: a terminated or starting group is not
    /// "stopped" (stopping it would be wrong), so they count as running.
    pub fn as_desired(&self) -> RunState {
        match self {
            LiveRunState::Stopped => RunState::Stopped,
            _ => RunState::Running,
        }
    }
}

/// One live container group.
#[derive(Debug, Clone)]
pub struct LiveGroup {
    /// The resource group as Azure spells it.
    pub resource_group: String,
    /// The body as LIST (or GET) returned it.
    pub body: Value,
    /// Read with a GET; `None` when only LIST was read.
    pub run_state: Option<LiveRunState>,
    /// The canonical form and fingerprint of `body` (and `run_state`) as read. They are
    /// computed where the body arrives, on the tasks that read it, so a large plan
    /// normalizes live state while it still waits for other answers.
    canon: Canon,
    /// Computed when first asked for (only saved plans need it).
    fingerprint: std::sync::OnceLock<String>,
    /// Which read this is: every group built from an answer gets a new number (a
    /// clone keeps it, having the same content). Work done ahead on one read (see
    /// `Prelowered::prepare`) is used only for that read.
    read: u64,
}

impl LiveGroup {
    /// The group's name as ARM returned it (empty if it sent none).
    pub fn name(&self) -> &str {
        self.body
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// A group as read, with its canonical form and fingerprint.
    pub fn new(resource_group: String, body: Value, run_state: Option<LiveRunState>) -> Self {
        static READS: AtomicU64 = AtomicU64::new(0);
        LiveGroup {
            canon: canonicalize_container_group(&body),
            fingerprint: std::sync::OnceLock::new(),
            read: READS.fetch_add(1, Ordering::Relaxed),
            resource_group,
            body,
            run_state,
        }
    }

    /// `canonicalize_container_group` of the body.
    pub fn canon(&self) -> &Canon {
        &self.canon
    }

    /// Which read this is (see the field).
    pub fn read(&self) -> u64 {
        self.read
    }

    /// `step::fingerprint` of the body and the run state as read.
    pub fn fingerprint(&self) -> &str {
        self.fingerprint.get_or_init(|| {
            let state = self.run_state.as_ref().map(LiveRunState::as_desired);
            fingerprint(&self.body, state)
        })
    }

    /// A tag's value, with ARM's case-insensitive tag names.
    pub fn tag(&self, name: &str) -> Option<&str> {
        tag(&self.body, name)
    }

    /// The run state as known: the instance view when read, else the marker tag.
    pub fn known_run_state(&self) -> RunState {
        match &self.run_state {
            Some(state) => state.as_desired(),
            None if self
                .tag(TAG_STATE)
                .is_some_and(|v| v.eq_ignore_ascii_case("stopped")) =>
            {
                RunState::Stopped
            }
            None => RunState::Running,
        }
    }
}

/// Which live resource a plan read for an address (keys of `LiveState`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveKey {
    /// A container group: lower-cased resource group and name.
    Group((String, String)),
    /// A resource group: lower-cased name.
    ResourceGroup(String),
}

/// Everything the planner knows about the cloud.
#[derive(Debug, Clone, Default)]
pub struct LiveState {
    /// Resource groups by lower-cased name.
    pub resource_groups: BTreeMap<String, Value>,
    /// Container groups by (lower-cased resource group, lower-cased name).
    pub container_groups: BTreeMap<(String, String), LiveGroup>,
}

/// How much to read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// GET every group to learn its run state, not only those that are or should be
    /// stopped (`plan --refresh-state`).
    pub refresh_state: bool,
}

impl LiveState {
    /// The fingerprint of what was read for `key` (`step::fingerprint`).
    pub fn fingerprint(&self, key: &LiveKey) -> Option<String> {
        match key {
            LiveKey::Group(k) => self
                .container_groups
                .get(k)
                .map(|g| g.fingerprint().to_string()),
            LiveKey::ResourceGroup(k) => self
                .resource_groups
                .get(k)
                .map(|body| fingerprint(body, None)),
        }
    }

    /// A live container group by Azure names.
    pub fn group(&self, rg: &str, name: &str) -> Option<&LiveGroup> {
        self.container_groups
            .get(&(rg.to_ascii_lowercase(), name.to_ascii_lowercase()))
    }

    /// A live resource group by Azure name.
    pub fn resource_group(&self, rg: &str) -> Option<&Value> {
        self.resource_groups.get(&rg.to_ascii_lowercase())
    }

    /// Groups carrying this stack's ownership tag.
    pub fn owned_groups<'a>(&'a self, stack: &'a str) -> impl Iterator<Item = &'a LiveGroup> {
        self.container_groups
            .values()
            .filter(move |g| g.tag(TAG_STACK) == Some(stack))
    }
}

/// Reads what the plan of `stack` needs.
///
/// The LIST of resource groups and the LISTs of the spec's resource groups go out
/// together: the spec already names those, so the plan pays one round of latency for
/// all of them instead of two. Only resource groups the stack owns that left the spec
/// (known from the first LIST) need a second round.
pub async fn read_live(
    client: &ArmClient,
    stack: &Stack,
    options: &ReadOptions,
) -> Result<LiveState, ArmError> {
    start_reading(client, stack)
        .finish(client, stack, options)
        .await
}

/// Reads of live state under way (see [`start_reading`]).
pub struct LiveReads {
    rg_list: tokio::task::JoinHandle<Result<Vec<crate::arm::ResourceGroup>, ArmError>>,
    lists: JoinSet<(String, Result<Vec<LiveGroup>, ArmError>)>,
    /// The spec's resource groups: lower-cased name -> name as written.
    wanted: BTreeMap<String, String>,
}

/// Sends the first reads of [`read_live`] on the runtime's worker threads and returns
/// at once, so the caller can work while they are in flight; `finish` completes them.
/// Call it from within the Tokio runtime (as every command does).
///
/// On an empty cloud this lists the spec's resource groups although they do not exist
/// yet (each answers `ResourceGroupNotFound`, read as empty): more requests than
/// strictly needed there, in exchange for one round of latency less everywhere else.
pub fn start_reading(client: &ArmClient, stack: &Stack) -> LiveReads {
    start_reading_names(
        client,
        stack.resource_groups.values().map(|rg| rg.name.clone()),
    )
}

/// [`start_reading`] from the resource group names alone, before the stack is fully
/// loaded (see `spec::Skeleton`). `finish` lists any resource group of the loaded
/// stack these names missed.
pub fn start_reading_names(
    client: &ArmClient,
    names: impl IntoIterator<Item = String>,
) -> LiveReads {
    // Resource groups of the spec, plus any the stack owns that left the spec (their
    // container groups are leftovers to delete).
    let wanted: BTreeMap<String, String> = names
        .into_iter()
        .map(|name| (name.to_ascii_lowercase(), name))
        .collect();
    let rg_list = {
        let client = client.clone();
        tokio::spawn(async move { client.list_resource_groups().await })
    };
    let mut lists = JoinSet::new();
    for name in wanted.values() {
        spawn_list(&mut lists, client, name.clone());
    }
    LiveReads {
        rg_list,
        lists,
        wanted,
    }
}

fn spawn_list(
    lists: &mut JoinSet<(String, Result<Vec<LiveGroup>, ArmError>)>,
    client: &ArmClient,
    name: String,
) {
    let client = client.clone();
    lists.spawn(async move {
        let bodies = client.list_container_group_bodies(&name).await;
        let groups = bodies.map(|bodies| {
            let new = |body| LiveGroup::new(name.clone(), body, None);
            bodies.into_iter().map(new).collect::<Vec<_>>()
        });
        (name, groups)
    });
}

impl LiveReads {
    /// Waits for the reads started, sends those that depend on them, and returns
    /// live state.
    pub async fn finish(
        self,
        client: &ArmClient,
        stack: &Stack,
        options: &ReadOptions,
    ) -> Result<LiveState, ArmError> {
        self.finish_with(client, stack, options, &mut |_| {}).await
    }

    /// [`LiveReads::finish`], handing each container group listed to `arrived` as its
    /// answer comes in, so the caller can work on it while later answers are awaited.
    pub async fn finish_with(
        self,
        client: &ArmClient,
        stack: &Stack,
        options: &ReadOptions,
        arrived: &mut dyn FnMut(&LiveGroup),
    ) -> Result<LiveState, ArmError> {
        let LiveReads {
            rg_list,
            mut lists,
            mut wanted,
        } = self;
        // Names the early start could not know (made of references) are listed now.
        for rg in stack.resource_groups.values() {
            if let std::collections::btree_map::Entry::Vacant(slot) =
                wanted.entry(rg.name.to_ascii_lowercase())
            {
                spawn_list(&mut lists, client, rg.name.clone());
                slot.insert(rg.name.clone());
            }
        }
        let mut live = LiveState::default();
        for rg in rg_list.await.map_err(join_error)?? {
            let body = serde_json::to_value(&rg).unwrap_or(Value::Null);
            let name = body
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let owned = tag(&body, TAG_STACK) == Some(stack.name.as_str());
            let key = name.to_ascii_lowercase();
            if !wanted.contains_key(&key) && owned {
                spawn_list(&mut lists, client, name);
            }
            if wanted.contains_key(&key) || owned {
                live.resource_groups.insert(key, body);
            }
        }

        while let Some(joined) = lists.join_next().await {
            let (listed_as, groups) = joined.map_err(join_error)?;
            let groups = groups?;
            // A resource group the LIST did not show is absent (or appeared since): its
            // groups are not read, as if it had not been listed.
            let Some(rg) = live.resource_groups.get(&listed_as.to_ascii_lowercase()) else {
                continue;
            };
            let rg = rg
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(&listed_as)
                .to_string();
            for mut group in groups {
                let name = group.body.get("name").and_then(Value::as_str);
                let key = (
                    rg.to_ascii_lowercase(),
                    name.unwrap_or_default().to_ascii_lowercase(),
                );
                group.resource_group = rg.clone();
                arrived(&group);
                live.container_groups.insert(key, group);
            }
        }

        read_run_states(client, stack, options, &mut live).await?;
        Ok(live)
    }
}

/// GETs the groups whose run state matters: every one with `refresh_state`, else those
/// the spec wants stopped, those aciform marked stopped (so a group it stopped is seen
/// as stopped when the spec wants it running again) and those whose run state the spec
/// ignores (an update must leave them as they are, stopped outside aciform or not).
async fn read_run_states(
    client: &ArmClient,
    stack: &Stack,
    options: &ReadOptions,
    live: &mut LiveState,
) -> Result<(), ArmError> {
    let state_matters: BTreeSet<(String, String)> = stack
        .container_groups
        .values()
        .filter(|cg| cg.state == RunState::Stopped || cg.lifecycle.ignores_state())
        .filter_map(|cg| {
            let rg = stack.resource_groups.get(&cg.resource_group)?;
            Some((rg.name.to_ascii_lowercase(), cg.name.to_ascii_lowercase()))
        })
        .collect();

    let mut gets = JoinSet::new();
    for (key, group) in &live.container_groups {
        let marked = group.tag(TAG_STATE).is_some();
        if !(options.refresh_state || marked || state_matters.contains(key)) {
            continue;
        }
        let client = client.clone();
        let (key, rg) = (key.clone(), group.resource_group.clone());
        let name = group.name().to_string();
        gets.spawn(async move { (key, client.get_container_group(&rg, &name).await) });
    }
    while let Some(joined) = gets.join_next().await {
        let (key, got) = joined.map_err(join_error)?;
        match got? {
            Some(group) => {
                let body = serde_json::to_value(&group).unwrap_or(Value::Null);
                let state = at(&body, INSTANCE_STATE)
                    .and_then(Value::as_str)
                    .map(LiveRunState::from_instance_state);
                if let Some(entry) = live.container_groups.get_mut(&key) {
                    let rg = std::mem::take(&mut entry.resource_group);
                    *entry = LiveGroup::new(rg, body, state);
                }
            }
            // Deleted between LIST and GET: it is gone.
            None => {
                live.container_groups.remove(&key);
            }
        }
    }
    Ok(())
}

/// Where ARM puts a container group's IP address, FQDN, provisioning state and (in a
/// GET) run state, for [`at`].
pub const IP: &[&str] = &["properties", "ipAddress", "ip"];
pub const FQDN: &[&str] = &["properties", "ipAddress", "fqdn"];
pub const PROVISIONING_STATE: &[&str] = &["properties", "provisioningState"];
pub const INSTANCE_STATE: &[&str] = &["properties", "instanceView", "state"];

/// The value at `path` (`["properties", "ipAddress", "fqdn"]`) in an ARM body, through
/// object keys only. `Value::pointer` would do, but it copies every segment of its
/// string path to unescape it, which made it a quarter of the planner's time.
pub fn at<'v>(body: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter()
        .try_fold(body, |value, key| value.as_object()?.get(*key))
}

/// A tag of an ARM body, matched case-insensitively as ARM does.
pub fn tag<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get("tags")?
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

fn join_error(e: tokio::task::JoinError) -> ArmError {
    ArmError::Config(format!("a read of live state stopped unexpectedly: {e}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::at;

    #[test]
    fn at_follows_object_keys_only() {
        let body = json!({"properties": {"ipAddress": {"fqdn": "a.example"}, "list": [1]}});
        let fqdn = at(&body, &["properties", "ipAddress", "fqdn"]);
        assert_eq!(fqdn, Some(&json!("a.example")));
        assert_eq!(at(&body, &["properties", "missing", "fqdn"]), None);
        assert_eq!(
            at(&body, &["properties", "list", "0"]),
            None,
            "no array indexes"
        );
        assert_eq!(
            at(&body, &["properties", "ipAddress", "fqdn", "deeper"]),
            None
        );
        assert_eq!(at(&body, &[]), Some(&body));
    }
}
