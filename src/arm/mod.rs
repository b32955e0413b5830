//! The client for Azure Resource Manager (ARM): one client for the real cloud, for
//! `ACIFORM_ENDPOINT` and for the embedded local cloud.
//!
//! It owns target selection, credentials and token caching, retries with backoff that
//! honour `Retry-After`, long-running-operation polling, paging, a global cap on
//! requests in flight, ARM errors as typed errors, and typed models of the REST JSON.
//! It knows nothing about specs or plans: callers hand it ARM bodies and get ARM bodies
//! back.
//!
//! ```text
//! target.rs          which cloud (SPEC.md Targets), endpoint rules
//! credential.rs      which credential; token_cache.rs: tokens until near expiry
//! client.rs          ArmClient, ClientConfig, URLs and ids
//! http.rs            the one request loop: auth, cap, retries, logs
//! request.rs         requests, answers, ARM error bodies
//! retry.rs           retry policy (pure); throttle.rs: the shared 429 gate
//! lro.rs             long-running operations
//! resource_groups.rs, container_groups.rs   the operations
//! models/            serde models; secret.rs: redacting holders
//! ```

mod client;
mod container_groups;
mod credential;
mod error;
mod http;
mod lro;
pub mod models;
mod request;
mod resource_groups;
mod retry;
mod secret;
mod target;
mod throttle;
mod token_cache;

pub use client::{ArmClient, ClientConfig, ClientStats};
pub use credential::{
    ARM_SCOPE, Credential, LOCAL_TOKEN, REFRESH_MARGIN, credential_for_target, credential_from_env,
};
pub use error::{ArmError, ArmErrorBody, ArmFailure};
pub use models::{ContainerGroup, GenericResource, ResourceGroup};
pub use retry::{MAX_BACKOFF, backoff, is_transient_status, retry_after};
pub use secret::{REDACTED, Secret, Sensitive};
pub use target::{
    AZURE_ENDPOINT, LOCAL_SUBSCRIPTION, Target, check_endpoint, choose_target, is_loopback,
    parse_endpoint,
};

/// api-version of every Microsoft.ContainerInstance call.
pub const CONTAINER_API_VERSION: &str = "2025-09-01";

/// api-version of every Microsoft.Resources (resource group) call.
pub const RESOURCE_API_VERSION: &str = "2024-11-01";
