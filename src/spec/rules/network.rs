//! Networking and platform rules: the group's IP and its ports, DNS labels, VNet
//! subnets, and what Windows, Spot and Confidential groups cannot have
//! (aci-api/README.md §5 and §8, docs/validation.md).

use std::collections::BTreeSet;

use super::names::dns_label_problem;
use crate::spec::address::ResourceKind;
use crate::spec::error::{Issue, Issues};
use crate::spec::model::{ContainerGroupSpec, IpType, OsType, Port, Priority, Sku, Stack};
use crate::spec::source::Origin;

/// At most this many ports on a group's IP.
const MAX_IP_PORTS: usize = 5;

/// Every networking and platform rule of a group; port exposure only when no part
/// is missing.
pub(crate) fn check_group(cg: &ContainerGroupSpec, whole: bool, issues: &mut Issues) {
    if whole {
        check_ip_ports(cg, issues);
    }
    check_dns_label(cg, issues);
    check_subnets(cg, issues);
    check_windows(cg, issues);
    check_spot(cg, issues);
    check_confidential(cg, issues);
}

/// `${container_group.K.ip}` needs K to have an IP address and `.fqdn` a DNS name
/// label: otherwise Azure never gives the value, and the dependent could never be
/// deployed (it would wait for a value that does not come).
pub(crate) fn check_reference_targets(stack: &Stack, issues: &mut Issues) {
    let texts = stack
        .container_groups
        .values()
        .flat_map(|cg| cg.texts())
        .chain(
            stack
                .resource_groups
                .values()
                .flat_map(|rg| rg.tags.values()),
        );
    for text in texts {
        for r in text.references() {
            if r.target.kind != ResourceKind::ContainerGroup {
                continue;
            }
            let Some(target) = stack.container_groups.get(&r.target.key) else {
                continue;
            };
            let missing = match (r.attr.as_str(), &target.ip_address) {
                ("ip", None) => Some("it has no `ip_address`"),
                ("fqdn", None) => Some("it has no `ip_address`"),
                ("fqdn", Some(ip)) if ip.dns_name_label.is_none() => {
                    Some("its `ip_address` has no `dns_name_label`")
                }
                _ => None,
            };
            if let Some(why) = missing {
                let message = format!("`{}.{}` never has a value: {why}", r.target, r.attr);
                let help = if r.attr == "ip" {
                    "give that group an `ip_address`, or refer to its `name`"
                } else {
                    "give that group's `ip_address` a `dns_name_label`, or refer to its `ip`"
                };
                let issue = Issue::new(&r.origin, message, "no such value").help(help);
                issues.push(issue);
            }
        }
    }
}

fn field<'a>(cg: &'a ContainerGroupSpec, name: &str) -> &'a Origin {
    cg.fields.get(name).unwrap_or(&cg.origin)
}

/// The IP's ports: some, at most five, each exposed by a container.
fn check_ip_ports(cg: &ContainerGroupSpec, issues: &mut Issues) {
    let Some(ip) = &cg.ip_address else { return };
    if ip.ports.is_empty() {
        let issue = Issue::new(&ip.origin, "`ip_address` has no ports", "no ports")
            .help("expose a port on a container (ports = [80]) or list ports in ip_address");
        issues.push(issue);
        return;
    }
    if ip.ports.len() > MAX_IP_PORTS {
        let message = format!(
            "`ip_address` has {} ports; ACI allows at most {MAX_IP_PORTS}",
            ip.ports.len()
        );
        let mut issue = Issue::new(&ip.origin, message, "too many ports");
        if ip.ports_defaulted {
            issue = issue.help(
                "the ports default to every container port: \
                 list the ones to expose in ip_address.ports",
            );
        }
        issues.push(issue);
    }

    let exposed: BTreeSet<Port> = cg
        .containers
        .iter()
        .flat_map(|c| c.ports.iter().map(|p| p.value))
        .collect();
    let mut seen = BTreeSet::new();
    for port in &ip.ports {
        if !seen.insert(port.value) {
            issues.at(
                &port.origin,
                format!("port {} is listed twice", port.value),
                "duplicate",
            );
        } else if !exposed.contains(&port.value) {
            let message = format!(
                "port {} of `ip_address` is not exposed by any container",
                port.value
            );
            let issue = Issue::new(&port.origin, message, "not exposed").help(format!(
                "add {} to the `ports` of the container that listens on it",
                port.value
            ));
            issues.push(issue);
        }
    }
}

/// A DNS label needs a public IP and a valid format.
fn check_dns_label(cg: &ContainerGroupSpec, issues: &mut Issues) {
    let Some(ip) = &cg.ip_address else { return };
    let Some(label) = &ip.dns_name_label else {
        return;
    };
    if ip.ip_type != IpType::Public {
        let issue = Issue::new(
            &label.origin,
            "`dns_name_label` needs a public IP",
            "on a private IP",
        )
        .help("set ip_address.type = \"Public\", or remove dns_name_label");
        issues.push(issue);
    }
    if let Some(why) = label.literal().and_then(dns_label_problem) {
        let issue = Issue::new(&label.origin, "invalid `dns_name_label`", why)
            .help("a DNS name label is 5-63 letters, digits and inner hyphens");
        issues.push(issue);
    }
}

/// VNet subnets go with a private IP, and a private IP needs subnets.
fn check_subnets(cg: &ContainerGroupSpec, issues: &mut Issues) {
    let ip_type = cg.ip_address.as_ref().map(|ip| ip.ip_type);
    if !cg.subnet_ids.is_empty() && ip_type == Some(IpType::Public) {
        let issue = Issue::new(
            field(cg, "subnet_ids"),
            "`subnet_ids` cannot be used with a public IP",
            "VNet subnets",
        )
        .also(field(cg, "ip_address"), "public IP")
        .help("a group in a virtual network takes ip_address.type = \"Private\"");
        issues.push(issue);
    }
    if cg.subnet_ids.is_empty() && ip_type == Some(IpType::Private) {
        let issue = Issue::new(
            field(cg, "ip_address"),
            "a private IP needs `subnet_ids`",
            "private IP",
        )
        .help("set subnet_ids to the subnet the group joins, or use a public IP");
        issues.push(issue);
    }
}

/// Windows groups: one container, no volumes, no virtual network.
fn check_windows(cg: &ContainerGroupSpec, issues: &mut Issues) {
    if cg.os_type != OsType::Windows {
        return;
    }
    let os = field(cg, "os_type");
    if cg.containers.len() > 1 {
        let issue = Issue::new(
            field(cg, "containers"),
            "a Windows container group can have only one container",
            "several containers",
        )
        .also(os, "Windows")
        .help("multi-container groups are Linux-only");
        issues.push(issue);
    }
    if !cg.volumes.is_empty() {
        let issue = Issue::new(
            field(cg, "volumes"),
            "a Windows container group cannot have volumes",
            "volumes",
        )
        .also(os, "Windows")
        .help("volumes are Linux-only in ACI");
        issues.push(issue);
    }
    if !cg.subnet_ids.is_empty() {
        let issue = Issue::new(
            field(cg, "subnet_ids"),
            "a Windows container group cannot join a virtual network",
            "subnets",
        )
        .also(os, "Windows");
        issues.push(issue);
    }
}

/// Spot groups: no public IP, no virtual network, no zone, not Confidential.
fn check_spot(cg: &ContainerGroupSpec, issues: &mut Issues) {
    if cg.priority != Some(Priority::Spot) {
        return;
    }
    let spot = field(cg, "priority");
    let mut refuse = |at: &Origin, what: &str| {
        let message = format!("a Spot container group cannot have {what}");
        let issue = Issue::new(at, message, "not for Spot")
            .also(spot, "Spot")
            .help(
                "Spot container groups run without public IP, virtual network, zone \
             or Confidential SKU",
            );
        issues.push(issue);
    };
    if cg
        .ip_address
        .as_ref()
        .is_some_and(|ip| ip.ip_type == IpType::Public)
    {
        refuse(field(cg, "ip_address"), "a public IP");
    }
    if !cg.subnet_ids.is_empty() {
        refuse(field(cg, "subnet_ids"), "subnets");
    }
    if !cg.zones.is_empty() {
        refuse(field(cg, "zones"), "zones");
    }
    if cg.sku == Some(Sku::Confidential) {
        refuse(field(cg, "sku"), "the Confidential SKU");
    }
}

/// Confidential groups do not run Windows.
fn check_confidential(cg: &ContainerGroupSpec, issues: &mut Issues) {
    if cg.sku == Some(Sku::Confidential) && cg.os_type == OsType::Windows {
        let issue = Issue::new(
            field(cg, "sku"),
            "a Confidential container group cannot run Windows",
            "Confidential",
        )
        .also(field(cg, "os_type"), "Windows");
        issues.push(issue);
    }
}
