//! End to end: the built `aciform` binary on copies of specs/examples, each against its
//! own embedded local cloud in a temporary directory. Every command's output is
//! checked for the secrets the sandbox handed out and for panics.

mod examples;
mod readme;
mod renames;
mod scenario;
mod status;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tempfile::TempDir;

use crate::support::{aciform, repo_root};

/// How long the embedded cloud takes per deployment: short, so the suite stays fast,
/// but not zero, so that long-running operations are really polled.
const OPERATION_MS: &str = "50";

/// A copy of one example stack and a private local cloud beside it.
pub struct Sandbox {
    dir: TempDir,
    /// The copied stack directory (commands run here, so PATH defaults to it).
    pub stack: PathBuf,
    env: BTreeMap<String, String>,
    /// Values that must never appear in any output.
    secrets: Vec<String>,
}

/// What one command did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics with the whole output unless the exit code is `code`.
    pub fn expect(self, code: i32, what: &str) -> Run {
        assert_eq!(
            self.code, code,
            "{what}: exit {} (expected {code})\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// The stdout as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

impl Sandbox {
    /// Copies `specs/examples/<example>` into a fresh temporary directory.
    pub fn new(example: &str) -> Sandbox {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let stack = dir.path().join(example);
        copy_dir(&repo_root().join("specs/examples").join(example), &stack);
        Sandbox::around(dir, stack)
    }

    /// A stack of one file, `main.toml`, holding `text`.
    pub fn with_stack(text: &str) -> Sandbox {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let stack = dir.path().join("stack");
        std::fs::create_dir_all(&stack).expect("create the stack directory");
        std::fs::write(stack.join("main.toml"), text).expect("write main.toml");
        Sandbox::around(dir, stack)
    }

    fn around(dir: TempDir, stack: PathBuf) -> Sandbox {
        let cloud = dir.path().join("cloud");
        let env = BTreeMap::from([
            ("ACIFORM_LOCAL_DIR".to_string(), path_text(&cloud)),
            (
                "ACIFORM_LOCAL_OPERATION_MS".to_string(),
                OPERATION_MS.into(),
            ),
        ]);
        Sandbox {
            dir,
            stack,
            env,
            secrets: Vec::new(),
        }
    }

    /// Sets an environment variable for every later command.
    pub fn env(&mut self, name: &str, value: &str) -> &mut Sandbox {
        self.env.insert(name.to_string(), value.to_string());
        self
    }

    /// Unsets an environment variable the sandbox would set.
    pub fn unset(&mut self, name: &str) -> &mut Sandbox {
        self.env.remove(name);
        self
    }

    /// Sets an environment variable holding a secret: no output may ever contain it.
    pub fn secret(&mut self, name: &str, value: &str) -> &mut Sandbox {
        self.secrets.push(value.to_string());
        self.env(name, value)
    }

    /// The temporary directory holding the stack copy and the cloud.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `aciform ARGS` in the stack directory.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.stack, args)
    }

    /// Runs `aciform ARGS` in `dir`, against the same local cloud.
    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Run {
        let output = aciform()
            .env_remove("ACIFORM_LOCAL_DIR")
            .env_remove("ACIFORM_LOCAL_CYCLE_MS")
            .args(args)
            .current_dir(dir)
            .envs(&self.env)
            .output()
            .expect("aciform runs");
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        let shown = format!("{}{}", run.stdout, run.stderr);
        assert!(
            !shown.contains("panicked at"),
            "aciform {args:?} panicked:\n{shown}"
        );
        for secret in &self.secrets {
            assert!(
                !shown.contains(secret.as_str()),
                "aciform {args:?} printed a secret:\n{shown}"
            );
        }
        run
    }

    /// Replaces `from` (which must occur exactly once) by `to` in a stack file.
    pub fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.stack.join(file);
        let text = std::fs::read_to_string(&path).expect("the stack file reads");
        assert_eq!(
            text.matches(from).count(),
            1,
            "{file} must contain `{from}` exactly once"
        );
        std::fs::write(&path, text.replacen(from, to, 1)).expect("the stack file writes");
    }

    /// The plan as JSON (`plan --format json`), which must succeed.
    pub fn plan_json(&self) -> Value {
        self.run(&["plan", "--format", "json"])
            .expect(0, "plan --format json")
            .json()
    }
}

/// `(address, action)` of every change of a JSON plan, in plan order.
pub fn actions(plan: &Value) -> Vec<(String, String)> {
    plan["changes"]
        .as_array()
        .expect("changes is an array")
        .iter()
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (text("address"), text("action"))
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the stack copy");
    for entry in std::fs::read_dir(from).expect("the example directory reads") {
        let entry = entry.expect("a directory entry");
        let path = entry.path();
        // Only the stack's files: never a local cloud someone left in the checkout.
        if path.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy a stack file");
        }
    }
}

fn path_text(path: &Path) -> String {
    path.to_str()
        .expect("temporary paths are UTF-8")
        .to_string()
}
