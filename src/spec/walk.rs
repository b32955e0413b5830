//! Visiting every string value of a resource, for the graph (references are edges)
//! and for anyone who needs every `Text` of a spec.

use super::model::{ContainerGroupSpec, ProbeAction, ResourceGroupSpec, VolumeKind};
use super::text::{Reference, Text};

impl ContainerGroupSpec {
    /// Every string value of the group, secrets included (callers must not print
    /// them): containers, init containers, volumes, credentials, networking, tags.
    pub fn texts(&self) -> Vec<&Text> {
        let mut out: Vec<&Text> = Vec::new();
        out.extend(self.subnet_ids.iter());
        out.extend(self.tags.values());
        if let Some(ip) = &self.ip_address {
            out.extend(ip.dns_name_label.iter());
        }
        if let Some(dns) = &self.dns_config {
            out.extend(dns.name_servers.iter());
            out.extend(dns.search_domains.iter().chain(dns.options.iter()));
        }
        if let Some(identity) = &self.identity {
            out.extend(identity.user_assigned.iter());
        }
        if let Some(d) = &self.diagnostics {
            let la = &d.log_analytics;
            out.push(&la.workspace_id);
            out.push(la.workspace_key.expose());
            out.extend(la.metadata.values());
            out.extend(la.workspace_resource_id.iter());
        }
        for c in &self.containers {
            out.push(&c.image);
            out.extend(c.command.iter());
            out.extend(c.env.values());
            out.extend(c.secure_env.values().map(|s| s.expose()));
            out.extend(c.volume_mounts.iter().map(|m| &m.mount_path));
            for probe in c.liveness_probe.iter().chain(c.readiness_probe.iter()) {
                match &probe.action {
                    ProbeAction::Exec(cmd) => out.extend(cmd.iter()),
                    ProbeAction::HttpGet(h) => {
                        out.extend(h.path.iter());
                        out.extend(h.http_headers.values());
                    }
                }
            }
        }
        for c in &self.init_containers {
            out.push(&c.image);
            out.extend(c.command.iter());
            out.extend(c.env.values());
            out.extend(c.secure_env.values().map(|s| s.expose()));
            out.extend(c.volume_mounts.iter().map(|m| &m.mount_path));
        }
        for v in &self.volumes {
            match &v.kind {
                VolumeKind::EmptyDir => {}
                VolumeKind::AzureFile(f) => {
                    out.extend([&f.share_name, &f.storage_account_name]);
                    out.push(f.storage_account_key.expose());
                }
                VolumeKind::Secret(files) => out.extend(files.values().map(|s| s.expose())),
                VolumeKind::GitRepo(g) => {
                    out.push(&g.repository);
                    out.extend(g.directory.iter().chain(g.revision.iter()));
                }
            }
        }
        for cred in &self.image_registry_credentials {
            out.push(&cred.server);
            out.extend(cred.username.iter().chain(cred.identity.iter()));
            out.extend(cred.password.iter().map(|p| p.expose()));
        }
        out
    }

    /// Every reference to another resource: in string values and (already resolved)
    /// in `name` and `location`.
    pub fn references(&self) -> Vec<&Reference> {
        let texts = self.texts().into_iter().flat_map(|t| t.references());
        texts.chain(self.static_refs.iter()).collect()
    }
}

impl ResourceGroupSpec {
    /// Every reference to another resource: in tags and (resolved) in name/location.
    pub fn references(&self) -> Vec<&Reference> {
        let tags = self.tags.values().flat_map(|t| t.references());
        tags.chain(self.static_refs.iter()).collect()
    }
}
