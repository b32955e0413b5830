//! Name rules: resource groups, container groups, containers, volumes, environment
//! variables and DNS labels (aci-api/README.md §8), and Azure names that two
//! resources of the stack would share.

use std::collections::BTreeMap;

use crate::spec::error::{Issue, Issues};
use crate::spec::model::{ContainerGroupSpec, ResourceGroupSpec, Stack};
use crate::spec::source::Origin;

/// Where a name was written: its field, or the KEY when it defaults to it.
fn name_origin<'a>(fields: &'a crate::spec::model::FieldOrigins, origin: &'a Origin) -> &'a Origin {
    fields.get("name").unwrap_or(origin)
}

/// Resource group names: 1-90 of letters, digits, `-`, `_`, `.`, `(`, `)`; not
/// ending in `.` (resourceGroups openapi pattern `^[-\w\._\(\)]+$`).
pub(crate) fn check_resource_group(rg: &ResourceGroupSpec, issues: &mut Issues) {
    let name = &rg.name;
    let chars_ok = name
        .chars()
        .all(|c| c.is_alphanumeric() || "-_.()".contains(c));
    let len = name.chars().count();
    if (1..=90).contains(&len) && chars_ok && !name.ends_with('.') {
        return;
    }
    let label = if !chars_ok {
        "only letters, digits, `-`, `_`, `.`, `(` and `)`"
    } else if name.ends_with('.') {
        "ends with `.`"
    } else {
        "must be 1-90 characters"
    };
    let at = name_origin(&rg.fields, &rg.origin);
    let issue = Issue::new(at, "invalid resource group name", label).help(
        "an Azure resource group name is 1-90 letters, digits, `-`, `_`, `.`, `(`, `)` \
         and does not end in `.`",
    );
    issues.push(issue);
}

/// Lowercase letters, digits and hyphens, not at either end; `no_double` also
/// refuses `--`. Returns the reason when the name breaks the rule.
fn dns_like(
    name: &str,
    min: usize,
    max: usize,
    lowercase: bool,
    no_double: bool,
) -> Option<String> {
    let len = name.len();
    let bad_char = name.chars().find(|c| {
        !(c.is_ascii_digit()
            || *c == '-'
            || c.is_ascii_lowercase()
            || (!lowercase && c.is_ascii_uppercase()))
    });
    if let Some(c) = bad_char {
        if lowercase && c.is_ascii_uppercase() {
            return Some("uppercase letters are not allowed".into());
        }
        return Some("only letters, digits and `-`".into());
    }
    if !(min..=max).contains(&len) {
        return Some(format!("must be {min}-{max} characters"));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("cannot start or end with `-`".into());
    }
    if no_double && name.contains("--") {
        return Some("cannot contain `--`".into());
    }
    None
}

/// Container group, container, init container and volume names, env var names.
pub(crate) fn check_container_group(cg: &ContainerGroupSpec, issues: &mut Issues) {
    if let Some(why) = dns_like(&cg.name, 1, 63, true, true) {
        let issue = Issue::new(
            name_origin(&cg.fields, &cg.origin),
            "invalid container group name",
            why,
        )
        .help("a container group name is 1-63 lowercase letters, digits and single inner hyphens");
        issues.push(issue);
    }

    let containers = cg
        .containers
        .iter()
        .map(|c| (&c.name, c.fields.get("name"), &c.origin, "container"));
    let inits = cg
        .init_containers
        .iter()
        .map(|c| (&c.name, c.fields.get("name"), &c.origin, "init container"));
    for (name, at, origin, what) in containers.chain(inits) {
        if let Some(why) = dns_like(name, 1, 63, true, false) {
            let issue = Issue::new(at.unwrap_or(origin), format!("invalid {what} name"), why)
                .help("a container name is 1-63 lowercase letters, digits and inner hyphens");
            issues.push(issue);
        }
    }

    for v in &cg.volumes {
        if let Some(why) = dns_like(&v.name, 5, 63, true, true) {
            let issue = Issue::new(&v.origin, "invalid volume name", why)
                .help("a volume name is 5-63 lowercase letters, digits and single inner hyphens");
            issues.push(issue);
        }
    }

    check_env_names(cg, issues);
}

/// Environment variable names: 1-63 letters, digits and inner underscores.
fn check_env_names(cg: &ContainerGroupSpec, issues: &mut Issues) {
    let containers = cg.containers.iter().map(|c| (&c.env, &c.secure_env));
    let inits = cg.init_containers.iter().map(|c| (&c.env, &c.secure_env));
    for (env, secure) in containers.chain(inits) {
        let plain = env.iter().map(|(k, v)| (k, &v.origin));
        let secret = secure.iter().map(|(k, v)| (k, &v.expose().origin));
        for (name, at) in plain.chain(secret) {
            if let Some(why) = env_name_problem(name) {
                let issue = Issue::new(
                    at,
                    format!("invalid environment variable name `{name}`"),
                    why,
                )
                .help("ACI takes 1-63 letters, digits and underscores, not `_` first or last");
                issues.push(issue);
            }
        }
    }
}

fn env_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.len() > 63 {
        return Some("the name must be 1-63 characters");
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Some("the name may hold only letters, digits and `_`");
    }
    if name.starts_with('_') || name.ends_with('_') {
        return Some("the name cannot start or end with `_`");
    }
    None
}

/// A DNS name label: 5-63 letters, digits and inner hyphens (case-insensitive).
pub(crate) fn dns_label_problem(label: &str) -> Option<String> {
    dns_like(label, 5, 63, false, false)
}

/// Two resources of the stack with one Azure name: resource groups by name, container
/// groups by resource group and name (ARM compares names case-insensitively).
pub(crate) fn check_unique_azure_names(stack: &Stack, issues: &mut Issues) {
    let mut rgs: BTreeMap<String, &ResourceGroupSpec> = BTreeMap::new();
    for rg in stack.resource_groups.values() {
        if let Some(first) = rgs.insert(rg.name.to_lowercase(), rg) {
            let issue = Issue::new(
                name_origin(&rg.fields, &rg.origin),
                format!(
                    "resource_group.{} and resource_group.{} have the same Azure name",
                    first.key, rg.key
                ),
                "same name",
            )
            .also(name_origin(&first.fields, &first.origin), "as this one")
            .help("give each resource group its own `name`");
            issues.push(issue);
        }
    }

    let mut cgs: BTreeMap<(String, String), &ContainerGroupSpec> = BTreeMap::new();
    for cg in stack.container_groups.values() {
        let rg_name = stack
            .resource_groups
            .get(&cg.resource_group)
            .map(|r| r.name.to_lowercase());
        let key = (rg_name.unwrap_or_default(), cg.name.to_lowercase());
        if let Some(first) = cgs.insert(key, cg) {
            let message = format!(
                "container_group.{} and container_group.{} have the same Azure name \
                 in one resource group",
                first.key, cg.key
            );
            let issue = Issue::new(name_origin(&cg.fields, &cg.origin), message, "same name")
                .also(name_origin(&first.fields, &first.origin), "as this one")
                .help(
                    "names are unique per resource group: give each container group its own `name`",
                );
            issues.push(issue);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_like_names() {
        assert_eq!(dns_like("web-1", 1, 63, true, true), None);
        assert!(
            dns_like("Web", 1, 63, true, true)
                .unwrap()
                .contains("uppercase")
        );
        assert!(dns_like("-web", 1, 63, true, true).is_some());
        assert!(dns_like("a--b", 1, 63, true, true).is_some());
        assert_eq!(dns_like("a--b", 1, 63, true, false), None);
        assert!(
            dns_like("abcd", 5, 63, true, true)
                .unwrap()
                .contains("5-63")
        );
        assert_eq!(dns_label_problem("Shop-Web"), None);
    }

    #[test]
    fn env_names() {
        assert_eq!(env_name_problem("API_KEY"), None);
        assert!(env_name_problem("_X").is_some());
        assert!(env_name_problem("A-B").is_some());
    }
}
