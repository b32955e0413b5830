//! Values ACI never returns: secure environment values, registry passwords, storage
//! account keys, secret volume contents, the log analytics key and extension protected
//! settings. They are removed before a body is stored, so they can reach neither a
//! response nor the data directory; only the names of secure variables are kept.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::entry_name;

/// Removes every secret from `body`; returns the secure variable names per container.
pub fn strip_secrets(body: &mut Value) -> BTreeMap<String, Vec<String>> {
    let mut secure = BTreeMap::new();
    let Some(props) = body.get_mut("properties") else {
        return secure;
    };

    for list in ["containers", "initContainers"] {
        let entries = props.get_mut(list).and_then(Value::as_array_mut);
        for container in entries.into_iter().flatten() {
            let name = entry_name(container);
            let vars = container
                .pointer_mut("/properties/environmentVariables")
                .and_then(Value::as_array_mut);
            let mut names = Vec::new();
            for var in vars.into_iter().flatten().filter_map(Value::as_object_mut) {
                if var.remove("secureValue").is_some() {
                    names.push(
                        var.get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                    );
                }
            }
            if !names.is_empty() {
                secure.insert(name, names);
            }
        }
    }

    let volumes = props.get_mut("volumes").and_then(Value::as_array_mut);
    for volume in volumes
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
    {
        if volume.contains_key("secret") {
            volume.insert("secret".into(), json!({}));
        }
        if let Some(file) = volume.get_mut("azureFile").and_then(Value::as_object_mut) {
            file.remove("storageAccountKey");
        }
    }

    let creds = props
        .get_mut("imageRegistryCredentials")
        .and_then(Value::as_array_mut);
    for cred in creds.into_iter().flatten().filter_map(Value::as_object_mut) {
        cred.remove("password");
    }
    if let Some(la) = props
        .pointer_mut("/diagnostics/logAnalytics")
        .and_then(Value::as_object_mut)
    {
        la.remove("workspaceKey");
        la.remove("workspaceResourceId");
    }
    let extensions = props.get_mut("extensions").and_then(Value::as_array_mut);
    for extension in extensions.into_iter().flatten() {
        if let Some(p) = extension
            .get_mut("properties")
            .and_then(Value::as_object_mut)
        {
            p.remove("protectedSettings");
        }
    }
    secure
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_kind_is_removed() {
        let mut body = json!({ "properties": {
            "containers": [{ "name": "Web", "properties": { "environmentVariables": [
                { "name": "A", "value": "plain" },
                { "name": "B", "secureValue": "s3cret-env" }] } }],
            "volumes": [
                { "name": "f", "azureFile": { "shareName": "s", "storageAccountName": "a",
                  "storageAccountKey": "s3cret-key" } },
                { "name": "v", "secret": { "file": "czNjcmV0LXZvbA==" } }],
            "imageRegistryCredentials": [
                { "server": "r", "username": "u", "password": "s3cret-pw" }],
            "diagnostics": {
                "logAnalytics": { "workspaceId": "w", "workspaceKey": "s3cret-law" } },
            "extensions": [
                { "name": "e", "properties": { "protectedSettings": { "k": "s3cret-ext" } } }]
        }});
        let secure = strip_secrets(&mut body);
        let text = body.to_string();
        assert!(!text.contains("s3cret"), "{text}");
        assert!(!text.contains("czNjcmV0"), "{text}");
        assert_eq!(secure.get("web"), Some(&vec!["B".to_string()]));
        assert!(text.contains("plain"));
    }
}
