//! Holders for values that must never be printed: bearer tokens (azure_core's
//! `Secret`) and secret fields of ARM bodies (`Sensitive`, shared with every layer).

pub use crate::sensitive::{REDACTED, Sensitive};
pub use azure_core::credentials::Secret;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_secret_debug_redacts() {
        let token = Secret::new("eyJ0eXAi.token");
        assert!(!format!("{token:?}").contains("eyJ0eXAi"));
    }
}
