//! A value that must never be shown: secure env values, registry passwords, storage
//! keys, secret volume contents, workspace keys. `Sensitive<T>` serializes exactly like
//! the value inside (it has to reach ARM in a PUT body), but `Debug` and `Display` print
//! a placeholder, so a stray `{:?}` of a body or a spec in a log line cannot leak it.
//! One type for every layer: the spec's secret fields, the ARM models' secret fields
//! and the planner's withheld values.

use std::fmt;

use serde::{Deserialize, Serialize};

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

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn debug_and_display_redact_but_serde_is_transparent() {
        let s = Sensitive::new(String::from("hunter2"));
        assert_eq!(format!("{s:?} {s}"), "(sensitive) (sensitive)");
        assert_eq!(
            serde_json::to_string(&s).expect("serializes"),
            "\"hunter2\""
        );

        let map: Sensitive<BTreeMap<String, String>> =
            serde_json::from_str(r#"{"a":"c2VjcmV0"}"#).expect("parses");
        assert_eq!(map.expose()["a"], "c2VjcmV0");
        assert!(!format!("{map:?}").contains("c2VjcmV0"));
    }
}
