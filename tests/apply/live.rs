//! The live view: on a terminal (here a pseudo-terminal from `script`), running steps
//! show as spinners with their elapsed time, and log lines printed meanwhile start on a
//! line of their own instead of tearing the view; without a terminal there is no view,
//! only plain lines.

use std::time::Duration;

use aciform::emulator::EmulatorConfig;

use super::{Fixture, group_toml, head};
use crate::support::run_aciform;

const CLEAR_LINE: &str = "\x1b[2K";

async fn slow_pair() -> Fixture {
    let mut toml = head("live", "rg-live");
    toml += &group_toml("web", "nginx:1.27", "", "");
    toml += &group_toml("api", "shop/api:1", "", "");
    let config = EmulatorConfig {
        operation_time: Duration::from_millis(900),
        ..EmulatorConfig::for_tests()
    };
    Fixture::new(config, &toml).await
}

/// `text` without terminal control sequences (`ESC [ params letter`).
fn without_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        for c in chars.by_ref() {
            if c.is_ascii_alphabetic() {
                break;
            }
        }
    }
    out
}

/// Whether every occurrence of `needle` starts a line: after a newline, a carriage
/// return or the live view clearing the line it was on.
fn always_starts_a_line(text: &str, needle: &str) -> bool {
    text.match_indices(needle).all(|(at, _)| {
        let before = &text[..at];
        before.is_empty()
            || before.ends_with('\n')
            || before.ends_with('\r')
            || before.ends_with(CLEAR_LINE)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_gets_a_live_view_that_log_lines_do_not_tear() {
    let fx = slow_pair().await;
    let stack = fx.stack();
    let command = format!(
        "{} apply {} --auto-approve -vv --color never",
        env!("CARGO_BIN_EXE_aciform"),
        stack.to_str().unwrap()
    );
    let script = tokio::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("ACIFORM_ENDPOINT", fx.cloud.base_url())
        .env("TERM", "xterm")
        .env_remove("ACIFORM_LOG")
        .env_remove("ACIFORM_TOKEN")
        .env_remove("CI")
        .stdin(std::process::Stdio::null())
        .output();
    let output = tokio::time::timeout(Duration::from_secs(60), script)
        .await
        .expect("the apply under script finishes")
        .expect("`script` (util-linux) is installed: it provides the pseudo-terminal");
    let text = String::from_utf8_lossy(&output.stdout);

    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("Apply complete!"), "{text}");
    assert!(text.contains(CLEAR_LINE), "the live view was drawn: {text}");
    assert!(
        text.contains("container_group.web: Creating... [0s]"),
        "{text}"
    );
    assert!(
        text.contains(" DEBUG "),
        "-vv logs while the view is up: {text}"
    );
    for (at, _) in text.match_indices(" DEBUG ") {
        let before = &text[..at];
        let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
        // Only the record's timestamp (and the view's cursor moves) may come before its
        // level on that line.
        let prefix = without_escapes(&before[line_start..]);
        let is_timestamp = prefix.len() == 27
            && prefix
                .chars()
                .all(|c| c.is_ascii_digit() || "-:.TZ".contains(c));
        assert!(
            is_timestamp,
            "a log line tore the view: {:?}",
            &text[line_start.saturating_sub(80)..(at + 40).min(text.len())]
        );
    }
    for key in ["web", "api"] {
        let done = format!("container_group.{key}: Creation complete after");
        assert!(text.contains(&done), "{text}");
        assert!(always_starts_a_line(&text, &done), "{text}");
    }
    fx.assert_converged().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_terminal_there_are_only_plain_lines() {
    let fx = slow_pair().await;
    let stack = fx.stack();
    let env = fx.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let run = run_aciform(
        &["apply", stack.to_str().unwrap(), "--auto-approve", "-vv"],
        &env,
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.both());
    assert!(
        !run.stdout.contains('\x1b') && !run.stderr.contains('\x1b'),
        "{}",
        run.both()
    );
    assert!(
        run.stdout.contains("container_group.web: Creating...\n"),
        "{}",
        run.both()
    );
}
