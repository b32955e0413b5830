//! Rendered diagnostics as users see them (no colour, 100 columns), pinned with insta.

use aciform::spec::render_plain;

use crate::spec_support::{HEAD, WEB, load};

fn render(files: &[(&str, &str)]) -> String {
    let errors = load(files, &[]).expect_err("the stack is invalid");
    render_plain(&errors)
}

#[test]
fn several_errors_in_one_report() {
    let text = format!("{HEAD}{WEB}")
        .replace("image =", "imagee =")
        .replace("cpu = 1.0", "cpu = 0.333")
        .replace(
            "resource_group = \"main\"",
            "resource_group = \"main\"\nos_type = \"Linx\"",
        );
    insta::assert_snapshot!(render(&[("main.toml", &text)]));
}

#[test]
fn a_cycle_across_files() {
    let a = "\n[container_group.a]\nresource_group = \"main\"\n\
        depends_on = [\"container_group.b\"]\n\
             [[container_group.a.containers]]\nname = \"a\"\nimage = \"x\"\ncpu = 1\n\
             memory_gb = 1\n";
    let b = "[container_group.b]\nresource_group = \"main\"\n[[container_group.b.containers]]\n\
             name = \"b\"\nimage = \"${container_group.a.id}\"\ncpu = 1\nmemory_gb = 1\n";
    let head = format!("{HEAD}{a}");
    let stack = load(&[("a.toml", &head), ("b.toml", b)], &[]).unwrap();
    let errors = aciform::graph::ResourceGraph::build(&stack).expect_err("a cycle");
    insta::assert_snapshot!(render_plain(&errors));
}

#[test]
fn a_secret_literal_is_masked_in_the_snippet() {
    let text = format!("{HEAD}{WEB}").replace(
        "ports = [80]",
        "ports = [80]\nsecure_env = { A = \"s3cr3t-value\" }\nenv = { A = \"visible\" }",
    );
    let rendered = render(&[("main.toml", &text)]);
    assert!(!rendered.contains("s3cr3t"));
    insta::assert_snapshot!(rendered);
}
