//! The api-versions ARM publishes for the two providers the emulator serves, and ARM's
//! errors for a missing or unknown one.

use super::error::ArmError;
use super::route::Provider;

/// Microsoft.ContainerInstance: the chosen 2025-09-01, the older stable versions and
/// the published previews. The 2026 folders of the spec repository are left out while
/// they are still being edited.
const CONTAINER_INSTANCE: &[&str] = &[
    "2025-09-01",
    "2024-11-01-preview",
    "2024-10-01-preview",
    "2024-09-01-preview",
    "2024-05-01-preview",
    "2023-05-01",
    "2023-02-01-preview",
    "2022-10-01-preview",
    "2022-09-01",
    "2022-04-01-preview",
    "2021-10-01",
    "2021-09-01",
    "2021-07-01",
    "2021-03-01",
    "2020-11-01",
    "2019-12-01",
    "2018-10-01",
    "2018-09-01",
    "2018-06-01",
    "2018-04-01",
    "2018-02-01-preview",
    "2017-12-01-preview",
    "2017-10-01-preview",
    "2017-08-01-preview",
];

/// Microsoft.Resources (resource groups): 2024-11-01 and the older stable versions.
const RESOURCES: &[&str] = &[
    "2024-11-01",
    "2024-07-01",
    "2024-03-01",
    "2023-07-01",
    "2022-09-01",
    "2021-04-01",
    "2021-01-01",
    "2020-10-01",
    "2020-08-01",
    "2020-06-01",
    "2019-10-01",
    "2019-08-01",
    "2019-07-01",
    "2019-05-10",
    "2019-05-01",
    "2019-03-01",
    "2018-05-01",
    "2018-02-01",
    "2017-05-10",
    "2016-09-01",
    "2016-07-01",
    "2016-06-01",
    "2016-02-01",
    "2015-11-01",
];

/// The newest version of a provider, used in URLs the emulator hands out.
pub fn latest(provider: Provider) -> &'static str {
    match provider {
        Provider::Resources => RESOURCES[0],
        Provider::ContainerInstance => CONTAINER_INSTANCE[0],
    }
}

/// Checks the `api-version` query value against the provider's published versions.
pub fn check(provider: Provider, version: Option<&str>, location: &str) -> Result<(), ArmError> {
    let Some(version) = version else {
        return Err(ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    let known = match provider {
        Provider::Resources => RESOURCES,
        Provider::ContainerInstance => CONTAINER_INSTANCE,
    };
    if known.contains(&version) {
        return Ok(());
    }

    let list = known.join(", ");
    Err(match provider {
        Provider::Resources => ArmError::bad_request(
            "InvalidApiVersionParameter",
            format!("The api-version '{version}' is invalid. The supported versions are '{list}'."),
        ),
        Provider::ContainerInstance => ArmError::bad_request(
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for location '{location}' and API \
                 version '{version}' for type 'containerGroups'. The supported api-versions \
                 are '{list}'. The supported locations are '{}'.",
                super::regions::available_list()
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_versions_pass_and_others_get_arm_codes() {
        assert!(check(Provider::ContainerInstance, Some("2025-09-01"), "westus").is_ok());
        assert!(check(Provider::Resources, Some("2024-11-01"), "westus").is_ok());
        let missing = check(Provider::Resources, None, "westus").unwrap_err();
        assert_eq!(missing.code, "MissingApiVersionParameter");
        let rg = check(Provider::Resources, Some("2025-09-01"), "westus").unwrap_err();
        assert_eq!(rg.code, "InvalidApiVersionParameter");
        let aci = check(Provider::ContainerInstance, Some("2030-01-01"), "westus").unwrap_err();
        assert_eq!(aci.code, "NoRegisteredProviderFound");
    }
}
