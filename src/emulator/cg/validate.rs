//! The synchronous checks ACI makes on a PUT body: required properties, names, limits,
//! cross references (volume mounts, secret references, exposed ports) and images.
//! Codes are ACI's where public sources show them (`InvalidDnsNameLabel`,
//! `InaccessibleImage`, …); the others are documented picks (docs/emulator.md).

use std::collections::HashSet;

use serde_json::Value;

use super::super::error::ArmError;
use super::{containers, entry_name, str_at};

const MAX_CONTAINERS: usize = 60;
const MAX_VOLUMES: usize = 20;
const MAX_IP_PORTS: usize = 5;

/// Checks a normalized container group body named `name`.
pub fn validate_group(name: &str, body: &Value) -> Result<(), ArmError> {
    check_group_name(name)?;
    let list = body
        .pointer("/properties/containers")
        .and_then(Value::as_array);
    let Some(list) = list.filter(|l| !l.is_empty()) else {
        return Err(ArmError::invalid_content(
            "Required property 'containers' not found in JSON. Path 'properties'",
        ));
    };
    if list.len() > MAX_CONTAINERS {
        return Err(ArmError::bad_request(
            "ContainerGroupTooManyContainers",
            format!(
                "The container group '{name}' has {} containers; at most {MAX_CONTAINERS} are \
                 allowed.",
                list.len()
            ),
        ));
    }

    let secret_refs = secret_reference_names(body);
    let volumes = check_volumes(name, body, &secret_refs)?;
    let mut seen = HashSet::new();
    let init = body
        .pointer("/properties/initContainers")
        .and_then(Value::as_array);
    for (i, container) in list.iter().enumerate() {
        check_container(
            name,
            container,
            i,
            "containers",
            &volumes,
            &secret_refs,
            &mut seen,
        )?;
    }
    for (i, container) in init.into_iter().flatten().enumerate() {
        check_container(
            name,
            container,
            i,
            "initContainers",
            &volumes,
            &secret_refs,
            &mut seen,
        )?;
    }

    check_resources(name, body)?;
    check_ip_address(name, body)?;
    check_registry_credentials(name, body, &secret_refs)?;
    check_images(name, body)
}

/// Container group names: 1-63 lower-case letters, digits and single inner hyphens.
pub fn check_group_name(name: &str) -> Result<(), ArmError> {
    if is_dns_like(name, 1, 63) {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidContainerGroupName",
        format!(
            "The container group name '{name}' is invalid. The container group name must \
             contain no more than 63 characters and must match the regex \
             '[a-z0-9]([-a-z0-9]*[a-z0-9])?' (e.g. 'my-name')."
        ),
    ))
}

fn is_dns_like(name: &str, min: usize, max: usize) -> bool {
    let ok_chars = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (min..=max).contains(&name.len())
        && ok_chars
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

fn check_container(
    group: &str,
    container: &Value,
    index: usize,
    list: &str,
    volumes: &HashSet<String>,
    secret_refs: &HashSet<String>,
    seen: &mut HashSet<String>,
) -> Result<(), ArmError> {
    let path = format!("properties.{list}[{index}]");
    let Some(name) = container.get("name").and_then(Value::as_str) else {
        return Err(ArmError::invalid_content(format!(
            "Required property 'name' not found in JSON. Path '{path}'"
        )));
    };
    if !is_dns_like(name, 1, 63) {
        return Err(ArmError::bad_request(
            "InvalidContainerName",
            format!(
                "The container name '{name}' in container group '{group}' is invalid. A valid \
                 container name must consist of lower case alphanumeric characters or '-', \
                 start and end with an alphanumeric character, and be at most 63 characters."
            ),
        ));
    }
    if !seen.insert(name.to_string()) {
        return Err(ArmError::bad_request(
            "DuplicateContainerName",
            format!(
                "The container name '{name}' is used more than once in container group '{group}'."
            ),
        ));
    }
    let props = container.get("properties").unwrap_or(&Value::Null);
    if props
        .get("image")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(ArmError::invalid_content(format!(
            "Required property 'image' not found in JSON. Path '{path}.properties'"
        )));
    }
    if list == "containers" {
        check_container_resources(props, &path)?;
        check_ports(group, props.get("ports"))?;
    }
    check_env(group, name, props)?;
    check_env_references(group, name, props, secret_refs)?;

    for mount in props
        .get("volumeMounts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let volume = entry_name(mount);
        if !volumes.contains(&volume) {
            return Err(ArmError::bad_request(
                "InvalidVolumeMount",
                format!(
                    "The volume mount '{volume}' of container '{name}' in container group \
                     '{group}' does not match any volume of the group."
                ),
            ));
        }
        if str_at(mount, "/mountPath").is_empty() || str_at(mount, "/mountPath").contains(':') {
            return Err(ArmError::bad_request(
                "InvalidVolumeMountPath",
                format!("The mount path of volume '{volume}' in container '{name}' is invalid."),
            ));
        }
    }
    Ok(())
}

fn check_container_resources(props: &Value, path: &str) -> Result<(), ArmError> {
    let requests = props.pointer("/resources/requests");
    for field in ["cpu", "memoryInGB"] {
        let value = requests.and_then(|r| r.get(field)).and_then(Value::as_f64);
        if value.is_none_or(|v| v <= 0.0) {
            return Err(ArmError::invalid_content(format!(
                "Required property '{field}' not found in JSON or not a positive number. Path \
                 '{path}.properties.resources.requests'"
            )));
        }
    }
    Ok(())
}

fn check_ports(group: &str, ports: Option<&Value>) -> Result<(), ArmError> {
    for port in ports.and_then(Value::as_array).into_iter().flatten() {
        let number = port.get("port").and_then(Value::as_i64).unwrap_or(0);
        if !(1..=65535).contains(&number) {
            return Err(ArmError::bad_request(
                "InvalidPort",
                format!(
                    "The port '{}' in container group '{group}' is invalid. Ports must be \
                     between 1 and 65535.",
                    port.get("port").unwrap_or(&Value::Null)
                ),
            ));
        }
    }
    Ok(())
}

fn check_env(group: &str, container: &str, props: &Value) -> Result<(), ArmError> {
    let vars = props.get("environmentVariables").and_then(Value::as_array);
    for var in vars.into_iter().flatten() {
        let name = str_at(var, "/name");
        let mut chars = name.chars();
        let valid = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name.len() <= 63;
        if !valid {
            return Err(ArmError::bad_request(
                "InvalidEnvironmentVariableName",
                format!(
                    "The environment variable name in container '{container}' of container \
                     group '{group}' is invalid. A valid environment variable name must start \
                     with alphabetic character or '_', followed by a string of alphanumeric \
                     characters or '_' (e.g. 'my_name', or 'MY_NAME', or 'MyName')."
                ),
            ));
        }
    }
    Ok(())
}

fn check_env_references(
    group: &str,
    container: &str,
    props: &Value,
    secret_refs: &HashSet<String>,
) -> Result<(), ArmError> {
    let vars = props.get("environmentVariables").and_then(Value::as_array);
    for var in vars.into_iter().flatten() {
        if let Some(reference) = var.get("secureValueReference").and_then(Value::as_str) {
            check_reference(
                group,
                &format!("container '{container}'"),
                reference,
                secret_refs,
            )?;
        }
    }
    Ok(())
}

fn check_reference(
    group: &str,
    owner: &str,
    reference: &str,
    secret_refs: &HashSet<String>,
) -> Result<(), ArmError> {
    if secret_refs.contains(&reference.to_lowercase()) {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidSecretReference",
        format!(
            "The secret reference '{reference}' used by {owner} of container group '{group}' \
             is not defined in 'secretReferences'."
        ),
    ))
}

fn secret_reference_names(body: &Value) -> HashSet<String> {
    let refs = body
        .pointer("/properties/secretReferences")
        .and_then(Value::as_array);
    refs.into_iter().flatten().map(entry_name).collect()
}

/// Checks volumes and returns their lower-cased names.
fn check_volumes(
    group: &str,
    body: &Value,
    secret_refs: &HashSet<String>,
) -> Result<HashSet<String>, ArmError> {
    let volumes = body
        .pointer("/properties/volumes")
        .and_then(Value::as_array);
    let volumes = volumes.map_or(&[][..], Vec::as_slice);
    if volumes.len() > MAX_VOLUMES {
        return Err(ArmError::bad_request(
            "ContainerGroupTooManyVolumes",
            format!("The container group '{group}' has more than {MAX_VOLUMES} volumes."),
        ));
    }

    let mut names = HashSet::new();
    for volume in volumes {
        let name = str_at(volume, "/name");
        if !is_dns_like(name, 1, 63) {
            return Err(ArmError::bad_request(
                "InvalidVolumeName",
                format!(
                    "The volume name '{name}' in container group '{group}' is invalid. It must \
                     consist of lower case alphanumeric characters or '-' and be at most 63 \
                     characters."
                ),
            ));
        }
        let secret = volume.get("secret").is_some() || volume.get("secretReference").is_some();
        let sources = ["azureFile", "emptyDir", "gitRepo"]
            .iter()
            .filter(|k| volume.get(**k).is_some_and(|v| !v.is_null()))
            .count()
            + usize::from(secret);
        if sources != 1 {
            return Err(ArmError::bad_request(
                "InvalidVolume",
                format!(
                    "The volume '{name}' in container group '{group}' must have exactly one of \
                     'azureFile', 'emptyDir', 'secret' or 'gitRepo'."
                ),
            ));
        }
        if let Some(file) = volume.get("azureFile") {
            check_azure_file(group, name, file, secret_refs)?;
        }
        let refs = volume.get("secretReference").and_then(Value::as_object);
        for reference in refs
            .into_iter()
            .flat_map(|m| m.values())
            .filter_map(Value::as_str)
        {
            check_reference(group, &format!("volume '{name}'"), reference, secret_refs)?;
        }
        names.insert(name.to_lowercase());
    }
    Ok(names)
}

fn check_azure_file(
    group: &str,
    volume: &str,
    file: &Value,
    secret_refs: &HashSet<String>,
) -> Result<(), ArmError> {
    for field in ["shareName", "storageAccountName"] {
        if str_at(file, &format!("/{field}")).is_empty() {
            return Err(ArmError::invalid_content(format!(
                "Required property '{field}' not found in JSON. Path 'properties.volumes.azureFile'"
            )));
        }
    }
    if let Some(reference) = file
        .get("storageAccountKeyReference")
        .and_then(Value::as_str)
    {
        return check_reference(group, &format!("volume '{volume}'"), reference, secret_refs);
    }
    if str_at(file, "/storageAccountKey").is_empty() {
        return Err(ArmError::bad_request(
            "AzureFileVolumeKeyMissing",
            format!(
                "The Azure File volume '{volume}' in container group '{group}' requires a \
                 'storageAccountKey' or a 'storageAccountKeyReference'. Keys are never returned \
                 by GET and must be sent again on every update."
            ),
        ));
    }
    Ok(())
}

fn check_resources(group: &str, body: &Value) -> Result<(), ArmError> {
    let (mut cpu, mut memory) = (0.0, 0.0);
    for container in containers(body) {
        let requests = container.pointer("/properties/resources/requests");
        cpu += requests
            .and_then(|r| r.get("cpu"))
            .and_then(Value::as_f64)
            .unwrap_or(0.0);
        memory += requests
            .and_then(|r| r.get("memoryInGB"))
            .and_then(Value::as_f64)
            .unwrap_or(0.0);
    }
    let (max_cpu, max_memory) = match (
        str_at(body, "/properties/priority"),
        str_at(body, "/properties/sku"),
    ) {
        ("Spot", _) => (4.0, 16.0),
        (_, "Confidential") => (31.0, 180.0),
        _ => (31.0, 240.0),
    };
    if cpu > max_cpu || memory > max_memory {
        return Err(ArmError::bad_request(
            "ResourceRequestsExceedLimit",
            format!(
                "The requested resource with '{cpu}' CPU and '{memory}' GB memory for container \
                 group '{group}' exceeds the limit of '{max_cpu}' CPU and '{max_memory}' GB \
                 memory per container group."
            ),
        ));
    }
    Ok(())
}

fn check_ip_address(group: &str, body: &Value) -> Result<(), ArmError> {
    let Some(ip) = body
        .pointer("/properties/ipAddress")
        .filter(|ip| !ip.is_null())
    else {
        return Ok(());
    };
    if str_at(ip, "/type").is_empty() {
        return Err(ArmError::invalid_content(
            "Required property 'type' not found in JSON. Path 'properties.ipAddress'",
        ));
    }
    let ports = ip
        .get("ports")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if ports.is_empty() {
        return Err(ArmError::invalid_content(
            "Required property 'ports' not found in JSON. Path 'properties.ipAddress'",
        ));
    }
    if ports.len() > MAX_IP_PORTS {
        return Err(ArmError::bad_request(
            "IpAddressTooManyPorts",
            format!(
                "The IP address of container group '{group}' has more than {MAX_IP_PORTS} ports."
            ),
        ));
    }
    check_ports(group, Some(&Value::Array(ports.to_vec())))?;

    let exposed: HashSet<i64> = containers(body)
        .iter()
        .flat_map(|c| {
            c.pointer("/properties/ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .filter_map(|p| p.get("port").and_then(Value::as_i64))
        .collect();
    for port in ports
        .iter()
        .filter_map(|p| p.get("port").and_then(Value::as_i64))
    {
        if !exposed.contains(&port) {
            return Err(ArmError::bad_request(
                "InvalidIpAddressPort",
                format!(
                    "The port '{port}' of the IP address of container group '{group}' is not \
                     exposed by any of its containers."
                ),
            ));
        }
    }

    if let Some(label) = ip
        .get("dnsNameLabel")
        .and_then(Value::as_str)
        .filter(|l| !l.is_empty())
    {
        check_dns_label(group, label)?;
    }
    Ok(())
}

fn check_dns_label(group: &str, label: &str) -> Result<(), ArmError> {
    let lower = label.to_lowercase();
    let valid = is_dns_like(&lower, 5, 63) && lower.starts_with(|c: char| c.is_ascii_lowercase());
    if valid {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidDnsNameLabel",
        format!(
            "The DNS name label '{label}' in container group '{group}' is invalid. It can \
             contain only lowercase letters, numbers and hyphens. The first character must be \
             a letter. The last character must be a letter or number. The value must be \
             between 5 and 63 characters long."
        ),
    ))
}

fn check_registry_credentials(
    group: &str,
    body: &Value,
    secret_refs: &HashSet<String>,
) -> Result<(), ArmError> {
    let creds = body
        .pointer("/properties/imageRegistryCredentials")
        .and_then(Value::as_array);
    for cred in creds.into_iter().flatten() {
        let server = str_at(cred, "/server");
        if server.is_empty() {
            return Err(ArmError::invalid_content(
                "Required property 'server' not found in JSON. Path \
                 'properties.imageRegistryCredentials'",
            ));
        }
        if let Some(reference) = cred.get("passwordReference").and_then(Value::as_str) {
            check_reference(
                group,
                &format!("registry '{server}'"),
                reference,
                secret_refs,
            )?;
            continue;
        }
        let has_identity = !str_at(cred, "/identity").is_empty();
        let has_password = !str_at(cred, "/password").is_empty();
        if !str_at(cred, "/username").is_empty() && !has_password && !has_identity {
            return Err(ArmError::bad_request(
                "InvalidImageRegistryCredential",
                format!(
                    "The image registry credential for server '{server}' in container group \
                     '{group}' has a username but no password, password reference or \
                     identity. Passwords are never returned by GET and must be sent again on \
                     every update."
                ),
            ));
        }
    }
    Ok(())
}

/// Images resolve unless their repository contains `doesnotexist`.
fn check_images(group: &str, body: &Value) -> Result<(), ArmError> {
    let init = body
        .pointer("/properties/initContainers")
        .and_then(Value::as_array);
    for container in containers(body).iter().chain(init.into_iter().flatten()) {
        let image = str_at(container, "/properties/image");
        let repository = image.split(['@']).next().unwrap_or(image);
        let repository = match repository.rfind(':') {
            Some(i) if !repository[i..].contains('/') => &repository[..i],
            _ => repository,
        };
        if repository.contains("doesnotexist") {
            return Err(ArmError::bad_request(
                "InaccessibleImage",
                format!(
                    "The image '{image}' in container group '{group}' is not accessible. Please \
                     check the image and registry credential."
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn group(containers: Value) -> Value {
        json!({ "location": "westus",
            "properties": { "osType": "Linux", "containers": containers } })
    }

    fn web(extra: Value) -> Value {
        let mut c = json!({ "name": "web", "properties": { "image": "nginx",
            "resources": { "requests": { "cpu": 1.0, "memoryInGB": 1.0 } } } });
        if let (Some(props), Some(extra)) = (c["properties"].as_object_mut(), extra.as_object()) {
            props.extend(extra.clone());
        }
        c
    }

    #[test]
    fn names_follow_aci_rules() {
        assert!(check_group_name("web-1").is_ok());
        for bad in ["Web", "-web", "web-", "a--b", ""] {
            assert_eq!(
                check_group_name(bad).unwrap_err().code,
                "InvalidContainerGroupName"
            );
        }
    }

    #[test]
    fn a_minimal_group_passes_and_missing_pieces_fail() {
        assert!(validate_group("g", &group(json!([web(json!({}))]))).is_ok());
        let err = validate_group("g", &group(json!([]))).unwrap_err();
        assert_eq!(err.code, "InvalidRequestContent");
        let no_image = json!([{ "name": "web", "properties": { "resources": {} } }]);
        assert_eq!(
            validate_group("g", &group(no_image)).unwrap_err().code,
            "InvalidRequestContent"
        );
    }

    #[test]
    fn limits_and_images_are_checked() {
        let big = web(json!({ "resources": { "requests": { "cpu": 40.0, "memoryInGB": 1.0 } } }));
        let err = validate_group("g", &group(json!([big]))).unwrap_err();
        assert_eq!(err.code, "ResourceRequestsExceedLimit");
        let missing = web(json!({ "image": "registry.io/doesnotexist/app:1" }));
        assert_eq!(
            validate_group("g", &group(json!([missing])))
                .unwrap_err()
                .code,
            "InaccessibleImage"
        );
        let bad_env = web(json!({ "environmentVariables": [{ "name": "1BAD", "value": "x" }] }));
        let err = validate_group("g", &group(json!([bad_env]))).unwrap_err();
        assert_eq!(err.code, "InvalidEnvironmentVariableName");
    }

    #[test]
    fn dns_labels_and_ip_ports_are_checked() {
        let mut body = group(json!([web(json!({ "ports": [{ "port": 80 }] }))]));
        body["properties"]["ipAddress"] =
            json!({ "type": "Public", "ports": [{ "port": 80 }], "dnsNameLabel": "ab" });
        assert_eq!(
            validate_group("g", &body).unwrap_err().code,
            "InvalidDnsNameLabel"
        );
        body["properties"]["ipAddress"]["dnsNameLabel"] = json!("good-label");
        assert!(validate_group("g", &body).is_ok());
        body["properties"]["ipAddress"]["ports"] = json!([{ "port": 81 }]);
        assert_eq!(
            validate_group("g", &body).unwrap_err().code,
            "InvalidIpAddressPort"
        );
    }
}
