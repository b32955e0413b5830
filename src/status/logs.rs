//! Which container `aciform logs ADDR [--container NAME]` reads: the address must name
//! a container group of the stack, and the container one of its containers (by
//! default its only, or first, container). Mistakes get a "did you mean".

use super::StatusError;
use crate::spec::{Address, ResourceKind, Stack, suggest};

/// The container whose logs to fetch, in Azure's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogsTarget {
    /// `container_group.KEY`.
    pub address: String,
    pub resource_group: String,
    /// The container group's Azure name.
    pub group: String,
    pub container: String,
}

/// Resolves `address` and `container` against the stack, without any API call.
pub fn logs_target(
    stack: &Stack,
    address: &str,
    container: Option<&str>,
) -> Result<LogsTarget, StatusError> {
    let parsed: Option<Address> = address.parse().ok();
    if let Some(a) = &parsed
        && a.kind == ResourceKind::ResourceGroup
        && stack.resource_groups.contains_key(&a.key)
    {
        return Err(StatusError::NotAContainerGroup {
            address: address.to_string(),
        });
    }
    let spec = parsed
        .filter(|a| a.kind == ResourceKind::ContainerGroup)
        .and_then(|a| stack.container_groups.get(&a.key));
    let Some(spec) = spec else {
        let known: Vec<String> = stack
            .container_groups
            .values()
            .map(|cg| cg.address().to_string())
            .collect();
        // `web` alone is a common shorthand; suggest the full address for it too.
        let suggestion = suggest(address, known.iter().map(String::as_str))
            .or_else(|| {
                let full = format!("container_group.{address}");
                known.iter().find(|k| **k == full).map(String::as_str)
            })
            .map(str::to_string);
        return Err(StatusError::UnknownAddress {
            address: address.to_string(),
            suggestion,
        });
    };

    let names: Vec<&str> = spec.containers.iter().map(|c| c.name.as_str()).collect();
    let chosen = match container {
        None => names.first().copied(),
        Some(wanted) => names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(wanted))
            .copied(),
    };
    let Some(chosen) = chosen else {
        return Err(StatusError::UnknownContainer {
            address: address.to_string(),
            container: container.unwrap_or_default().to_string(),
            known: names.join(", "),
        });
    };

    let resource_group = stack
        .resource_groups
        .get(&spec.resource_group)
        .map_or(spec.resource_group.clone(), |rg| rg.name.clone());
    Ok(LogsTarget {
        address: spec.address().to_string(),
        resource_group,
        group: spec.name.clone(),
        container: chosen.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::spec::{LoadOptions, StackFile, load_files};

    fn stack() -> Stack {
        let text = r#"
            [stack]
            name = "demo"
            location = "westeurope"
            [resource_group.main]
            name = "rg-demo"
            [container_group.web]
            resource_group = "main"
            name = "demo-web"
            [[container_group.web.containers]]
            name = "nginx"
            image = "nginx"
            cpu = 1
            memory_gb = 1
            [[container_group.web.containers]]
            name = "sidecar"
            image = "busybox"
            cpu = 1
            memory_gb = 1
        "#;
        let file = StackFile {
            path: PathBuf::from("main.toml"),
            name: "main.toml".into(),
            text: text.into(),
        };
        load_files(PathBuf::from("."), vec![file], &LoadOptions::default()).expect("loads")
    }

    #[test]
    fn the_first_container_is_the_default_and_names_match_without_case() {
        let stack = stack();
        let first = logs_target(&stack, "container_group.web", None).expect("resolves");
        assert_eq!(
            (first.resource_group.as_str(), first.group.as_str()),
            ("rg-demo", "demo-web")
        );
        assert_eq!(first.container, "nginx");
        let side = logs_target(&stack, "container_group.web", Some("SideCar")).expect("ok");
        assert_eq!(side.container, "sidecar");
    }

    #[test]
    fn mistakes_are_named_with_a_suggestion() {
        let stack = stack();
        let err = logs_target(&stack, "container_group.wb", None).expect_err("unknown");
        assert!(
            matches!(err, StatusError::UnknownAddress { suggestion: Some(ref s), .. }
            if s == "container_group.web")
        );
        let err = logs_target(&stack, "web", None).expect_err("shorthand");
        assert!(
            matches!(err, StatusError::UnknownAddress { suggestion: Some(ref s), .. }
            if s == "container_group.web")
        );
        let err = logs_target(&stack, "resource_group.main", None).expect_err("not a group");
        assert!(matches!(err, StatusError::NotAContainerGroup { .. }));
        let err = logs_target(&stack, "container_group.web", Some("db")).expect_err("none");
        assert_eq!(
            err.to_string(),
            "container_group.web has no container named `db` (it has: nginx, sidecar)"
        );
    }
}
