//! Failures: a permanent failure fails only its resource and what depends on it (the
//! summary names ARM's code and message verbatim, and what was skipped because of it);
//! transient faults and throttling are absorbed by retries and the apply succeeds.

use aciform::emulator::{EmulatorConfig, FaultEffect, FaultOperation, FaultRule, ThrottleConfig};

use super::{Fixture, group_toml, head, line_of};

/// `a` <- `b` <- `d`, `e` <- `f`, and `c` on its own.
fn stack(b_image: &str) -> String {
    let mut toml = head("isolated", "rg-isolated");
    toml += &group_toml("a", "nginx:1.27", "", "");
    let env = r#"env = { A = "${container_group.a.ip}" }"#;
    toml += &group_toml("b", b_image, "", env);
    toml += &group_toml("c", "nginx:1.27", "", "");
    toml += &group_toml(
        "d",
        "nginx:1.27",
        r#"depends_on = ["container_group.b"]"#,
        "",
    );
    toml += &group_toml("e", "nginx:1.27", "", "");
    toml += &group_toml(
        "f",
        "nginx:1.27",
        r#"depends_on = ["container_group.e"]"#,
        "",
    );
    toml
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_failure_fails_itself_and_skips_only_its_dependents() {
    let fx = Fixture::quick(&stack("shop/doesnotexist:1")).await;
    fx.cloud
        .faults()
        .fail_provisioning("e", "ContainerGroupDeploymentFailed", "Capacity ran out.");

    let run = fx.apply(&[]).await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    let out = &run.stdout;
    let failed = line_of(out, "Failed:");
    let skipped = line_of(out, "Skipped:");
    let done = line_of(out, "Done:");
    assert!(failed < skipped && skipped < done, "{out}");

    // ARM's code and message, verbatim.
    let b = line_of(
        out,
        "  container_group.b: creation failed: InaccessibleImage: The image",
    );
    assert!(out.contains(
        "InaccessibleImage: The image 'shop/doesnotexist:1' in container group 'b' is not \
         accessible. Please check the image and registry credential. (HTTP 400)"
    ));
    let e = line_of(out, "  container_group.e: creation failed:");
    assert!(
        out.contains("ContainerGroupDeploymentFailed: Capacity ran out."),
        "{out}"
    );
    assert!(
        failed < b && b < skipped && failed < e && e < skipped,
        "{out}"
    );

    let d = line_of(
        out,
        "  container_group.d: Skipped, because container_group.b failed",
    );
    let f = line_of(
        out,
        "  container_group.f: Skipped, because container_group.e failed",
    );
    assert!(skipped < d && d < done && skipped < f && f < done, "{out}");
    for key in ["a", "c"] {
        assert!(
            line_of(out, &format!("  container_group.{key}: created")) > done,
            "{out}"
        );
    }
    assert!(!out.contains("container_group.d: Creating"), "{out}");
    assert!(
        out.contains(
            "Apply failed. Resources: 3 added, 0 changed, 0 destroyed, 2 failed, 2 skipped."
        ),
        "{out}"
    );

    // The next plan shows exactly what is left; fixed, the apply converges.
    let plan = fx.plan().await;
    assert_eq!(plan.code, Some(2), "{}", plan.both());
    for key in ["b", "d", "f"] {
        let create = format!("container_group.{key} will be created");
        assert!(plan.stdout.contains(&create), "{}", plan.stdout);
    }
    for key in ["a", "c"] {
        assert!(
            !plan.stdout.contains(&format!("container_group.{key} ")),
            "{}",
            plan.stdout
        );
    }
    // `e` exists but its deployment failed: the plan deploys it again.
    assert!(
        plan.stdout
            .contains("container_group.e will be updated in-place")
            && plan.stdout.contains("its last deployment failed"),
        "{}",
        plan.stdout
    );
    fx.cloud.faults().clear();
    fx.write(&stack("shop/api:1"));
    fx.apply_ok(&[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_faults_and_throttling_are_absorbed() {
    let mut toml = head("flaky", "rg-flaky");
    for key in ["a", "b", "c", "d"] {
        toml += &group_toml(key, "nginx:1.27", "", "");
    }
    let env = r#"env = { A = "${container_group.a.ip}" }"#;
    toml += &group_toml("e", "nginx:1.27", "", env);
    let config = EmulatorConfig {
        fail_rate: 0.2,
        // A small budget refilled slowly: the apply must wait for it more than once.
        throttle: Some(ThrottleConfig::uniform(6, 4.0)),
        seed: Some(11),
        ..EmulatorConfig::for_tests()
    };
    let fx = Fixture::new(config, &toml).await;

    let run = fx.apply_ok(&[]).await;
    assert!(run.stdout.contains("Resources: 6 added"), "{}", run.both());
    let stats = fx.cloud.stats();
    assert!(stats.throttled > 0, "{stats:?}");
    assert!(stats.injected_failures > 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_azure_accepted_but_never_made_is_reported() {
    let stack = |image: &str| head("landed", "rg-landed") + &group_toml("web", image, "", "");
    let fx = Fixture::quick(&stack("nginx:1.27")).await;
    fx.apply_ok(&[]).await;

    fx.cloud.faults().add(FaultRule {
        name: "web".into(),
        resource_group: None,
        operation: FaultOperation::Put,
        effect: FaultEffect::IgnoreField {
            pointer: "/properties/containers/0/properties/image".into(),
        },
        times: None,
    });
    fx.write(&stack("nginx:1.28"));
    let run = fx.apply(&[]).await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert!(
        run.stdout.contains(
            "container_group.web: update failed: ARM accepted the request but these planned \
             changes did not land: containers.app.image is \"nginx:1.27\" in Azure, planned \
             \"nginx:1.28\""
        ),
        "{}",
        run.both()
    );
    // It is still to do, and done once Azure behaves.
    let plan = fx.plan().await;
    assert_eq!(plan.code, Some(2), "{}", plan.both());
    assert!(
        plan.stdout.contains("\"nginx:1.27\" -> \"nginx:1.28\""),
        "{}",
        plan.stdout
    );
    fx.cloud.faults().clear();
    fx.apply_ok(&[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_the_output_even_when_everything_fails() {
    const SECRET: &str = "s3cr3t-Value-4815162342";
    let secure = r#"secure_env = { TOKEN = "${env.APPLY_TEST_TOKEN}" }"#;
    let stack = |image: &str| head("secret", "rg-secret") + &group_toml("web", image, "", secure);
    let fx = Fixture::quick(&stack("shop/doesnotexist:1")).await;
    let stack_dir = fx.stack();
    let args = [
        "apply",
        stack_dir.to_str().unwrap(),
        "--auto-approve",
        "-vvv",
    ];
    let env = [("APPLY_TEST_TOKEN", SECRET)];

    let failed = fx.run_with_env(&args, &env).await;
    assert_eq!(failed.code, Some(1), "{}", failed.both());
    assert!(!failed.both().contains(SECRET), "{}", failed.both());

    fx.write(&stack("shop/web:1"));
    let applied = fx.run_with_env(&args, &env).await;
    assert_eq!(applied.code, Some(0), "{}", applied.both());
    assert!(!applied.both().contains(SECRET), "{}", applied.both());
    let stack_dir = fx.stack();
    let plan_args = ["plan", stack_dir.to_str().unwrap(), "--detailed-exitcode"];
    let plan = fx.run_with_env(&plan_args, &env).await;
    assert_eq!(
        plan.code,
        Some(0),
        "the secret is compared by hash: {}",
        plan.both()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containers_that_do_not_start_are_reported_after_a_successful_deployment() {
    // ARM calls the deployment a success; the containers crash and restart.
    let mut config = EmulatorConfig::for_tests();
    config.operation_time = std::time::Duration::from_millis(150);
    config.container_cycle = std::time::Duration::from_millis(20);
    let mut toml = head("partial", "rg-partial");
    toml += &group_toml("crashy", "shop/api:crashloop", "", "");
    let fx = Fixture::new(config, &toml).await;

    let run = fx.apply(&[]).await;
    assert_eq!(run.code, Some(0), "{}", run.both());
    assert!(
        run.stdout.contains("container_group.crashy: container")
            && run.stdout.contains("restarted")
            && run.stdout.contains("latest warning: BackOff"),
        "{}",
        run.stdout
    );
}
