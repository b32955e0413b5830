//! `aciform validate` and `aciform graph` as users run them: exit codes, stdout and
//! stderr, the examples of specs/, DOT that graphviz renders, secrets kept out.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::spec_support::{HEAD, WEB};
use crate::support::{aciform, repo_root};

/// The environment the examples read their secrets from.
const FULL_ENV: &[(&str, &str)] = &[
    ("SHOP_API_KEY", "api-key-value"),
    ("SHOP_DB_URL", "postgres://db"),
    ("ACR_PASSWORD", "acr-password-value"),
    ("LAW_KEY", "law-key-value"),
    ("STORAGE_KEY", "storage-key-value"),
    ("ACI_SECURE_VALUE", "quickstart-secret-value"),
    ("STOREFRONT_DB_PASSWORD", "storefront-secret-value"),
];

fn example_dirs() -> Vec<std::path::PathBuf> {
    let root = repo_root().join("specs/examples");
    let mut dirs: Vec<_> = std::fs::read_dir(root)
        .expect("specs/examples exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn validate_accepts_every_example() {
    let dirs = example_dirs();
    assert!(dirs.len() >= 3, "minimal, full and multi-rg at least");
    for dir in dirs {
        let mut cmd = aciform();
        cmd.envs(FULL_ENV.iter().copied()).arg("validate").arg(&dir);
        let out = cmd.output().expect("aciform runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{}: {stderr}", dir.display());
        assert!(stdout.starts_with("Stack \""), "{stdout}");
        assert!(stdout.contains(" is valid: "), "{stdout}");
    }
}

#[test]
fn validate_prints_a_one_line_summary() {
    let dir = repo_root().join("specs/examples/multi-rg");
    let out = aciform().arg("validate").arg(dir).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Stack \"orders\" is valid: 2 resource groups, 3 container groups.\n"
    );
}

#[test]
fn bad_specs_exit_1_with_a_located_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEAD}{WEB}").replace("cpu = 1.0", "cpu = 0.333");
    std::fs::write(dir.path().join("main.toml"), text).unwrap();
    let out = aciform().arg("validate").arg(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains("`cpu` must be a multiple of 0.01 cores"),
        "{stderr}"
    );
    assert!(stderr.contains("main.toml:16:7"), "{stderr}");
    assert!(!stderr.contains("\x1b["), "no colour when NO_COLOR is set");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn secrets_stay_out_of_every_message() {
    let dir = tempfile::tempdir().unwrap();
    // Errors on the very lines that hold a literal secret and an env secret.
    let text = format!("{HEAD}{WEB}").replace(
        "ports = [80]",
        "ports = [80]\nsecure_env = { TOKEN = \"literal-hunter2\", _X = \"${env.SECRET_ENV}\" }\n\
         env = { TOKEN = \"1\" }",
    );
    std::fs::write(dir.path().join("main.toml"), text).unwrap();
    let out = aciform()
        .env("SECRET_ENV", "env-hunter3")
        .arg("validate")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("`TOKEN` is set in both `env` and `secure_env`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("invalid environment variable name `_X`"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(!stderr.contains("hunter3"), "{stderr}");
}

#[test]
fn secrets_written_wrongly_or_near_a_syntax_error_stay_hidden() {
    let cases = [
        // The wrong type: a number, an array, a table, a string for a table.
        (
            "ports = [80]",
            "ports = [80]\nsecure_env = { PIN = 987654321 }",
        ),
        (
            "ports = [80]",
            "ports = [80]\nsecure_env = { PW = [\"SEKRET-arr-1\"] }",
        ),
        (
            "ports = [80]",
            "ports = [80]\nsecure_env = \"SEKRET-str-2\"",
        ),
        // TOML syntax errors on a line holding secrets.
        (
            "ports = [80]",
            "ports = [80]\nsecure_env = { PW = \"SEKRET-dup-1\", PW = \"SEKRET-dup-2\" }",
        ),
        (
            "ports = [80]",
            "ports = [80]\nsecure_env = { PW = \"SEKRET-open-3 }",
        ),
    ];
    let more = [
        // A misspelt secret field.
        (
            "ports = [80]",
            "ports = [80]\nsecure_envv = { A = \"SEKRET-typo-4\" }",
        ),
        // A dotted key under a secret field (a table where a string is expected).
        (
            "ports = [80]",
            "ports = [80]\n\n[[container_group.web.image_registry_credentials]]\n\
             server = \"x.azurecr.io\"\nusername = \"u\"\npassword.x = \"SEKRET-dot-5\"",
        ),
        // A variable a secret uses, next to a mistake in [vars].
        (
            "tag = \"1.0\"",
            "tag = \"1.0\"\npw = \"SEKRET-var-6\"\nbad = [[1]]",
        ),
        // A multi-line secret next to a syntax error.
        (
            "ports = [80]",
            "ports = [80]\nsecure_env = { A = \"\"\"SEKRET-ml-7\nSEKRET-ml-8\"\"\" }\noops oops",
        ),
        // A volume with two kinds: neither is decoded, the secret and the key are shown.
        (
            "ports = [80]",
            "ports = [80]\n\n[[container_group.web.volumes]]\nname = \"creds\"\n\
             secret = { \"db.conf\" = \"SEKRET-vol-9\" }\nempty_dir = {}",
        ),
        (
            "ports = [80]",
            "ports = [80]\n\n[[container_group.web.volumes]]\nname = \"share\"\n\
             secret = { f = \"SEKRET-vol-10\" }\nazure_file = { share_name = \"s\", \
             storage_account_name = \"a\", storage_account_key = \"SEKRET-key-11\" }",
        ),
        // Secret fields in a table where they do not belong.
        (
            "ports = [80]",
            "ports = [80]\nvolumes = [{ name = \"v\", secret = { f = \"SEKRET-in-12\" } }]",
        ),
        (
            "ports = [80]",
            "ports = [80]\ninit_containers = [{ name = \"i\", image = \"x\", \
             secure_env = { X = \"SEKRET-in-13\" } }]",
        ),
    ];
    for (from, to) in cases.into_iter().chain(more) {
        let dir = tempfile::tempdir().unwrap();
        let mut text = format!("{HEAD}{WEB}").replace(from, to);
        if to.contains("pw = ") {
            text = text.replace(
                "ports = [80]",
                "ports = [80]\nsecure_env = { PW = \"${vars.pw}\" }",
            );
        }
        std::fs::write(dir.path().join("main.toml"), text).unwrap();
        let out = aciform().arg("validate").arg(dir.path()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{to}: {stderr}");
        assert!(stderr.contains("main.toml:"), "located: {stderr}");
        for leak in ["987654321", "SEKRET"] {
            assert!(!stderr.contains(leak), "{to} leaks:\n{stderr}");
        }
    }
}

#[test]
fn escape_sequences_in_a_spec_never_reach_the_terminal() {
    // A key written with escapes (valid TOML) is quoted by a message; raw control
    // characters (invalid TOML) are quoted by the snippet of a syntax error.
    let evil_key = "env = { \"\\u001b]0;pwned\\u0007\\u001b[2J\\u202eX\" = \"1\" }";
    let raw = "# \u{1b}[31mred\u{202e}";
    for (extra, expected) in [
        (evil_key, "invalid environment variable name"),
        (raw, "invalid TOML"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let text =
            format!("{HEAD}{WEB}").replace("ports = [80]", &format!("ports = [80]\n{extra}"));
        std::fs::write(dir.path().join("main.toml"), text).unwrap();
        let out = aciform().arg("validate").arg(dir.path()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(
            !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
            "{stderr:?}"
        );
        assert!(!stderr.contains('\u{202e}'), "{stderr:?}");
    }
}

#[test]
fn bad_var_arguments_exit_1() {
    let dir = repo_root().join("specs/examples/minimal");
    let out = aciform()
        .args(["validate", "--var", "novalue"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--var `novalue` is not NAME=VALUE"));

    let out = aciform()
        .args(["validate", "--var", "nope=1"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no variable `nope` is declared in [vars]"),
        "{stderr}"
    );
}

#[test]
fn a_broken_link_to_a_stack_file_is_an_error_not_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.toml"), format!("{HEAD}{WEB}")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/web.toml", dir.path().join("web.toml")).unwrap();
    // An editor's lock file is a link to nowhere too, and is not part of the stack.
    std::os::unix::fs::symlink("user@host.1234", dir.path().join(".#main.toml")).unwrap();
    let out = aciform().arg("validate").arg(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot read") && stderr.contains("web.toml"),
        "{stderr}"
    );
    assert!(!stderr.contains(".#main.toml"), "{stderr}");
}

/// A device or a FIFO named `*.toml` (or a link to one) is refused, not read forever;
/// an oversized file is refused before it is read whole.
#[test]
fn only_regular_files_of_sane_size_are_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.toml"), format!("{HEAD}{WEB}")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.toml")).unwrap();
    let fifo = dir.path().join("pipe.toml");
    let made = Command::new("mkfifo").arg(&fifo).status();
    let out = aciform().arg("validate").arg(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("`") && stderr.contains("is not a regular file"),
        "{stderr}"
    );
    if made.is_ok_and(|s| s.success()) {
        assert!(stderr.contains("pipe.toml"), "{stderr}");
    }

    let big = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(big.path().join("main.toml")).unwrap();
    file.set_len(17 << 20).unwrap();
    let out = aciform().arg("validate").arg(big.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is larger than 16 MiB"), "{stderr}");
}

#[test]
fn a_directory_of_stacks_names_them() {
    let out = aciform()
        .arg("validate")
        .arg(repo_root().join("specs/examples"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no .toml files in"), "{stderr}");
    assert!(
        stderr.contains("these subdirectories are stacks"),
        "{stderr}"
    );
}

#[test]
fn graph_prints_only_dot_and_graphviz_renders_it() {
    let dir = repo_root().join("specs/examples/full");
    let out = aciform()
        .envs(FULL_ENV.iter().copied())
        .arg("graph")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dot = String::from_utf8(out.stdout).unwrap();
    assert!(dot.starts_with("digraph aciform {"), "{dot}");
    assert!(
        dot.contains("\"container_group.worker\" -> \"container_group.web\";"),
        "{dot}"
    );
    assert!(
        dot.contains("\"resource_group.network\" -> \"container_group.worker\";"),
        "{dot}"
    );

    let Ok(mut child) = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        assert!(
            std::env::var_os("ACIFORM_REQUIRE_DOT").is_none(),
            "graphviz `dot` is missing"
        );
        eprintln!("graphviz `dot` not installed: rendering not checked");
        return;
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let rendered = child.wait_with_output().unwrap();
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    assert!(String::from_utf8_lossy(&rendered.stdout).contains("<svg"));
}

#[test]
fn graph_errors_go_to_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEAD}{WEB}").replace("nginx:${vars.tag}", "${container_group.web.id}");
    std::fs::write(dir.path().join("main.toml"), text).unwrap();
    let out = aciform().arg("graph").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("container_group.web depends on itself"),
        "{stderr}"
    );
}

/// Output that cannot be written (a full disk) fails the command; a reader that closes
/// the pipe early (`| head`) does not.
#[test]
fn output_that_cannot_be_written_fails_the_command() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // No /dev/full on this system: nothing to show.
    };
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("main.toml"), format!("{HEAD}{WEB}")).expect("write");
    let run = Command::new(env!("CARGO_BIN_EXE_aciform"))
        .args(["graph"])
        .arg(dir.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write the output"), "{stderr}");

    let mut closed = Command::new(env!("CARGO_BIN_EXE_aciform"))
        .args(["graph"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("runs");
    drop(closed.stdout.take());
    assert_eq!(closed.wait().expect("exits").code(), Some(0));
}
