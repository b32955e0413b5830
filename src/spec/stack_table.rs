//! The `[stack]` table and the `[vars]` tables of a stack, and `--var` overrides.

use std::collections::BTreeMap;

use toml::de::DeValue;

use super::decode::{Ctx, Fields, Value};
use super::error::{Issue, SpecError, did_you_mean};
use super::rules::{LOCATION_HELP, location_problem};
use super::scope::{Allow, Var};
use super::source::Origin;

/// What `[stack]` says, before it becomes part of `Stack`.
#[derive(Debug, Clone)]
pub(crate) struct StackHeader {
    pub name: String,
    pub subscription: Option<String>,
    pub location: Option<Located>,
    pub tags: BTreeMap<String, String>,
    pub origin: Origin,
}

/// A literal with its origin.
pub(crate) type Located = crate::spec::source::Located<String>;

const STACK_FIELDS: &[&str] = &["name", "subscription", "location", "tags"];

/// Decodes `[stack]`. Its strings may use variables and the environment, and must
/// be literal after that.
pub(crate) fn decode_stack(
    ctx: &mut Ctx<'_>,
    v: &Value<'_>,
    origin: Origin,
) -> Option<StackHeader> {
    let table = ctx.table(v, "stack")?;
    let f = Fields::open(ctx, table, origin.clone(), "[stack]", STACK_FIELDS);

    let name = f
        .req(ctx, "name")
        .and_then(|v| stack_string(ctx, v, "name"));
    if let (Some(name), Some(v)) = (&name, f.get("name")) {
        check_stack_name(ctx, v, name);
    }
    let subscription = match f.get("subscription") {
        Some(v) => Some(stack_string(ctx, v, "subscription")?),
        None => None,
    };
    let location = match f.get("location") {
        Some(v) => Some(Located::new(stack_string(ctx, v, "location")?, ctx.at(v))),
        None => None,
    };
    if let Some(location) = &location {
        check_location(ctx, &location.origin, &location.value);
    }

    let mut tags = BTreeMap::new();
    if let Some(v) = f.get("tags") {
        let table = ctx.table(v, "tags")?;
        for (key, value) in table.iter() {
            let key = ctx.key_name(key)?.to_string();
            let value = stack_string(ctx, value, &format!("tags.{key}"))?;
            tags.insert(key, value);
        }
    }
    Some(StackHeader {
        name: name?,
        subscription,
        location,
        tags,
        origin,
    })
}

fn stack_string(ctx: &mut Ctx<'_>, v: &Value<'_>, field: &str) -> Option<String> {
    let text = ctx.text_with(v, field, Allow::NoResources, false)?;
    text.literal().map(str::to_string)
}

/// `stack.name`: 1-40 of a-z, 0-9 and `-` (SPEC.md); it goes into ownership tags.
fn check_stack_name(ctx: &mut Ctx<'_>, v: &Value<'_>, name: &str) {
    let ok_chars = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if (1..=40).contains(&name.len()) && ok_chars {
        return;
    }
    let at = ctx.at(v);
    let label = if ok_chars {
        "must be 1-40 characters"
    } else {
        "only a-z, 0-9 and `-`"
    };
    let issue = Issue::new(&at, "invalid stack name", label)
        .help("a stack name is 1-40 characters of a-z, 0-9 and `-`; it goes into tags");
    ctx.issues.push(issue);
}

/// `stack.location`, inherited by every resource: reported here, where it is written.
fn check_location(ctx: &mut Ctx<'_>, at: &Origin, location: &str) {
    if let Some(problem) = location_problem(location) {
        ctx.issues
            .push(Issue::new(at, "invalid location", problem).help(LOCATION_HELP));
    }
}

/// Decodes one `[vars]` table into `vars`; a name already declared (in another
/// file) is an error naming both places.
pub(crate) fn decode_vars(
    ctx: &mut Ctx<'_>,
    v: &Value<'_>,
    vars: &mut BTreeMap<String, (Var, Origin)>,
) {
    let Some(table) = ctx.table(v, "vars") else {
        return;
    };
    for (key, value) in table.iter() {
        let Some(name) = ctx.key_name(key) else {
            continue;
        };
        let key_at = ctx.origin(key.span());
        if !is_var_name(name) {
            let issue = Issue::new(&key_at, "invalid variable name", "here").help(
                "a variable name is letters, digits, `_` and `-`, starting with a letter or `_`",
            );
            ctx.issues.push(issue);
            continue;
        }
        if let Some((_, first)) = vars.get(name) {
            let issue = Issue::new(
                &key_at,
                format!("variable `{name}` is declared twice"),
                "again here",
            )
            .also(first, "first declared here");
            ctx.issues.push(issue);
            continue;
        }
        if let Some(var) = var_value(ctx, value, name) {
            vars.insert(name.to_string(), (var, key_at));
        }
    }
}

fn var_value(ctx: &mut Ctx<'_>, v: &Value<'_>, name: &str) -> Option<Var> {
    let field = format!("vars.{name}");
    let value = match v.get_ref() {
        DeValue::String(_) => {
            let text = ctx.text_with(v, &field, Allow::EnvOnly, false)?;
            let value = text.literal().unwrap_or_default().to_string();
            return Some(Var {
                value,
                from_env: text.from_env,
                at: Some(ctx.at(v)),
            });
        }
        DeValue::Integer(i) => i.to_string(),
        DeValue::Float(f) => f.to_string(),
        DeValue::Boolean(b) => b.to_string(),
        _ => {
            ctx.wrong_type(v, &field, "a string, a number or a boolean");
            return None;
        }
    };
    Some(Var {
        value,
        from_env: false,
        at: Some(ctx.at(v)),
    })
}

/// A variable name: a letter or `_`, then letters, digits, `_` and `-`.
pub(crate) fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Applies `--var` overrides in order; each must name a declared variable.
pub(crate) fn apply_overrides(
    vars: &mut BTreeMap<String, (Var, Origin)>,
    overrides: &[(String, String)],
    errors: &mut Vec<SpecError>,
) {
    for (name, value) in overrides {
        let Some((var, _)) = vars.get_mut(name) else {
            let help = did_you_mean(name, vars.keys().map(String::as_str))
                .unwrap_or_else(|| "declare it under [vars] first".to_string());
            let message = format!("--var {name}: no variable `{name}` is declared in [vars]");
            errors.push(SpecError::plain(message, Some(help)));
            continue;
        };
        if value.contains('\0') {
            errors.push(SpecError::plain(
                format!("--var {name}: the value contains NUL"),
                None,
            ));
            continue;
        }
        // The default written in the file stays masked if a secret uses the variable.
        let at = var.at.take();
        *var = Var {
            value: value.clone(),
            from_env: false,
            at,
        };
    }
}

/// Splits `--var NAME=VALUE` arguments, in the order given.
pub fn parse_var_overrides(raw: &[String]) -> Result<Vec<(String, String)>, SpecError> {
    let mut out = Vec::with_capacity(raw.len());
    for arg in raw {
        let Some((name, value)) = arg.split_once('=') else {
            let message = format!("--var `{arg}` is not NAME=VALUE");
            return Err(SpecError::plain(
                message,
                Some("e.g. --var image_tag=1.25.3".into()),
            ));
        };
        if !is_var_name(name) {
            let message = format!("--var `{name}=…`: `{name}` is not a variable name");
            let help = "a variable name is letters, digits, `_` and `-`".to_string();
            return Err(SpecError::plain(message, Some(help)));
        }
        out.push((name.to_string(), value.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_overrides_split_at_the_first_equals() {
        let raw = vec!["a=1".to_string(), "b=x=y".to_string(), "c=".to_string()];
        let parsed = parse_var_overrides(&raw).unwrap();
        assert_eq!(parsed[1], ("b".to_string(), "x=y".to_string()));
        assert_eq!(parsed[2], ("c".to_string(), String::new()));
    }

    #[test]
    fn bad_var_overrides_are_refused() {
        let err = parse_var_overrides(&["novalue".to_string()]).unwrap_err();
        assert_eq!(err.message(), "--var `novalue` is not NAME=VALUE");
        assert!(parse_var_overrides(&["1x=2".to_string()]).is_err());
    }
}
