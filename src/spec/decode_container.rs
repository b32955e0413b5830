//! Decoding containers and init containers: image, command, resources, ports, env,
//! secure env, volume mounts and probes.

use std::collections::BTreeMap;

use toml::de::{DeTable, DeValue};

use super::decode::{Ctx, Fields, Partial, Value};
use super::error::Issue;
use super::model::{
    Container, FieldOrigins, Gpu, GpuSku, HttpGet, HttpScheme, InitContainer, Port, Probe,
    ProbeAction, Protocol, VolumeMount,
};
use super::source::{Located, Origin};
use super::text::Text;
use crate::sensitive::Sensitive;

const CONTAINER_FIELDS: &[&str] = &[
    "name",
    "image",
    "command",
    "cpu",
    "memory_gb",
    "cpu_limit",
    "memory_gb_limit",
    "gpu",
    "ports",
    "env",
    "secure_env",
    "volume_mounts",
    "liveness_probe",
    "readiness_probe",
];

const INIT_FIELDS: &[&str] = &[
    "name",
    "image",
    "command",
    "env",
    "secure_env",
    "volume_mounts",
];

/// Fields of a container that an init container cannot have.
const NOT_FOR_INIT: &[&str] = &[
    "cpu",
    "memory_gb",
    "cpu_limit",
    "memory_gb_limit",
    "gpu",
    "ports",
    "liveness_probe",
    "readiness_probe",
];

/// The table of an array item (`[[…]]` or an inline table), with its origin.
pub(crate) fn item_table<'v, 'i>(
    ctx: &mut Ctx<'_>,
    v: &'v Value<'i>,
    field: &str,
) -> Option<(&'v DeTable<'i>, Origin)> {
    let table = ctx.table(v, field)?;
    Some((table, ctx.at(v)))
}

/// Decodes one `[[containers]]` entry.
pub(crate) fn decode_container(
    ctx: &mut Ctx<'_>,
    v: &Value<'_>,
    p: &mut Partial,
) -> Option<Container> {
    let (table, origin) = item_table(ctx, v, "containers")?;
    let f = Fields::open(ctx, table, origin.clone(), "a container", CONTAINER_FIELDS);
    let mut fields = FieldOrigins::default();
    for key in [
        "name",
        "image",
        "cpu",
        "memory_gb",
        "cpu_limit",
        "memory_gb_limit",
        "gpu",
    ] {
        if let Some(v) = f.get(key) {
            fields.set(key, ctx.at(v));
        }
    }

    let name = f
        .req(ctx, "name")
        .and_then(|v| ctx.plain_str(v, "name").map(str::to_string));
    let image = f.req(ctx, "image").and_then(|v| ctx.text(v, "image"));
    let command = opt(ctx, f.get("command"), |c, v| c.texts(v, "command"));
    let cpu = f.req(ctx, "cpu").and_then(|v| ctx.number(v, "cpu"));
    let memory_gb = f
        .req(ctx, "memory_gb")
        .and_then(|v| ctx.number(v, "memory_gb"));
    let cpu_limit = opt(ctx, f.get("cpu_limit"), |c, v| c.number(v, "cpu_limit"));
    let memory_gb_limit = opt(ctx, f.get("memory_gb_limit"), |c, v| {
        c.number(v, "memory_gb_limit")
    });
    let gpu = opt(ctx, f.get("gpu"), decode_gpu);
    let ports = opt(ctx, f.get("ports"), |c, v| decode_ports(c, v, "ports"));
    let env = opt(ctx, f.get("env"), |c, v| c.text_map(v, "env"));
    let secure_env = opt(ctx, f.get("secure_env"), decode_secure_env);
    let volume_mounts = opt(ctx, f.get("volume_mounts"), decode_mounts);
    let liveness_probe = opt(ctx, f.get("liveness_probe"), |c, v| {
        decode_probe(c, v, "liveness_probe")
    });
    let readiness_probe = opt(ctx, f.get("readiness_probe"), |c, v| {
        decode_probe(c, v, "readiness_probe")
    });

    // Name, cpu and memory are needed by the rules; the rest can be stood in for.
    let (Some(name), Some(cpu), Some(memory_gb)) = (name, cpu, memory_gb) else {
        p.0 = true;
        return None;
    };
    Some(Container {
        name,
        image: p.or_stand_in(image, || Text::lit("", origin.clone())),
        command: p.or_default(command),
        cpu,
        memory_gb,
        cpu_limit: p.opt(cpu_limit),
        memory_gb_limit: p.opt(memory_gb_limit),
        gpu: p.opt(gpu),
        ports: p.or_default(ports),
        env: p.or_default(env),
        secure_env: p.or_default(secure_env),
        volume_mounts: p.or_default(volume_mounts),
        liveness_probe: p.opt(liveness_probe),
        readiness_probe: p.opt(readiness_probe),
        origin,
        fields,
    })
}

/// Decodes one `[[init_containers]]` entry; container-only fields get a clear error.
pub(crate) fn decode_init_container(
    ctx: &mut Ctx<'_>,
    v: &Value<'_>,
    p: &mut Partial,
) -> Option<InitContainer> {
    let (table, origin) = item_table(ctx, v, "init_containers")?;
    let mut allowed: Vec<&'static str> = INIT_FIELDS.to_vec();
    let mut refused = false;
    for (key, _) in table.iter() {
        if let Some(field) = NOT_FOR_INIT.iter().find(|f| **f == key.get_ref()) {
            let at = ctx.origin(key.span());
            let issue = Issue::new(
                &at,
                format!("an init container cannot have `{field}`"),
                "here",
            )
            .help("ACI runs init containers without ports, probes or resources");
            ctx.issues.push(issue);
            allowed.push(field);
            refused = true;
        }
    }

    let f = Fields::open(ctx, table, origin.clone(), "an init container", &allowed);
    let mut fields = FieldOrigins::default();
    for key in ["name", "image"] {
        if let Some(v) = f.get(key) {
            fields.set(key, ctx.at(v));
        }
    }
    let name = f
        .req(ctx, "name")
        .and_then(|v| ctx.plain_str(v, "name").map(str::to_string));
    let image = f.req(ctx, "image").and_then(|v| ctx.text(v, "image"));
    let command = opt(ctx, f.get("command"), |c, v| c.texts(v, "command"));
    let env = opt(ctx, f.get("env"), |c, v| c.text_map(v, "env"));
    let secure_env = opt(ctx, f.get("secure_env"), decode_secure_env);
    let volume_mounts = opt(ctx, f.get("volume_mounts"), decode_mounts);
    p.0 |= refused;
    let Some(name) = name else {
        p.0 = true;
        return None;
    };
    Some(InitContainer {
        name,
        image: p.or_stand_in(image, || Text::lit("", origin.clone())),
        command: p.or_default(command),
        env: p.or_default(env),
        secure_env: p.or_default(secure_env),
        volume_mounts: p.or_default(volume_mounts),
        origin,
        fields,
    })
}

/// Runs a decoder on an optional field: `Some(None)` when absent, `None` when wrong.
pub(crate) fn opt<'v, 'i, T>(
    ctx: &mut Ctx<'_>,
    v: Option<&'v Value<'i>>,
    decode: impl FnOnce(&mut Ctx<'_>, &'v Value<'i>) -> Option<T>,
) -> Option<Option<T>> {
    match v {
        None => Some(None),
        Some(v) => decode(ctx, v).map(Some),
    }
}

fn decode_gpu(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<Gpu> {
    let table = ctx.table(v, "gpu")?;
    let f = Fields::open(ctx, table, ctx.at(v), "`gpu`", &["count", "sku"]);
    let count = f
        .req(ctx, "count")
        .and_then(|v| ctx.int_in(v, "gpu.count", 1..65));
    let sku = f
        .req(ctx, "sku")
        .and_then(|v| ctx.enumeration(v, "gpu.sku", GpuSku::VALUES));
    Some(Gpu {
        count: u32::try_from(count?).ok()?,
        sku: sku?,
    })
}

/// A list of ports: `80` (TCP), `"80"`, `"80/tcp"` or `"53/udp"`.
pub(crate) fn decode_ports(
    ctx: &mut Ctx<'_>,
    v: &Value<'_>,
    field: &str,
) -> Option<Vec<Located<Port>>> {
    let items = ctx.array(v, field)?;
    let ports: Vec<Option<Located<Port>>> = items
        .iter()
        .map(|item| decode_port(ctx, item, field))
        .collect();
    ports.into_iter().collect()
}

fn decode_port(ctx: &mut Ctx<'_>, v: &Value<'_>, field: &str) -> Option<Located<Port>> {
    let at = ctx.at(v);
    let (number, protocol) = match v.get_ref() {
        DeValue::Integer(_) => (ctx.int_in(v, field, 1..65536)?, Protocol::Tcp),
        DeValue::String(s) => match parse_port_string(s) {
            Some(p) => p,
            None => {
                let issue = Issue::new(&at, format!("invalid port in `{field}`"), "not a port")
                    .help("write a number (TCP) or \"N/tcp\" or \"N/udp\", with N in 1-65535");
                ctx.issues.push(issue);
                return None;
            }
        },
        _ => {
            ctx.wrong_type(v, field, "a port number or \"N/tcp\" / \"N/udp\"");
            return None;
        }
    };
    let number = u16::try_from(number).ok()?;
    Some(Located::new(Port { number, protocol }, at))
}

fn parse_port_string(s: &str) -> Option<(i64, Protocol)> {
    let (number, protocol) = match s.split_once('/') {
        Some((n, p)) if p.eq_ignore_ascii_case("tcp") => (n, Protocol::Tcp),
        Some((n, p)) if p.eq_ignore_ascii_case("udp") => (n, Protocol::Udp),
        Some(_) => return None,
        None => (s, Protocol::Tcp),
    };
    let n: i64 = number.trim().parse().ok()?;
    (1..=65535).contains(&n).then_some((n, protocol))
}

fn decode_secure_env(
    ctx: &mut Ctx<'_>,
    v: &Value<'_>,
) -> Option<BTreeMap<String, Sensitive<Text>>> {
    let table = ctx.secret_table(v, "secure_env")?;
    let mut out = BTreeMap::new();
    let mut ok = true;
    for (key, value) in table.iter() {
        let Some(name) = ctx.key_name(key) else {
            ok = false;
            continue;
        };
        match ctx.secret(value, &format!("secure_env.{name}")) {
            Some(s) => drop(out.insert(name.to_string(), s)),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn decode_mounts(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<Vec<VolumeMount>> {
    let items = ctx.array(v, "volume_mounts")?;
    let mounts: Vec<Option<VolumeMount>> = items.iter().map(|i| decode_mount(ctx, i)).collect();
    mounts.into_iter().collect()
}

fn decode_mount(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<VolumeMount> {
    let (table, origin) = item_table(ctx, v, "volume_mounts")?;
    let known = &["name", "mount_path", "read_only"];
    let f = Fields::open(ctx, table, origin.clone(), "a volume mount", known);
    let name = f
        .req(ctx, "name")
        .and_then(|v| ctx.plain_str(v, "name").map(str::to_string));
    let mount_path = f
        .req(ctx, "mount_path")
        .and_then(|v| ctx.text(v, "mount_path"));
    let read_only = opt(ctx, f.get("read_only"), |c, v| c.boolean(v, "read_only"));
    Some(VolumeMount {
        name: name?,
        mount_path: mount_path?,
        read_only: read_only?,
        origin,
    })
}

const PROBE_FIELDS: &[&str] = &[
    "exec",
    "http_get",
    "initial_delay_seconds",
    "period_seconds",
    "failure_threshold",
    "success_threshold",
    "timeout_seconds",
];

fn decode_probe(ctx: &mut Ctx<'_>, v: &Value<'_>, field: &str) -> Option<Probe> {
    let table = ctx.table(v, field)?;
    let origin = ctx.at(v);
    let f = Fields::open(ctx, table, origin.clone(), "a probe", PROBE_FIELDS);
    let seconds = |ctx: &mut Ctx<'_>, key: &str, min: i64| {
        let key_path = format!("{field}.{key}");
        let v = opt(ctx, f.get(key), |c, v| {
            c.int_in(v, &key_path, min..i64::from(u32::MAX))
        });
        v.map(|n| n.map(|n| n as u32))
    };
    let initial_delay_seconds = seconds(ctx, "initial_delay_seconds", 0);
    let period_seconds = seconds(ctx, "period_seconds", 1);
    let failure_threshold = seconds(ctx, "failure_threshold", 1);
    let success_threshold = seconds(ctx, "success_threshold", 1);
    let timeout_seconds = seconds(ctx, "timeout_seconds", 1);

    let action = match (f.get("exec"), f.get("http_get")) {
        (Some(exec), None) => ctx.texts(exec, "exec").map(ProbeAction::Exec),
        (None, Some(http)) => decode_http_get(ctx, http).map(ProbeAction::HttpGet),
        (Some(_), Some(http)) => {
            let at = ctx.at(http);
            let issue = Issue::new(
                &at,
                "a probe needs exactly one of `exec` and `http_get`",
                "second action",
            )
            .help("keep one: ACI runs a single action per probe");
            ctx.issues.push(issue);
            None
        }
        (None, None) => {
            let message = "a probe needs exactly one of `exec` and `http_get`";
            let help = concat!(
                "e.g. http_get = { path = \"/healthz\", port = 80 }",
                " or exec = [\"cat\", \"/tmp/ok\"]"
            );
            let issue = Issue::new(&origin, message, "neither given").help(help);
            ctx.issues.push(issue);
            None
        }
    };

    Some(Probe {
        action: action?,
        initial_delay_seconds: initial_delay_seconds?,
        period_seconds: period_seconds?,
        failure_threshold: failure_threshold?,
        success_threshold: success_threshold?,
        timeout_seconds: timeout_seconds?,
        origin,
    })
}

fn decode_http_get(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<HttpGet> {
    let table = ctx.table(v, "http_get")?;
    let known = &["path", "port", "scheme", "http_headers"];
    let f = Fields::open(ctx, table, ctx.at(v), "`http_get`", known);
    let path = opt(ctx, f.get("path"), |c, v| c.text(v, "http_get.path"));
    let port = f
        .req(ctx, "port")
        .and_then(|v| ctx.int_in(v, "http_get.port", 1..65536));
    let scheme = opt(ctx, f.get("scheme"), |c, v| {
        c.enumeration(v, "http_get.scheme", HttpScheme::VALUES)
    });
    let headers = opt(ctx, f.get("http_headers"), |c, v| {
        c.text_map(v, "http_headers")
    });
    Some(HttpGet {
        path: path?,
        port: u16::try_from(port?).ok()?,
        scheme: scheme?,
        http_headers: headers?.unwrap_or_default(),
    })
}
