//! Resource addresses (`TYPE.KEY`, e.g. `container_group.web`): how users name a
//! resource in references, `depends_on`, `--target` and the plan.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// The kinds of resource a stack declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    ResourceGroup,
    ContainerGroup,
}

impl ResourceKind {
    /// Every kind, in the order resources of a stack are listed.
    pub const ALL: [ResourceKind; 2] = [ResourceKind::ResourceGroup, ResourceKind::ContainerGroup];

    /// The TOML table and address prefix: `resource_group` or `container_group`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::ResourceGroup => "resource_group",
            ResourceKind::ContainerGroup => "container_group",
        }
    }

    /// The attributes `${TYPE.KEY.ATTR}` may read. `name` and `location` are known at
    /// load; the others only once the resource exists.
    pub fn attributes(self) -> &'static [&'static str] {
        match self {
            ResourceKind::ResourceGroup => &["name", "location", "id"],
            ResourceKind::ContainerGroup => &["name", "location", "id", "ip", "fqdn"],
        }
    }

    /// The kind named by a table or address prefix.
    pub fn parse(s: &str) -> Option<ResourceKind> {
        ResourceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource of the stack: its kind and its KEY.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address {
    pub kind: ResourceKind,
    pub key: String,
}

impl Address {
    /// `kind.key`.
    pub fn new(kind: ResourceKind, key: impl Into<String>) -> Address {
        Address {
            kind,
            key: key.into(),
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.kind, self.key)
    }
}

/// Why a string is not an address.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AddressError {
    #[error("`{0}` is not an address: expected TYPE.KEY, e.g. container_group.web")]
    Shape(String),
    #[error("unknown resource type `{0}`: expected resource_group or container_group")]
    Kind(String),
    #[error("invalid key `{0}`: use a-z, 0-9, `_` and `-`")]
    Key(String),
}

impl FromStr for Address {
    type Err = AddressError;

    fn from_str(s: &str) -> Result<Address, AddressError> {
        let (kind, key) = s
            .split_once('.')
            .ok_or_else(|| AddressError::Shape(s.into()))?;
        let kind = ResourceKind::parse(kind).ok_or_else(|| AddressError::Kind(kind.into()))?;
        if !is_valid_key(key) {
            return Err(AddressError::Key(key.into()));
        }
        Ok(Address::new(kind, key))
    }
}

/// KEY: one or more of a-z, 0-9, `_`, `-` (SPEC.md).
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        let a: Address = "container_group.web-1".parse().unwrap();
        assert_eq!(a, Address::new(ResourceKind::ContainerGroup, "web-1"));
        assert_eq!(a.to_string(), "container_group.web-1");
    }

    #[test]
    fn bad_addresses_say_why() {
        assert!(matches!(
            "web".parse::<Address>(),
            Err(AddressError::Shape(_))
        ));
        assert!(matches!(
            "vm.web".parse::<Address>(),
            Err(AddressError::Kind(_))
        ));
        assert!(matches!(
            "resource_group.Web".parse::<Address>(),
            Err(AddressError::Key(_))
        ));
        assert!(matches!(
            "resource_group.".parse::<Address>(),
            Err(AddressError::Key(_))
        ));
    }
}
