//! `destroy`: only what the stack owns goes, dependents first; neighbours it does not
//! own stay, and so does a resource group that still holds any of them (whether the
//! plan saw them or only ARM's generic resource list does); `prevent_destroy` refuses.

use aciform::emulator::EmulatorConfig;
use reqwest::Method;
use serde_json::{Value, json};

use super::{Fixture, SUB, group_path, group_toml, line_of, rg_path};

/// `main` holds `web` and `api` (which depends on it); `solo` holds `lonely`.
fn stack(lifecycle: &str) -> String {
    let mut toml = String::from(
        r#"[stack]
name = "owned"
location = "westeurope"

[resource_group.main]
name = "rg-main"

[resource_group.solo]
name = "rg-solo"
"#,
    );
    toml += &group_toml("web", "nginx:1.27", lifecycle, "");
    let env = r#"env = { WEB = "${container_group.web.ip}" }"#;
    toml += &group_toml("api", "shop/api:1", "", env);
    toml += &group_toml("lonely", "nginx:1.27", "", "")
        .replace("resource_group = \"main\"", "resource_group = \"solo\"");
    toml
}

fn foreign_group() -> Value {
    json!({
        "location": "westeurope",
        "properties": {
            "osType": "Linux",
            "containers": [{ "name": "app", "properties": {
                "image": "someone/else:1",
                "resources": { "requests": { "cpu": 0.5, "memoryInGB": 0.5 } },
            }}],
        }
    })
}

async fn put_foreign_group(fx: &Fixture, rg: &str, name: &str) {
    let status = fx
        .arm_send(Method::PUT, &group_path(rg, name), &foreign_group())
        .await;
    assert_eq!(status, 201);
    fx.settle(rg, name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_deletes_only_what_the_stack_owns() {
    let fx = Fixture::quick(&stack("")).await;
    fx.apply_ok(&[]).await;
    put_foreign_group(&fx, "rg-main", "neighbour").await;
    let other = json!({ "location": "westeurope" });
    assert_eq!(
        fx.arm_send(Method::PUT, &rg_path("rg-other"), &other).await,
        201
    );
    put_foreign_group(&fx, "rg-other", "stranger").await;

    let run = fx.destroy().await;
    assert_eq!(run.code, Some(0), "{}", run.both());
    let out = &run.stdout;
    let api_gone = line_of(out, "container_group.api: Destruction complete");
    assert!(
        api_gone < line_of(out, "container_group.web: Destroying..."),
        "{out}"
    );
    assert!(
        out.contains("resource_group.solo: Destruction complete"),
        "{out}"
    );
    assert!(!out.contains("resource_group.main: Destroying"), "{out}");
    assert!(
        out.contains("Destroy complete! Resources: 4 destroyed."),
        "{out}"
    );

    for (rg, name) in [("rg-main", "web"), ("rg-main", "api")] {
        assert_eq!(fx.group(rg, name).await, None, "{name} is gone");
    }
    assert_eq!(fx.arm_get(&rg_path("rg-solo")).await, None);
    assert!(fx.arm_get(&rg_path("rg-main")).await.is_some());
    assert!(fx.group("rg-main", "neighbour").await.is_some());
    assert!(fx.group("rg-other", "stranger").await.is_some());
    assert!(fx.arm_get(&rg_path("rg-other")).await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_group_holding_what_the_plan_cannot_see_is_not_deleted() {
    // One item per page: the generic list must follow nextLink to see everything.
    let config = EmulatorConfig {
        page_size: 1,
        ..EmulatorConfig::for_tests()
    };
    let fx = Fixture::new(config, &stack("")).await;
    fx.apply_ok(&[]).await;
    // Profiles are invisible to the plan (it reads container groups only) but would go
    // with their resource group.
    let profile = |name: &str| {
        format!(
            "/subscriptions/{SUB}/resourceGroups/rg-solo/providers/Microsoft.ContainerInstance/\
             containerGroupProfiles/{name}?api-version=2025-09-01"
        )
    };
    let mut body = foreign_group();
    body["tags"] = json!({ "team": "platform" });
    for name in ["shared", "extra"] {
        assert_eq!(fx.arm_send(Method::PUT, &profile(name), &body).await, 201);
    }

    let run = fx.destroy().await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    let out = &run.stdout;
    assert!(
        out.contains("resource_group.solo: Destruction failed"),
        "{out}"
    );
    assert!(
        out.contains(
            "resource_group.solo: destruction failed: refusing to delete resource group \
             `rg-solo`: deleting it would delete 2 resource(s) this stack does not own: "
        ),
        "{out}"
    );
    for name in ["shared", "extra"] {
        let named = format!("Microsoft.ContainerInstance/containerGroupProfiles `{name}`");
        assert!(out.contains(&named), "{out}");
        assert!(
            fx.arm_get(&profile(name)).await.is_some(),
            "{name} is untouched"
        );
    }
    assert!(out.contains("container_group.lonely: destroyed"), "{out}");
    assert!(fx.arm_get(&rg_path("rg-solo")).await.is_some());
    assert_eq!(fx.arm_get(&rg_path("rg-main")).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prevent_destroy_refuses_before_anything_is_deleted() {
    let fx = Fixture::quick(&stack("lifecycle = { prevent_destroy = true }")).await;
    fx.apply_ok(&[]).await;
    let run = fx.destroy().await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert!(run.stderr.contains("prevent_destroy"), "{}", run.both());
    assert_eq!(fx.cloud.stats().kind("delete"), 0);
    assert!(fx.group("rg-main", "web").await.is_some());
}

/// A replacement refused by `prevent_destroy` names the change that forces it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prevent_destroy_names_what_forces_a_replacement() {
    let fx = Fixture::quick(&stack("lifecycle = { prevent_destroy = true }")).await;
    fx.apply_ok(&[]).await;
    let forced = "lifecycle = { prevent_destroy = true }\nrestart_policy = \"Never\"";
    fx.write(&stack(forced));
    let run = fx.plan().await;
    assert_eq!(run.code, Some(1), "{}", run.both());
    let stderr = run.stderr.replace('\n', " ");
    assert!(
        stderr.contains("forced by: restart_policy"),
        "{}",
        run.both()
    );
}
