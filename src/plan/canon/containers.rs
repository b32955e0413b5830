//! The containers of a group (and its init containers): image, command, ports, env and
//! secure env, resources, mounts and probes, keyed by container name.

use super::*;

impl Builder {
    pub(super) fn containers(&mut self, list: &str, value: &Value, init: bool) {
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

    pub(super) fn env_vars(&mut self, path: &[&Seg; 2], value: &Value) {
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

    pub(super) fn resources(&mut self, path: &[&Seg; 2], value: &Value) {
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

    pub(super) fn volume_mounts(&mut self, path: &[&Seg; 2], value: &Value) {
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

    pub(super) fn probe(&mut self, path: &[&Seg; 2], leaf: &str, value: &Value) {
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
    pub(super) fn port_set(&mut self, path: &[&Seg], leaf: &str, value: &Value) {
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
}
