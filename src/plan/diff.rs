//! Attribute-level comparison of two canonical bodies.
//!
//! The diff only compares; it does not pick the action. It reports each changed
//! attribute with its flags, how many were unchanged, and which changes force a
//! replacement, so `classify` can decide between PATCH, PUT and delete-and-create.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::Value;

use super::canon::{Canon, CanonValue, Entry};
use super::ignore::ignore_keys;
use super::live::LiveGroup;
use super::model::{AttributeChange, ChangeKind};
use super::placeholder::has_placeholder;
use super::rules;
use super::secrets::SecretHashes;
use crate::sensitive::Sensitive;
use crate::spec::ContainerGroupSpec;

/// What differs between a desired and a live body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diff {
    /// Changed attributes, sorted by canonical key.
    pub attributes: Vec<AttributeChange>,
    /// Attributes present and equal on both sides.
    pub unchanged: usize,
    /// One line per attribute whose change forces a replacement.
    pub replace_reasons: Vec<String>,
}

impl Diff {
    /// Whether nothing differs.
    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty()
    }

    /// Whether every change is a tag (ARM updates tags with PATCH, without a restart).
    pub fn only_tags(&self) -> bool {
        !self.attributes.is_empty() && self.attributes.iter().all(|a| a.path.starts_with("tags."))
    }
}

/// How to compare one resource.
pub struct DiffRules<'a> {
    /// Why changing a canonical key forces replacement, if it does.
    pub replacement: &'a dyn Fn(&str) -> Option<&'static str>,
    /// The live group's recorded secret hashes; `None` when it has none.
    pub secrets: Option<&'a SecretHashes>,
    /// Canonical keys (or prefixes) the user asked to ignore (`lifecycle.ignore_changes`).
    pub ignore: &'a [String],
}

/// Compares a container group's desired canonical form with its live read, under the
/// group's rules: replacement, the secret hashes recorded on the live group (`secrets`,
/// from its tags) and `lifecycle.ignore_changes`.
pub fn diff_container_group(
    desired: &Canon,
    cg: &ContainerGroupSpec,
    live: &LiveGroup,
    secrets: Option<&SecretHashes>,
) -> Diff {
    let ignore = ignore_keys(&cg.lifecycle.ignore_changes);
    let rules = DiffRules {
        replacement: &rules::replacement_reason,
        secrets,
        ignore: &ignore,
    };
    diff(desired, live.canon(), &rules)
}

/// Compares a desired body with the live one.
pub fn diff(desired: &Canon, live: &Canon, rules: &DiffRules<'_>) -> Diff {
    let mut out = Diff::default();
    for (key, desired, live) in side_by_side(&desired.entries, &live.entries) {
        if is_ignored(key, rules.ignore) {
            continue;
        }
        let change = match (desired, live) {
            (Some(d), Some(l)) => compare(key, d, l, rules.secrets),
            (Some(d), None) if rules::is_write_only(key) => {
                let recorded = write_only_value(d).zip(rules.secrets);
                match recorded {
                    Some((value, hashes)) if hashes.contains(key, &value) => None,
                    _ => Some(added(d)),
                }
            }
            (Some(d), None) => Some(added(d)),
            // A value the service fills in on its own is not drift when the spec is
            // silent about it.
            (None, Some(_)) if rules::is_server_filled(key) => continue,
            (None, Some(l)) => Some(removed(l)),
            (None, None) => None,
        };
        match change {
            None => out.unchanged += 1,
            Some(mut change) => {
                if let Some(why) = (rules.replacement)(key) {
                    change.forces_replacement = true;
                    out.replace_reasons.push(format!("{}: {why}", change.path));
                }
                out.attributes.push(change);
            }
        }
    }
    out
}

/// The keys of two sorted maps in order, each with its value on either side: one walk
/// of both, where a set of their keys cost a third of planning unchanged groups.
fn side_by_side<'c>(
    a: &'c BTreeMap<String, Entry>,
    b: &'c BTreeMap<String, Entry>,
) -> impl Iterator<Item = (&'c String, Option<&'c Entry>, Option<&'c Entry>)> {
    let (mut a, mut b) = (a.iter().peekable(), b.iter().peekable());
    std::iter::from_fn(move || {
        let order = match (a.peek(), b.peek()) {
            (None, None) => return None,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some((ka, _)), Some((kb, _))) => ka.cmp(kb),
        };
        match order {
            Ordering::Less => a.next().map(|(k, v)| (k, Some(v), None)),
            Ordering::Greater => b.next().map(|(k, v)| (k, None, Some(v))),
            Ordering::Equal => a
                .next()
                .zip(b.next())
                .map(|((k, va), (_, vb))| (k, Some(va), Some(vb))),
        }
    })
}

/// The value a write-only attribute is recorded under: its folded JSON.
pub fn write_only_value(entry: &Entry) -> Option<Sensitive<String>> {
    match &entry.value {
        CanonValue::Plain { cmp, .. } => Some(Sensitive::new(cmp.to_string())),
        CanonValue::Secret(_) => None,
    }
}

/// Every desired attribute as an addition (a create).
pub fn all_added(desired: &Canon) -> Vec<AttributeChange> {
    desired.entries.values().map(added).collect()
}

/// Every live attribute as a removal (a delete).
pub fn all_removed(live: &Canon) -> Vec<AttributeChange> {
    live.entries.values().map(removed).collect()
}

/// Whether `key` is ignored: equal to an ignored path or below it.
pub fn is_ignored(key: &str, ignore: &[String]) -> bool {
    ignore.iter().any(|i| {
        key == i
            || key
                .strip_prefix(i.as_str())
                .is_some_and(|r| r.starts_with('.'))
    })
}

fn compare(
    key: &str,
    d: &Entry,
    l: &Entry,
    secrets: Option<&SecretHashes>,
) -> Option<AttributeChange> {
    match (&d.value, &l.value) {
        (
            CanonValue::Plain { cmp, show },
            CanonValue::Plain {
                cmp: live_cmp,
                show: live_show,
            },
        ) => {
            if has_placeholder(show) {
                return Some(change(d, Some(live_show.clone()), None, false, true));
            }
            (cmp != live_cmp)
                .then(|| change(d, Some(live_show.clone()), Some(show.clone()), false, false))
        }
        (CanonValue::Secret(Some(value)), _) => {
            if has_placeholder(&Value::String(value.expose().to_string())) {
                return Some(change(d, None, None, true, true));
            }
            let unchanged = secrets.is_some_and(|s| s.contains(key, value));
            (!unchanged).then(|| change(d, None, None, true, false))
        }
        // The desired side has nothing to compare (an empty secret map): equal.
        (CanonValue::Secret(None), _) => None,
        (CanonValue::Plain { .. }, CanonValue::Secret(_)) => {
            Some(change(d, None, None, true, false))
        }
    }
}

fn added(d: &Entry) -> AttributeChange {
    let change = match &d.value {
        CanonValue::Plain { show, .. } if has_placeholder(show) => {
            change(d, None, None, false, true)
        }
        CanonValue::Plain { show, .. } => change(d, None, Some(show.clone()), false, false),
        CanonValue::Secret(Some(v)) => {
            let unknown = has_placeholder(&Value::String(v.expose().to_string()));
            change(d, None, None, true, unknown)
        }
        CanonValue::Secret(None) => change(d, None, None, true, false),
    };
    AttributeChange {
        change: ChangeKind::Add,
        ..change
    }
}

fn removed(l: &Entry) -> AttributeChange {
    let change = match &l.value {
        CanonValue::Plain { show, .. } => change(l, Some(show.clone()), None, false, false),
        CanonValue::Secret(_) => change(l, None, None, true, false),
    };
    AttributeChange {
        change: ChangeKind::Remove,
        ..change
    }
}

/// A change of `at`; an update unless `added` or `removed` say otherwise.
fn change(
    at: &Entry,
    before: Option<Value>,
    after: Option<Value>,
    sensitive: bool,
    known_after_apply: bool,
) -> AttributeChange {
    AttributeChange {
        path: at.path.clone(),
        change: ChangeKind::Update,
        before: if sensitive { None } else { before },
        after: if sensitive || known_after_apply {
            None
        } else {
            after
        },
        sensitive,
        known_after_apply,
        forces_replacement: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(keys: &[&str]) -> BTreeMap<String, Entry> {
        let entry = |k: &str| Entry {
            path: k.to_string(),
            value: CanonValue::Plain {
                cmp: Value::from(k),
                show: Value::from(k),
            },
        };
        keys.iter().map(|k| (k.to_string(), entry(k))).collect()
    }

    #[test]
    fn side_by_side_walks_the_union_of_keys_in_order() {
        let (a, b) = (entries(&["a", "c", "d"]), entries(&["b", "c", "e"]));
        let walked: Vec<(&str, bool, bool)> = side_by_side(&a, &b)
            .map(|(k, x, y)| (k.as_str(), x.is_some(), y.is_some()))
            .collect();
        let expected = [
            ("a", true, false),
            ("b", false, true),
            ("c", true, true),
            ("d", true, false),
            ("e", false, true),
        ];
        assert_eq!(walked, expected);
        assert_eq!(side_by_side(&entries(&[]), &entries(&[])).count(), 0);
    }
}
