//! Decoding the nested parts of a container group: volumes, registry credentials,
//! `ip_address`, `dns_config`, `identity`, `diagnostics` and `lifecycle`.

use std::collections::BTreeMap;

use super::decode::{Ctx, Fields, Value};
use super::decode_container::{decode_ports, item_table, opt};
use super::error::Issue;
use super::model::{
    AzureFile, Diagnostics, DnsConfig, DnsReusePolicy, GitRepo, Identity, IdentityType, IpAddress,
    IpType, Lifecycle, LogAnalytics, LogType, RegistryCredential, Volume, VolumeKind,
};

const VOLUME_KINDS: &[&str] = &["empty_dir", "azure_file", "secret", "git_repo"];

/// Decodes one `[[volumes]]` entry: a name and exactly one kind.
pub(crate) fn decode_volume(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<Volume> {
    let (table, origin) = item_table(ctx, v, "volumes")?;
    let known = &["name", "empty_dir", "azure_file", "secret", "git_repo"];
    let f = Fields::open(ctx, table, origin.clone(), "a volume", known);
    let name = f
        .req(ctx, "name")
        .and_then(|v| ctx.plain_str(v, "name").map(str::to_string));

    let mut kinds: Vec<&str> = f.present().filter(|k| VOLUME_KINDS.contains(k)).collect();
    // In the order written, so that "first" and "second" say what the user sees.
    kinds.sort_by_key(|k| f.key_origin(ctx, k).map(|o| o.span().start));
    let kind = match kinds.as_slice() {
        [one] => f.get(one).and_then(|v| decode_volume_kind(ctx, one, v)),
        [] => {
            let issue = Issue::new(
                &origin,
                "a volume needs one of `empty_dir`, `azure_file`, `secret`, `git_repo`",
                "no volume kind",
            )
            .help("e.g. empty_dir = {}");
            ctx.issues.push(issue);
            None
        }
        [first, rest @ ..] => {
            let mut issue = Issue::new(
                &f.key_origin(ctx, rest[0]).unwrap_or_else(|| origin.clone()),
                "a volume needs exactly one of `empty_dir`, `azure_file`, `secret`, `git_repo`",
                "second volume kind",
            );
            if let Some(at) = f.key_origin(ctx, first) {
                issue = issue.also(&at, "first volume kind");
            }
            ctx.issues
                .push(issue.help("declare one volume per kind, each with its own name"));
            None
        }
    };
    Some(Volume {
        name: name?,
        kind: kind?,
        origin,
    })
}

fn decode_volume_kind(ctx: &mut Ctx<'_>, kind: &str, v: &Value<'_>) -> Option<VolumeKind> {
    let table = if kind == "secret" {
        ctx.secret_table(v, kind)?
    } else {
        ctx.table(v, kind)?
    };
    let at = ctx.at(v);
    match kind {
        "empty_dir" => {
            Fields::open(ctx, table, at, "`empty_dir`", &[]);
            table.is_empty().then_some(VolumeKind::EmptyDir)
        }
        "azure_file" => {
            let known = &[
                "share_name",
                "storage_account_name",
                "storage_account_key",
                "read_only",
            ];
            let f = Fields::open(ctx, table, at, "`azure_file`", known);
            let share = f
                .req(ctx, "share_name")
                .and_then(|v| ctx.text(v, "share_name"));
            let account = f
                .req(ctx, "storage_account_name")
                .and_then(|v| ctx.text(v, "storage_account_name"));
            let key = f
                .req(ctx, "storage_account_key")
                .and_then(|v| ctx.secret(v, "storage_account_key"));
            let read_only = opt(ctx, f.get("read_only"), |c, v| c.boolean(v, "read_only"));
            Some(VolumeKind::AzureFile(AzureFile {
                share_name: share?,
                storage_account_name: account?,
                storage_account_key: key?,
                read_only: read_only?,
            }))
        }
        "secret" => {
            let mut files = BTreeMap::new();
            let mut ok = true;
            for (key, value) in table.iter() {
                let Some(file) = ctx.key_name(key) else {
                    ok = false;
                    continue;
                };
                match ctx.secret(value, &format!("secret.{file}")) {
                    Some(s) => drop(files.insert(file.to_string(), s)),
                    None => ok = false,
                }
            }
            ok.then_some(VolumeKind::Secret(files))
        }
        _ => {
            let f = Fields::open(
                ctx,
                table,
                at,
                "`git_repo`",
                &["repository", "directory", "revision"],
            );
            let repository = f
                .req(ctx, "repository")
                .and_then(|v| ctx.text(v, "repository"));
            let directory = opt(ctx, f.get("directory"), |c, v| c.text(v, "directory"));
            let revision = opt(ctx, f.get("revision"), |c, v| c.text(v, "revision"));
            Some(VolumeKind::GitRepo(GitRepo {
                repository: repository?,
                directory: directory?,
                revision: revision?,
            }))
        }
    }
}

/// Decodes one `[[image_registry_credentials]]` entry. Whether it has exactly one of
/// password and identity is a rule (rules/group.rs), so that both are reported.
pub(crate) fn decode_credential(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<RegistryCredential> {
    let (table, origin) = item_table(ctx, v, "image_registry_credentials")?;
    let known = &["server", "username", "password", "identity"];
    let f = Fields::open(ctx, table, origin.clone(), "a registry credential", known);
    let server = f.req(ctx, "server").and_then(|v| ctx.text(v, "server"));
    let username = opt(ctx, f.get("username"), |c, v| c.text(v, "username"));
    let password = opt(ctx, f.get("password"), |c, v| c.secret(v, "password"));
    let identity = opt(ctx, f.get("identity"), |c, v| c.text(v, "identity"));
    Some(RegistryCredential {
        server: server?,
        username: username?,
        password: password?,
        identity: identity?,
        origin,
    })
}

/// `ip_address = { type, dns_name_label, dns_name_label_reuse_policy, ports }`. Empty
/// `ports` means "the containers' ports"; resolve.rs fills them in.
pub(crate) fn decode_ip(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<IpAddress> {
    let table = ctx.table(v, "ip_address")?;
    let origin = ctx.at(v);
    let known = &[
        "type",
        "dns_name_label",
        "dns_name_label_reuse_policy",
        "ports",
    ];
    let f = Fields::open(ctx, table, origin.clone(), "`ip_address`", known);
    let ip_type = f
        .req(ctx, "type")
        .and_then(|v| ctx.enumeration(v, "ip_address.type", IpType::VALUES));
    let label = opt(ctx, f.get("dns_name_label"), |c, v| {
        c.text(v, "dns_name_label")
    });
    let policy = opt(ctx, f.get("dns_name_label_reuse_policy"), |c, v| {
        c.enumeration(v, "dns_name_label_reuse_policy", DnsReusePolicy::VALUES)
    });
    let ports = opt(ctx, f.get("ports"), |c, v| {
        decode_ports(c, v, "ip_address.ports")
    });
    Some(IpAddress {
        ip_type: ip_type?,
        dns_name_label: label?,
        dns_name_label_reuse_policy: policy?,
        ports: ports?.unwrap_or_default(),
        ports_defaulted: false,
        origin,
    })
}

/// `dns_config = { name_servers, search_domains, options }`.
pub(crate) fn decode_dns(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<DnsConfig> {
    let table = ctx.table(v, "dns_config")?;
    let origin = ctx.at(v);
    let known = &["name_servers", "search_domains", "options"];
    let f = Fields::open(ctx, table, origin.clone(), "`dns_config`", known);
    let servers = f
        .req(ctx, "name_servers")
        .and_then(|v| ctx.texts(v, "name_servers"));
    let search = opt(ctx, f.get("search_domains"), |c, v| {
        c.text(v, "search_domains")
    });
    let options = opt(ctx, f.get("options"), |c, v| c.text(v, "options"));
    if let (Some(servers), Some(v)) = (&servers, f.get("name_servers"))
        && servers.is_empty()
    {
        let at = ctx.at(v);
        ctx.issues
            .at(&at, "`name_servers` needs at least one DNS server", "empty");
        return None;
    }
    Some(DnsConfig {
        name_servers: servers?,
        search_domains: search?,
        options: options?,
        origin,
    })
}

/// `identity = { type, user_assigned }`; consistency of the two is a rule.
pub(crate) fn decode_identity(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<Identity> {
    let table = ctx.table(v, "identity")?;
    let origin = ctx.at(v);
    let f = Fields::open(
        ctx,
        table,
        origin.clone(),
        "`identity`",
        &["type", "user_assigned"],
    );
    let kind = f
        .req(ctx, "type")
        .and_then(|v| ctx.enumeration(v, "identity.type", IdentityType::VALUES));
    let users = opt(ctx, f.get("user_assigned"), |c, v| {
        c.texts(v, "user_assigned")
    });
    Some(Identity {
        identity_type: kind?,
        user_assigned: users?.unwrap_or_default(),
        origin,
    })
}

/// `diagnostics = { log_analytics = { workspace_id, workspace_key, … } }`.
pub(crate) fn decode_diagnostics(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<Diagnostics> {
    let table = ctx.table(v, "diagnostics")?;
    let origin = ctx.at(v);
    let f = Fields::open(
        ctx,
        table,
        origin.clone(),
        "`diagnostics`",
        &["log_analytics"],
    );
    let la = f.req(ctx, "log_analytics")?;
    let la_table = ctx.table(la, "log_analytics")?;
    let la_origin = ctx.at(la);
    let known = &[
        "workspace_id",
        "workspace_key",
        "log_type",
        "metadata",
        "workspace_resource_id",
    ];
    let g = Fields::open(ctx, la_table, la_origin.clone(), "`log_analytics`", known);
    let id = g
        .req(ctx, "workspace_id")
        .and_then(|v| ctx.text(v, "workspace_id"));
    let key = g
        .req(ctx, "workspace_key")
        .and_then(|v| ctx.secret(v, "workspace_key"));
    let log_type = opt(ctx, g.get("log_type"), |c, v| {
        c.enumeration(v, "log_type", LogType::VALUES)
    });
    let metadata = opt(ctx, g.get("metadata"), |c, v| c.text_map(v, "metadata"));
    let resource_id = opt(ctx, g.get("workspace_resource_id"), |c, v| {
        c.text(v, "workspace_resource_id")
    });
    let log_analytics = LogAnalytics {
        workspace_id: id?,
        workspace_key: key?,
        log_type: log_type?,
        metadata: metadata?.unwrap_or_default(),
        workspace_resource_id: resource_id?,
        origin: la_origin,
    };
    Some(Diagnostics {
        log_analytics,
        origin,
    })
}

/// The first segments `lifecycle.ignore_changes` paths may start with, as the plan
/// names attributes.
pub(crate) const IGNORABLE: &[&str] = &[
    "containers",
    "init_containers",
    "volumes",
    "tags",
    "state",
    "image_registry_credentials",
    "ip_address",
    "dns_config",
    "identity",
    "diagnostics",
    "restart_policy",
    "os_type",
    "sku",
    "priority",
    "zones",
    "subnet_ids",
    "location",
];

/// `lifecycle = { prevent_destroy, ignore_changes }`.
pub(crate) fn decode_lifecycle(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<Lifecycle> {
    let table = ctx.table(v, "lifecycle")?;
    let origin = ctx.at(v);
    let known = &["prevent_destroy", "ignore_changes"];
    let f = Fields::open(ctx, table, origin, "`lifecycle`", known);
    let prevent = opt(ctx, f.get("prevent_destroy"), |c, v| {
        c.boolean(v, "prevent_destroy")
    });
    let mut ignore = Vec::new();
    if let Some(list) = f.get("ignore_changes") {
        for item in ctx.array(list, "ignore_changes")? {
            let path = ctx.plain_str(item, "ignore_changes")?;
            let at = ctx.at(item);
            let head = path.split('.').next().unwrap_or("");
            if !IGNORABLE.contains(&head) {
                let help = super::error::did_you_mean(head, IGNORABLE.iter().copied())
                    .unwrap_or_else(|| {
                        format!("paths start with one of: {}", IGNORABLE.join(", "))
                    });
                let issue = Issue::new(
                    &at,
                    format!("`ignore_changes` cannot name `{head}`"),
                    "unknown attribute",
                )
                .help(help);
                ctx.issues.push(issue);
                continue;
            }
            ignore.push((path.to_string(), at));
        }
    }
    Some(Lifecycle {
        prevent_destroy: prevent?.unwrap_or(false),
        prevent_destroy_origin: f.get("prevent_destroy").map(|v| ctx.at(v)),
        ignore_changes: ignore,
    })
}

/// Texts that were written as a list of strings (zones keep plain strings).
pub(crate) fn plain_list(
    ctx: &mut Ctx<'_>,
    v: &Value<'_>,
    field: &str,
) -> Option<Vec<super::source::Located<String>>> {
    let items = ctx.array(v, field)?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let s = ctx.plain_str(item, field)?;
        out.push(super::source::Located::new(s.to_string(), ctx.at(item)));
    }
    Some(out)
}
