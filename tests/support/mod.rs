//! Shared helpers for the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

pub mod stack_gen;

/// The repository root, for reaching specs/ and fixtures.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The built `aciform` binary as a command, with colour off and a clean environment
/// for the variables that choose the target.
pub fn aciform() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("aciform").expect("the aciform binary is built");
    cmd.env("NO_COLOR", "1")
        .env_remove("ACIFORM_ENDPOINT")
        .env_remove("ACIFORM_TOKEN")
        .env_remove("AZURE_SUBSCRIPTION_ID")
        .env_remove("ACIFORM_LOG");
    cmd
}
