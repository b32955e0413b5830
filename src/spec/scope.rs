//! Evaluating `${…}` expressions: stack variables, environment variables, and
//! references to other resources of the stack (checked against the declared
//! addresses, kept as `Part::Ref`).

use std::collections::{BTreeMap, BTreeSet};

use super::address::{Address, ResourceKind};
use super::error::{Issue, Issues, did_you_mean};
use super::source::Origin;
use super::text::{Part, Reference, Text};

/// A stack variable after `--var` overrides.
#[derive(Debug, Clone)]
pub(crate) struct Var {
    pub value: String,
    /// Its value came from `${env.…}`: never quote it.
    pub from_env: bool,
    /// Where its literal value is written (none for `--var`): masked in diagnostics
    /// when a sensitive field uses the variable.
    pub at: Option<Origin>,
}

/// What a string may refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Allow {
    /// Everything: variables, environment, other resources.
    All,
    /// Only `${env.…}` (the values of `[vars]`).
    EnvOnly,
    /// Variables and environment, no resources (the `[stack]` table).
    NoResources,
}

/// Everything `${…}` can read.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    pub vars: BTreeMap<String, Var>,
    pub env: BTreeMap<String, String>,
    pub declared: BTreeSet<Address>,
}

impl Scope {
    /// Evaluates `${body}` at `at` and appends the result to `text`. Reports and
    /// returns false when the expression is wrong.
    /// Where the literal of `${vars.NAME}` (`body`) is written, if it is a variable.
    pub fn var_origin(&self, body: &str) -> Option<Origin> {
        let name = body.trim().strip_prefix("vars.")?;
        self.vars.get(name)?.at.clone()
    }

    pub fn eval(
        &self,
        issues: &mut Issues,
        body: &str,
        at: &Origin,
        text: &mut Text,
        allow: Allow,
    ) -> bool {
        let parts: Vec<&str> = body.trim().split('.').collect();
        match parts.as_slice() {
            ["env", name] => self.eval_env(issues, name, at, text),
            ["vars", name] if allow != Allow::EnvOnly => self.eval_var(issues, name, at, text),
            [kind, key, attr] if allow == Allow::All && ResourceKind::parse(kind).is_some() => {
                self.eval_ref(issues, kind, key, attr, at, text)
            }
            _ if allow == Allow::EnvOnly => {
                let issue = Issue::new(at, "a variable's value may only use `${env.NAME}`", "here")
                    .help("variables cannot refer to other variables or to resources");
                issues.push(issue);
                false
            }
            [kind, _, _] if allow == Allow::NoResources && ResourceKind::parse(kind).is_some() => {
                let issue = Issue::new(at, "[stack] cannot refer to resources", "here")
                    .help("use ${vars.NAME} or ${env.NAME} here");
                issues.push(issue);
                false
            }
            _ => {
                issues.push(unknown_expression(body, at));
                false
            }
        }
    }

    fn eval_env(&self, issues: &mut Issues, name: &str, at: &Origin, text: &mut Text) -> bool {
        let Some(value) = self.env.get(name) else {
            let issue = Issue::new(
                at,
                format!("environment variable `{name}` is not set"),
                "read from the environment here",
            )
            .help(format!(
                "set {name} in the environment of aciform, or remove the reference"
            ));
            issues.push(issue);
            return false;
        };
        text.from_env = true;
        push_checked(issues, value, at, text)
    }

    fn eval_var(&self, issues: &mut Issues, name: &str, at: &Origin, text: &mut Text) -> bool {
        let Some(var) = self.vars.get(name) else {
            let help = did_you_mean(name, self.vars.keys().map(String::as_str))
                .unwrap_or_else(|| "declare it under [vars] or pass --var NAME=VALUE".to_string());
            let message = format!("unknown variable `{name}`");
            issues.push(Issue::new(at, message, "not declared in [vars]").help(help));
            return false;
        };
        text.from_env |= var.from_env;
        push_checked(issues, &var.value, at, text)
    }

    fn eval_ref(
        &self,
        issues: &mut Issues,
        kind: &str,
        key: &str,
        attr: &str,
        at: &Origin,
        text: &mut Text,
    ) -> bool {
        let Some(kind) = ResourceKind::parse(kind) else {
            return false;
        };
        let target = Address::new(kind, key);
        if !self.declared.contains(&target) {
            let keys = self
                .declared
                .iter()
                .filter(|a| a.kind == kind)
                .map(|a| a.key.as_str());
            let help = did_you_mean(key, keys)
                .unwrap_or_else(|| format!("declare [{kind}.{key}] or fix the reference"));
            let issue = Issue::new(
                at,
                format!("unknown resource `{target}`"),
                "no such resource",
            )
            .help(help);
            issues.push(issue);
            return false;
        }
        if !kind.attributes().contains(&attr) {
            let choices = kind.attributes().join(", ");
            let help = did_you_mean(attr, kind.attributes().iter().copied())
                .unwrap_or_else(|| format!("a {kind} has: {choices}"));
            let message = format!("unknown attribute `{attr}` of {target}");
            issues.push(Issue::new(at, message, format!("expected one of: {choices}")).help(help));
            return false;
        }
        let reference = Reference {
            target,
            attr: attr.to_string(),
            origin: at.clone(),
        };
        text.parts.push(Part::Ref(reference));
        true
    }
}

/// Appends a substituted value, refusing NUL characters (the planner uses them).
fn push_checked(issues: &mut Issues, value: &str, at: &Origin, text: &mut Text) -> bool {
    if value.contains('\0') {
        let message = "this value contains a NUL character, which is not allowed";
        issues.at(at, message, "substituted here");
        return false;
    }
    text.push_lit(value);
    true
}

fn unknown_expression(body: &str, at: &Origin) -> Issue {
    let parts: Vec<&str> = body.trim().split('.').collect();
    let namespaces = ["vars", "env", "resource_group", "container_group"];
    let head = parts.first().copied().unwrap_or("");
    let help = match did_you_mean(head, namespaces) {
        Some(dym) if !namespaces.contains(&head) => dym,
        _ => "expected ${vars.NAME}, ${env.NAME} or ${TYPE.KEY.ATTR}; write $${ for a literal ${"
            .to_string(),
    };
    let message = if body.trim().is_empty() {
        "empty `${}` expression".to_string()
    } else {
        format!("cannot understand `${{{}}}`", body.trim())
    };
    Issue::new(at, message, "here").help(help)
}
