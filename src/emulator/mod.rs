//! The local cloud: an HTTP server speaking the ARM REST API for resource groups and
//! container groups (plus profiles, NGroups and the location endpoints of the official
//! examples), as aci-api/ documents it. It is the stand-in for Azure behind every test
//! and the default target, so its value is its fidelity: it fills defaults, echoes
//! locations and ids in the service's form, never returns secrets, runs PUT, DELETE,
//! start and restart as long-running operations, rejects updates ACI rejects, restarts
//! every container on every PUT, and can be told to be slow, flaky or throttled.
//!
//! It is reached only over HTTP, also when embedded, and depends on no other aciform
//! module: bodies are `serde_json::Value`, so unknown fields survive a PUT -> GET round
//! trip as they do in ARM. docs/emulator.md lists what it does not model.
//!
//! ```no_run
//! # async fn demo() -> Result<(), aciform::emulator::EmulatorError> {
//! use aciform::emulator::{EmulatorConfig, start};
//! let cloud = start(EmulatorConfig::for_tests(), "127.0.0.1:0".parse().unwrap()).await?;
//! println!("ARM endpoint: {}", cloud.base_url());
//! cloud.shutdown().await;
//! # Ok(()) }
//! ```

mod api;
mod auth;
mod cg;
mod clock;
mod config;
mod control;
mod error;
mod faults;
mod records;
mod regions;
mod route;
mod server;
mod stats;
mod store;
mod throttle;
mod versions;

pub use auth::Auth;
pub use config::{BucketConfig, EmulatorConfig, ThrottleConfig};
pub use error::EmulatorError;
pub use faults::{FaultEffect, FaultOperation, FaultRule, Faults};
pub use server::{EmulatorHandle, start};
pub use stats::Stats;

/// The subscription of the embedded local cloud. Any subscription id is accepted (each
/// implicitly exists); this is the one the default target uses.
pub const LOCAL_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

/// A bearer token the emulator accepts by default (any non-empty token is accepted).
pub const LOCAL_TOKEN: &str = "aciform-local";

/// The api-version of container group requests the emulator prefers (2025-09-01).
pub const CONTAINER_INSTANCE_API_VERSION: &str = "2025-09-01";

/// The api-version of resource group requests the emulator prefers (2024-11-01).
pub const RESOURCES_API_VERSION: &str = "2024-11-01";
