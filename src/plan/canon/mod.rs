//! The one normalizer: an ARM body (desired or live) becomes a flat, canonical map of
//! attributes keyed by spec-style paths (`containers.web.image`, `tags.team`).
//!
//! Both sides go through the same code, so whatever ARM does to a body (fills defaults,
//! re-cases enums and locations, reorders lists, turns `1.0` into `1`, returns `[]` for
//! an omitted list, drops secrets, adds read-only fields) is undone once, here. Lists
//! become keyed by name, so order never matters where ARM does not care about it.
//! Values ARM never returns become `Secret` entries that are compared by hash, never in
//! clear. The diff then only compares entries.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::rules::{self, Fold};
use crate::sensitive::Sensitive;

mod containers;
mod parts;
mod values;

use values::{as_u64, canonical_json, named_items, strip_secrets};
pub use values::{is_absent, normalize_numbers, snake_case};

/// A canonical attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum CanonValue {
    /// A plain value: `cmp` is folded for comparison, `show` is the value as written.
    Plain { cmp: Value, show: Value },
    /// A value ARM never returns. `Some` on the desired side (the clear value, kept only
    /// for hashing); `None` on the live side (present, value withheld).
    Secret(Option<Sensitive<String>>),
}

/// One attribute of a canonical body.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The path as shown to users, with the names as written.
    pub path: String,
    pub value: CanonValue,
}

/// A canonical body: attributes keyed by their folded path (names that ARM treats
/// case-insensitively are lower-cased in the key, so `tags.Team` and `tags.team` meet).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Canon {
    pub entries: BTreeMap<String, Entry>,
}

/// Keys that hold a secret wherever they appear: ARM never returns their values.
const SECRET_KEYS: &[&str] = &[
    "secureValue",
    "password",
    "storageAccountKey",
    "workspaceKey",
    "protectedSettings",
];

/// Fields that are read-only or server-generated anywhere in a body.
const READ_ONLY: &[&str] = &["provisioningState", "instanceView", "systemData", "etag"];

/// Path segment of a name-keyed list entry, and its folded key.
struct Seg {
    show: String,
    key: String,
}

impl Seg {
    fn exact(name: &str) -> Seg {
        Seg {
            show: name.to_string(),
            key: name.to_string(),
        }
    }
    fn folded(name: &str) -> Seg {
        Seg {
            show: name.to_string(),
            key: name.to_ascii_lowercase(),
        }
    }
}

/// Builds the canonical form of a container group body (top level: `location`, `tags`,
/// `zones`, `identity`, `properties`).
pub fn canonicalize_container_group(body: &Value) -> Canon {
    let mut c = Builder::default();
    let Some(obj) = body.as_object() else {
        return c.finish();
    };

    for (key, value) in obj {
        match key.as_str() {
            "id" | "name" | "type" | "systemData" | "etag" => {}
            "location" => c.plain_folded("location", value, Fold::Location),
            "tags" => c.tags(value),
            "zones" => c.string_set("zones", value, Fold::None),
            "identity" => c.identity(value),
            "properties" => c.group_properties(value),
            other => c.unknown(&[], other, value),
        }
    }
    c.finish()
}

/// Adds the entries of a body's `tags` to its canonical form, as
/// `canonicalize_container_group` would had the body carried them.
pub fn add_tags(canon: &mut Canon, tags: &Value) {
    let mut c = Builder {
        canon: std::mem::take(canon),
    };
    c.tags(tags);
    *canon = c.finish();
}

/// Builds the canonical form of a resource group body (`location`, `tags`).
pub fn canonicalize_resource_group(body: &Value) -> Canon {
    let mut c = Builder::default();
    let Some(obj) = body.as_object() else {
        return c.finish();
    };

    for (key, value) in obj {
        match key.as_str() {
            "location" => c.plain_folded("location", value, Fold::Location),
            "tags" => c.tags(value),
            "managedBy" => c.plain_folded("managed_by", value, Fold::Id),
            // Everything else of a resource group is read-only (id, name, type,
            // properties.provisioningState).
            _ => {}
        }
    }
    c.finish()
}

#[derive(Default)]
struct Builder {
    canon: Canon,
}

impl Builder {
    fn finish(self) -> Canon {
        self.canon
    }

    fn put(&mut self, path: &[&Seg], leaf: &str, value: CanonValue) {
        let show: Vec<&str> = path.iter().map(|s| s.show.as_str()).chain([leaf]).collect();
        let key: Vec<&str> = path.iter().map(|s| s.key.as_str()).chain([leaf]).collect();
        let entry = Entry {
            path: show.join("."),
            value,
        };
        self.canon.entries.insert(key.join("."), entry);
    }

    /// A plain value at `leaf`, skipped when absent in ARM's sense (null, "", [], {}).
    fn plain_at(&mut self, path: &[&Seg], leaf: &str, value: &Value, fold: Fold) {
        if is_absent(value) {
            return;
        }
        let show = normalize_numbers(value);
        let cmp = rules::fold(&show, fold);
        self.put(path, leaf, CanonValue::Plain { cmp, show });
    }

    fn plain_folded(&mut self, leaf: &str, value: &Value, fold: Fold) {
        self.plain_at(&[], leaf, value, fold);
    }

    fn secret_at(&mut self, path: &[&Seg], leaf: &str, value: &Value) {
        match value {
            Value::Null => {}
            Value::String(s) => self.put(
                path,
                leaf,
                CanonValue::Secret(Some(Sensitive::new(s.clone()))),
            ),
            // A secret map or object (secret volume files, protectedSettings): hash its
            // canonical JSON; an empty object is what ARM returns in its place.
            Value::Object(m) if m.is_empty() => self.put(path, leaf, CanonValue::Secret(None)),
            other => {
                let text = canonical_json(other);
                self.put(path, leaf, CanonValue::Secret(Some(Sensitive::new(text))));
            }
        }
    }

    /// A list of strings compared as a set (sorted), e.g. zones.
    fn string_set(&mut self, leaf: &str, value: &Value, fold: Fold) {
        let Some(items) = value.as_array() else {
            return self.plain_folded(leaf, value, fold);
        };
        if items.is_empty() {
            return;
        }
        let mut show: Vec<Value> = items.clone();
        show.sort_by_key(|v| rules::fold(v, fold).to_string());
        let show = Value::Array(show);
        let mut cmp: Vec<Value> = items.iter().map(|v| rules::fold(v, fold)).collect();
        cmp.sort_by_key(|v| v.to_string());
        self.put(
            &[],
            leaf,
            CanonValue::Plain {
                cmp: Value::Array(cmp),
                show,
            },
        );
    }

    fn tags(&mut self, value: &Value) {
        let Some(tags) = value.as_object() else {
            return;
        };
        for (name, v) in tags {
            // Tags aciform manages for itself are compared elsewhere: secret hashes by
            // the secret check, the run-state marker as `state`.
            if rules::is_internal_tag(name) {
                continue;
            }
            // Tag names are case-insensitive in ARM; values are not.
            let entry = Entry {
                path: format!("tags.{name}"),
                value: CanonValue::Plain {
                    cmp: v.clone(),
                    show: v.clone(),
                },
            };
            self.canon
                .entries
                .insert(format!("tags.{}", name.to_ascii_lowercase()), entry);
        }
    }

    fn identity(&mut self, value: &Value) {
        let Some(obj) = value.as_object() else { return };
        let seg = Seg::exact("identity");
        for (key, v) in obj {
            match key.as_str() {
                // `None` is how ARM spells "no identity".
                "type" if v.as_str().is_some_and(|t| t.eq_ignore_ascii_case("none")) => {}
                "type" => self.plain_at(&[&seg], "type", v, Fold::IdentityType),
                "userAssignedIdentities" => {
                    // A map from identity id to `{}` (request) or `{principalId, clientId}`
                    // (response): only the ids matter, compared as ids.
                    let ids: Vec<Value> = v
                        .as_object()
                        .map(|m| m.keys().map(|k| Value::String(k.clone())).collect())
                        .unwrap_or_default();
                    let mut sorted = ids.clone();
                    sorted.sort_by_key(|i| rules::fold(i, Fold::Id).to_string());
                    let cmp: Vec<Value> = sorted.iter().map(|i| rules::fold(i, Fold::Id)).collect();
                    if !sorted.is_empty() {
                        let value = CanonValue::Plain {
                            cmp: Value::Array(cmp),
                            show: sorted.into(),
                        };
                        self.put(&[&seg], "user_assigned", value);
                    }
                }
                "principalId" | "tenantId" => {}
                other => self.unknown(&[&seg], other, v),
            }
        }
    }

    fn group_properties(&mut self, value: &Value) {
        let Some(obj) = value.as_object() else { return };
        for (key, v) in obj {
            match key.as_str() {
                k if READ_ONLY.contains(&k) => {}
                "isCreatedFromStandbyPool" => {}
                "osType" => self.plain_folded("os_type", v, Fold::Enum),
                "restartPolicy" => self.plain_folded("restart_policy", v, Fold::Enum),
                "sku" => self.plain_folded("sku", v, Fold::Enum),
                "priority" => self.plain_folded("priority", v, Fold::Enum),
                "containers" => self.containers("containers", v, false),
                "initContainers" => self.containers("init_containers", v, true),
                "imageRegistryCredentials" => self.registry_credentials(v),
                "ipAddress" => self.ip_address(v),
                "volumes" => self.volumes(v),
                "diagnostics" => self.diagnostics(v),
                "subnetIds" => self.subnet_ids(v),
                "dnsConfig" => self.dns_config(v),
                other => self.unknown(&[], other, v),
            }
        }
        // ARM fills these when omitted; filling them on both sides means an omitted
        // field never shows as a diff.
        self.fill_default("restart_policy", "Always");
        self.fill_default("sku", "Standard");
        self.fill_default("priority", "Regular");
    }

    fn fill_default(&mut self, leaf: &str, value: &str) {
        if !self.canon.entries.contains_key(leaf) {
            self.plain_folded(leaf, &Value::String(value.into()), Fold::Enum);
        }
    }

    /// A field aciform does not model: kept whole, as one attribute under its
    /// snake_case name, so a field set outside aciform (or added by a newer API) still
    /// shows, and a PUT that would reset it says so. Secrets inside are withheld.
    fn unknown(&mut self, path: &[&Seg], key: &str, value: &Value) {
        if READ_ONLY.contains(&key) {
            return;
        }
        let leaf = snake_case(key);
        if SECRET_KEYS.contains(&key) {
            return self.secret_at(path, &leaf, value);
        }
        let (clean, secrets) = strip_secrets(value);
        self.plain_at(path, &leaf, &clean, Fold::None);
        for (secret_path, secret) in secrets {
            self.secret_at(path, &format!("{leaf}.{secret_path}"), &secret);
        }
    }
}
