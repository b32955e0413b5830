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

    fn containers(&mut self, list: &str, value: &Value, init: bool) {
        let list_seg = Seg::exact(list);
        for (name, item) in named_items(value, "name") {
            let seg = Seg::exact(&name);
            let props = item.get("properties").and_then(Value::as_object);
            // The container's name is an attribute of its own, so adding or removing a
            // container shows even when it sets nothing else.
            let marker = Value::String(name.clone());
            self.put(
                &[&list_seg, &seg],
                "name",
                CanonValue::Plain {
                    cmp: marker.clone(),
                    show: marker,
                },
            );
            let Some(props) = props else { continue };
            let path = [&list_seg, &seg];
            for (key, v) in props {
                match key.as_str() {
                    "instanceView" => {}
                    "image" => self.plain_at(&path, "image", v, Fold::None),
                    "command" => self.plain_at(&path, "command", v, Fold::None),
                    "ports" if !init => self.port_set(&path, "ports", v),
                    "environmentVariables" => self.env_vars(&path, v),
                    "resources" if !init => self.resources(&path, v),
                    "volumeMounts" => self.volume_mounts(&path, v),
                    "livenessProbe" if !init => self.probe(&path, "liveness_probe", v),
                    "readinessProbe" if !init => self.probe(&path, "readiness_probe", v),
                    other => self.unknown(&path, other, v),
                }
            }
        }
    }

    fn env_vars(&mut self, path: &[&Seg; 2], value: &Value) {
        for (name, item) in named_items(value, "name") {
            let secure = item.get("secureValue").filter(|v| !v.is_null());
            let plain = item.get("value").filter(|v| !v.is_null());
            let reference = item.get("secureValueReference").filter(|v| !v.is_null());
            let name_seg = Seg::exact(&name);
            if let Some(secret) = secure {
                self.secret_at(
                    &[path[0], path[1], &Seg::exact("secure_env")],
                    &name,
                    secret,
                );
            } else if let Some(reference) = reference {
                let seg = Seg::exact("secure_env_reference");
                self.plain_at(
                    &[path[0], path[1], &seg],
                    &name_seg.show,
                    reference,
                    Fold::None,
                );
            } else if let Some(v) = plain {
                // An empty value is a value: `A=""` is not the same as no `A`.
                let show = normalize_numbers(v);
                let seg = Seg::exact("env");
                self.put(
                    &[path[0], path[1], &seg],
                    &name,
                    CanonValue::Plain {
                        cmp: show.clone(),
                        show,
                    },
                );
            } else {
                // A name without value comes back for a secure variable: ARM withholds
                // its value. (A plain variable is never sent without a value.)
                self.put(
                    &[path[0], path[1], &Seg::exact("secure_env")],
                    &name,
                    CanonValue::Secret(None),
                );
            }
        }
    }

    fn resources(&mut self, path: &[&Seg; 2], value: &Value) {
        for (kind, suffix) in [("requests", ""), ("limits", "_limit")] {
            let Some(r) = value.get(kind).and_then(Value::as_object) else {
                continue;
            };
            for (key, v) in r {
                match key.as_str() {
                    "cpu" => self.plain_at(path, &format!("cpu{suffix}"), v, Fold::Number),
                    "memoryInGB" => {
                        self.plain_at(path, &format!("memory_gb{suffix}"), v, Fold::Number)
                    }
                    "gpu" => {
                        let gpu = Seg::exact(&format!("gpu{suffix}"));
                        if let Some(g) = v.as_object() {
                            for (gk, gv) in g {
                                let leaf = gk.as_str();
                                let fold = if leaf == "sku" {
                                    Fold::Enum
                                } else {
                                    Fold::Number
                                };
                                self.plain_at(&[path[0], path[1], &gpu], leaf, gv, fold);
                            }
                        }
                    }
                    other => self.unknown(path, &format!("{other}{suffix}"), v),
                }
            }
        }
    }

    fn volume_mounts(&mut self, path: &[&Seg; 2], value: &Value) {
        let mounts = Seg::exact("volume_mounts");
        for (name, item) in named_items(value, "name") {
            let seg = Seg::exact(&name);
            let at = [path[0], path[1], &mounts, &seg];
            let mount_path = item.get("mountPath").cloned().unwrap_or(Value::Null);
            self.plain_at(&at, "mount_path", &mount_path, Fold::None);
            let read_only = item.get("readOnly").cloned().unwrap_or(Value::Bool(false));
            let read_only = if read_only.is_null() {
                Value::Bool(false)
            } else {
                read_only
            };
            self.plain_at(&at, "read_only", &read_only, Fold::None);
        }
    }

    fn probe(&mut self, path: &[&Seg; 2], leaf: &str, value: &Value) {
        let Some(obj) = value.as_object() else { return };
        let probe = Seg::exact(leaf);
        let at = [path[0], path[1], &probe];
        for (key, v) in obj {
            match key.as_str() {
                "exec" => {
                    let cmd = v.get("command").cloned().unwrap_or(Value::Null);
                    self.plain_at(&at, "exec", &cmd, Fold::None);
                }
                "httpGet" => {
                    let Some(h) = v.as_object() else { continue };
                    let http = Seg::exact("http_get");
                    let at = [path[0], path[1], &probe, &http];
                    for (hk, hv) in h {
                        match hk.as_str() {
                            "path" => self.plain_at(&at, "path", hv, Fold::None),
                            "port" => self.plain_at(&at, "port", hv, Fold::Number),
                            "scheme" => self.plain_at(&at, "scheme", hv, Fold::Enum),
                            "httpHeaders" => {
                                let headers = Seg::exact("http_headers");
                                let at = [path[0], path[1], &probe, &http, &headers];
                                for (name, item) in named_items(hv, "name") {
                                    let val = item.get("value").cloned().unwrap_or(Value::Null);
                                    self.plain_at(&at, &name, &val, Fold::None);
                                }
                            }
                            other => self.unknown(&at, other, hv),
                        }
                    }
                }
                "initialDelaySeconds"
                | "periodSeconds"
                | "failureThreshold"
                | "successThreshold"
                | "timeoutSeconds" => self.plain_at(&at, &snake_case(key), v, Fold::Number),
                other => self.unknown(&at, other, v),
            }
        }
    }

    /// Ports as a sorted set of `N/PROTO` (TCP when omitted, as ARM defaults it).
    fn port_set(&mut self, path: &[&Seg], leaf: &str, value: &Value) {
        let Some(items) = value.as_array() else {
            return;
        };
        let mut ports: Vec<(u64, String)> = items
            .iter()
            .filter_map(|p| {
                let number = p.get("port").and_then(as_u64)?;
                let protocol = p
                    .get("protocol")
                    .and_then(Value::as_str)
                    .unwrap_or("TCP")
                    .to_ascii_uppercase();
                Some((number, protocol))
            })
            .collect();
        if ports.is_empty() {
            return;
        }
        ports.sort();
        ports.dedup();
        // Shown as the spec writes them: `80` for TCP, `"53/udp"` otherwise.
        let show: Vec<Value> = ports
            .iter()
            .map(|(n, p)| match p.as_str() {
                "TCP" => Value::from(*n),
                other => Value::String(format!("{n}/{}", other.to_ascii_lowercase())),
            })
            .collect();
        let cmp: Vec<Value> = ports
            .iter()
            .map(|(n, p)| Value::String(format!("{n}/{p}")))
            .collect();
        let value = CanonValue::Plain {
            cmp: Value::Array(cmp),
            show: Value::Array(show),
        };
        self.put(path, leaf, value);
    }

    fn registry_credentials(&mut self, value: &Value) {
        let list = Seg::exact("image_registry_credentials");
        for (server, item) in named_items(value, "server") {
            // Registry hosts are case-insensitive.
            let seg = Seg::folded(&server);
            let Some(obj) = item.as_object() else {
                continue;
            };
            let at = [&list, &seg];
            let mut has_password = false;
            for (key, v) in obj {
                match key.as_str() {
                    "server" => {}
                    "username" => self.plain_at(&at, "username", v, Fold::None),
                    "password" => {
                        has_password = !v.is_null();
                        self.secret_at(&at, "password", v)
                    }
                    "identity" => self.plain_at(&at, "identity", v, Fold::Id),
                    "identityUrl" => self.plain_at(&at, "identity_url", v, Fold::None),
                    other => self.unknown(&at, other, v),
                }
            }
            // ARM withholds the password: a credential with a username and no identity
            // must have had one, so the live side records it as a withheld secret.
            let has_identity = obj.get("identity").is_some_and(|v| !is_absent(v));
            let has_reference = obj.get("passwordReference").is_some_and(|v| !is_absent(v));
            if !has_password && !has_identity && !has_reference && obj.contains_key("username") {
                self.put(&at, "password", CanonValue::Secret(None));
            }
        }
    }

    fn ip_address(&mut self, value: &Value) {
        let Some(obj) = value.as_object() else { return };
        let seg = Seg::exact("ip_address");
        for (key, v) in obj {
            match key.as_str() {
                "type" => self.plain_at(&[&seg], "type", v, Fold::Enum),
                "ports" => self.port_set(&[&seg], "ports", v),
                "dnsNameLabel" => self.plain_at(&[&seg], "dns_name_label", v, Fold::Lower),
                "autoGeneratedDomainNameLabelScope" => {
                    self.plain_at(&[&seg], "dns_name_label_reuse_policy", v, Fold::Enum)
                }
                "ip" => self.plain_at(&[&seg], "ip", v, Fold::None),
                "fqdn" => {}
                other => self.unknown(&[&seg], other, v),
            }
        }
    }

    fn volumes(&mut self, value: &Value) {
        let list = Seg::exact("volumes");
        for (name, item) in named_items(value, "name") {
            let seg = Seg::exact(&name);
            let Some(obj) = item.as_object() else {
                continue;
            };
            let at = [&list, &seg];
            for (key, v) in obj {
                match key.as_str() {
                    "name" => {}
                    "emptyDir" => {
                        let marker = Value::Object(Map::new());
                        self.put(
                            &at,
                            "empty_dir",
                            CanonValue::Plain {
                                cmp: marker.clone(),
                                show: marker,
                            },
                        );
                    }
                    "secret" => self.secret_at(&at, "secret", v),
                    "azureFile" => self.azure_file(&at, v),
                    "gitRepo" => {
                        let Some(g) = v.as_object() else { continue };
                        let git = Seg::exact("git_repo");
                        for (gk, gv) in g {
                            self.plain_at(&[&list, &seg, &git], &snake_case(gk), gv, Fold::None);
                        }
                    }
                    other => self.unknown(&at, other, v),
                }
            }
        }
    }

    fn azure_file(&mut self, at: &[&Seg; 2], value: &Value) {
        let Some(obj) = value.as_object() else { return };
        let file = Seg::exact("azure_file");
        let path = [at[0], at[1], &file];
        let mut has_key = false;
        for (key, v) in obj {
            match key.as_str() {
                "shareName" => self.plain_at(&path, "share_name", v, Fold::None),
                "storageAccountName" => self.plain_at(&path, "storage_account_name", v, Fold::None),
                "readOnly" => {
                    let v = if v.is_null() {
                        Value::Bool(false)
                    } else {
                        v.clone()
                    };
                    self.plain_at(&path, "read_only", &v, Fold::None)
                }
                "storageAccountKey" => {
                    has_key = !v.is_null();
                    self.secret_at(&path, "storage_account_key", v)
                }
                other => self.unknown(&path, other, v),
            }
        }
        if !obj.contains_key("readOnly") {
            self.plain_at(&path, "read_only", &Value::Bool(false), Fold::None);
        }
        // The key is withheld by ARM; an Azure Files volume always has one (or a
        // reference, which ARM does return).
        if !has_key && !obj.contains_key("storageAccountKeyReference") {
            self.put(&path, "storage_account_key", CanonValue::Secret(None));
        }
    }

    fn diagnostics(&mut self, value: &Value) {
        let Some(la) = value.get("logAnalytics").and_then(Value::as_object) else {
            return self.unknown(&[], "diagnostics", value);
        };
        let diag = Seg::exact("diagnostics");
        let la_seg = Seg::exact("log_analytics");
        let at = [&diag, &la_seg];
        for (key, v) in la {
            match key.as_str() {
                "workspaceId" => self.plain_at(&at, "workspace_id", v, Fold::None),
                "workspaceKey" => self.secret_at(&at, "workspace_key", v),
                "logType" => self.plain_at(&at, "log_type", v, Fold::Enum),
                "workspaceResourceId" => self.plain_at(&at, "workspace_resource_id", v, Fold::Id),
                "metadata" => {
                    let Some(m) = v.as_object() else { continue };
                    let meta = Seg::exact("metadata");
                    for (mk, mv) in m {
                        self.plain_at(&[&diag, &la_seg, &meta], mk, mv, Fold::None);
                    }
                }
                other => self.unknown(&at, other, v),
            }
        }
        if !la.contains_key("workspaceKey") {
            self.put(&at, "workspace_key", CanonValue::Secret(None));
        }
    }

    fn subnet_ids(&mut self, value: &Value) {
        let ids: Vec<Value> = value
            .as_array()
            .map(|items| items.iter().filter_map(|s| s.get("id").cloned()).collect())
            .unwrap_or_default();
        self.string_set("subnet_ids", &Value::Array(ids), Fold::Id);
    }

    fn dns_config(&mut self, value: &Value) {
        let Some(obj) = value.as_object() else { return };
        let seg = Seg::exact("dns_config");
        for (key, v) in obj {
            match key.as_str() {
                // Resolver order matters, so name servers stay a list.
                "nameServers" => self.plain_at(&[&seg], "name_servers", v, Fold::None),
                "searchDomains" => self.plain_at(&[&seg], "search_domains", v, Fold::Words),
                "options" => self.plain_at(&[&seg], "options", v, Fold::Words),
                other => self.unknown(&[&seg], other, v),
            }
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

/// The entries of a name-keyed ARM list, in name order. Entries without the key are
/// skipped: ARM rejects them anyway.
fn named_items<'v>(value: &'v Value, key: &str) -> Vec<(String, &'v Value)> {
    let mut items: Vec<(String, &Value)> = value
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|item| {
                    let name = item.get(key)?.as_str()?.to_string();
                    Some((name, item))
                })
                .collect()
        })
        .unwrap_or_default();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items
}

/// Whether ARM treats a value as "not set": null, an empty string, list or object.
pub fn is_absent(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Numbers compared as numbers: `1.0` becomes `1`, so ARM's re-encoding never diffs.
pub fn normalize_numbers(value: &Value) -> Value {
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                return Value::from(f as i64);
            }
            value.clone()
        }
        Value::Array(items) => Value::Array(items.iter().map(normalize_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalize_numbers(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn as_u64(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0)
            .map(|f| f as u64)
    })
}

/// `camelCase` to `snake_case`, for fields aciform shows under ARM's own name.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Stable JSON text (serde_json maps are sorted) for hashing structured secrets.
fn canonical_json(value: &Value) -> String {
    normalize_numbers(value).to_string()
}

fn join(at: &str, segment: &str) -> String {
    if at.is_empty() {
        segment.to_string()
    } else {
        format!("{at}.{segment}")
    }
}

/// Removes secret-named keys from a subtree, returning the clean value and the secrets
/// found with their dotted paths.
fn strip_secrets(value: &Value) -> (Value, Vec<(String, Value)>) {
    let mut secrets = Vec::new();
    let clean = strip_into(value, "", &mut secrets);
    (clean, secrets)
}

fn strip_into(value: &Value, at: &str, secrets: &mut Vec<(String, Value)>) -> Value {
    match value {
        Value::Object(map) => {
            let mut clean = Map::new();
            for (k, v) in map {
                let path = join(at, &snake_case(k));
                if SECRET_KEYS.contains(&k.as_str()) {
                    if !v.is_null() {
                        secrets.push((path, v.clone()));
                    }
                } else if !READ_ONLY.contains(&k.as_str()) {
                    clean.insert(k.clone(), strip_into(v, &path, secrets));
                }
            }
            Value::Object(clean)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| strip_into(v, &join(at, &i.to_string()), secrets))
                .collect(),
        ),
        other => other.clone(),
    }
}
