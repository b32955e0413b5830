//! The emulator's knobs: where state lives, how slow and unreliable the fake cloud is,
//! ARM's request budgets, quotas and how long long-running operations take.
//!
//! Everything here is plain data chosen before `start`; what tests change while the
//! server runs (faults, accepted tokens) lives in `faults.rs` and `auth.rs`.

use std::path::PathBuf;
use std::time::Duration;

use axum::http::StatusCode;

/// How the emulator behaves. Build it with [`EmulatorConfig::default`] (the CLI's
/// settings) or [`EmulatorConfig::for_tests`] and adjust fields.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Directory of the persisted cloud; `None` keeps everything in memory only.
    pub data_dir: Option<PathBuf>,
    /// Round trip of every ARM request: it takes effect after half of it and is
    /// answered no sooner than all of it after it arrived.
    pub latency: Duration,
    /// Fraction (0..=1) of ARM requests that fail transiently: 500, 503 or a dropped
    /// connection. Values outside the range are clamped.
    pub fail_rate: f64,
    /// ARM's token buckets; `None` switches throttling off.
    pub throttle: Option<ThrottleConfig>,
    /// Container groups per region and subscription; 0 means no limit.
    pub quota: u32,
    /// How long PUT, DELETE, start and restart stay non-terminal (wall clock).
    pub operation_time: Duration,
    /// Seconds advertised in `Retry-After` on long-running responses; `None` omits it.
    pub retry_after: Option<u64>,
    /// Seed for IP addresses, operation ids and fault picks; `None` is random.
    pub seed: Option<u64>,
    /// How long a crash-looping container runs before it exits, and how long a `job`
    /// image runs before it completes.
    pub container_cycle: Duration,
    /// HTTP status of `InvalidContainerGroupUpdate` (the sources do not say; 409 default).
    pub invalid_update_status: StatusCode,
    /// Items per page of a list before a `nextLink` is added.
    pub page_size: usize,
    /// Tokens accepted at start; `None` accepts any non-empty bearer token.
    pub accepted_tokens: Option<Vec<String>>,
}

impl Default for EmulatorConfig {
    /// The settings of `aciform emulator` and of the embedded local cloud: persisted
    /// under `.aciform/cloud`, ARM's quota of 100 groups per region, a 2 s deployment.
    fn default() -> Self {
        EmulatorConfig {
            data_dir: Some(PathBuf::from(".aciform/cloud")),
            latency: Duration::ZERO,
            fail_rate: 0.0,
            throttle: None,
            quota: 100,
            operation_time: Duration::from_secs(2),
            retry_after: Some(1),
            seed: None,
            container_cycle: Duration::from_secs(10),
            invalid_update_status: StatusCode::CONFLICT,
            page_size: 100,
            accepted_tokens: None,
        }
    }
}

impl EmulatorConfig {
    /// In memory, no latency or faults, operations finishing after about 20 ms, no
    /// `Retry-After`, a fixed seed and a fast container cycle.
    pub fn for_tests() -> Self {
        EmulatorConfig {
            data_dir: None,
            operation_time: Duration::from_millis(20),
            retry_after: None,
            seed: Some(7),
            container_cycle: Duration::from_millis(40),
            ..EmulatorConfig::default()
        }
    }
}

/// One token bucket: `capacity` tokens, refilled at `refill_per_sec`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketConfig {
    pub capacity: u32,
    pub refill_per_sec: f64,
}

/// ARM's throttling model: one bucket per subscription, principal and operation class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleConfig {
    /// GET and HEAD (and operation polls).
    pub reads: BucketConfig,
    /// PUT, PATCH and POST.
    pub writes: BucketConfig,
    /// DELETE.
    pub deletes: BucketConfig,
}

impl ThrottleConfig {
    /// Public-cloud ARM's regional buckets: 250 reads refilled at 25/s, 200 writes and
    /// 200 deletes refilled at 10/s (request-limits-and-throttling.md).
    pub fn arm() -> Self {
        ThrottleConfig {
            reads: BucketConfig {
                capacity: 250,
                refill_per_sec: 25.0,
            },
            writes: BucketConfig {
                capacity: 200,
                refill_per_sec: 10.0,
            },
            deletes: BucketConfig {
                capacity: 200,
                refill_per_sec: 10.0,
            },
        }
    }

    /// The same small bucket for every class, for tests.
    pub fn uniform(capacity: u32, refill_per_sec: f64) -> Self {
        let bucket = BucketConfig {
            capacity,
            refill_per_sec,
        };
        ThrottleConfig {
            reads: bucket,
            writes: bucket,
            deletes: bucket,
        }
    }
}
