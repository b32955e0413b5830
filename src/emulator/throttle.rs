//! ARM's request throttling: token buckets per subscription, principal and operation
//! class (reads, writes, deletes), as aci-api/README.md §11 describes. Every answer
//! carries the remaining count; an empty bucket answers 429 with `Retry-After`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::http::{Method, StatusCode};

use super::config::{BucketConfig, ThrottleConfig};
use super::error::ArmError;

/// The bucket a request draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpClass {
    Read,
    Write,
    Delete,
}

impl OpClass {
    /// The class of an HTTP method.
    pub fn of(method: &Method) -> OpClass {
        match *method {
            Method::GET | Method::HEAD => OpClass::Read,
            Method::DELETE => OpClass::Delete,
            _ => OpClass::Write,
        }
    }

    /// The `x-ms-ratelimit-remaining-subscription-*` header of this class.
    pub fn header(self) -> &'static str {
        match self {
            OpClass::Read => "x-ms-ratelimit-remaining-subscription-reads",
            OpClass::Write => "x-ms-ratelimit-remaining-subscription-writes",
            OpClass::Delete => "x-ms-ratelimit-remaining-subscription-deletes",
        }
    }

    fn word(self) -> &'static str {
        match self {
            OpClass::Read => "read",
            OpClass::Write => "write",
            OpClass::Delete => "delete",
        }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The buckets of one emulator.
#[derive(Debug)]
pub struct Throttle {
    config: Option<ThrottleConfig>,
    buckets: Mutex<HashMap<(String, String, OpClass), Bucket>>,
}

impl Throttle {
    /// Buckets per `config`; `None` never throttles.
    pub fn new(config: Option<ThrottleConfig>) -> Self {
        Throttle {
            config,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token; returns the tokens left, or ARM's 429 when the bucket is empty.
    /// Without throttling the nominal ARM capacity is reported so the header is always
    /// there, as it is on every ARM answer.
    pub fn take(&self, sub: &str, principal: &str, class: OpClass) -> Result<u32, ArmError> {
        let Some(config) = self.config else {
            let nominal = ThrottleConfig::arm();
            return Ok(bucket_config(&nominal, class).capacity.saturating_sub(1));
        };
        let bucket_cfg = bucket_config(&config, class);
        let now = Instant::now();

        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let key = (sub.to_lowercase(), principal.to_string(), class);
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: f64::from(bucket_cfg.capacity),
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * bucket_cfg.refill_per_sec)
            .min(f64::from(bucket_cfg.capacity));
        bucket.updated = now;

        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(bucket.tokens.floor() as u32);
        }
        let missing = 1.0 - bucket.tokens;
        let wait = if bucket_cfg.refill_per_sec > 0.0 {
            (missing / bucket_cfg.refill_per_sec).ceil().max(1.0) as u64
        } else {
            3600
        };
        Err(throttled(sub, principal, class, wait))
    }
}

fn bucket_config(config: &ThrottleConfig, class: OpClass) -> BucketConfig {
    match class {
        OpClass::Read => config.reads,
        OpClass::Write => config.writes,
        OpClass::Delete => config.deletes,
    }
}

fn throttled(sub: &str, principal: &str, class: OpClass, wait: u64) -> ArmError {
    let mut err = ArmError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "SubscriptionRequestsThrottled",
        format!(
            "Number of '{}' requests for subscription '{sub}' actor '{principal}' exceeded. \
             Please try again after '{wait}' seconds after additional tokens are available. \
             Refer to https://aka.ms/arm-throttling",
            class.word()
        ),
    )
    .with_retry_after(wait);
    err.headers.push((class.header(), "0".to_string()));
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_bucket_answers_429_with_retry_after() {
        let throttle = Throttle::new(Some(ThrottleConfig::uniform(2, 1.0)));
        assert_eq!(throttle.take("s", "p", OpClass::Read).ok(), Some(1));
        assert_eq!(throttle.take("s", "p", OpClass::Read).ok(), Some(0));
        let err = throttle.take("s", "p", OpClass::Read).unwrap_err();
        assert_eq!(err.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(err.retry_after, Some(1));
        // Other classes and principals have their own buckets.
        assert!(throttle.take("s", "p", OpClass::Write).is_ok());
        assert!(throttle.take("s", "q", OpClass::Read).is_ok());
    }

    #[test]
    fn without_config_the_nominal_budget_is_reported() {
        let throttle = Throttle::new(None);
        assert_eq!(throttle.take("s", "p", OpClass::Read).ok(), Some(249));
    }
}
