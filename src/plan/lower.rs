//! Lowering: a resource of the spec becomes the exact ARM body apply will send.
//!
//! A PUT replaces the whole container group and fields left out fall back to their
//! defaults, so the body is always complete: every field the spec sets, every secret
//! (ARM never returns them, so they cannot be copied from live state), the ownership
//! tags and the secret-hash tags. References to other resources are resolved through
//! the caller's resolver; what is not known yet becomes a placeholder.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::canon::{Canon, CanonValue, add_tags, canonicalize_container_group};
use super::diff::write_only_value;
use super::placeholder::placeholder;
use super::rules::{TAG_ADDRESS, TAG_STACK, TAG_STATE, is_write_only};
use super::secrets::secret_tags;
use crate::sensitive::Sensitive;
use crate::spec::Reference;
use crate::spec::{
    Container, ContainerGroupSpec, InitContainer, Part, Probe, ProbeAction, ResourceGroupSpec,
    RunState, Stack, Text, VolumeKind, VolumeMount,
};

/// Resolves a reference to another resource's attribute; `None` when it is not known
/// yet (it is then lowered as a placeholder).
pub type Resolver<'a> = &'a dyn Fn(&Reference) -> Option<String>;

/// What lowering needs beyond the spec itself.
pub struct LowerContext<'a> {
    pub stack: &'a Stack,
    pub resolve: Resolver<'a>,
    /// The group's location (the spec's, or for an `existing` resource group with
    /// none, the one Azure reports).
    pub location: &'a str,
    /// The salt of the group's secret hashes: the live one, or a fresh one.
    pub salt: &'a str,
}

/// The ARM body of a resource group.
pub fn lower_resource_group(
    stack: &Stack,
    rg: &ResourceGroupSpec,
    location: &str,
    resolve: Resolver<'_>,
) -> Value {
    let mut tags = user_tags(stack, &rg.tags, resolve);
    tags.insert(TAG_STACK.into(), stack.name.clone().into());
    tags.insert(TAG_ADDRESS.into(), rg.address().to_string().into());
    json!({ "location": location, "tags": tags })
}

/// The ARM body of a container group, secrets and tags included.
pub fn lower_container_group(cx: &LowerContext<'_>, cg: &ContainerGroupSpec) -> Value {
    lower_container_group_canon(cx, cg).0
}

/// The ARM body of a container group and its canonical form, equal to
/// `canonicalize_container_group` of the body. The secret-hash tags are computed from
/// the canonical form of the body without tags, so the planner gets the whole form by
/// adding the tags to it instead of normalizing the body a second time.
pub fn lower_container_group_canon(
    cx: &LowerContext<'_>,
    cg: &ContainerGroupSpec,
) -> (Value, Canon) {
    let r = cx.resolve;
    let mut props = Map::new();
    props.insert("osType".into(), cg.os_type.as_str().into());
    if let Some(p) = cg.restart_policy {
        props.insert("restartPolicy".into(), p.as_str().into());
    }
    if let Some(s) = cg.sku {
        props.insert("sku".into(), s.as_str().into());
    }
    if let Some(p) = cg.priority {
        props.insert("priority".into(), p.as_str().into());
    }
    props.insert(
        "containers".into(),
        cg.containers.iter().map(|c| container(c, r)).collect(),
    );
    if !cg.init_containers.is_empty() {
        let inits: Vec<Value> = cg
            .init_containers
            .iter()
            .map(|c| init_container(c, r))
            .collect();
        props.insert("initContainers".into(), inits.into());
    }
    if !cg.volumes.is_empty() {
        props.insert(
            "volumes".into(),
            cg.volumes.iter().map(|v| volume(v, r)).collect(),
        );
    }
    if !cg.image_registry_credentials.is_empty() {
        let creds: Vec<Value> = cg
            .image_registry_credentials
            .iter()
            .map(|c| {
                let mut m = Map::new();
                m.insert("server".into(), text(&c.server, r).into());
                if let Some(u) = &c.username {
                    m.insert("username".into(), text(u, r).into());
                }
                if let Some(p) = &c.password {
                    m.insert("password".into(), secret(p, r).into());
                }
                if let Some(i) = &c.identity {
                    m.insert("identity".into(), text(i, r).into());
                }
                Value::Object(m)
            })
            .collect();
        props.insert("imageRegistryCredentials".into(), creds.into());
    }
    if let Some(ip) = &cg.ip_address {
        let mut m = Map::new();
        m.insert("type".into(), ip.ip_type.as_str().into());
        m.insert(
            "ports".into(),
            ip.ports
                .iter()
                .map(|p| port(p.number, p.protocol.as_str()))
                .collect(),
        );
        if let Some(label) = &ip.dns_name_label {
            m.insert("dnsNameLabel".into(), text(label, r).into());
        }
        if let Some(policy) = ip.dns_name_label_reuse_policy {
            m.insert(
                "autoGeneratedDomainNameLabelScope".into(),
                policy.arm_value().into(),
            );
        }
        props.insert("ipAddress".into(), Value::Object(m));
    }
    if let Some(dns) = &cg.dns_config {
        let mut m = Map::new();
        m.insert("nameServers".into(), texts(&dns.name_servers, r));
        if let Some(s) = &dns.search_domains {
            m.insert("searchDomains".into(), text(s, r).into());
        }
        if let Some(o) = &dns.options {
            m.insert("options".into(), text(o, r).into());
        }
        props.insert("dnsConfig".into(), Value::Object(m));
    }
    if !cg.subnet_ids.is_empty() {
        let ids: Vec<Value> = cg
            .subnet_ids
            .iter()
            .map(|s| json!({ "id": text(s, r) }))
            .collect();
        props.insert("subnetIds".into(), ids.into());
    }
    if let Some(diag) = &cg.diagnostics {
        let la = &diag.log_analytics;
        let mut m = Map::new();
        m.insert("workspaceId".into(), text(&la.workspace_id, r).into());
        m.insert("workspaceKey".into(), secret(&la.workspace_key, r).into());
        if let Some(t) = la.log_type {
            m.insert("logType".into(), t.as_str().into());
        }
        if !la.metadata.is_empty() {
            let meta: Map<String, Value> = la
                .metadata
                .iter()
                .map(|(k, v)| (k.clone(), text(v, r).into()))
                .collect();
            m.insert("metadata".into(), Value::Object(meta));
        }
        if let Some(id) = &la.workspace_resource_id {
            m.insert("workspaceResourceId".into(), text(id, r).into());
        }
        props.insert("diagnostics".into(), json!({ "logAnalytics": m }));
    }

    let mut body = Map::new();
    body.insert("location".into(), cx.location.into());
    if !cg.zones.is_empty() {
        let zones: Vec<Value> = cg
            .zones
            .iter()
            .map(|z| Value::String(z.to_string()))
            .collect();
        body.insert("zones".into(), zones.into());
    }
    if let Some(identity) = &cg.identity {
        let mut m = Map::new();
        m.insert("type".into(), identity.identity_type.as_str().into());
        if !identity.user_assigned.is_empty() {
            let ids: Map<String, Value> = identity
                .user_assigned
                .iter()
                .map(|id| (text(id, r), json!({})))
                .collect();
            m.insert("userAssignedIdentities".into(), Value::Object(ids));
        }
        body.insert("identity".into(), Value::Object(m));
    }
    body.insert("properties".into(), Value::Object(props));

    let mut tags = user_tags(cx.stack, &cg.tags, r);
    tags.insert(TAG_STACK.into(), cx.stack.name.clone().into());
    tags.insert(TAG_ADDRESS.into(), cg.address().to_string().into());
    if cg.state == RunState::Stopped {
        tags.insert(TAG_STATE.into(), "stopped".into());
    }
    let mut body = Value::Object(body);
    let mut canon = canonicalize_container_group(&body);
    for (name, value) in secret_hash_tags(&canon, cx.salt) {
        tags.insert(name, value.into());
    }
    let tags = Value::Object(tags);
    add_tags(&mut canon, &tags);
    body["tags"] = tags;
    (body, canon)
}

/// The secret-hash tags of a lowered body, from its canonical form (without tags), so
/// the keys are exactly those the live side is compared under.
fn secret_hash_tags(canon: &Canon, salt: &str) -> BTreeMap<String, String> {
    // Write-only fields are recorded the same way: ARM may not return them either.
    let write_only: Vec<(&str, Sensitive<String>)> = canon
        .entries
        .iter()
        .filter(|(key, _)| is_write_only(key))
        .filter_map(|(key, entry)| Some((key.as_str(), write_only_value(entry)?)))
        .collect();
    let mut secrets: Vec<(&str, &Sensitive<String>)> = canon
        .entries
        .iter()
        .filter_map(|(key, entry)| match &entry.value {
            CanonValue::Secret(Some(v)) => Some((key.as_str(), v)),
            _ => None,
        })
        .collect();
    secrets.extend(write_only.iter().map(|(k, v)| (*k, v)));
    secret_tags(salt, &secrets)
}

/// The stack's tags overlaid with the resource's own.
fn user_tags(stack: &Stack, own: &BTreeMap<String, Text>, r: Resolver<'_>) -> Map<String, Value> {
    let mut tags: Map<String, Value> = stack
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().into()))
        .collect();
    for (k, v) in own {
        // Tag names are case-insensitive in ARM: the resource's `Owner` replaces the
        // stack's `owner` rather than standing beside it.
        tags.retain(|existing, _| !existing.eq_ignore_ascii_case(k));
        tags.insert(k.clone(), text(v, r).into());
    }
    tags
}

fn container(c: &Container, r: Resolver<'_>) -> Value {
    let mut props = Map::new();
    props.insert("image".into(), text(&c.image, r).into());
    if !c.command.is_empty() {
        props.insert("command".into(), texts(&c.command, r));
    }
    if !c.ports.is_empty() {
        props.insert(
            "ports".into(),
            c.ports
                .iter()
                .map(|p| port(p.number, p.protocol.as_str()))
                .collect(),
        );
    }
    let env = env_vars(&c.env, &c.secure_env, r);
    if !env.is_empty() {
        props.insert("environmentVariables".into(), env.into());
    }

    let mut requests = Map::new();
    requests.insert("cpu".into(), json!(c.cpu));
    requests.insert("memoryInGB".into(), json!(c.memory_gb));
    if let Some(gpu) = c.gpu {
        requests.insert(
            "gpu".into(),
            json!({ "count": gpu.count, "sku": gpu.sku.as_str() }),
        );
    }
    let mut resources = Map::new();
    resources.insert("requests".into(), Value::Object(requests));
    if c.cpu_limit.is_some() || c.memory_gb_limit.is_some() {
        let mut limits = Map::new();
        if let Some(cpu) = c.cpu_limit {
            limits.insert("cpu".into(), json!(cpu));
        }
        if let Some(mem) = c.memory_gb_limit {
            limits.insert("memoryInGB".into(), json!(mem));
        }
        resources.insert("limits".into(), Value::Object(limits));
    }
    props.insert("resources".into(), Value::Object(resources));

    if !c.volume_mounts.is_empty() {
        props.insert("volumeMounts".into(), mounts(&c.volume_mounts, r));
    }
    if let Some(p) = &c.liveness_probe {
        props.insert("livenessProbe".into(), probe(p, r));
    }
    if let Some(p) = &c.readiness_probe {
        props.insert("readinessProbe".into(), probe(p, r));
    }
    json!({ "name": c.name, "properties": props })
}

fn init_container(c: &InitContainer, r: Resolver<'_>) -> Value {
    let mut props = Map::new();
    props.insert("image".into(), text(&c.image, r).into());
    if !c.command.is_empty() {
        props.insert("command".into(), texts(&c.command, r));
    }
    let env = env_vars(&c.env, &c.secure_env, r);
    if !env.is_empty() {
        props.insert("environmentVariables".into(), env.into());
    }
    if !c.volume_mounts.is_empty() {
        props.insert("volumeMounts".into(), mounts(&c.volume_mounts, r));
    }
    json!({ "name": c.name, "properties": props })
}

fn env_vars(
    env: &BTreeMap<String, Text>,
    secure: &BTreeMap<String, Sensitive<Text>>,
    r: Resolver<'_>,
) -> Vec<Value> {
    let plain = env
        .iter()
        .map(|(k, v)| json!({ "name": k, "value": text(v, r) }));
    let secure = secure
        .iter()
        .map(|(k, v)| json!({ "name": k, "secureValue": secret(v, r) }));
    plain.chain(secure).collect()
}

fn mounts(list: &[VolumeMount], r: Resolver<'_>) -> Value {
    list.iter()
        .map(|m| {
            let mut v = json!({ "name": m.name, "mountPath": text(&m.mount_path, r) });
            if let Some(ro) = m.read_only {
                v["readOnly"] = ro.into();
            }
            v
        })
        .collect()
}

fn probe(p: &Probe, r: Resolver<'_>) -> Value {
    let mut m = Map::new();
    match &p.action {
        ProbeAction::Exec(cmd) => {
            m.insert("exec".into(), json!({ "command": texts(cmd, r) }));
        }
        ProbeAction::HttpGet(h) => {
            let mut g = Map::new();
            if let Some(path) = &h.path {
                g.insert("path".into(), text(path, r).into());
            }
            g.insert("port".into(), h.port.into());
            if let Some(s) = h.scheme {
                g.insert("scheme".into(), s.as_str().into());
            }
            if !h.http_headers.is_empty() {
                let headers: Vec<Value> = h
                    .http_headers
                    .iter()
                    .map(|(k, v)| json!({ "name": k, "value": text(v, r) }))
                    .collect();
                g.insert("httpHeaders".into(), headers.into());
            }
            m.insert("httpGet".into(), Value::Object(g));
        }
    }
    let numbers = [
        ("initialDelaySeconds", p.initial_delay_seconds),
        ("periodSeconds", p.period_seconds),
        ("failureThreshold", p.failure_threshold),
        ("successThreshold", p.success_threshold),
        ("timeoutSeconds", p.timeout_seconds),
    ];
    for (name, value) in numbers {
        if let Some(v) = value {
            m.insert(name.into(), v.into());
        }
    }
    Value::Object(m)
}

fn volume(v: &crate::spec::Volume, r: Resolver<'_>) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), v.name.clone().into());
    match &v.kind {
        VolumeKind::EmptyDir => {
            m.insert("emptyDir".into(), json!({}));
        }
        VolumeKind::AzureFile(f) => {
            let mut a = Map::new();
            a.insert("shareName".into(), text(&f.share_name, r).into());
            a.insert(
                "storageAccountName".into(),
                text(&f.storage_account_name, r).into(),
            );
            a.insert(
                "storageAccountKey".into(),
                secret(&f.storage_account_key, r).into(),
            );
            if let Some(ro) = f.read_only {
                a.insert("readOnly".into(), ro.into());
            }
            m.insert("azureFile".into(), Value::Object(a));
        }
        VolumeKind::Secret(files) => {
            let files: Map<String, Value> = files
                .iter()
                .map(|(k, v)| (k.clone(), secret(v, r).into()))
                .collect();
            m.insert("secret".into(), Value::Object(files));
        }
        VolumeKind::GitRepo(g) => {
            let mut a = Map::new();
            a.insert("repository".into(), text(&g.repository, r).into());
            if let Some(d) = &g.directory {
                a.insert("directory".into(), text(d, r).into());
            }
            if let Some(rev) = &g.revision {
                a.insert("revision".into(), text(rev, r).into());
            }
            m.insert("gitRepo".into(), Value::Object(a));
        }
    }
    Value::Object(m)
}

fn port(number: u16, protocol: &str) -> Value {
    json!({ "port": number, "protocol": protocol })
}

fn texts(list: &[Text], r: Resolver<'_>) -> Value {
    list.iter().map(|t| Value::String(text(t, r))).collect()
}

fn secret(s: &Sensitive<Text>, r: Resolver<'_>) -> String {
    text(s.expose(), r)
}

/// Renders a text; a reference not known yet becomes a placeholder.
pub fn text(t: &Text, r: Resolver<'_>) -> String {
    let mut out = String::new();
    for part in &t.parts {
        match part {
            Part::Lit(s) => out.push_str(s),
            Part::Ref(reference) => match r(reference) {
                Some(value) => out.push_str(&value),
                None => out.push_str(&placeholder(&reference.target.to_string(), &reference.attr)),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{LoadOptions, load_stack};

    /// The canonical form handed out with the body is the one normalizing the body
    /// gives, for every group of the example that uses every field of the language.
    #[test]
    fn the_canonical_form_comes_out_as_normalizing_the_body_gives() {
        let env = [
            "SHOP_API_KEY",
            "SHOP_DB_URL",
            "ACR_PASSWORD",
            "LAW_KEY",
            "STORAGE_KEY",
        ]
        .map(|k| (k.to_string(), format!("{k}-value")));
        let opts = LoadOptions {
            vars: vec![],
            env: env.into_iter().collect(),
        };
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/examples/full");
        let stack = load_stack(&dir, &opts).expect("the full example loads");
        let resolve = |_: &Reference| None;
        for cg in stack.container_groups.values() {
            let cx = LowerContext {
                stack: &stack,
                resolve: &resolve,
                location: "westeurope",
                salt: "salt",
            };
            let (body, canon) = lower_container_group_canon(&cx, cg);
            assert_eq!(canon, canonicalize_container_group(&body), "{}", cg.name);
            assert!(canon.entries.keys().any(|k| k.starts_with("tags.")));
        }
    }
}
