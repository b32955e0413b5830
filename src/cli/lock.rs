//! One apply or destroy at a time per stack checkout: an advisory lock on
//! `.aciform/lock` beside the stack, held until the command ends. Two runs from the
//! same checkout would otherwise both plan, both apply and restart every container
//! twice. Runs from other machines are not seen: that needs a shared lock (a blob
//! lease, as Terraform's azurerm backend uses), not this file.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use super::CliError;

/// Held while a command changes the cloud; dropping it releases the lock.
pub struct StackLock {
    _file: Option<File>,
}

impl StackLock {
    /// Takes the lock, or fails at once when another run holds it. Where the lock file
    /// cannot be created (a read-only checkout) the command goes on without it.
    pub fn acquire(stack_dir: &Path) -> Result<StackLock, CliError> {
        let dir = stack_dir.join(".aciform");
        let path = dir.join("lock");
        let file = std::fs::create_dir_all(&dir).and_then(|()| {
            OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
        });
        let file = match file {
            Ok(file) => file,
            Err(e) => {
                tracing::warn!(
                    "cannot create {}: {e}; going on without a lock",
                    path.display()
                );
                return Ok(StackLock { _file: None });
            }
        };
        match file.try_lock() {
            Ok(()) => Ok(StackLock { _file: Some(file) }),
            Err(TryLockError::WouldBlock) => Err(CliError::msg(format!(
                "another aciform apply or destroy is running on this stack (it holds {})",
                path.display()
            ))
            .with_hint("wait for it to finish, then plan again")),
            Err(TryLockError::Error(e)) => {
                tracing::warn!(
                    "cannot lock {}: {e}; going on without a lock",
                    path.display()
                );
                Ok(StackLock { _file: Some(file) })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_stack_is_refused_until_the_first_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let first = StackLock::acquire(dir.path()).expect("first");
        assert!(StackLock::acquire(dir.path()).is_err());
        drop(first);
        assert!(StackLock::acquire(dir.path()).is_ok());
    }
}
