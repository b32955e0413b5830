//! ACI's own rules, checked before any API call and reported in the user's field
//! names ("late validation" in QUIRKS.md). Each rule cites its source in
//! docs/validation.md; the code keeps to one rule per function so the two map.
//!
//! Rules run on the resolved stack. Values are never quoted in messages (they may
//! come from the environment); labels point at the source instead.

mod compute;
mod names;
mod network;
mod parts;
mod tags;
mod values;

use std::collections::BTreeSet;

use super::error::Issues;
use super::model::Stack;

pub(crate) use values::{LOCATION_HELP, location_problem};

/// Checks every rule on every resource, reporting all violations. Groups in
/// `partial` lost parts to reported errors: only rules about single fields run there.
pub(crate) fn check_stack(stack: &Stack, partial: &BTreeSet<String>, issues: &mut Issues) {
    names::check_unique_azure_names(stack, issues);
    network::check_reference_targets(stack, issues);
    tags::check_tags(stack, issues);
    values::check_locations(stack, issues);
    for rg in stack.resource_groups.values() {
        names::check_resource_group(rg, issues);
        parts::check_existing_group(rg, issues);
    }
    for cg in stack.container_groups.values() {
        let whole = !partial.contains(&cg.key);
        names::check_container_group(cg, issues);
        compute::check_group(cg, whole, issues);
        network::check_group(cg, whole, issues);
        parts::check_group(cg, whole, issues);
        values::check_images(cg, issues);
    }
}

/// Whether `value` is a whole multiple of `step` (within float noise).
pub(crate) fn is_multiple(value: f64, step: f64) -> bool {
    let n = value / step;
    (n - n.round()).abs() < 1e-6
}
