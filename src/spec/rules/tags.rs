//! Tag rules (ARM: names up to 512 characters without `<>%&\?/`, values up to 256, at
//! most 50 tags, names case-insensitive). Names starting with `aciform-` are aciform's
//! own bookkeeping (ownership, secret hashes, run state): a user tag there would
//! change which stack owns a resource, so it is refused.

use std::collections::{BTreeMap, BTreeSet};

use crate::spec::error::{Issue, Issues};
use crate::spec::model::Stack;
use crate::spec::source::Origin;

/// ARM's limit on tags per resource.
const MAX_TAGS: usize = 50;
/// Tags aciform adds at most (stack, address, run state, two secret-hash tags).
const OWN_TAGS: usize = 5;

/// One tag as written: name, value when known at load, where to point.
struct Tag<'a> {
    name: &'a str,
    value: Option<&'a str>,
    at: &'a Origin,
}

/// Every tag table of the stack.
pub(crate) fn check_tags(stack: &Stack, issues: &mut Issues) {
    // The stack's tags keep no spans of their own: errors point at `[stack]`.
    let stack_tags: Vec<Tag<'_>> = stack
        .tags
        .iter()
        .map(|(name, value)| Tag {
            name,
            value: Some(value),
            at: &stack.origin,
        })
        .collect();
    check_table(&stack_tags, issues);

    let tables = stack
        .resource_groups
        .values()
        .map(|rg| (&rg.tags, rg.fields.get("tags").unwrap_or(&rg.origin)))
        .chain(
            stack
                .container_groups
                .values()
                .map(|cg| (&cg.tags, cg.fields.get("tags").unwrap_or(&cg.origin))),
        );
    for (tags, table) in tables {
        let own: Vec<Tag<'_>> = tags
            .iter()
            .map(|(name, v)| Tag {
                name,
                value: v.literal(),
                at: &v.origin,
            })
            .collect();
        check_table(&own, issues);

        let names: BTreeSet<String> = tags
            .keys()
            .chain(stack.tags.keys())
            .map(|k| k.to_lowercase())
            .collect();
        if names.len() + OWN_TAGS > MAX_TAGS {
            let message = format!(
                "{} tags with the stack's: Azure allows {MAX_TAGS} per resource and aciform \
                 needs up to {OWN_TAGS} of them",
                names.len()
            );
            issues.push(Issue::new(table, message, "too many tags"));
        }
    }
}

fn check_table(tags: &[Tag<'_>], issues: &mut Issues) {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for tag in tags {
        let name = tag.name;
        if name.to_ascii_lowercase().starts_with("aciform-") {
            let message = format!("tag `{name}` uses aciform's reserved prefix");
            let help = "tags starting with `aciform-` carry ownership and bookkeeping; \
                        pick another name";
            issues.push(Issue::new(tag.at, message, "reserved").help(help));
        }
        let bad_char = name.contains(['<', '>', '%', '&', '\\', '?', '/']);
        if name.is_empty() || name.chars().count() > 512 || bad_char {
            let issue = Issue::new(tag.at, format!("invalid tag name `{name}`"), "invalid name")
                .help("a tag name is 1-512 characters without < > % & \\ ? /");
            issues.push(issue);
        }
        if tag.value.is_some_and(|v| v.chars().count() > 256) {
            let message = format!("the value of tag `{name}` is longer than 256 characters");
            issues.push(Issue::new(tag.at, message, "too long"));
        }
        if let Some(first) = seen.insert(name.to_lowercase(), name) {
            let message = format!("tags `{first}` and `{name}` are the same tag in Azure");
            let help = "tag names are case-insensitive in Azure: keep one of them";
            issues.push(Issue::new(tag.at, message, "same name, other case").help(help));
        }
    }
}
