//! Desired run state: a group the spec wants stopped is stopped after it is created or
//! updated (a PUT deploys it again), and started again when the spec wants it running.

use serde_json::Value;

use super::{Fixture, group_toml, head, line_of};

fn stack(job_state: &str, job_image: &str, web_state: &str) -> String {
    let mut toml = head("runstate", "rg-runstate");
    toml += &group_toml("job", job_image, &format!("state = \"{job_state}\""), "");
    toml += &group_toml("web", "nginx:1.27", &format!("state = \"{web_state}\""), "");
    toml
}

async fn instance_state(fx: &Fixture, name: &str) -> String {
    let group = fx
        .group("rg-runstate", name)
        .await
        .expect("the group exists");
    group
        .pointer("/properties/instanceView/state")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_are_stopped_and_started_as_the_spec_asks() {
    let fx = Fixture::quick(&stack("stopped", "shop/job:1", "running")).await;
    let run = fx.apply_ok(&[]).await;
    let out = &run.stdout;
    let created = line_of(out, "container_group.job: Creation complete");
    assert!(
        created < line_of(out, "container_group.job: Stop complete"),
        "{out}"
    );
    assert!(!out.contains("container_group.web: Stop"), "{out}");
    assert_eq!(instance_state(&fx, "job").await, "Stopped");
    assert_eq!(instance_state(&fx, "web").await, "Running");

    // Running again: a start, nothing else.
    fx.write(&stack("running", "shop/job:1", "running"));
    let run = fx.apply_ok(&[]).await;
    assert!(
        run.stdout.contains("container_group.job: Start complete"),
        "{}",
        run.both()
    );
    assert!(!run.stdout.contains("Modifying"), "{}", run.both());
    assert!(run.stdout.contains("1 started"), "{}", run.both());
    assert_eq!(instance_state(&fx, "job").await, "Running");

    // Stopped with a new image: the PUT deploys it, so it is stopped again after.
    fx.write(&stack("stopped", "shop/job:2", "stopped"));
    let run = fx.apply_ok(&[]).await;
    let out = &run.stdout;
    let modified = line_of(out, "container_group.job: Modifications complete");
    assert!(
        modified < line_of(out, "container_group.job: Stop complete"),
        "{out}"
    );
    assert!(out.contains("container_group.web: Stop complete"), "{out}");
    assert_eq!(instance_state(&fx, "job").await, "Stopped");
    assert_eq!(instance_state(&fx, "web").await, "Stopped");
}

/// `ignore_changes = ["state"]`: the group keeps the run state it has in Azure, whatever
/// the spec says and whoever set it, through updates too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ignored_run_state_is_left_as_it_is_in_azure() {
    let toml = |state: &str, image: &str| {
        let ignoring =
            format!("state = \"{state}\"\nlifecycle = {{ ignore_changes = [\"state\"] }}");
        head("ignorestate", "rg-runstate") + &group_toml("web", image, &ignoring, "")
    };
    let fx = Fixture::quick(&toml("running", "nginx:1.27")).await;
    fx.apply_ok(&[]).await;
    fx.write(&toml("stopped", "nginx:1.27"));
    fx.assert_converged().await;
    assert_eq!(instance_state(&fx, "web").await, "Running");

    // Stopped outside aciform while the spec says running: left stopped, also when an
    // update deploys the group again (ACI runs it; aciform stops it right after).
    let stop = super::group_path("rg-runstate", "web").replace("?", "/stop?");
    let status = fx
        .arm_send(reqwest::Method::POST, &stop, &serde_json::json!({}))
        .await;
    assert!((200..300).contains(&status), "{status}");
    fx.write(&toml("running", "nginx:1.27"));
    fx.assert_converged().await;
    fx.write(&toml("running", "nginx:1.28"));
    let run = fx.apply_ok(&[]).await;
    assert!(
        run.stdout.contains("container_group.web: Stop complete"),
        "{}",
        run.stdout
    );
    assert_eq!(instance_state(&fx, "web").await, "Stopped");
    fx.assert_converged().await;
}
