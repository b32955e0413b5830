//! A value that must never be shown: secure env values, registry passwords, storage
//! keys, secret volume contents, workspace keys. Debug and Display print a placeholder,
//! so a stray `{:?}` in a log line cannot leak it.

use std::fmt;

/// A clear-text secret held only to be sent to ARM or hashed.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive(String);

impl Sensitive {
    /// Wraps a clear value.
    pub fn new(value: &str) -> Sensitive {
        Sensitive(value.to_string())
    }

    /// The clear value: call only to build a request body or a hash.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(sensitive)")
    }
}

impl fmt::Display for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(sensitive)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Sensitive::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "(sensitive) (sensitive)");
        assert_eq!(s.expose(), "hunter2");
    }
}
