//! Every kind of spec mistake: its message, the source text its label points at, and
//! (through `expect_error`) the file:line:col the rendered diagnostic shows.

use crate::spec_support::{HEAD, WEB, errors, errors_in, expect_error, load};

/// HEAD + WEB with `from` replaced by `to` (which must occur).
fn web_with(from: &str, to: &str) -> String {
    let text = format!("{HEAD}{WEB}");
    assert!(text.contains(from), "`{from}` not in the base stack");
    text.replacen(from, to, 1)
}

/// HEAD + WEB + extra lines at the end (inside the last table unless a header starts them).
fn web_plus(extra: &str) -> String {
    format!("{HEAD}{WEB}{extra}")
}

/// A container group `g` whose table body is `body`, after HEAD.
fn group(body: &str) -> String {
    format!("{HEAD}\n[container_group.g]\nresource_group = \"main\"\n{body}")
}

const C1: &str = "\n[[container_group.g.containers]]\nname = \"a\"\nimage = \"x\"\ncpu = 1\n\
    memory_gb = 1\nports = [80]\n";

#[test]
fn the_base_stack_is_valid() {
    assert!(errors_in(&web_plus("")).is_empty());
}

#[test]
fn toml_syntax_errors_point_at_the_spot() {
    let all = errors_in(&web_with("cpu = 1.0", "cpu = 1.0.0"));
    let e = &all[0];
    assert!(e.message.starts_with("invalid TOML"), "{}", e.message);
    assert!(e.at.starts_with("main.toml:16:"), "{}", e.at);
}

#[test]
fn names_charset_and_length() {
    let all = errors_in(&web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\nname = \"Web_1\"",
    ));
    let e = expect_error(&all, "invalid container group name", "\"Web_1\"");
    assert!(e.rendered.contains("uppercase letters are not allowed"));

    let long = "a".repeat(64);
    let all = errors_in(&web_with("name = \"web\"", &format!("name = \"{long}\"")));
    expect_error(&all, "invalid container name", &format!("\"{long}\""));

    let all = errors_in(&format!("{HEAD}name = \"rg.\"\n{WEB}"));
    expect_error(&all, "invalid resource group name", "\"rg.\"");

    let all = errors_in(&web_plus(
        "\n[[container_group.web.volumes]]\nname = \"c\"\nempty_dir = {}\n",
    ));
    let e = expect_error(
        &all,
        "invalid volume name",
        "[[container_group.web.volumes]]",
    );
    assert!(e.rendered.contains("must be 5-63 characters"));

    let all = errors_in(&HEAD.replace("name = \"test\"", "name = \"Test Stack\""));
    expect_error(&all, "invalid stack name", "\"Test Stack\"");

    let all = errors_in(&web_with(
        "ports = [80]",
        "ports = [80]\nenv = { _BAD = \"1\" }",
    ));
    expect_error(&all, "invalid environment variable name `_BAD`", "\"1\"");
}

#[test]
fn cpu_and_memory_ranges_and_steps() {
    let all = errors_in(&web_with("cpu = 1.0", "cpu = 0"));
    expect_error(&all, "`cpu` must be at least 0.01 cores", "0");
    let all = errors_in(&web_with("cpu = 1.0", "cpu = 0.333"));
    expect_error(&all, "`cpu` must be a multiple of 0.01 cores", "0.333");
    let all = errors_in(&web_with("memory_gb = 1.5", "memory_gb = 1.25"));
    expect_error(&all, "`memory_gb` must be a multiple of 0.1 GB", "1.25");
    let all = errors_in(&web_with("memory_gb = 1.5", "memory_gb = -1"));
    expect_error(&all, "`memory_gb` must be at least 0.1 GB", "-1");
    let all = errors_in(&web_with("cpu = 1.0", "cpu = nan"));
    expect_error(&all, "`cpu` must be a finite number", "nan");
    let e = expect_error(
        &errors_in(&web_with("cpu = 1.0", "cpu = \"1.0\"")),
        "`cpu` must be a number",
        "\"1.0\"",
    );
    assert_eq!(e.help.as_deref(), Some("write the number without quotes"));
}

#[test]
fn limits_against_requests_and_group_totals() {
    let all = errors_in(&web_with("cpu = 1.0", "cpu = 1.0\ncpu_limit = 0.5"));
    expect_error(&all, "`cpu_limit` is below `cpu`", "0.5");
    let all = errors_in(&web_with(
        "memory_gb = 1.5",
        "memory_gb = 1.5\nmemory_gb_limit = 3",
    ));
    expect_error(
        &all,
        "`memory_gb_limit` is above the group's total `memory_gb` request of 1.5",
        "3",
    );

    let all = errors_in(&web_with("cpu = 1.0", "cpu = 32"));
    expect_error(
        &all,
        "the containers request 32 cores in total; a standard container group may request at \
            most 31",
        "web",
    );
    let all = errors_in(
        &web_with(
            "resource_group = \"main\"",
            "resource_group = \"main\"\npriority = \"Spot\"",
        )
        .replace("cpu = 1.0", "cpu = 5"),
    );
    expect_error(
        &all,
        "the containers request 5 cores in total; a Spot container group may request at most 4",
        "web",
    );
    let all = errors_in(&web_with("memory_gb = 1.5", "memory_gb = 241"));
    expect_error(
        &all,
        "the containers request 241 GB in total; a standard container group may request at most \
            240",
        "web",
    );
}

#[test]
fn ports_range_exposure_and_count() {
    let all = errors_in(&web_with("ports = [80]", "ports = [70000]"));
    expect_error(&all, "`ports` must be between 1 and 65535", "70000");
    let all = errors_in(&web_with("ports = [80]", "ports = [\"80/sctp\"]"));
    expect_error(&all, "invalid port in `ports`", "\"80/sctp\"");

    let ip = "resource_group = \"main\"\nip_address = { type = \"Public\", ports = [80, 8080] }";
    let all = errors_in(&web_with("resource_group = \"main\"", ip));
    expect_error(
        &all,
        "port 8080 of `ip_address` is not exposed by any container",
        "8080",
    );
    let ip = "resource_group = \"main\"\nip_address = { type = \"Public\", ports = [\"80/udp\"] }";
    let all = errors_in(&web_with("resource_group = \"main\"", ip));
    expect_error(
        &all,
        "port 80/udp of `ip_address` is not exposed by any container",
        "\"80/udp\"",
    );

    let six = "ports = [1, 2, 3, 4, 5, 6]";
    let all = errors_in(&web_with("ports = [80]", six).replace(
        "resource_group = \"main\"\n\n[[",
        "resource_group = \"main\"\nip_address = { type = \"Public\" }\n\n[[",
    ));
    let e = expect_error(
        &all,
        "`ip_address` has 6 ports; ACI allows at most 5",
        "{ type = \"Public\" }",
    );
    assert!(e.help.unwrap().contains("default to every container port"));

    let all = errors_in(&web_with("ports = [80]", "ports = [80, 80]"));
    expect_error(&all, "duplicate port in this container", "80");

    let no_ports = web_with("ports = [80]", "").replace(
        "resource_group = \"main\"\n\n[[",
        "resource_group = \"main\"\nip_address = { type = \"Public\" }\n\n[[",
    );
    expect_error(
        &errors_in(&no_ports),
        "`ip_address` has no ports",
        "{ type = \"Public\" }",
    );
}

#[test]
fn ip_ports_default_to_the_union_of_container_ports() {
    let text = web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\nip_address = { type = \"Public\" }",
    )
    .replace("ports = [80]", "ports = [80, \"53/udp\"]");
    let stack = load(&[("main.toml", &text)], &[]).unwrap();
    let ip = stack.container_groups["web"].ip_address.as_ref().unwrap();
    let ports: Vec<String> = ip.ports.iter().map(|p| p.to_string()).collect();
    assert_eq!(ports, ["80", "53/udp"]);
    assert!(ip.ports_defaulted);
}

#[test]
fn unique_container_volume_and_server_names() {
    let second = "\n[[container_group.web.containers]]\nname = \"web\"\nimage = \"x\"\ncpu = 1\n\
        memory_gb = 1\n";
    let all = errors_in(&web_plus(second));
    let e = expect_error(&all, "duplicate container name in this group", "\"web\"");
    assert!(e.at.starts_with("main.toml:21:"), "{}", e.at);

    let vols = "\n[[container_group.web.volumes]]\nname = \"cache\"\nempty_dir = {}\n\n\
        [[container_group.web.volumes]]\nname = \"cache\"\nempty_dir = {}\n";
    expect_error(
        &errors_in(&web_plus(vols)),
        "duplicate volume name in this group",
        "[[container_group.web.volumes]]",
    );

    let creds = "\n[[container_group.web.image_registry_credentials]]\nserver = \"a.io\"\n\
        username = \"u\"\npassword = \"p\"\n\n\
        [[container_group.web.image_registry_credentials]]\nserver = \"A.io\"\n\
        username = \"u\"\npassword = \"p\"\n";
    expect_error(
        &errors_in(&web_plus(creds)),
        "duplicate registry server in this group",
        "\"A.io\"",
    );
}

#[test]
fn mounts_must_name_a_declared_volume() {
    let text = web_with(
        "ports = [80]",
        "ports = [80]\nvolume_mounts = [{ name = \"cach\", mount_path = \"/c\" }]",
    ) + "\n[[container_group.web.volumes]]\nname = \"cache\"\nempty_dir = {}\n";
    let e = expect_error(
        &errors_in(&text),
        "volume mount names an undeclared volume `cach`",
        "{ name = \"cach\", mount_path = \"/c\" }",
    );
    assert_eq!(e.help.as_deref(), Some("did you mean `cache`?"));

    let text = web_with(
        "ports = [80]",
        "ports = [80]\nvolume_mounts = [{ name = \"cache\", mount_path = \"c:/x\" }]",
    ) + "\n[[container_group.web.volumes]]\nname = \"cache\"\nempty_dir = {}\n";
    expect_error(
        &errors_in(&text),
        "`mount_path` cannot contain `:`",
        "\"c:/x\"",
    );
}

#[test]
fn enum_values_with_suggestions() {
    let all = errors_in(&web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\nrestart_policy = \"OnFailur\"",
    ));
    let e = expect_error(&all, "invalid `restart_policy`", "\"OnFailur\"");
    assert_eq!(e.help.as_deref(), Some("did you mean `OnFailure`?"));
    assert!(
        e.rendered
            .contains("expected one of `Always`, `OnFailure`, `Never`")
    );

    let all = errors_in(&web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\nstate = \"paused\"",
    ));
    expect_error(&all, "invalid `state`", "\"paused\"");
    let ok = web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\nos_type = \"linux\"",
    );
    assert!(
        errors_in(&ok).is_empty(),
        "enums match case-insensitively as in ARM"
    );
}

#[test]
fn exactly_one_volume_kind() {
    let none = web_plus("\n[[container_group.web.volumes]]\nname = \"cache\"\n");
    expect_error(
        &errors_in(&none),
        "a volume needs one of `empty_dir`, `azure_file`, `secret`, `git_repo`",
        "[[container_group.web.volumes]]",
    );
    let two = web_plus(
        "\n[[container_group.web.volumes]]\nname = \"cache\"\nempty_dir = {}\n\
            git_repo = { repository = \"r\" }\n",
    );
    let e = expect_error(
        &errors_in(&two),
        "a volume needs exactly one of `empty_dir`, `azure_file`, `secret`, `git_repo`",
        "git_repo",
    );
    assert!(e.rendered.contains("first volume kind"));
}

#[test]
fn required_fields() {
    let all = errors_in(&web_with("image = \"nginx:${vars.tag}\"\n", ""));
    expect_error(
        &all,
        "missing field `image` in a container",
        "[[container_group.web.containers]]",
    );
    let all = errors_in(&web_with("resource_group = \"main\"\n", ""));
    expect_error(
        &all,
        "missing field `resource_group` in a container group",
        "web",
    );
    let all = errors_in(&HEAD.replace("name = \"test\"\n", ""));
    expect_error(&all, "missing field `name` in [stack]", "[stack]");
    let all = errors_in(&web_with(
        "ports = [80]",
        "ports = [80]\nliveness_probe = { http_get = { path = \"/\" } }",
    ));
    expect_error(
        &all,
        "missing field `port` in `http_get`",
        "{ path = \"/\" }",
    );
    expect_error(
        &errors_in(&group("")),
        "missing field `containers` in a container group",
        "g",
    );
}

#[test]
fn unknown_fields_get_did_you_mean() {
    let all = errors_in(&web_with("image =", "imagee ="));
    let e = expect_error(&all, "unknown field `imagee` in a container", "imagee");
    assert_eq!(e.help.as_deref(), Some("did you mean `image`?"));
    let all = errors_in(&web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\nrestart = \"Never\"",
    ));
    expect_error(
        &all,
        "unknown field `restart` in a container group",
        "restart",
    );
    let all = errors_in(&format!("{HEAD}\n[container_groups.x]\n"));
    let e = expect_error(&all, "unknown table `container_groups`", "container_groups");
    assert_eq!(e.help.as_deref(), Some("did you mean `container_group`?"));
}

#[test]
fn duplicate_addresses_across_files() {
    let files = [
        ("a.toml", format!("{HEAD}{WEB}")),
        ("b.toml", WEB.to_string()),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let all = errors(&files, &[]);
    let e = expect_error(&all, "container_group.web is defined twice", "web");
    assert!(e.at.starts_with("b.toml:"), "{}", e.at);
    assert!(
        e.rendered.contains("a.toml:"),
        "the first definition is shown too:\n{}",
        e.rendered
    );

    let files = [("a.toml", HEAD), ("b.toml", "[stack]\nname = \"x\"\n")];
    expect_error(&errors(&files, &[]), "[stack] is defined twice", "[stack]");
}

#[test]
fn unknown_resource_group_key() {
    let all = errors_in(&web_with(
        "resource_group = \"main\"",
        "resource_group = \"mian\"",
    ));
    let e = expect_error(&all, "unknown resource group key `mian`", "\"mian\"");
    assert_eq!(e.help.as_deref(), Some("did you mean `main`?"));
}

#[test]
fn references_env_and_vars() {
    let all = errors_in(&web_with("nginx:${vars.tag}", "nginx:${vars.tga}"));
    let e = expect_error(&all, "unknown variable `tga`", "${vars.tga}");
    assert_eq!(e.help.as_deref(), Some("did you mean `tag`?"));

    let all = errors_in(&web_with("nginx:${vars.tag}", "nginx:${env.NOT_SET_X}"));
    expect_error(
        &all,
        "environment variable `NOT_SET_X` is not set",
        "${env.NOT_SET_X}",
    );

    let all = errors_in(&web_with("nginx:${vars.tag}", "${container_group.wbe.ip}"));
    let e = expect_error(
        &all,
        "unknown resource `container_group.wbe`",
        "${container_group.wbe.ip}",
    );
    assert_eq!(e.help.as_deref(), Some("did you mean `web`?"));

    let all = errors_in(&web_with("nginx:${vars.tag}", "${resource_group.main.ip}"));
    expect_error(
        &all,
        "unknown attribute `ip` of resource_group.main",
        "${resource_group.main.ip}",
    );

    let all = errors_in(&web_with("nginx:${vars.tag}", "${var.tag}"));
    let e = expect_error(&all, "cannot understand `${var.tag}`", "${var.tag}");
    assert_eq!(e.help.as_deref(), Some("did you mean `vars`?"));

    let all = errors_in(&web_with("nginx:${vars.tag}", "nginx:${vars.tag"));
    expect_error(&all, "unterminated `${`", "${vars.tag");

    let ok = web_with("nginx:${vars.tag}", "$${literal}");
    let stack = load(&[("main.toml", &ok)], &[]).unwrap();
    assert_eq!(
        stack.container_groups["web"].containers[0].image.literal(),
        Some("${literal}")
    );
}

#[test]
fn references_to_values_that_never_exist() {
    // `web` has no ip_address: neither its ip nor its fqdn will ever exist.
    let other = "\n[container_group.api]\nresource_group = \"main\"\n\
        [[container_group.api.containers]]\nname = \"api\"\nimage = \"x\"\ncpu = 1\n\
        memory_gb = 1\nenv = { WEB = \"http://${container_group.web.fqdn}\" }\n";
    let all = errors_in(&web_plus(other));
    let e = expect_error(
        &all,
        "`container_group.web.fqdn` never has a value: it has no `ip_address`",
        "${container_group.web.fqdn}",
    );
    assert!(e.help.as_deref().unwrap_or("").contains("dns_name_label"));

    // With a public IP but no DNS label, the ip exists and the fqdn does not.
    let with_ip = web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\nip_address = { type = \"Public\" }",
    );
    let all = errors_in(&format!("{with_ip}{other}"));
    expect_error(
        &all,
        "`container_group.web.fqdn` never has a value: its `ip_address` has no `dns_name_label`",
        "${container_group.web.fqdn}",
    );
    let ip_ok = other.replace(".fqdn", ".ip");
    assert!(errors_in(&format!("{with_ip}{ip_ok}")).is_empty());
}

#[test]
fn tags_aciform_reserves_or_azure_refuses() {
    let all = errors_in(&web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\ntags = { \"ACIFORM-STACK\" = \"other\" }",
    ));
    let e = expect_error(
        &all,
        "tag `ACIFORM-STACK` uses aciform's reserved prefix",
        "\"other\"",
    );
    assert!(e.help.as_deref().unwrap_or("").contains("ownership"));

    let all = errors_in(&web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\ntags = { Owner = \"a\", owner = \"b\" }",
    ));
    expect_error(
        &all,
        "tags `Owner` and `owner` are the same tag in Azure",
        "\"b\"",
    );

    let all = errors_in(&web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\ntags = { \"a/b\" = \"x\" }",
    ));
    expect_error(&all, "invalid tag name `a/b`", "\"x\"");
}

#[test]
fn identity_fields_take_only_static_references() {
    let all = errors_in(&format!(
        "{HEAD}{}",
        WEB.replace(
            "resource_group = \"main\"",
            "resource_group = \"main\"\nname = \"${container_group.web.ip}\""
        )
    ));
    expect_error(
        &all,
        "`name` cannot use `container_group.web.ip`",
        "${container_group.web.ip}",
    );

    let text = format!("{HEAD}name = \"${{resource_group.main.name}}\"\n{WEB}");
    expect_error(
        &errors_in(&text),
        "this value depends on itself through name/location references",
        "\"${resource_group.main.name}\"",
    );
}

#[test]
fn a_resource_group_needs_a_location() {
    let text = format!("{HEAD}{WEB}").replace("location = \"westeurope\"\n", "");
    expect_error(
        &errors_in(&text),
        "resource group `main` has no location",
        "main",
    );
}

#[test]
fn graph_cycles_name_every_resource_with_spans() {
    let a = "\n[container_group.a]\nresource_group = \"main\"\n\
        depends_on = [\"container_group.b\"]\n[[container_group.a.containers]]\nname = \"a\"\n\
        image = \"x\"\ncpu = 1\nmemory_gb = 1\n";
    let b = "\n[container_group.b]\nresource_group = \"main\"\n\
        [[container_group.b.containers]]\nname = \"b\"\nimage = \"${container_group.a.id}\"\n\
        cpu = 1\nmemory_gb = 1\n";
    let files = [("a.toml", format!("{HEAD}{a}")), ("b.toml", b.to_string())];
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let all = errors(&files, &[]);
    let e = expect_error(
        &all,
        "dependency cycle between container_group.a, container_group.b",
        "\"container_group.b\"",
    );
    assert!(
        e.rendered.contains("b.toml:6:"),
        "the other edge is labelled:\n{}",
        e.rendered
    );
    assert!(e.rendered.contains("refers to container_group.a"));

    let own = WEB.replace("nginx:${vars.tag}", "${container_group.web.name}");
    let all = errors_in(&format!("{HEAD}{own}"));
    expect_error(
        &all,
        "container_group.web depends on itself",
        "${container_group.web.name}",
    );
}

#[test]
fn unknown_depends_on() {
    let all = errors_in(&web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\ndepends_on = [\"container_group.wbe\"]",
    ));
    let e = expect_error(
        &all,
        "unknown resource `container_group.wbe` in depends_on",
        "\"container_group.wbe\"",
    );
    assert_eq!(
        e.help.as_deref(),
        Some("did you mean `container_group.web`?")
    );
    let all = errors_in(&web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\ndepends_on = [\"web\"]",
    ));
    expect_error(
        &all,
        "invalid `depends_on` entry: `web` is not an address: expected TYPE.KEY, e.g. \
            container_group.web",
        "\"web\"",
    );
}

#[test]
fn several_independent_errors_are_all_reported() {
    let text = web_with("cpu = 1.0", "cpu = 0.333")
        .replace("image =", "imagee =")
        .replace("name = \"test\"", "name = \"Te st\"");
    let all = errors_in(&text);
    let messages: Vec<&str> = all.iter().map(|s| s.message.as_str()).collect();
    assert!(messages.contains(&"invalid stack name"), "{messages:?}");
    assert!(
        messages.contains(&"unknown field `imagee` in a container"),
        "{messages:?}"
    );
    let stack_errors = crate::spec_support::load(&[("main.toml", &text)], &[]).unwrap_err();
    assert!(stack_errors.to_string().contains("errors"));
}

#[test]
fn nul_characters_are_refused() {
    let all = errors_in(&web_with("nginx:${vars.tag}", "nginx\\u0000"));
    expect_error(
        &all,
        "strings cannot contain NUL characters",
        "\"nginx\\u0000\"",
    );
    let all = crate::spec_support::errors(
        &[("main.toml", &web_with("nginx:${vars.tag}", "${env.NUL}"))],
        &[("NUL", "a\0b")],
    );
    expect_error(
        &all,
        "this value contains a NUL character, which is not allowed",
        "${env.NUL}",
    );
}

#[test]
fn windows_groups() {
    let two =
        "\n[[container_group.g.containers]]\nname = \"b\"\nimage = \"x\"\ncpu = 1\nmemory_gb = 1\n";
    let text = group(&format!("os_type = \"Windows\"\n{C1}{two}"));
    expect_error(
        &errors_in(&text),
        "a Windows container group can have only one container",
        "[[container_group.g.containers]]",
    );
    let vol = "\n[[container_group.g.volumes]]\nname = \"cache\"\nempty_dir = {}\n";
    let text = group(&format!("os_type = \"Windows\"\n{C1}{vol}"));
    expect_error(
        &errors_in(&text),
        "a Windows container group cannot have volumes",
        "[[container_group.g.volumes]]",
    );
}

#[test]
fn spot_groups() {
    let text = group(&format!(
        "priority = \"Spot\"\nzones = [\"1\"]\nip_address = {{ type = \"Public\" }}\n{C1}"
    ));
    let all = errors_in(&text);
    expect_error(
        &all,
        "a Spot container group cannot have a public IP",
        "{ type = \"Public\" }",
    );
    expect_error(&all, "a Spot container group cannot have zones", "[\"1\"]");
    let text = group(&format!(
        "priority = \"Spot\"\nsubnet_ids = [\"/s\"]\nip_address = {{ type = \"Private\" }}\n{C1}"
    ));
    expect_error(
        &errors_in(&text),
        "a Spot container group cannot have subnets",
        "[\"/s\"]",
    );
}

#[test]
fn networking_rules() {
    let text = group(&format!(
        "ip_address = {{ type = \"Private\", dns_name_label = \"my-label\" }}\n\
            subnet_ids = [\"/s\"]\n{C1}"
    ));
    expect_error(
        &errors_in(&text),
        "`dns_name_label` needs a public IP",
        "\"my-label\"",
    );
    let text = group(&format!(
        "ip_address = {{ type = \"Public\" }}\nsubnet_ids = [\"/s\"]\n{C1}"
    ));
    expect_error(
        &errors_in(&text),
        "`subnet_ids` cannot be used with a public IP",
        "[\"/s\"]",
    );
    let text = group(&format!("ip_address = {{ type = \"Private\" }}\n{C1}"));
    expect_error(
        &errors_in(&text),
        "a private IP needs `subnet_ids`",
        "{ type = \"Private\" }",
    );
    let text = group(&format!(
        "ip_address = {{ type = \"Public\", dns_name_label = \"ab\" }}\n{C1}"
    ));
    let e = expect_error(&errors_in(&text), "invalid `dns_name_label`", "\"ab\"");
    assert!(e.rendered.contains("must be 5-63 characters"));
    let text = group(&format!(
        "ip_address = {{ type = \"Public\", dns_name_label = \"-abcde\" }}\n{C1}"
    ));
    expect_error(&errors_in(&text), "invalid `dns_name_label`", "\"-abcde\"");
}

#[test]
fn counts_of_containers_and_volumes() {
    let many: String = (0..61)
        .map(|i| {
            format!(
                "\n[[container_group.g.containers]]\n\
        name = \"c{i}\"\nimage = \"x\"\ncpu = 0.1\nmemory_gb = 0.1\n"
            )
        })
        .collect();
    expect_error(
        &errors_in(&group(&many)),
        "61 containers; ACI allows at most 60 per group",
        "[[container_group.g.containers]]",
    );
    let vols: String = (0..21)
        .map(|i| {
            format!("\n[[container_group.g.volumes]]\nname = \"vol{i:02}\"\nempty_dir = {{}}\n")
        })
        .collect();
    expect_error(
        &errors_in(&group(&format!("{C1}{vols}"))),
        "21 volumes; ACI allows at most 20 per group",
        "[[container_group.g.volumes]]",
    );
    expect_error(
        &errors_in(&group("containers = []\n")),
        "a container group needs at least one container",
        "[]",
    );
}

#[test]
fn init_containers_have_no_ports_probes_or_resources() {
    let init = "\n[[container_group.g.init_containers]]\nname = \"init\"\nimage = \"x\"\n\
        cpu = 1\nports = [80]\n";
    let all = errors_in(&group(&format!("{C1}{init}")));
    expect_error(&all, "an init container cannot have `cpu`", "cpu");
    expect_error(&all, "an init container cannot have `ports`", "ports");
}

#[test]
fn env_and_secure_env_overlap() {
    let all = errors_in(&web_with(
        "ports = [80]",
        "ports = [80]\nenv = { A = \"1\" }\nsecure_env = { A = \"2\" }",
    ));
    let e = expect_error(&all, "`A` is set in both `env` and `secure_env`", "\"2\"");
    assert!(
        !e.rendered.contains("\"2\""),
        "the secret literal is masked:\n{}",
        e.rendered
    );
}

#[test]
fn probes_need_exactly_one_action() {
    let all = errors_in(&web_with(
        "ports = [80]",
        "ports = [80]\nliveness_probe = { period_seconds = 5 }",
    ));
    expect_error(
        &all,
        "a probe needs exactly one of `exec` and `http_get`",
        "{ period_seconds = 5 }",
    );
    let both = "ports = [80]\nreadiness_probe = { exec = [\"true\"], http_get = { port = 80 } }";
    expect_error(
        &errors_in(&web_with("ports = [80]", both)),
        "a probe needs exactly one of `exec` and `http_get`",
        "{ port = 80 }",
    );
}

#[test]
fn registry_credentials() {
    let uai = "/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/\
               userAssignedIdentities/pull";
    let both = format!(
        "\n[[container_group.web.image_registry_credentials]]\nserver = \"a.io\"\n\
            username = \"u\"\npassword = \"p\"\nidentity = \"{uai}\"\n"
    );
    expect_error(
        &errors_in(&web_plus(&both)),
        "a registry credential needs exactly one of `password` and `identity`",
        &format!("\"{uai}\""),
    );
    let none = "\n[[container_group.web.image_registry_credentials]]\nserver = \"a.io\"\n";
    expect_error(
        &errors_in(&web_plus(none)),
        "a registry credential needs one of `password` and `identity`",
        "[[container_group.web.image_registry_credentials]]",
    );
    let scheme = "\n[[container_group.web.image_registry_credentials]]\n\
        server = \"https://a.io\"\nusername = \"u\"\npassword = \"p\"\n";
    expect_error(
        &errors_in(&web_plus(scheme)),
        "`server` is a host name, without scheme or path",
        "\"https://a.io\"",
    );
    let no_user = "\n[[container_group.web.image_registry_credentials]]\nserver = \"a.io\"\n\
        password = \"p\"\n";
    expect_error(
        &errors_in(&web_plus(no_user)),
        "a registry password needs a `username`",
        "\"p\"",
    );
    let unassigned = format!(
        "\n[[container_group.web.image_registry_credentials]]\nserver = \"a.io\"\n\
            identity = \"{uai}\"\n"
    );
    expect_error(
        &errors_in(&web_plus(&unassigned)),
        "the registry identity is not a user-assigned identity of this group",
        &format!("\"{uai}\""),
    );
}

#[test]
fn identity_type_and_user_assigned_agree() {
    let all = errors_in(&web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\nidentity = { type = \"UserAssigned\" }",
    ));
    expect_error(
        &all,
        "identity type `UserAssigned` needs `user_assigned` identities",
        "{ type = \"UserAssigned\" }",
    );
    let all = errors_in(&web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\n\
            identity = { type = \"SystemAssigned\", user_assigned = [\"/x\"] }",
    ));
    expect_error(
        &all,
        "identity type `SystemAssigned` takes no `user_assigned` identities",
        "\"/x\"",
    );
}

#[test]
fn secret_volume_contents_are_base64() {
    let vol = "\n[[container_group.web.volumes]]\nname = \"conf1\"\n\
        secret = { \"a.conf\" = \"not base64!\" }\n";
    let e = expect_error(
        &errors_in(&web_plus(vol)),
        "the content of secret file `a.conf` is not base64",
        "\"not base64!\"",
    );
    assert!(
        !e.rendered.contains("not base64!\""),
        "masked:\n{}",
        e.rendered
    );
}

#[test]
fn lifecycle_paths_are_checked() {
    let all = errors_in(&web_with(
        "resource_group = \"main\"",
        "resource_group = \"main\"\nlifecycle = { ignore_changes = [\"container.web.image\"] }",
    ));
    let e = expect_error(
        &all,
        "`ignore_changes` cannot name `container`",
        "\"container.web.image\"",
    );
    assert_eq!(e.help.as_deref(), Some("did you mean `containers`?"));
}

#[test]
fn duplicate_azure_names() {
    let second = WEB
        .replace("container_group.web", "container_group.web2")
        .replace(
            "resource_group = \"main\"",
            "resource_group = \"main\"\nname = \"web\"",
        );
    let all = errors_in(&format!("{HEAD}{WEB}{second}"));
    expect_error(
        &all,
        "container_group.web and container_group.web2 have the same Azure name in one resource \
            group",
        "\"web\"",
    );
}

#[test]
fn var_overrides_must_name_declared_vars() {
    let text = web_plus("");
    let err =
        crate::spec_support::load_with(&[("main.toml", &text)], &[], &[("tga", "2")]).unwrap_err();
    let e = &err.errors()[0];
    assert_eq!(
        e.message(),
        "--var tga: no variable `tga` is declared in [vars]"
    );
    assert_eq!(e.help_text(), Some("did you mean `tag`?"));
    let stack =
        crate::spec_support::load_with(&[("main.toml", &text)], &[], &[("tag", "2.0")]).unwrap();
    assert_eq!(
        stack.container_groups["web"].containers[0].image.literal(),
        Some("nginx:2.0")
    );
}

/// A secret that fails to decode is masked whole, also beside a good one on the same
/// line (whose exact mask used to switch the line's fallback masking off).
#[test]
fn a_secret_that_fails_to_decode_is_masked() {
    let bad = r#"secure_env = { API_KEY = "k-123456", DB_PASSWORD = "Xk9${q7!mP" }"#;
    let all = errors_in(&web_with("ports = [80]", &format!("ports = [80]\n{bad}")));
    let e = expect_error(&all, "unterminated `${`", "${q7!mP");
    for secret in ["Xk9", "q7!mP", "k-123456"] {
        assert!(
            !e.rendered.contains(secret),
            "{secret} shows:\n{}",
            e.rendered
        );
    }
    let nul = r#"secure_env = { API_KEY = "k-123456", TOKEN = "tok\u0000en-77" }"#;
    let all = errors_in(&web_with("ports = [80]", &format!("ports = [80]\n{nul}")));
    let rendered: String = all.iter().map(|e| e.rendered.clone()).collect();
    assert!(!all.is_empty());
    for secret in ["tok", "en-77", "k-123456"] {
        assert!(!rendered.contains(secret), "{secret} shows:\n{rendered}");
    }
}

/// An error far to the right on a very long line (a 70 KB certificate in a secret
/// volume) is reported with its line and column instead of a snippet: miette cannot
/// draw one past column 65,535, and used to panic.
#[test]
fn an_error_on_a_very_long_line_is_reported_without_a_snippet() {
    let long = "A".repeat(70_000);
    let toml = format!("{HEAD}big = \"{long}\" x\n");
    let all = errors_in(&toml);
    let e = all.first().expect("an error");
    let line = HEAD.lines().count() + 1;
    let at = format!("line {line}, column 70010");
    assert!(e.rendered.contains(&at), "{at} in:\n{}", e.rendered);
    assert!(e.rendered.contains("main.toml"), "{}", e.rendered);
    assert!(!e.rendered.contains("AAAA"), "no snippet of the long line");
}
