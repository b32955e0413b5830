//! README.md is the product's front door: its commands must work as written on a
//! fresh clone. The main job applies an example with no environment set, the tour
//! runs from start to end, and the test command block keeps the shape .ci/run reads.

use std::path::Path;
use std::process::Command;

use super::Sandbox;
use crate::support::repo_root;

fn readme() -> String {
    std::fs::read_to_string(repo_root().join("README.md")).expect("README.md reads")
}

/// The lines of the ```sh block right after `marker`.
fn block_after(text: &str, marker: &str) -> Vec<String> {
    let rest = text
        .split_once(marker)
        .unwrap_or_else(|| panic!("README.md has no {marker}"))
        .1;
    let mut lines = rest.lines().skip_while(|l| l.trim().is_empty());
    assert_eq!(
        lines.next(),
        Some("```sh"),
        "a ```sh block follows {marker}"
    );
    lines
        .take_while(|l| *l != "```")
        .map(str::to_string)
        .collect()
}

#[test]
fn the_test_command_block_has_the_shape_ci_reads() {
    let text = readme();
    let block = block_after(&text, "<!-- test-command -->\n");
    assert!(
        text.contains("<!-- test-command -->\n```sh\n"),
        "the marker, then ```sh on the very next line"
    );
    assert!(block[0].starts_with("cargo nextest run"), "{block:?}");
}

#[test]
fn the_main_job_applies_an_example_with_no_environment_and_converges() {
    let block = block_after(&readme(), "<!-- main-job -->\n");
    let args: Vec<&str> = block[0]
        .strip_prefix("cargo run -- ")
        .expect("the main job is `cargo run -- …`")
        .split_whitespace()
        .collect();
    assert_eq!(args[0], "apply", "{args:?}");
    let example_path = Path::new(args[1]);
    let example = example_path
        .file_name()
        .and_then(|n| n.to_str())
        .expect("an example directory");
    for entry in std::fs::read_dir(repo_root().join(example_path)).expect("the example") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).unwrap_or_default();
        assert!(
            !text.contains("${env."),
            "the main job's example needs no environment"
        );
    }

    // The same relative path, from a directory laid out like the repository, and the
    // default local cloud beside the stack (no ACIFORM_LOCAL_DIR).
    let sandbox = Sandbox::new(example);
    let clone = sandbox.root().join("clone");
    copy_tree(&sandbox.stack, &clone.join(example_path));
    let mut env_free = sandbox;
    env_free.unset("ACIFORM_LOCAL_DIR");
    let run = env_free.run_in(&clone, &args).expect(0, "the main job");
    assert!(run.stdout.contains("Apply complete!"), "{}", run.stdout);
    assert!(clone.join(example_path).join(".aciform/cloud").is_dir());
    let again = ["plan", args[1], "--detailed-exitcode"];
    env_free
        .run_in(&clone, &again)
        .expect(0, "plan after the main job");
}

#[test]
fn the_tour_runs_from_start_to_end() {
    let script = tour_script();
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let bin = assert_cmd::cargo::cargo_bin("aciform");
    let bin_dir = bin.parent().expect("the binary's directory");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(repo_root())
        .env("PATH", path)
        .env("TMPDIR", tmp.path())
        .env("NO_COLOR", "1")
        .env("ACIFORM_LOCAL_OPERATION_MS", "50")
        .env_remove("ACIFORM_LOCAL_DIR")
        .env_remove("ACIFORM_ENDPOINT")
        .env_remove("ACIFORM_TOKEN")
        .env_remove("AZURE_SUBSCRIPTION_ID")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the tour failed\n--- script\n{script}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let secret = tour_secret(&script);
    assert!(
        !stdout.contains(&secret) && !stderr.contains(&secret),
        "the tour shows a secret"
    );
    assert!(stdout.contains("Destroy complete!"), "{stdout}");
}

/// The tour block as a script: the build step is already done, the binary under test
/// is on PATH, and the prompts of apply and destroy are answered by --auto-approve
/// (standard input is not a terminal here).
fn tour_script() -> String {
    let lines = block_after(&readme(), "<!-- tour -->\n");
    let mut script = String::new();
    for line in lines {
        let command = line.split(" #").next().unwrap_or_default().trim_end();
        if command.starts_with("cargo ") || command.starts_with("export PATH=") {
            continue;
        }
        let needs_approval = (command.starts_with("aciform apply")
            || command.starts_with("aciform destroy"))
            && !command.contains("--auto-approve");
        script.push_str(command);
        if needs_approval {
            script.push_str(" --auto-approve");
        }
        script.push('\n');
    }
    script
}

/// The value the tour exports as the database password.
fn tour_secret(script: &str) -> String {
    let line = script
        .lines()
        .find(|l| l.starts_with("export STOREFRONT_DB_PASSWORD="))
        .expect("the tour sets the password");
    line.split_once('=')
        .map(|(_, v)| v.trim_matches('\'').to_string())
        .expect("a value")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}
