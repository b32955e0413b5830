//! A command's connection to a cloud: the stack loaded and checked, the target chosen
//! (SPEC.md, Targets), the embedded local cloud started when that is the target, and
//! the ARM client built. The target line is the first thing every such command prints.

use std::collections::BTreeMap;
use std::time::Duration;

use super::validate::{load_checked, load_checked_early};
use super::{CliError, Output, StackArgs};
use crate::arm::{
    ArmClient, ClientConfig, Target, choose_target, credential_for_target, is_loopback,
};
use crate::emulator::{EmulatorConfig, EmulatorHandle};
use crate::graph::ResourceGraph;
use crate::plan::live::{LiveReads, start_reading, start_reading_names};
use crate::plan::{TargetInfo, TargetKind};
use crate::spec::{Skeleton, Stack};

/// How long the embedded local cloud takes per deployment, unless
/// `ACIFORM_LOCAL_OPERATION_MS` says otherwise: long enough to show progress, short
/// enough for a demo.
const LOCAL_OPERATION: Duration = Duration::from_millis(600);

/// A loaded stack and a client for its target.
pub struct Session {
    pub stack: Stack,
    pub graph: ResourceGraph,
    pub client: ArmClient,
    pub info: TargetInfo,
    /// The embedded local cloud, when that is the target; dropping it stops it.
    _local: Option<EmulatorHandle>,
}

impl Session {
    /// Loads the stack and connects to its target, printing the target line.
    pub async fn open(out: &Output, args: &StackArgs) -> Result<Session, CliError> {
        let started = std::time::Instant::now();
        let (stack, graph) = load_checked(args)?;
        let ms = started.elapsed().as_millis() as u64;
        let groups = stack.container_groups.len();
        tracing::info!(groups, ms, "stack loaded and graph built");
        let env: BTreeMap<String, String> = std::env::vars().collect();
        let target = choose_target(stack.subscription.as_deref(), &stack.dir, &env)
            .map_err(|e| CliError::chain(&e))?;
        out.note(&target.describe());
        let (client, info, local) = connect(&target, &env).await?;
        Ok(Session {
            stack,
            graph,
            client,
            info,
            _local: local,
        })
    }

    /// [`Session::open`] for commands that plan: live state starts being read as soon as
    /// the stack's skeleton (name, subscription, resource groups) is known, while the
    /// rest of the stack is still being loaded on another thread.
    pub async fn open_for_plan(
        out: &Output,
        args: &StackArgs,
    ) -> Result<(Session, LiveReads), CliError> {
        let started = std::time::Instant::now();
        let (skeleton_tx, skeleton_rx) = tokio::sync::oneshot::channel::<Skeleton>();
        let load_args = StackArgs {
            path: args.path.clone(),
            vars: args.vars.clone(),
        };
        let load = tokio::task::spawn_blocking(move || {
            let mut skeleton_tx = Some(skeleton_tx);
            load_checked_early(&load_args, &mut |skeleton| {
                if let Some(tx) = skeleton_tx.take() {
                    let _ = tx.send(skeleton);
                }
            })
        });

        // The skeleton comes first unless the stack is broken; then the load's errors
        // are what to report.
        let env: BTreeMap<String, String> = std::env::vars().collect();
        let early = match skeleton_rx.await {
            Ok(skeleton) => {
                let subscription = skeleton.subscription.as_deref();
                let target = choose_target(subscription, &skeleton.dir, &env)
                    .map_err(|e| CliError::chain(&e))?;
                out.note(&target.describe());
                let (client, info, local) = connect(&target, &env).await?;
                let reads = start_reading_names(&client, skeleton.resource_groups);
                Some((client, info, local, reads))
            }
            Err(_) => None,
        };
        let (stack, graph) = load
            .await
            .map_err(|e| CliError::msg(format!("loading the stack stopped unexpectedly: {e}")))??;
        let groups = stack.container_groups.len();
        let ms = started.elapsed().as_millis() as u64;
        tracing::info!(groups, ms, "stack loaded and graph built");

        let (client, info, local, reads) = match early {
            Some(early) => early,
            None => {
                let target = choose_target(stack.subscription.as_deref(), &stack.dir, &env)
                    .map_err(|e| CliError::chain(&e))?;
                out.note(&target.describe());
                let (client, info, local) = connect(&target, &env).await?;
                let reads = start_reading(&client, &stack);
                (client, info, local, reads)
            }
        };
        Ok((
            Session {
                stack,
                graph,
                client,
                info,
                _local: local,
            },
            reads,
        ))
    }
}

/// Builds a client for `target`, starting the embedded emulator for the local cloud.
pub async fn connect(
    target: &Target,
    env: &BTreeMap<String, String>,
) -> Result<(ArmClient, TargetInfo, Option<EmulatorHandle>), CliError> {
    let credential = credential_for_target(target, env).map_err(|e| CliError::chain(&e))?;
    let (base_url, kind, local) = match target {
        Target::Local { dir } => {
            let handle = start_local(dir, env).await?;
            let url = url::Url::parse(&handle.base_url())
                .map_err(|e| CliError::msg(format!("the local cloud has a bad address: {e}")))?;
            (url, TargetKind::Local, Some(handle))
        }
        Target::Endpoint { url, .. } => (url.clone(), TargetKind::Endpoint, None),
        Target::Azure { .. } => {
            let url = target
                .base_url()
                .ok_or_else(|| CliError::msg("no Azure endpoint"))?;
            (url, TargetKind::Azure, None)
        }
    };

    let mut config = ClientConfig::new(base_url.clone(), target.subscription(), credential);
    if local.is_some() || matches!(target, Target::Endpoint { url, .. } if is_loopback(url)) {
        // An emulator on this machine (the local cloud, or one on a loopback endpoint)
        // may send no Retry-After; poll it briskly rather than every 5 s as for Azure.
        config.default_poll_interval = Duration::from_millis(100);
    }
    let client = ArmClient::new(config).map_err(|e| CliError::chain(&e))?;
    let info = TargetInfo {
        kind,
        endpoint: base_url.as_str().trim_end_matches('/').to_string(),
        subscription: target.subscription().to_string(),
    };
    Ok((client, info, local))
}

/// Starts the embedded local cloud on an ephemeral loopback port, with its state in
/// `dir` so that successive commands see one cloud.
async fn start_local(
    dir: &std::path::Path,
    env: &BTreeMap<String, String>,
) -> Result<EmulatorHandle, CliError> {
    let millis = |name: &str| {
        env.get(name)
            .and_then(|ms| ms.parse::<u64>().ok())
            .map(Duration::from_millis)
    };
    let defaults = EmulatorConfig::default();
    let config = EmulatorConfig {
        data_dir: Some(dir.to_path_buf()),
        operation_time: millis("ACIFORM_LOCAL_OPERATION_MS").unwrap_or(LOCAL_OPERATION),
        // How fast crash-looping and batch containers go round; tests shorten it to
        // see restarts and warnings without waiting.
        container_cycle: millis("ACIFORM_LOCAL_CYCLE_MS").unwrap_or(defaults.container_cycle),
        retry_after: None,
        ..defaults
    };
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    crate::emulator::start(config, listen).await.map_err(|e| {
        CliError::chain(&e).with_hint(format!(
            "the local cloud keeps its state in {}; check that it is writable",
            dir.display()
        ))
    })
}
