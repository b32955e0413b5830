//! Rules on the parts of a group: counts, duplicates, volume mounts, env vs secure
//! env, secret volumes, registry credentials and identity (aci-api/README.md §5 and
//! §8, docs/validation.md).

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;

use crate::spec::error::{Issue, Issues, did_you_mean};
use crate::spec::model::{
    ContainerGroupSpec, IdentityType, Port, ResourceGroupSpec, VolumeKind, VolumeMount,
};
use crate::spec::source::{Located, Origin};

const MAX_CONTAINERS: usize = 60;
const MAX_VOLUMES: usize = 20;

/// Every rule of this file on one group; those about how parts fit together only
/// when no part is missing.
pub(crate) fn check_group(cg: &ContainerGroupSpec, whole: bool, issues: &mut Issues) {
    check_unique_names(cg, issues);
    check_env(cg, issues);
    check_secret_volumes(cg, issues);
    check_identity(cg, issues);
    if whole {
        check_counts(cg, issues);
        check_mounts(cg, issues);
        check_credentials(cg, issues);
    }
}

/// An `existing` resource group is never changed: tags there would never apply.
pub(crate) fn check_existing_group(rg: &ResourceGroupSpec, issues: &mut Issues) {
    if rg.existing && !rg.tags.is_empty() {
        let at = rg.fields.get("tags").unwrap_or(&rg.origin);
        let issue = Issue::new(
            at,
            "tags on an existing resource group are never applied",
            "ignored",
        )
        .help("aciform only reads an existing resource group; remove these tags");
        issues.push(issue);
    }
}

fn field<'a>(cg: &'a ContainerGroupSpec, name: &str) -> &'a Origin {
    cg.fields.get(name).unwrap_or(&cg.origin)
}

/// 1-60 containers, at most 20 volumes.
fn check_counts(cg: &ContainerGroupSpec, issues: &mut Issues) {
    let n = cg.containers.len();
    if n == 0 {
        let issue = Issue::new(
            field(cg, "containers"),
            "a container group needs at least one container",
            "empty",
        );
        issues.push(issue);
    } else if n > MAX_CONTAINERS {
        let message = format!("{n} containers; ACI allows at most {MAX_CONTAINERS} per group");
        issues.push(Issue::new(
            field(cg, "containers"),
            message,
            "too many containers",
        ));
    }
    if cg.volumes.len() > MAX_VOLUMES {
        let message = format!(
            "{} volumes; ACI allows at most {MAX_VOLUMES} per group",
            cg.volumes.len()
        );
        issues.push(Issue::new(
            field(cg, "volumes"),
            message,
            "too many volumes",
        ));
    }
}

/// Reports the second of every pair of equal keys.
fn report_duplicates<'a, K: Ord>(
    items: impl IntoIterator<Item = (K, &'a Origin)>,
    what: &str,
    issues: &mut Issues,
) {
    let mut seen: BTreeMap<K, &Origin> = BTreeMap::new();
    for (key, at) in items {
        if let Some(first) = seen.get(&key) {
            let issue = Issue::new(at, format!("duplicate {what}"), "declared again here")
                .also(first, "first declared here");
            issues.push(issue);
        } else {
            seen.insert(key, at);
        }
    }
}

/// Container names (init containers included), volume names, ports of a container.
fn check_unique_names(cg: &ContainerGroupSpec, issues: &mut Issues) {
    let containers = cg
        .containers
        .iter()
        .map(|c| (c.name.as_str(), c.fields.get("name").unwrap_or(&c.origin)));
    let inits = cg
        .init_containers
        .iter()
        .map(|c| (c.name.as_str(), c.fields.get("name").unwrap_or(&c.origin)));
    report_duplicates(
        containers.chain(inits),
        "container name in this group",
        issues,
    );
    report_duplicates(
        cg.volumes.iter().map(|v| (v.name.as_str(), &v.origin)),
        "volume name in this group",
        issues,
    );
    for c in &cg.containers {
        report_duplicates(
            c.ports.iter().map(|p: &Located<Port>| (p.value, &p.origin)),
            "port in this container",
            issues,
        );
    }
}

/// Mounts name a declared volume, once per container, at distinct paths without `:`.
fn check_mounts(cg: &ContainerGroupSpec, issues: &mut Issues) {
    let volumes: BTreeSet<&str> = cg.volumes.iter().map(|v| v.name.as_str()).collect();
    let containers = cg.containers.iter().map(|c| &c.volume_mounts);
    let inits = cg.init_containers.iter().map(|c| &c.volume_mounts);
    for mounts in containers.chain(inits) {
        for m in mounts {
            check_mount(m, &volumes, issues);
        }
        report_duplicates(
            mounts.iter().map(|m| (m.name.as_str(), &m.origin)),
            "mount of the same volume in this container",
            issues,
        );
        let paths = mounts
            .iter()
            .filter_map(|m| m.mount_path.literal().map(|p| (p, &m.mount_path.origin)));
        report_duplicates(paths, "mount path in this container", issues);
    }
}

fn check_mount(m: &VolumeMount, volumes: &BTreeSet<&str>, issues: &mut Issues) {
    if !volumes.contains(m.name.as_str()) {
        let help = did_you_mean(&m.name, volumes.iter().copied())
            .unwrap_or_else(|| "declare it under [[container_group.KEY.volumes]]".to_string());
        let issue = Issue::new(
            &m.origin,
            format!("volume mount names an undeclared volume `{}`", m.name),
            "no such volume in this group",
        )
        .help(help);
        issues.push(issue);
    }
    if m.mount_path.literal().is_some_and(|p| p.contains(':')) {
        let issue = Issue::new(
            &m.mount_path.origin,
            "`mount_path` cannot contain `:`",
            "contains `:`",
        );
        issues.push(issue);
    }
}

/// A variable set in both `env` and `secure_env` of one container.
fn check_env(cg: &ContainerGroupSpec, issues: &mut Issues) {
    let containers = cg.containers.iter().map(|c| (&c.env, &c.secure_env));
    let inits = cg.init_containers.iter().map(|c| (&c.env, &c.secure_env));
    for (env, secure) in containers.chain(inits) {
        for (name, value) in env {
            if let Some(secret) = secure.get(name) {
                let issue = Issue::new(
                    &secret.expose().origin,
                    format!("`{name}` is set in both `env` and `secure_env`"),
                    "again in secure_env",
                )
                .also(&value.origin, "in env")
                .help("keep it in one of them (secure_env for secrets)");
                issues.push(issue);
            }
        }
    }
}

/// Secret volume contents are base64 (checked when written literally).
fn check_secret_volumes(cg: &ContainerGroupSpec, issues: &mut Issues) {
    let engine = base64::engine::general_purpose::STANDARD;
    for v in &cg.volumes {
        let VolumeKind::Secret(files) = &v.kind else {
            continue;
        };
        for (file, content) in files {
            let text = content.expose();
            let Some(literal) = text.literal() else {
                continue;
            };
            if engine.decode(literal.trim()).is_err() {
                let issue = Issue::new(
                    &text.origin,
                    format!("the content of secret file `{file}` is not base64"),
                    "not base64",
                )
                .help("ACI takes secret volume files base64-encoded, e.g. from `base64 -w0 FILE`");
                issues.push(issue);
            }
        }
    }
}

/// Each credential: exactly one of password and identity, a username with a
/// password, a server without scheme, an identity the group has; one per server.
fn check_credentials(cg: &ContainerGroupSpec, issues: &mut Issues) {
    let assigned: BTreeSet<String> = cg
        .identity
        .iter()
        .flat_map(|i| i.user_assigned.iter())
        .filter_map(|t| t.literal().map(str::to_lowercase))
        .collect();
    for cred in &cg.image_registry_credentials {
        match (&cred.password, &cred.identity) {
            (Some(_), Some(identity)) => {
                let issue = Issue::new(
                    &identity.origin,
                    "a registry credential needs exactly one of `password` and `identity`",
                    "second way to log in",
                )
                .help("use a password (with username) or a user-assigned identity, not both");
                issues.push(issue);
            }
            (None, None) => {
                let message = "a registry credential needs one of `password` and `identity`";
                let issue = Issue::new(&cred.origin, message, "no way to log in").help(
                    "password = \"${env.ACR_PASSWORD}\" with username, \
                     or identity = \"<user-assigned identity id>\"",
                );
                issues.push(issue);
            }
            (Some(password), None) if cred.username.is_none() => {
                let issue = Issue::new(
                    &password.expose().origin,
                    "a registry password needs a `username`",
                    "password without username",
                );
                issues.push(issue);
            }
            (None, Some(identity)) => {
                let id = identity.literal().map(str::to_lowercase);
                if id.is_some_and(|id| !assigned.contains(&id)) {
                    let message =
                        "the registry identity is not a user-assigned identity of this group";
                    let issue = Issue::new(&identity.origin, message, "not in user_assigned").help(
                        "add it to identity.user_assigned \
                             (system-assigned identities cannot pull images)",
                    );
                    issues.push(issue);
                }
            }
            _ => {}
        }
        if cred
            .server
            .literal()
            .is_some_and(|s| s.contains("://") || s.contains('/'))
        {
            let issue = Issue::new(
                &cred.server.origin,
                "`server` is a host name, without scheme or path",
                "not a host name",
            )
            .help("e.g. server = \"shop.azurecr.io\"");
            issues.push(issue);
        }
    }
    let servers = cg.image_registry_credentials.iter().filter_map(|c| {
        c.server
            .literal()
            .map(|s| (s.to_lowercase(), &c.server.origin))
    });
    report_duplicates(servers, "registry server in this group", issues);
}

/// `identity.type` and `user_assigned` agree; no identity listed twice.
fn check_identity(cg: &ContainerGroupSpec, issues: &mut Issues) {
    let Some(identity) = &cg.identity else { return };
    let needs_users = matches!(
        identity.identity_type,
        IdentityType::UserAssigned | IdentityType::SystemAndUserAssigned
    );
    if needs_users && identity.user_assigned.is_empty() {
        let message = format!(
            "identity type `{}` needs `user_assigned` identities",
            identity.identity_type
        );
        let issue = Issue::new(&identity.origin, message, "no user_assigned")
            .help("list the user-assigned identity resource ids in user_assigned");
        issues.push(issue);
    }
    if !needs_users && !identity.user_assigned.is_empty() {
        let message = format!(
            "identity type `{}` takes no `user_assigned` identities",
            identity.identity_type
        );
        let at = identity
            .user_assigned
            .first()
            .map(|t| &t.origin)
            .unwrap_or(&identity.origin);
        let issue = Issue::new(at, message, "unexpected").help(
            "use type = \"UserAssigned\" or \"SystemAssigned, UserAssigned\" to assign these",
        );
        issues.push(issue);
    }
    let ids = identity
        .user_assigned
        .iter()
        .filter_map(|t| t.literal().map(|s| (s.to_lowercase(), &t.origin)));
    report_duplicates(ids, "user-assigned identity", issues);
}
