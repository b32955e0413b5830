//! Azure regions: which locations exist, and how ARM folds and echoes them.
//!
//! ACI echoes a location in another form than it was sent: a display name such as
//! `"west us"` comes back as `"WestUs"` (examples/ContainerGroupsCreateOrUpdate.json),
//! while a programmatic name such as `"EastUS"` comes back lower-cased. Clients must
//! compare locations folded (lower case, no spaces); this module is that fold.

/// Programmatic names and display names of public-cloud regions.
const REGIONS: &[(&str, &str)] = &[
    ("eastus", "East US"),
    ("eastus2", "East US 2"),
    ("westus", "West US"),
    ("westus2", "West US 2"),
    ("westus3", "West US 3"),
    ("centralus", "Central US"),
    ("northcentralus", "North Central US"),
    ("southcentralus", "South Central US"),
    ("westcentralus", "West Central US"),
    ("canadacentral", "Canada Central"),
    ("canadaeast", "Canada East"),
    ("brazilsouth", "Brazil South"),
    ("northeurope", "North Europe"),
    ("westeurope", "West Europe"),
    ("uksouth", "UK South"),
    ("ukwest", "UK West"),
    ("francecentral", "France Central"),
    ("germanywestcentral", "Germany West Central"),
    ("italynorth", "Italy North"),
    ("norwayeast", "Norway East"),
    ("polandcentral", "Poland Central"),
    ("spaincentral", "Spain Central"),
    ("swedencentral", "Sweden Central"),
    ("switzerlandnorth", "Switzerland North"),
    ("uaenorth", "UAE North"),
    ("southafricanorth", "South Africa North"),
    ("centralindia", "Central India"),
    ("southindia", "South India"),
    ("eastasia", "East Asia"),
    ("southeastasia", "Southeast Asia"),
    ("japaneast", "Japan East"),
    ("japanwest", "Japan West"),
    ("koreacentral", "Korea Central"),
    ("australiaeast", "Australia East"),
    ("australiasoutheast", "Australia Southeast"),
];

/// A known region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// The programmatic name, e.g. `westus`.
    pub name: &'static str,
    /// The display name, e.g. `West US`.
    pub display: &'static str,
}

/// Folds a location the way ARM compares them: lower case, spaces removed.
pub fn fold(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The region a location names, in either form and any casing.
pub fn find(location: &str) -> Option<Region> {
    let folded = fold(location);
    REGIONS
        .iter()
        .find(|(name, _)| *name == folded)
        .map(|&(name, display)| Region { name, display })
}

/// The form ACI echoes a location in: words title-cased and joined when the client sent
/// a display name (`"west us"` -> `"WestUs"`), the programmatic name otherwise.
pub fn echo_form(sent: &str, region: Region) -> String {
    if !sent.trim().contains(char::is_whitespace) {
        return region.name.to_string();
    }
    sent.split_whitespace()
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect()
}

/// The comma-separated list ARM puts in location errors.
pub fn available_list() -> String {
    REGIONS
        .iter()
        .map(|(_, display)| *display)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_come_back_compacted_and_names_lower_cased() {
        let west = find("west us").expect("westus");
        assert_eq!(echo_form("west us", west), "WestUs");
        assert_eq!(
            echo_form("EastUS2", find("EastUS2").expect("eastus2")),
            "eastus2"
        );
        assert!(find("atlantis").is_none());
    }
}
