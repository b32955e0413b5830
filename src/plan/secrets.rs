//! Secret values ARM never returns are compared through salted hashes kept in tags on
//! the container group, never in clear.
//!
//! Each secret contributes `H(salt, path, value)` truncated to 48 bits to a set; the
//! set is stored in the tag `aciform-secrets` (and `aciform-secrets-2`, … when it
//! overflows ARM's 256-character tag values) as `v1:<salt>:<hash><hash>…`. A desired
//! secret is unchanged exactly when its hash is in the live set, so entries can be
//! added, removed or renamed without shifting anything else. The salt is random per
//! group and kept across applies, so the same value hashes the same way next time.
//!
//! What a reader of the tags learns: nothing about a high-entropy secret; for a
//! guessable one (a dictionary word) a guess can be confirmed offline, as with any
//! fast hash. docs/secrets.md says so and recommends Key Vault references.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::rules::TAG_SECRETS;
use crate::sensitive::Sensitive;

const VERSION: &str = "v1";
/// Characters of one encoded hash (6 bytes in base64url).
const HASH_LEN: usize = 8;
/// ARM's limit on a tag value.
const TAG_VALUE_MAX: usize = 256;

/// The secret hashes recorded on a live group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHashes {
    pub salt: String,
    pub hashes: BTreeSet<String>,
}

impl SecretHashes {
    /// Reads the hashes from a live group's tags; `None` when there are none or they
    /// are not in a format this version writes (then every secret counts as changed).
    pub fn from_tags(tags: &Map<String, Value>) -> Option<SecretHashes> {
        // Tag names are case-insensitive in ARM; a group has a handful of tags.
        let tag = |name: &str| {
            tags.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.as_str())
        };
        let first = tag(TAG_SECRETS)?;
        let mut parts = first.splitn(3, ':');
        let (Some(VERSION), Some(salt), Some(rest)) = (parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let mut text = rest.to_string();
        for n in 2.. {
            match tag(&format!("{TAG_SECRETS}-{n}")) {
                Some(more) => text.push_str(more),
                None => break,
            }
        }
        if text.len() % HASH_LEN != 0 || !text.is_ascii() {
            return None;
        }
        let hashes = (0..text.len() / HASH_LEN)
            .map(|i| text[i * HASH_LEN..(i + 1) * HASH_LEN].to_string())
            .collect();
        Some(SecretHashes {
            salt: salt.to_string(),
            hashes,
        })
    }

    /// Whether `value` at `key` is what was recorded.
    pub fn contains(&self, key: &str, value: &Sensitive<String>) -> bool {
        self.hashes.contains(&digest(&self.salt, key, value))
    }
}

/// A fresh random salt for a group that has none yet.
pub fn new_salt() -> String {
    let bytes: [u8; 8] = std::array::from_fn(|_| fastrand::u8(..));
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The truncated salted hash of one secret.
pub fn digest(salt: &str, key: &str, value: &Sensitive<String>) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    h.update([0]);
    h.update(value.expose().as_bytes());
    URL_SAFE_NO_PAD.encode(&h.finalize()[..6])
}

/// The tags recording `secrets` (canonical key and value) under `salt`. Empty when
/// there are no secrets, so a group without secrets carries no such tag.
pub fn secret_tags(salt: &str, secrets: &[(&str, &Sensitive<String>)]) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    if secrets.is_empty() {
        return tags;
    }
    let hashes: BTreeSet<String> = secrets.iter().map(|(k, v)| digest(salt, k, v)).collect();
    let mut current = format!("{VERSION}:{salt}:");
    let mut n = 1;
    for hash in hashes {
        if current.len() + HASH_LEN > TAG_VALUE_MAX {
            tags.insert(tag_name(n), std::mem::take(&mut current));
            n += 1;
        }
        current.push_str(&hash);
    }
    tags.insert(tag_name(n), current);
    tags
}

fn tag_name(n: usize) -> String {
    if n == 1 {
        TAG_SECRETS.to_string()
    } else {
        format!("{TAG_SECRETS}-{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_map(tags: &BTreeMap<String, String>) -> Map<String, Value> {
        tags.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect()
    }

    #[test]
    fn recorded_secrets_are_recognised_and_changed_ones_are_not() {
        let key = Sensitive::new("s3cret".to_string());
        let tags = secret_tags("salt", &[("containers.web.secure_env.KEY", &key)]);
        let live = SecretHashes::from_tags(&as_map(&tags)).expect("parses");
        assert!(live.contains("containers.web.secure_env.KEY", &key));
        assert!(!live.contains(
            "containers.web.secure_env.KEY",
            &Sensitive::new("other".to_string())
        ));
        assert!(!live.contains("containers.web.secure_env.OTHER", &key));
    }

    #[test]
    fn tags_never_hold_the_value_and_fit_arm_limits() {
        let values: Vec<Sensitive<String>> = (0..100)
            .map(|i| Sensitive::new(format!("secret value {i}")))
            .collect();
        let keys: Vec<String> = (0..100)
            .map(|i| format!("containers.c.secure_env.K{i}"))
            .collect();
        let secrets: Vec<(&str, &Sensitive<String>)> =
            keys.iter().map(String::as_str).zip(values.iter()).collect();
        let tags = secret_tags(&new_salt(), &secrets);
        assert!(tags.len() > 1, "100 hashes overflow into more tags");
        assert!(tags.values().all(|v| v.len() <= TAG_VALUE_MAX));
        assert!(tags.values().all(|v| !v.contains("secret value")));
        let live = SecretHashes::from_tags(&as_map(&tags)).expect("parses");
        assert_eq!(live.hashes.len(), 100);
        assert!(live.contains("containers.c.secure_env.K99", &values[99]));
    }

    #[test]
    fn foreign_or_damaged_tags_mean_unknown() {
        let mut tags = Map::new();
        tags.insert(TAG_SECRETS.into(), Value::String("garbage".into()));
        assert_eq!(SecretHashes::from_tags(&tags), None);
        tags.insert(TAG_SECRETS.into(), Value::String("v1:salt:abc".into()));
        assert_eq!(SecretHashes::from_tags(&tags), None);
    }
}
