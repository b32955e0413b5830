//! Holders for values that must never be printed: tokens and secret fields of ARM bodies.
//!
//! `Sensitive<T>` wraps a secret-bearing field of a model (secure environment values,
//! registry passwords, storage keys, secret volumes, ...). It serializes exactly like the
//! value inside, because the value has to reach ARM in a PUT body, but its `Debug` prints
//! a placeholder, so a `{:?}` of a whole container group in a log never leaks. Bearer
//! tokens use azure_core's `Secret`, which behaves the same way.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use azure_core::credentials::Secret;

/// The text `Debug` prints in place of a sensitive value.
pub const REDACTED: &str = "(sensitive)";

/// A secret value inside an ARM body: serialized as is, never shown by `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The secret itself; the caller takes on not printing it.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// The secret itself, by value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Sensitive(value)
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn debug_redacts_but_serde_is_transparent() {
        let s = Sensitive::new(String::from("hunter2"));
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(
            serde_json::to_string(&s).expect("serializes"),
            "\"hunter2\""
        );

        let map: Sensitive<BTreeMap<String, String>> =
            serde_json::from_str(r#"{"a":"c2VjcmV0"}"#).expect("parses");
        assert_eq!(map.expose()["a"], "c2VjcmV0");
        assert!(!format!("{map:?}").contains("c2VjcmV0"));
    }

    #[test]
    fn token_secret_debug_redacts() {
        let token = Secret::new("eyJ0eXAi.token");
        assert!(!format!("{token:?}").contains("eyJ0eXAi"));
    }
}
