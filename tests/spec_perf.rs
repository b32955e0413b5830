//! A 1,000-container-group stack loads and its graph builds. How fast is measured by
//! the benchmark (docs/performance.md), not here: a timed test on a shared CI machine
//! proves nothing and flakes.

use aciform::graph::ResourceGraph;
use aciform::spec::{LoadOptions, load_stack};

/// Writes a stack of 50 resource groups and 1,000 container groups (two containers,
/// a volume, a probe, references between groups) over 11 files.
pub fn write_big_stack(dir: &std::path::Path) {
    let mut head = String::from(
        "[stack]\nname = \"big\"\nlocation = \"westeurope\"\n\n[vars]\ntag = \"1.25.3\"\n",
    );
    for i in 0..50 {
        head.push_str(&format!(
            "\n[resource_group.rg{i}]\nname = \"rg-big-{i}\"\n"
        ));
    }
    std::fs::write(dir.join("stack.toml"), head).unwrap();

    for file in 0..10 {
        let mut text = String::new();
        for i in file * 100..(file + 1) * 100 {
            let peer = if i == 0 {
                "none".to_string()
            } else {
                format!("http://${{container_group.cg{}.ip}}", i - 1)
            };
            text.push_str(&format!(
                r#"
[container_group.cg{i}]
resource_group = "rg{rg}"
name = "cg-{i}"
ip_address = {{ type = "Public", dns_name_label = "big-cg-{i}" }}
tags = {{ tier = "web" }}

[[container_group.cg{i}.containers]]
name = "web"
image = "nginx:${{vars.tag}}"
cpu = 1.0
memory_gb = 1.5
ports = [80, 443]
env = {{ MODE = "prod", PEER = "{peer}" }}
secure_env = {{ KEY = "${{env.BIG_KEY}}" }}
liveness_probe = {{ http_get = {{ path = "/healthz", port = 80 }}, period_seconds = 10 }}
volume_mounts = [{{ name = "cache", mount_path = "/cache" }}]

[[container_group.cg{i}.containers]]
name = "sidecar"
image = "busybox:1.36"
command = ["sh", "-c", "sleep infinity"]
cpu = 0.5
memory_gb = 0.5

[[container_group.cg{i}.volumes]]
name = "cache"
empty_dir = {{}}
"#,
                rg = i % 50
            ));
        }
        std::fs::write(dir.join(format!("cg{file}.toml")), text).unwrap();
    }
}

#[test]
fn a_thousand_container_groups_load_and_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = match std::env::var_os("ACIFORM_WRITE_BIG_STACK") {
        Some(keep) => std::path::PathBuf::from(keep),
        None => dir.path().to_path_buf(),
    };
    std::fs::create_dir_all(&path).unwrap();
    write_big_stack(&path);

    let mut opts = LoadOptions::default();
    opts.env.insert("BIG_KEY".into(), "k".into());
    let stack = load_stack(&path, &opts).unwrap();
    let graph = ResourceGraph::build(&stack).unwrap();

    assert_eq!(stack.container_groups.len(), 1000);
    assert_eq!(graph.order().len(), 1050);
}
