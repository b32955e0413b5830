//! CPU, memory and GPU rules: request steps, limits against requests, and the
//! group totals per SKU and priority (aci-api/README.md §8, docs/validation.md).

use super::is_multiple;
use crate::spec::error::{Issue, Issues};
use crate::spec::model::{Container, ContainerGroupSpec, Priority, Sku};
use crate::spec::source::Origin;

/// CPU is requested in steps of 0.01 core (10 millicores).
const CPU_STEP: f64 = 0.01;
/// Memory is requested in steps of 0.1 GB.
const MEMORY_STEP: f64 = 0.1;

/// The most a group may request: (cores, GB).
fn group_maximum(cg: &ContainerGroupSpec) -> (f64, f64, &'static str) {
    match (cg.priority, cg.sku) {
        (Some(Priority::Spot), _) => (4.0, 16.0, "a Spot container group"),
        (_, Some(Sku::Confidential)) => (31.0, 180.0, "a Confidential container group"),
        _ => (31.0, 240.0, "a standard container group"),
    }
}

/// Every compute rule of a group; totals only when no container is missing.
pub(crate) fn check_group(cg: &ContainerGroupSpec, whole: bool, issues: &mut Issues) {
    for c in &cg.containers {
        check_container(c, issues);
    }
    if whole {
        check_totals(cg, issues);
    }
}

fn field_at<'a>(c: &'a Container, field: &str) -> &'a Origin {
    c.fields.get(field).unwrap_or(&c.origin)
}

fn check_container(c: &Container, issues: &mut Issues) {
    check_amount(c, "cpu", Some(c.cpu), CPU_STEP, "cores", issues);
    check_amount(c, "memory_gb", Some(c.memory_gb), MEMORY_STEP, "GB", issues);
    check_amount(c, "cpu_limit", c.cpu_limit, CPU_STEP, "cores", issues);
    check_amount(
        c,
        "memory_gb_limit",
        c.memory_gb_limit,
        MEMORY_STEP,
        "GB",
        issues,
    );

    let pairs = [
        ("cpu_limit", c.cpu_limit, "cpu", c.cpu),
        (
            "memory_gb_limit",
            c.memory_gb_limit,
            "memory_gb",
            c.memory_gb,
        ),
    ];
    for (limit_field, limit, request_field, request) in pairs {
        if let Some(limit) = limit
            && limit < request
        {
            let message = format!("`{limit_field}` is below `{request_field}`");
            let issue = Issue::new(field_at(c, limit_field), message, "below the request")
                .also(field_at(c, request_field), "the request")
                .help("ACI refuses limits lower than requests (ResourceLimitsLessThanRequests)");
            issues.push(issue);
        }
    }
}

fn check_amount(
    c: &Container,
    field: &str,
    value: Option<f64>,
    step: f64,
    unit: &str,
    issues: &mut Issues,
) {
    let Some(value) = value else { return };
    let at = field_at(c, field);
    if value < step {
        let issue = Issue::new(
            at,
            format!("`{field}` must be at least {step} {unit}"),
            "too small",
        );
        issues.push(issue);
    } else if !is_multiple(value, step) {
        let issue = Issue::new(
            at,
            format!("`{field}` must be a multiple of {step} {unit}"),
            "not a multiple",
        )
        .help(format!("ACI takes {field} in steps of {step} {unit}"));
        issues.push(issue);
    }
}

/// Group totals against the maximum for its SKU and priority, and each container's
/// limits against the group's total request (ContainerLimitGreaterThanContainerGroupTotalRequest).
fn check_totals(cg: &ContainerGroupSpec, issues: &mut Issues) {
    let cpu: f64 = cg.containers.iter().map(|c| c.cpu).sum();
    let memory: f64 = cg.containers.iter().map(|c| c.memory_gb).sum();
    let (max_cpu, max_memory, what) = group_maximum(cg);

    let over = [
        ("cpu", cpu, max_cpu, "cores"),
        ("memory_gb", memory, max_memory, "GB"),
    ];
    for (field, total, max, unit) in over {
        if total > max + 1e-9 {
            let message = format!(
                "the containers request {} {unit} in total; {what} may request at most {max}",
                round(total)
            );
            let mut issue = Issue::new(&cg.origin, message, format!("total `{field}` too high"));
            for c in &cg.containers {
                issue = issue.also(field_at(c, field), "requested here");
            }
            issues
                .push(issue.help("lower the requests or split the containers into several groups"));
        }
    }

    for c in &cg.containers {
        let limits = [
            ("cpu_limit", c.cpu_limit, cpu, "cpu"),
            ("memory_gb_limit", c.memory_gb_limit, memory, "memory_gb"),
        ];
        for (field, limit, total, request_field) in limits {
            if limit.is_some_and(|l| l > total + 1e-9) {
                let message = format!(
                    "`{field}` is above the group's total `{request_field}` request of {}",
                    round(total)
                );
                let issue = Issue::new(
                    field_at(c, field),
                    message,
                    "above the group's total request",
                )
                .help("ACI refuses a container limit above the sum of the group's requests");
                issues.push(issue);
            }
        }
    }
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
