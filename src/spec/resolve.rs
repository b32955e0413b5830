//! From drafts to the final stack: identity fields (`name`, `location`) become
//! literals, the defaults SPEC.md fixes are applied, and `depends_on` targets are
//! checked against every declared address.
//!
//! Identity fields may refer only to other resources' `name` and `location`, which
//! are known at load; such references are resolved here (in as many rounds as chains
//! of them need) and kept in `static_refs` so that they still make graph edges.

use std::collections::{BTreeMap, BTreeSet};

use super::address::{Address, ResourceKind};
use super::decode_group::{CgDraft, RgDraft};
use super::error::{Issue, Issues, suggest};
use super::model::{ContainerGroupSpec, Port, Stack};
use super::source::{Located, SourceMap};
use super::stack_table::StackHeader;
use super::text::{Reference, Text};

/// `name` or `location` of one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Name,
    Location,
}

/// What an identity field is before it is resolved.
enum Pending {
    /// A text, maybe with static references.
    Text(Text),
    /// A container group's default location: that of its resource group.
    RgLocation(String),
}

/// Builds the stack, with the keys of container groups that lost parts to errors;
/// None when identity fields cannot be resolved (reported).
pub(crate) fn resolve_stack(
    header: StackHeader,
    mut rgs: BTreeMap<String, RgDraft>,
    mut cgs: BTreeMap<String, CgDraft>,
    declared: &BTreeSet<Address>,
    issues: &mut Issues,
) -> Option<(Stack, BTreeSet<String>)> {
    let before = issues.len();
    let partial = cgs
        .iter()
        .filter(|(_, d)| d.partial)
        .map(|(k, _)| k.clone())
        .collect();
    let mut known: BTreeMap<(Address, Slot), Option<String>> = BTreeMap::new();
    let mut pending: Vec<((Address, Slot), Pending)> = Vec::new();

    for (key, d) in &mut rgs {
        let address = Address::new(ResourceKind::ResourceGroup, key);
        let name = d
            .name
            .take()
            .unwrap_or_else(|| Text::lit(key.clone(), d.spec.origin.clone()));
        pending.push(((address.clone(), Slot::Name), Pending::Text(name)));
        match (d.location.take(), &header.location) {
            (Some(text), _) => pending.push(((address, Slot::Location), Pending::Text(text))),
            (None, Some(loc)) => {
                drop(known.insert((address, Slot::Location), Some(loc.value.clone())))
            }
            (None, None) => {
                if !d.spec.existing {
                    let issue = Issue::new(
                        &d.spec.origin,
                        format!("resource group `{key}` has no location"),
                        "no location",
                    )
                    .help("set `location` here, or a default `location` in [stack]");
                    issues.push(issue);
                }
                known.insert((address, Slot::Location), None);
            }
        }
    }
    for (key, d) in &mut cgs {
        let address = Address::new(ResourceKind::ContainerGroup, key);
        let name = d
            .name
            .take()
            .unwrap_or_else(|| Text::lit(key.clone(), d.spec.origin.clone()));
        pending.push(((address.clone(), Slot::Name), Pending::Text(name)));
        let location = match d.location.take() {
            Some(text) => Pending::Text(text),
            None => Pending::RgLocation(d.spec.resource_group.clone()),
        };
        pending.push(((address, Slot::Location), location));
    }

    check_identity_refs(&pending, issues);
    if issues.len() > before {
        return None;
    }
    let mut static_refs = gather_static_refs(&pending);
    let universe: BTreeSet<Address> = pending.iter().map(|((a, _), _)| a.clone()).collect();
    resolve_rounds(&mut known, pending, &universe, issues);

    let resource_groups = rgs
        .into_iter()
        .map(|(key, mut d)| {
            let address = d.spec.address();
            d.spec.name = value(&known, &address, Slot::Name).unwrap_or_default();
            d.spec.location = value(&known, &address, Slot::Location);
            d.spec.static_refs = static_refs.remove(&address).unwrap_or_default();
            (key, d.spec)
        })
        .collect();
    let container_groups = cgs
        .into_iter()
        .map(|(key, mut d)| {
            let address = d.spec.address();
            d.spec.name = value(&known, &address, Slot::Name).unwrap_or_default();
            d.spec.location = value(&known, &address, Slot::Location);
            d.spec.static_refs = static_refs.remove(&address).unwrap_or_default();
            check_depends_on(&d.spec, declared, issues);
            default_ip_ports(&mut d.spec);
            (key, d.spec)
        })
        .collect::<BTreeMap<_, _>>();

    let stack = Stack {
        name: header.name,
        subscription: header.subscription,
        location: header.location.map(|l| l.value),
        tags: header.tags,
        dir: Default::default(),
        resource_groups,
        container_groups,
        sources: SourceMap::default(),
        origin: header.origin,
    };
    (issues.len() == before).then_some((stack, partial))
}

/// The references of identity fields, by the resource holding them: resolved here,
/// they still order the graph.
fn gather_static_refs(pending: &[((Address, Slot), Pending)]) -> BTreeMap<Address, Vec<Reference>> {
    let mut refs: BTreeMap<Address, Vec<Reference>> = BTreeMap::new();
    for ((address, _), p) in pending {
        if let Pending::Text(text) = p {
            refs.entry(address.clone())
                .or_default()
                .extend(text.references().cloned());
        }
    }
    refs
}

fn value(
    known: &BTreeMap<(Address, Slot), Option<String>>,
    a: &Address,
    s: Slot,
) -> Option<String> {
    known.get(&(a.clone(), s)).cloned().flatten()
}

/// Identity fields may only use `name` and `location` of other resources.
fn check_identity_refs(pending: &[((Address, Slot), Pending)], issues: &mut Issues) {
    for ((_, slot), p) in pending {
        let Pending::Text(text) = p else { continue };
        for r in text.references().filter(|r| !r.is_static()) {
            let field = if *slot == Slot::Name {
                "name"
            } else {
                "location"
            };
            let message = format!("`{field}` cannot use `{}.{}`", r.target, r.attr);
            let issue = Issue::new(&r.origin, message, "only known after apply").help(format!(
                "`{field}` must be known before any API call: \
                     only the name and location of other resources may be used"
            ));
            issues.push(issue);
        }
    }
}

/// Resolves identity fields in rounds until nothing more resolves; what is left
/// waits on itself (a cycle of names) and is reported.
fn resolve_rounds(
    known: &mut BTreeMap<(Address, Slot), Option<String>>,
    mut pending: Vec<((Address, Slot), Pending)>,
    universe: &BTreeSet<Address>,
    issues: &mut Issues,
) {
    loop {
        let before = pending.len();
        pending.retain(|(slot, p)| {
            let resolved = match p {
                Pending::RgLocation(rg) => {
                    let rg_slot = (
                        Address::new(ResourceKind::ResourceGroup, rg),
                        Slot::Location,
                    );
                    known.get(&rg_slot).cloned()
                }
                Pending::Text(text) => render_static(text, known).map(Some),
            };
            match resolved {
                Some(v) => {
                    known.insert(slot.clone(), v);
                    false
                }
                None => true,
            }
        });
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    for (_, p) in pending {
        // A reference to a resource that failed to decode is already reported there.
        if let Pending::Text(text) = p {
            if !text.references().all(|r| universe.contains(&r.target)) {
                continue;
            }
            let message = "this value depends on itself through name/location references";
            let issue = Issue::new(&text.origin, message, "circular")
                .help("break the chain: write one of the names or locations as a literal");
            issues.push(issue);
        }
    }
}

fn render_static(text: &Text, known: &BTreeMap<(Address, Slot), Option<String>>) -> Option<String> {
    text.render(&|r| {
        let slot = if r.attr == "name" {
            Slot::Name
        } else {
            Slot::Location
        };
        known.get(&(r.target.clone(), slot)).cloned().flatten()
    })
}

/// `depends_on` must name declared resources (not itself).
fn check_depends_on(cg: &ContainerGroupSpec, declared: &BTreeSet<Address>, issues: &mut Issues) {
    for dep in &cg.depends_on {
        if dep.value == cg.address() {
            issues.at(
                &dep.origin,
                "a container group cannot depend on itself",
                "itself",
            );
        } else if !declared.contains(&dep.value) {
            let keys = declared
                .iter()
                .filter(|a| a.kind == dep.kind)
                .map(|a| a.key.as_str());
            let help = suggest(&dep.key, keys)
                .map(|k| format!("did you mean `{}.{k}`?", dep.kind))
                .unwrap_or_else(|| "depends_on takes addresses of this stack".to_string());
            let issue = Issue::new(
                &dep.origin,
                format!("unknown resource `{}` in depends_on", dep.value),
                "not declared",
            )
            .help(help);
            issues.push(issue);
        }
    }
}

/// `ip_address.ports` defaults to the union of the containers' ports (SPEC.md).
fn default_ip_ports(cg: &mut ContainerGroupSpec) {
    let Some(ip) = &mut cg.ip_address else { return };
    if !ip.ports.is_empty() {
        return;
    }
    let mut seen: BTreeSet<Port> = BTreeSet::new();
    for c in &cg.containers {
        for p in &c.ports {
            if seen.insert(p.value) {
                ip.ports.push(Located::new(p.value, p.origin.clone()));
            }
        }
    }
    ip.ports_defaulted = true;
}
