//! Values ARM refuses however they are spelled: an empty or blank image, an image
//! with whitespace or control characters, a location that is not a plain region name
//! (aci-api/README.md §5: `image` and `location` are required strings). Caught here,
//! they point at the line; caught by ARM, they fail the apply halfway.

use crate::spec::error::{Issue, Issues};
use crate::spec::model::{ContainerGroupSpec, FieldOrigins, Stack};
use crate::spec::source::Origin;

/// Every container's and init container's image, when it is known at load.
pub(crate) fn check_images(cg: &ContainerGroupSpec, issues: &mut Issues) {
    let containers = cg.containers.iter().map(|c| (&c.image, &c.fields));
    let inits = cg.init_containers.iter().map(|c| (&c.image, &c.fields));
    for (image, fields) in containers.chain(inits) {
        // A missing image is already reported as a missing field.
        let (Some(at), Some(problem)) =
            (fields.get("image"), image.literal().and_then(image_problem))
        else {
            continue;
        };
        let issue = Issue::new(at, "invalid image", problem)
            .help("an image is a reference such as `nginx:1.27` or `myacr.azurecr.io/app:2.1`");
        issues.push(issue);
    }
}

fn image_problem(image: &str) -> Option<&'static str> {
    if image.trim().is_empty() {
        Some("empty")
    } else if image.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("contains whitespace or control characters")
    } else {
        None
    }
}

/// The locations resource groups and container groups set themselves (an inherited one
/// is reported once, where it was written; the stack's in `stack_table.rs`).
pub(crate) fn check_locations(stack: &Stack, issues: &mut Issues) {
    let mut check = |location: Option<&String>, at: &Origin| {
        if let Some(problem) = location.and_then(|l| location_problem(l)) {
            issues.push(Issue::new(at, "invalid location", problem).help(LOCATION_HELP));
        }
    };
    let own = |fields: &FieldOrigins| fields.get("location").cloned();
    for rg in stack.resource_groups.values() {
        if let Some(at) = own(&rg.fields) {
            check(rg.location.as_ref(), &at);
        }
    }
    for cg in stack.container_groups.values() {
        if let Some(at) = own(&cg.fields) {
            check(cg.location.as_ref(), &at);
        }
    }
}

/// The help line of an invalid location.
pub(crate) const LOCATION_HELP: &str =
    "a location is an Azure region such as `westeurope` or `East US`";

/// Why `location` cannot be an Azure region name, if it cannot.
pub(crate) fn location_problem(location: &str) -> Option<&'static str> {
    if location.trim().is_empty() {
        Some("empty")
    } else if !location
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ' ')
    {
        Some("only letters, digits and spaces")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_need_a_reference_without_blanks() {
        assert_eq!(image_problem(""), Some("empty"));
        assert_eq!(image_problem("  "), Some("empty"));
        assert!(image_problem("nginx :1").is_some());
        assert!(image_problem("nginx\u{1b}[31m").is_some());
        assert_eq!(image_problem("myacr.azurecr.io/app@sha256:ab12"), None);
    }

    #[test]
    fn locations_are_region_names() {
        assert_eq!(location_problem(""), Some("empty"));
        assert!(location_problem("west\teurope").is_some());
        assert!(location_problem("westeurope/x").is_some());
        assert_eq!(location_problem("westeurope"), None);
        assert_eq!(location_problem("East US 2"), None);
    }
}
