//! Saved plans and confirmation: `apply PLAN_FILE` applies a plan nothing has moved
//! under, refuses a stale one naming what changed (and changes nothing), and `apply`
//! without `--auto-approve` refuses where nobody can confirm.

use reqwest::Method;
use serde_json::json;

use super::{Fixture, group_path, group_toml, head};

fn stack(image: &str) -> String {
    let mut toml = head("saved", "rg-saved");
    toml += &group_toml("web", image, "", "");
    toml += &group_toml("worker", "shop/worker:1", "", "");
    toml
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_saved_plan_is_applied_and_a_stale_one_refused() {
    let fx = Fixture::quick(&stack("nginx:1.27")).await;
    let saved = fx.file("first.plan");
    let stack_dir = fx.stack();
    let (stack_dir, saved) = (stack_dir.to_str().unwrap(), saved.to_str().unwrap());

    let plan = fx.run(&["plan", stack_dir, "-o", saved]).await;
    assert_eq!(plan.code, Some(0), "{}", plan.both());
    let run = fx.run(&["apply", saved, "--auto-approve"]).await;
    assert_eq!(run.code, Some(0), "{}", run.both());
    assert!(run.stdout.contains("Resources: 3 added"), "{}", run.both());
    fx.assert_converged().await;

    // Plan an image change, then someone changes the worker behind aciform's back.
    fx.write(&stack("nginx:1.28"));
    let second = fx.file("second.plan");
    let second = second.to_str().unwrap();
    let plan = fx.run(&["plan", stack_dir, "-o", second]).await;
    assert_eq!(plan.code, Some(0), "{}", plan.both());
    let patched = fx
        .arm_send(
            Method::PATCH,
            &group_path("rg-saved", "worker"),
            &json!({ "tags": { "aciform-stack": "saved",
                "aciform-address": "container_group.worker", "owner": "someone-else" } }),
        )
        .await;
    assert_eq!(patched, 200);

    let writes_before = fx.cloud.stats().kind("put");
    let run = fx.run(&["apply", second, "--auto-approve"]).await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert!(
        run.stderr.contains("the saved plan is stale"),
        "{}",
        run.both()
    );
    assert!(
        run.stderr
            .contains("container_group.worker changed in Azure since the plan was made"),
        "{}",
        run.both()
    );
    assert!(
        !run.stderr.contains("container_group.web"),
        "{}",
        run.both()
    );
    assert_eq!(
        fx.cloud.stats().kind("put"),
        writes_before,
        "nothing was changed"
    );
    let web = fx.group("rg-saved", "web").await.expect("web");
    let image = web.pointer("/properties/containers/0/properties/image");
    assert_eq!(image, Some(&json!("nginx:1.27")));

    // A stack edited after the plan is refused as well.
    let third = fx.file("third.plan");
    let third = third.to_str().unwrap();
    let plan = fx.run(&["plan", stack_dir, "-o", third]).await;
    assert_eq!(plan.code, Some(0), "{}", plan.both());
    fx.write(&stack("nginx:1.29"));
    let run = fx.run(&["apply", third, "--auto-approve"]).await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert!(
        run.stderr
            .contains("container_group.web: the stack (or its variables or environment)"),
        "{}",
        run.both()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_without_auto_approve_refuses_when_nobody_can_confirm() {
    let fx = Fixture::quick(&stack("nginx:1.27")).await;
    let stack_dir = fx.stack();
    let run = fx.run(&["apply", stack_dir.to_str().unwrap()]).await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert!(
        run.stdout.contains("Plan: 3 to add"),
        "the plan is shown first: {}",
        run.both()
    );
    assert!(
        run.stderr.contains(
            "refusing to perform these actions without confirmation: standard input is not a \
             terminal"
        ),
        "{}",
        run.both()
    );
    assert!(run.stderr.contains("--auto-approve"), "{}", run.both());
    assert_eq!(fx.cloud.stats().kind("put"), 0);

    fx.apply_ok(&[]).await;
    let run = fx.run(&["destroy", stack_dir.to_str().unwrap()]).await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert!(
        run.stderr
            .contains("refusing to destroy these resources without confirmation"),
        "{}",
        run.both()
    );
    assert!(fx.group("rg-saved", "web").await.is_some());
    assert_eq!(fx.cloud.stats().kind("delete"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_is_refused_against_another_subscription() {
    let fx = Fixture::quick(&stack("nginx:1.27")).await;
    let saved = fx.file("dev.plan");
    let (stack_dir, saved) = (fx.stack(), saved.to_str().unwrap().to_string());
    let dev = [(
        "AZURE_SUBSCRIPTION_ID",
        "11111111-1111-1111-1111-111111111111",
    )];
    let prod = [(
        "AZURE_SUBSCRIPTION_ID",
        "22222222-2222-2222-2222-222222222222",
    )];

    let plan = fx
        .run_with_env(&["plan", stack_dir.to_str().unwrap(), "-o", &saved], &dev)
        .await;
    assert_eq!(plan.code, Some(0), "{}", plan.both());
    let puts_before = fx.cloud.stats().kind("put");
    let run = fx
        .run_with_env(&["apply", &saved, "--auto-approve"], &prod)
        .await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert!(
        run.stderr
            .contains("the saved plan was made for another target"),
        "{}",
        run.both()
    );
    assert!(
        run.stderr.contains("11111111-1111-1111-1111-111111111111"),
        "{}",
        run.both()
    );
    assert_eq!(
        fx.cloud.stats().kind("put"),
        puts_before,
        "nothing was written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_files_stay_out_of_the_stack_and_stacks_out_of_plan_files() {
    let fx = Fixture::quick(&stack("nginx:1.27")).await;
    let stack_dir = fx.stack();
    let dir = stack_dir.to_str().unwrap();

    // `-o` onto a TOML file would make the plan part of the stack.
    let main = stack_dir.join("main.toml");
    let run = fx.run(&["plan", dir, "-o", main.to_str().unwrap()]).await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert!(
        run.stderr
            .contains("a .toml file would become part of the stack"),
        "{}",
        run.both()
    );
    assert!(
        std::fs::read_to_string(&main).unwrap().contains("[stack]"),
        "the stack is intact"
    );

    // Nor over a file that is not a saved plan.
    let notes = fx.file("notes.txt");
    std::fs::write(&notes, "my notes").unwrap();
    let run = fx.run(&["plan", dir, "-o", notes.to_str().unwrap()]).await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes");
    // Binary files included (they are not text, let alone a saved plan).
    let photo = fx.file("photo.jpg");
    std::fs::write(&photo, [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]).unwrap();
    let run = fx.run(&["plan", dir, "-o", photo.to_str().unwrap()]).await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert_eq!(
        std::fs::read(&photo).unwrap(),
        [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]
    );

    // The JSON of `plan --format json` is not a saved plan: said so, not parsed as TOML.
    let json = fx.file("plan.json");
    let shown = fx.run(&["plan", dir, "--format", "json"]).await;
    std::fs::write(&json, &shown.stdout).unwrap();
    let run = fx.run(&["apply", json.to_str().unwrap()]).await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert!(
        run.stderr.contains("is JSON, not a saved plan"),
        "{}",
        run.both()
    );
    assert!(!run.stderr.contains("invalid TOML"), "{}", run.both());

    // A saved plan given to `plan` is named for what it is.
    let saved = fx.file("release.plan");
    let saved = saved.to_str().unwrap();
    assert_eq!(fx.run(&["plan", dir, "-o", saved]).await.code, Some(0));
    let run = fx.run(&["plan", saved]).await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert!(
        run.stderr.contains("is a saved plan, not a stack"),
        "{}",
        run.both()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_targeted_plan_says_it_is_partial() {
    let fx = Fixture::quick(&stack("nginx:1.27")).await;
    let dir = fx.stack();
    let dir = dir.to_str().unwrap();
    let run = fx.run(&["plan", dir, "--target", "web"]).await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert!(
        run.stderr.contains("did you mean `container_group.web`?"),
        "{}",
        run.both()
    );

    let run = fx
        .run(&["plan", dir, "--target", "container_group.web"])
        .await;
    assert_eq!(run.code, Some(0), "{}", run.both());
    assert!(
        run.stdout.contains("Note: --target limited this plan"),
        "{}",
        run.both()
    );
}
