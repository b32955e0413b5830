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

/// What a finished run of the CLI left behind.
#[derive(Debug)]
pub struct CliRun {
    /// The exit code; `None` when a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: std::time::Duration,
}

impl CliRun {
    /// Both streams, for messages in assertions.
    pub fn both(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The `aciform` binary as a tokio command, with the same clean environment as
/// [`aciform`], stdin closed and both outputs piped. Async, so an emulator running in
/// the test's own runtime keeps answering while the CLI talks to it.
pub fn aciform_async(env: &[(&str, &str)]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_aciform"));
    cmd.env("NO_COLOR", "1")
        .env_remove("ACIFORM_ENDPOINT")
        .env_remove("ACIFORM_TOKEN")
        .env_remove("AZURE_SUBSCRIPTION_ID")
        .env_remove("ACIFORM_LOG")
        .env_remove("ACIFORM_LOCAL_DIR")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd
}

/// Runs `aciform ARGS` to the end (at most two minutes) and collects what it printed.
pub async fn run_aciform(args: &[&str], env: &[(&str, &str)]) -> CliRun {
    let started = std::time::Instant::now();
    let child = aciform_async(env)
        .args(args)
        .spawn()
        .expect("the aciform binary starts");
    let output = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        child.wait_with_output(),
    )
    .await
    .expect("aciform finishes within two minutes")
    .expect("aciform's output is readable");
    CliRun {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

/// Runs planned steps through the executor against the local subscription, without a
/// progress view or a way to stop: the executor as the library's tests drive it.
pub async fn execute(
    client: &aciform::arm::ArmClient,
    stack: aciform::spec::Stack,
    live: aciform::plan::live::LiveState,
    graph: &aciform::graph::ResourceGraph,
    steps: Vec<aciform::plan::step::Step>,
    parallelism: usize,
) -> aciform::apply::ApplyReport {
    use std::sync::Arc;
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let cx = Arc::new(aciform::apply::ApplyContext::new(
        client.clone(),
        Arc::new(stack),
        Arc::new(live),
        aciform::emulator::LOCAL_SUBSCRIPTION.into(),
        tx,
    ));
    let (_stop, cancel) = tokio::sync::watch::channel(aciform::apply::Stop::Run);
    aciform::apply::apply_steps(cx, graph, steps, parallelism, cancel).await
}
