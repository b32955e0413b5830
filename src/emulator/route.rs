//! ARM paths to routes. ARM matches path segments case-insensitively (axum's router
//! does not), so paths are split, percent-decoded and matched here by hand; names keep
//! the casing the client sent.

use axum::http::{Method, StatusCode};

use super::error::ArmError;

/// Which resource provider answers a route, which decides the accepted api-versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Resources,
    ContainerInstance,
}

/// A container group action (POST).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Stop,
    Restart,
}

/// Where a resource lives: subscription, resource group and name as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub sub: String,
    pub rg: String,
    pub name: String,
}

/// A recognised ARM route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    ResourceGroups {
        sub: String,
    },
    ResourceGroup {
        sub: String,
        rg: String,
    },
    /// ARM's generic list of every resource in a resource group.
    ResourcesInRg {
        sub: String,
        rg: String,
    },
    /// ARM's `Location` URL of a resource group deletion.
    ResourceGroupOperation {
        sub: String,
        op: String,
    },
    ProviderOperations,
    ContainerGroupsInSub {
        sub: String,
    },
    ContainerGroupsInRg {
        sub: String,
        rg: String,
    },
    ContainerGroup(Scope),
    ContainerGroupAction(Scope, Action),
    ContainerLogs(Scope, String),
    ContainerExec(Scope, String),
    ContainerAttach(Scope, String),
    OutboundDependencies(Scope),
    /// `Azure-AsyncOperation` (`result == false`) or `Location` (`result == true`) URL.
    Operation {
        sub: String,
        op: String,
        result: bool,
    },
    Usages {
        sub: String,
        location: String,
    },
    Capabilities {
        sub: String,
        location: String,
    },
    CachedImages {
        sub: String,
        location: String,
    },
    ProfilesInSub {
        sub: String,
    },
    ProfilesInRg {
        sub: String,
        rg: String,
    },
    Profile(Scope),
    ProfileRevisions(Scope),
    ProfileRevision(Scope, String),
    NGroupsInSub {
        sub: String,
    },
    NGroupsInRg {
        sub: String,
        rg: String,
    },
    NGroup(Scope),
    NGroupAction(Scope, Action),
    SubnetServiceAssociationLink {
        sub: String,
        rg: String,
    },
}

/// What a request counts as in the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    List,
    Get,
    Put,
    Patch,
    Delete,
    Action,
    Poll,
}

impl OpKind {
    /// The name used in `/_emulator/stats`.
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::List => "list",
            OpKind::Get => "get",
            OpKind::Put => "put",
            OpKind::Patch => "patch",
            OpKind::Delete => "delete",
            OpKind::Action => "action",
            OpKind::Poll => "poll",
        }
    }
}

impl Route {
    /// The provider whose api-versions apply.
    pub fn provider(&self) -> Provider {
        match self {
            Route::ResourceGroups { .. }
            | Route::ResourceGroup { .. }
            | Route::ResourcesInRg { .. }
            | Route::ResourceGroupOperation { .. } => Provider::Resources,
            _ => Provider::ContainerInstance,
        }
    }

    /// The subscription in the path, if any (throttling buckets are per subscription).
    pub fn subscription(&self) -> Option<&str> {
        match self {
            Route::ProviderOperations => None,
            Route::ResourceGroups { sub }
            | Route::ResourceGroup { sub, .. }
            | Route::ResourceGroupOperation { sub, .. }
            | Route::ResourcesInRg { sub, .. }
            | Route::ContainerGroupsInSub { sub }
            | Route::ContainerGroupsInRg { sub, .. }
            | Route::Operation { sub, .. }
            | Route::Usages { sub, .. }
            | Route::Capabilities { sub, .. }
            | Route::CachedImages { sub, .. }
            | Route::ProfilesInSub { sub }
            | Route::ProfilesInRg { sub, .. }
            | Route::NGroupsInSub { sub }
            | Route::NGroupsInRg { sub, .. }
            | Route::SubnetServiceAssociationLink { sub, .. } => Some(sub),
            Route::ContainerGroup(s)
            | Route::ContainerGroupAction(s, _)
            | Route::ContainerLogs(s, _)
            | Route::ContainerExec(s, _)
            | Route::ContainerAttach(s, _)
            | Route::OutboundDependencies(s)
            | Route::Profile(s)
            | Route::ProfileRevisions(s)
            | Route::ProfileRevision(s, _)
            | Route::NGroup(s)
            | Route::NGroupAction(s, _) => Some(&s.sub),
        }
    }

    /// How the request is counted in the statistics.
    pub fn kind(&self, method: &Method) -> OpKind {
        let is_list = matches!(
            self,
            Route::ResourceGroups { .. }
                | Route::ResourcesInRg { .. }
                | Route::ContainerGroupsInSub { .. }
                | Route::ContainerGroupsInRg { .. }
                | Route::ProfilesInSub { .. }
                | Route::ProfilesInRg { .. }
                | Route::ProfileRevisions(_)
                | Route::NGroupsInSub { .. }
                | Route::NGroupsInRg { .. }
                | Route::Usages { .. }
                | Route::Capabilities { .. }
                | Route::CachedImages { .. }
                | Route::ProviderOperations
        );
        let is_poll = matches!(
            self,
            Route::Operation { .. } | Route::ResourceGroupOperation { .. }
        );
        match *method {
            Method::PUT => OpKind::Put,
            Method::PATCH => OpKind::Patch,
            Method::DELETE => OpKind::Delete,
            Method::POST => OpKind::Action,
            _ if is_poll => OpKind::Poll,
            _ if is_list => OpKind::List,
            _ => OpKind::Get,
        }
    }
}

/// Parses a request path (without query) into a route.
pub fn parse(path: &str) -> Result<Route, ArmError> {
    let raw: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let lower: Vec<String> = raw.iter().map(|s| s.to_lowercase()).collect();
    let l: Vec<&str> = lower.iter().map(String::as_str).collect();
    let r = |i: usize| raw[i].clone();

    let route = match l.as_slice() {
        ["providers", "microsoft.containerinstance", "operations"] => Route::ProviderOperations,
        ["subscriptions", _, "resourcegroups"] => Route::ResourceGroups { sub: r(1) },
        ["subscriptions", _, "resourcegroups", _] => Route::ResourceGroup {
            sub: r(1),
            rg: r(3),
        },
        ["subscriptions", _, "resourcegroups", _, "resources"] => Route::ResourcesInRg {
            sub: r(1),
            rg: r(3),
        },
        ["subscriptions", _, "operationresults", _] => Route::ResourceGroupOperation {
            sub: r(1),
            op: r(3),
        },
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.containerinstance",
            rest @ ..,
        ] => subscription_route(r(1), rest, &raw[4..])?,
        [
            "subscriptions",
            _,
            "resourcegroups",
            _,
            "providers",
            "microsoft.network",
            "virtualnetworks",
            _,
            "subnets",
            _,
            "providers",
            "microsoft.containerinstance",
            "serviceassociationlinks",
            "default",
        ] => Route::SubnetServiceAssociationLink {
            sub: r(1),
            rg: r(3),
        },
        [
            "subscriptions",
            _,
            "resourcegroups",
            _,
            "providers",
            "microsoft.containerinstance",
            rest @ ..,
        ] => group_route(r(1), r(3), rest, &raw[6..])?,
        [
            "subscriptions",
            _,
            "resourcegroups",
            _,
            "providers",
            namespace,
            ..,
        ]
        | ["subscriptions", _, "providers", namespace, ..] => {
            return Err(unknown_namespace(namespace));
        }
        _ => return Err(no_route(path)),
    };
    Ok(route)
}

fn subscription_route(sub: String, l: &[&str], raw: &[String]) -> Result<Route, ArmError> {
    let route = match l {
        ["containergroups"] => Route::ContainerGroupsInSub { sub },
        ["containergroupprofiles"] => Route::ProfilesInSub { sub },
        ["ngroups"] => Route::NGroupsInSub { sub },
        ["locations", _, "usages"] => Route::Usages {
            sub,
            location: raw[1].clone(),
        },
        ["locations", _, "capabilities"] => Route::Capabilities {
            sub,
            location: raw[1].clone(),
        },
        ["locations", _, "cachedimages"] => Route::CachedImages {
            sub,
            location: raw[1].clone(),
        },
        ["locations", _, kind, _] => operation_route(sub, kind, raw[3].clone())?,
        [first, ..] => return Err(unknown_type(first)),
        [] => return Err(unknown_type("")),
    };
    Ok(route)
}

fn group_route(sub: String, rg: String, l: &[&str], raw: &[String]) -> Result<Route, ArmError> {
    let scope = |i: usize| Scope {
        sub: sub.clone(),
        rg: rg.clone(),
        name: raw[i].clone(),
    };
    let route = match l {
        ["containergroups"] => Route::ContainerGroupsInRg { sub, rg },
        ["containergroups", _] => Route::ContainerGroup(scope(1)),
        ["containergroups", _, "start"] => Route::ContainerGroupAction(scope(1), Action::Start),
        ["containergroups", _, "stop"] => Route::ContainerGroupAction(scope(1), Action::Stop),
        ["containergroups", _, "restart"] => Route::ContainerGroupAction(scope(1), Action::Restart),
        ["containergroups", _, "outboundnetworkdependenciesendpoints"] => {
            Route::OutboundDependencies(scope(1))
        }
        ["containergroups", _, "containers", _, "logs"] => {
            Route::ContainerLogs(scope(1), raw[3].clone())
        }
        ["containergroups", _, "containers", _, "exec"] => {
            Route::ContainerExec(scope(1), raw[3].clone())
        }
        ["containergroups", _, "containers", _, "attach"] => {
            Route::ContainerAttach(scope(1), raw[3].clone())
        }
        ["containergroupprofiles"] => Route::ProfilesInRg { sub, rg },
        ["containergroupprofiles", _] => Route::Profile(scope(1)),
        ["containergroupprofiles", _, "revisions"] => Route::ProfileRevisions(scope(1)),
        ["containergroupprofiles", _, "revisions", _] => {
            Route::ProfileRevision(scope(1), raw[3].clone())
        }
        ["ngroups"] => Route::NGroupsInRg { sub, rg },
        ["ngroups", _] => Route::NGroup(scope(1)),
        ["ngroups", _, "start"] => Route::NGroupAction(scope(1), Action::Start),
        ["ngroups", _, "stop"] => Route::NGroupAction(scope(1), Action::Stop),
        ["ngroups", _, "restart"] => Route::NGroupAction(scope(1), Action::Restart),
        ["locations", _, kind, _] => operation_route(sub, kind, raw[3].clone())?,
        [first, ..] => return Err(unknown_type(first)),
        [] => return Err(unknown_type("")),
    };
    Ok(route)
}

fn operation_route(sub: String, kind: &str, op: String) -> Result<Route, ArmError> {
    match kind {
        "operations" | "operationstatuses" => Ok(Route::Operation {
            sub,
            op,
            result: false,
        }),
        "operationresults" => Ok(Route::Operation {
            sub,
            op,
            result: true,
        }),
        other => Err(unknown_type(&format!("locations/{other}"))),
    }
}

fn unknown_namespace(namespace: &str) -> ArmError {
    ArmError::new(
        StatusCode::NOT_FOUND,
        "InvalidResourceNamespace",
        format!("The resource namespace '{namespace}' is invalid."),
    )
}

fn unknown_type(resource_type: &str) -> ArmError {
    ArmError::new(
        StatusCode::NOT_FOUND,
        "InvalidResourceType",
        format!(
            "The resource type '{resource_type}' could not be found in the namespace \
             'Microsoft.ContainerInstance'."
        ),
    )
}

fn no_route(path: &str) -> ArmError {
    ArmError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("No HTTP resource was found that matches the request URI '{path}'."),
    )
}

/// Decodes `%XX` escapes; invalid escapes are kept as they are.
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_match_case_insensitively_and_names_keep_their_casing() {
        let route = parse(
            "/SUBSCRIPTIONS/s1/resourcegroups/My-RG/providers/microsoft.containerinstance/\
             CONTAINERGROUPS/Web",
        )
        .expect("route");
        let scope = Scope {
            sub: "s1".into(),
            rg: "My-RG".into(),
            name: "Web".into(),
        };
        assert_eq!(route, Route::ContainerGroup(scope));
    }

    #[test]
    fn logs_and_operations_are_recognised() {
        let logs = parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/\
             containerGroups/g/containers/c/logs",
        );
        assert!(matches!(logs, Ok(Route::ContainerLogs(_, c)) if c == "c"));
        let op = parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/\
             locations/westus/operations/abc",
        );
        assert!(matches!(op, Ok(Route::Operation { result: false, .. })));
    }

    #[test]
    fn unknown_paths_are_arm_errors() {
        let err = parse("/subscriptions/s/providers/Microsoft.Compute/virtualMachines");
        assert_eq!(
            err.map_err(|e| e.code).unwrap_err(),
            "InvalidResourceNamespace"
        );
        assert_eq!(
            parse("/nothing").map_err(|e| e.code).unwrap_err(),
            "NotFound"
        );
    }

    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("a%28b%29"), "a(b)");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
