//! Decoding `[resource_group.KEY]` and `[container_group.KEY]` into drafts: typed
//! specs whose `name` and `location` are still texts (resolve.rs makes them literal
//! and applies the defaults SPEC.md fixes).

use super::address::{Address, is_valid_key};
use super::decode::{Ctx, Fields, Partial, Value, list_of};
use super::decode_container::{decode_container, decode_init_container, opt};
use super::decode_parts::{
    decode_credential, decode_diagnostics, decode_dns, decode_identity, decode_ip,
    decode_lifecycle, decode_volume, plain_list,
};
use super::error::{Issue, did_you_mean};
use super::model::{
    ContainerGroupSpec, FieldOrigins, OsType, Priority, ResourceGroupSpec, RestartPolicy, RunState,
    Sku,
};
use super::source::{Located, Origin};
use super::text::Text;

/// A resource group before resolution.
#[derive(Debug)]
pub(crate) struct RgDraft {
    pub spec: ResourceGroupSpec,
    pub name: Option<Text>,
    pub location: Option<Text>,
}

/// A container group before resolution.
#[derive(Debug)]
pub(crate) struct CgDraft {
    pub spec: ContainerGroupSpec,
    pub name: Option<Text>,
    pub location: Option<Text>,
    /// Some part failed to decode (and was reported): rules about how the parts fit
    /// together are skipped for this group.
    pub partial: bool,
}

const RG_FIELDS: &[&str] = &["name", "location", "tags", "existing", "lifecycle"];

/// Decodes `[resource_group.KEY]`; `origin` is the KEY.
pub(crate) fn decode_rg(
    ctx: &mut Ctx<'_>,
    key: &str,
    v: &Value<'_>,
    origin: Origin,
) -> Option<RgDraft> {
    let table = ctx.table(v, &format!("resource_group.{key}"))?;
    let f = Fields::open(ctx, table, origin.clone(), "a resource group", RG_FIELDS);
    let fields = field_origins(ctx, &f, RG_FIELDS);

    let name = opt(ctx, f.get("name"), |c, v| c.text(v, "name"));
    let location = opt(ctx, f.get("location"), |c, v| c.text(v, "location"));
    let tags = opt(ctx, f.get("tags"), |c, v| c.text_map(v, "tags"));
    let existing = opt(ctx, f.get("existing"), |c, v| c.boolean(v, "existing"));
    let lifecycle = opt(ctx, f.get("lifecycle"), decode_lifecycle);

    let spec = ResourceGroupSpec {
        key: key.to_string(),
        name: key.to_string(),
        location: None,
        tags: tags?.unwrap_or_default(),
        existing: existing?.unwrap_or(false),
        lifecycle: lifecycle?.unwrap_or_default(),
        origin,
        fields,
        static_refs: Vec::new(),
    };
    Some(RgDraft {
        spec,
        name: name?,
        location: location?,
    })
}

const CG_FIELDS: &[&str] = &[
    "resource_group",
    "name",
    "location",
    "os_type",
    "restart_policy",
    "state",
    "sku",
    "priority",
    "zones",
    "subnet_ids",
    "tags",
    "depends_on",
    "ip_address",
    "dns_config",
    "identity",
    "diagnostics",
    "lifecycle",
    "containers",
    "init_containers",
    "volumes",
    "image_registry_credentials",
];

/// Decodes `[container_group.KEY]`; `origin` is the KEY. `rg_keys` are the resource
/// groups of the stack, for checking `resource_group`.
pub(crate) fn decode_cg(
    ctx: &mut Ctx<'_>,
    key: &str,
    v: &Value<'_>,
    origin: Origin,
    rg_keys: &[&str],
) -> Option<CgDraft> {
    let table = ctx.table(v, &format!("container_group.{key}"))?;
    let f = Fields::open(ctx, table, origin.clone(), "a container group", CG_FIELDS);
    let fields = field_origins(ctx, &f, CG_FIELDS);

    let rg_value = f.req(ctx, "resource_group");
    let rg = rg_value.and_then(|v| resource_group_key(ctx, v, rg_keys));
    let name = opt(ctx, f.get("name"), |c, v| c.text(v, "name"));
    let location = opt(ctx, f.get("location"), |c, v| c.text(v, "location"));
    let os_type = opt(ctx, f.get("os_type"), |c, v| {
        c.enumeration(v, "os_type", OsType::VALUES)
    });
    let restart_policy = opt(ctx, f.get("restart_policy"), |c, v| {
        c.enumeration(v, "restart_policy", RestartPolicy::VALUES)
    });
    let state = opt(ctx, f.get("state"), |c, v| {
        c.enumeration(v, "state", RunState::VALUES)
    });
    let sku = opt(ctx, f.get("sku"), |c, v| {
        c.enumeration(v, "sku", Sku::VALUES)
    });
    let priority = opt(ctx, f.get("priority"), |c, v| {
        c.enumeration(v, "priority", Priority::VALUES)
    });
    let zones = opt(ctx, f.get("zones"), |c, v| plain_list(c, v, "zones"));
    let subnet_ids = opt(ctx, f.get("subnet_ids"), |c, v| c.texts(v, "subnet_ids"));
    let tags = opt(ctx, f.get("tags"), |c, v| c.text_map(v, "tags"));
    let depends_on = opt(ctx, f.get("depends_on"), decode_depends_on);
    let ip_address = opt(ctx, f.get("ip_address"), decode_ip);
    let dns_config = opt(ctx, f.get("dns_config"), decode_dns);
    let identity = opt(ctx, f.get("identity"), decode_identity);
    let diagnostics = opt(ctx, f.get("diagnostics"), decode_diagnostics);
    let lifecycle = opt(ctx, f.get("lifecycle"), decode_lifecycle);
    let mut p = Partial::default();
    let containers = f
        .req(ctx, "containers")
        .and_then(|v| list_of(ctx, v, "containers", &mut p, decode_container));
    let init_containers = opt(ctx, f.get("init_containers"), |c, v| {
        list_of(c, v, "init_containers", &mut p, decode_init_container)
    });
    let volumes = opt(ctx, f.get("volumes"), |c, v| {
        list_of(c, v, "volumes", &mut p, |c, v, _| decode_volume(c, v))
    });
    let credentials = opt(ctx, f.get("image_registry_credentials"), |c, v| {
        list_of(c, v, "image_registry_credentials", &mut p, |c, v, _| {
            decode_credential(c, v)
        })
    });

    // Without its resource group or containers a group cannot be checked at all;
    // any other field that failed is left out and the group marked partial.
    let (Some(resource_group), Some(containers)) = (rg, containers) else {
        return None;
    };
    let spec = ContainerGroupSpec {
        key: key.to_string(),
        name: key.to_string(),
        resource_group,
        location: None,
        os_type: p.opt(os_type).unwrap_or(OsType::Linux),
        restart_policy: p.opt(restart_policy),
        state: p.opt(state).unwrap_or(RunState::Running),
        sku: p.opt(sku),
        priority: p.opt(priority),
        zones: p.or_default(zones),
        subnet_ids: p.or_default(subnet_ids),
        tags: p.or_default(tags),
        depends_on: p.or_default(depends_on),
        ip_address: p.opt(ip_address),
        dns_config: p.opt(dns_config),
        identity: p.opt(identity),
        diagnostics: p.opt(diagnostics),
        lifecycle: p.or_default(lifecycle),
        containers,
        init_containers: p.or_default(init_containers),
        volumes: p.or_default(volumes),
        image_registry_credentials: p.or_default(credentials),
        origin,
        fields,
        static_refs: Vec::new(),
    };
    // A name or location that failed would make resolution guess: leave the group out.
    Some(CgDraft {
        spec,
        name: name?,
        location: location?,
        partial: p.0,
    })
}

/// Origins of the fields present, by name.
fn field_origins(ctx: &Ctx<'_>, f: &Fields<'_, '_>, names: &[&str]) -> FieldOrigins {
    let mut fields = FieldOrigins::default();
    for name in names {
        if let Some(v) = f.get(name) {
            fields.set(*name, ctx.at(v));
        }
    }
    fields
}

/// `resource_group = "KEY"`: the key of a resource group of this stack.
fn resource_group_key(ctx: &mut Ctx<'_>, v: &Value<'_>, rg_keys: &[&str]) -> Option<String> {
    let key = ctx.plain_str(v, "resource_group")?;
    if rg_keys.contains(&key) {
        return Some(key.to_string());
    }
    let at = ctx.at(v);
    let help = did_you_mean(key, rg_keys.iter().copied()).unwrap_or_else(|| {
        if key.starts_with("${") || !is_valid_key(key) || rg_keys.is_empty() {
            "`resource_group` takes the KEY of a [resource_group.KEY] table, e.g. \"main\"".into()
        } else {
            format!(
                "declare [resource_group.{key}] or use one of: {}",
                rg_keys.join(", ")
            )
        }
    });
    let message = format!("unknown resource group key `{key}`");
    ctx.issues
        .push(Issue::new(&at, message, "no such resource_group in this stack").help(help));
    None
}

/// `depends_on = ["container_group.db", …]`: addresses; whether they exist is checked
/// with every address known (resolve.rs).
fn decode_depends_on(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<Vec<Located<Address>>> {
    let items = ctx.array(v, "depends_on")?;
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items {
        let Some(s) = ctx.plain_str(item, "depends_on") else {
            ok = false;
            continue;
        };
        let at = ctx.at(item);
        match s.parse::<Address>() {
            Ok(address) => out.push(Located::new(address, at)),
            Err(e) => {
                let issue = Issue::new(&at, format!("invalid `depends_on` entry: {e}"), "here");
                ctx.issues.push(issue);
                ok = false;
            }
        }
    }
    ok.then_some(out)
}
