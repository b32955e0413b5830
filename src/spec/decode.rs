//! Reading the spanned TOML tree: tables with a fixed set of fields (unknown ones get
//! "did you mean"), typed scalars, and strings through `${…}` substitution.
//!
//! Every reader reports its own mistakes and returns None, so one load collects every
//! independent error instead of stopping at the first. A field that is present but
//! wrong is reported once; callers never add a "missing field" error for it.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::{Issue, Issues, did_you_mean};
use super::scope::{Allow, Scope};
use super::source::{FileId, Origin};
use super::template::{Segment, exact_offset, parse_template};
use super::text::Text;
use crate::sensitive::Sensitive;

/// A value of the TOML tree with its span.
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// The state of decoding one file.
pub(crate) struct Ctx<'a> {
    pub file: FileId,
    /// The file's text, for mapping positions inside strings.
    pub text: &'a str,
    pub issues: &'a mut Issues,
    /// Origins of sensitive literals, masked in the text diagnostics quote.
    pub masks: &'a mut Vec<Origin>,
    pub scope: &'a Scope,
}

/// How TOML names a value's type in messages.
pub(crate) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl Ctx<'_> {
    /// The origin of a span of this file.
    pub fn origin(&self, span: Range<usize>) -> Origin {
        Origin::new(self.file, span)
    }

    /// The origin of a value.
    pub fn at(&self, v: &Value<'_>) -> Origin {
        self.origin(v.span())
    }

    /// Reports a value of the wrong type.
    pub fn wrong_type(&mut self, v: &Value<'_>, field: &str, expected: &str) {
        let at = self.at(v);
        let found = type_name(v.get_ref());
        let mut issue = Issue::new(
            &at,
            format!("`{field}` must be {expected}"),
            format!("found {found}"),
        );
        if let (DeValue::String(s), true) = (v.get_ref(), expected.contains("number"))
            && s.trim().parse::<f64>().is_ok()
        {
            issue = issue.help("write the number without quotes");
        }
        self.issues.push(issue);
    }

    /// A plain string (no `${…}`: keys, enum values, names of other things).
    pub fn plain_str<'v>(&mut self, v: &'v Value<'_>, field: &str) -> Option<&'v str> {
        let DeValue::String(s) = v.get_ref() else {
            self.wrong_type(v, field, "a string");
            return None;
        };
        if s.contains('\0') {
            let at = self.at(v);
            self.issues
                .at(&at, "strings cannot contain NUL characters", "contains NUL");
            return None;
        }
        Some(s)
    }

    /// A string value with `${…}` evaluated.
    pub fn text(&mut self, v: &Value<'_>, field: &str) -> Option<Text> {
        self.text_with(v, field, Allow::All, false)
    }

    /// A sensitive string: its literal parts are masked in diagnostics.
    pub fn secret(&mut self, v: &Value<'_>, field: &str) -> Option<Sensitive<Text>> {
        self.text_with(v, field, Allow::All, true)
            .map(Sensitive::new)
    }

    /// A string with `${…}` evaluated under `allow`; `sensitive` masks literals.
    pub fn text_with(
        &mut self,
        v: &Value<'_>,
        field: &str,
        allow: Allow,
        sensitive: bool,
    ) -> Option<Text> {
        // A secret of the wrong type (`password = 4242`) is still a secret: the
        // diagnostic about its type must not show it.
        if sensitive && !matches!(v.get_ref(), DeValue::String(_)) {
            self.mask_deep(v);
        }
        // A secret that fails to decode (a control character, an unterminated `${`) is
        // masked whole: the diagnostic about it must not show it either.
        let Some(s) = self.plain_str(v, field) else {
            if sensitive {
                self.mask_deep(v);
            }
            return None;
        };
        let whole = self.at(v);
        let offset = exact_offset(self.text.get(v.span()).unwrap_or(""), s);
        let place = |range: Range<usize>| match offset {
            Some(o) => whole.narrow(o + range.start..o + range.end),
            None => whole.clone(),
        };

        let segments = match parse_template(s) {
            Ok(segments) => segments,
            Err(e) => {
                if sensitive {
                    self.masks.push(whole.clone());
                }
                let issue = Issue::new(&place(e.0), "unterminated `${`", "no closing `}`")
                    .help("close it with `}`, or write $${ for a literal ${");
                self.issues.push(issue);
                return None;
            }
        };

        let mut text = Text {
            parts: Vec::new(),
            origin: whole.clone(),
            from_env: false,
        };
        let mut ok = true;
        for segment in segments {
            match segment {
                Segment::Lit { text: lit, range } => {
                    if sensitive {
                        self.masks.push(place(range));
                    }
                    text.push_lit(&lit);
                }
                Segment::Expr { body, range } => {
                    let at = place(range);
                    ok &= self.scope.eval(self.issues, body, &at, &mut text, allow);
                    // A variable a secret uses is as secret as the secret.
                    if sensitive && let Some(var_at) = self.scope.var_origin(body) {
                        self.masks.push(var_at);
                    }
                }
            }
        }
        ok.then_some(text)
    }

    /// A number (integer or float), finite.
    pub fn number(&mut self, v: &Value<'_>, field: &str) -> Option<f64> {
        let n = match v.get_ref() {
            DeValue::Integer(i) => parse_int(i.as_str(), i.radix()).map(|i| i as f64),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            _ => {
                self.wrong_type(v, field, "a number");
                return None;
            }
        };
        match n {
            Some(n) if n.is_finite() => Some(n),
            _ => {
                let at = self.at(v);
                self.issues
                    .at(&at, format!("`{field}` must be a finite number"), "here");
                None
            }
        }
    }

    /// An integer within `range`.
    pub fn int_in(&mut self, v: &Value<'_>, field: &str, range: Range<i64>) -> Option<i64> {
        let DeValue::Integer(i) = v.get_ref() else {
            self.wrong_type(v, field, "an integer");
            return None;
        };
        match parse_int(i.as_str(), i.radix()) {
            Some(n) if range.contains(&n) => Some(n),
            _ => {
                let at = self.at(v);
                let (lo, hi) = (range.start, range.end - 1);
                let message = format!("`{field}` must be between {lo} and {hi}");
                self.issues.at(&at, message, "out of range");
                None
            }
        }
    }

    /// A boolean.
    pub fn boolean(&mut self, v: &Value<'_>, field: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(v, field, "true or false");
                None
            }
        }
    }

    /// An array.
    pub fn array<'v, 'i>(&mut self, v: &'v Value<'i>, field: &str) -> Option<&'v [Value<'i>]> {
        match v.get_ref() {
            DeValue::Array(a) => Some(a),
            _ => {
                self.wrong_type(v, field, "an array");
                None
            }
        }
    }

    /// Masks every value inside `v` (for a table or an array, its leaves: a dotted key
    /// `password.x = "…"` makes a table whose own span is the key).
    pub fn mask_deep(&mut self, v: &Value<'_>) {
        match v.get_ref() {
            DeValue::Table(t) => {
                for (_, inner) in t.iter() {
                    self.mask_deep(inner);
                }
            }
            DeValue::Array(items) => {
                for inner in items.iter() {
                    self.mask_deep(inner);
                }
            }
            _ => {
                let at = self.at(v);
                self.masks.push(at);
            }
        }
    }

    /// A table of secrets (`secure_env`, a secret volume): when it is not a table, its
    /// value is masked in diagnostics, since it may be the secret written wrongly.
    pub fn secret_table<'v, 'i>(
        &mut self,
        v: &'v Value<'i>,
        field: &str,
    ) -> Option<&'v DeTable<'i>> {
        if !matches!(v.get_ref(), DeValue::Table(_)) {
            self.mask_deep(v);
        }
        self.table(v, field)
    }

    /// A table.
    pub fn table<'v, 'i>(&mut self, v: &'v Value<'i>, field: &str) -> Option<&'v DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.wrong_type(v, field, "a table");
                None
            }
        }
    }

    /// One of an enumeration's values, matched case-insensitively as ARM does.
    pub fn enumeration<E: Copy>(
        &mut self,
        v: &Value<'_>,
        field: &str,
        values: &[(&'static str, E)],
    ) -> Option<E> {
        let s = self.plain_str(v, field)?;
        if let Some((_, e)) = values.iter().find(|(name, _)| name.eq_ignore_ascii_case(s)) {
            return Some(*e);
        }
        let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
        let list = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let at = self.at(v);
        let issue = Issue::new(
            &at,
            format!("invalid `{field}`"),
            format!("expected one of {list}"),
        )
        .help_opt(did_you_mean(s, names.iter().copied()));
        self.issues.push(issue);
        None
    }

    /// An array of strings, each through `${…}`.
    pub fn texts(&mut self, v: &Value<'_>, field: &str) -> Option<Vec<Text>> {
        let items = self.array(v, field)?;
        let texts: Vec<Option<Text>> = items.iter().map(|i| self.text(i, field)).collect();
        texts.into_iter().collect()
    }

    /// A table of string values (env, tags, headers), each through `${…}`.
    pub fn text_map(&mut self, v: &Value<'_>, field: &str) -> Option<BTreeMap<String, Text>> {
        let table = self.table(v, field)?;
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (key, value) in table.iter() {
            let Some(name) = self.key_name(key) else {
                ok = false;
                continue;
            };
            let item = format!("{field}.{name}");
            match self.text(value, &item) {
                Some(t) => drop(out.insert(name.to_string(), t)),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// Checks a table key (no NUL) and returns it.
    pub fn key_name<'k>(&mut self, key: &'k Spanned<std::borrow::Cow<'_, str>>) -> Option<&'k str> {
        if key.get_ref().contains('\0') {
            let at = self.origin(key.span());
            self.issues
                .at(&at, "keys cannot contain NUL characters", "contains NUL");
            return None;
        }
        Some(key.get_ref())
    }
}

/// Parses a TOML integer's digits (underscores allowed between digits).
fn parse_int(digits: &str, radix: u32) -> Option<i64> {
    i64::from_str_radix(&digits.replace('_', ""), radix).ok()
}

/// Whether a decoded item lost parts to errors. A partial container group is still
/// checked by the rules about single fields, but not by those about how its parts fit
/// together (a dropped container would make a port look unexposed).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Partial(pub bool);

impl Partial {
    /// An optional field: its value, or None (marking the item partial) when wrong.
    pub fn opt<T>(&mut self, v: Option<Option<T>>) -> Option<T> {
        match v {
            Some(x) => x,
            None => {
                self.0 = true;
                None
            }
        }
    }

    /// An optional field with a default.
    pub fn or_default<T: Default>(&mut self, v: Option<Option<T>>) -> T {
        self.opt(v).unwrap_or_default()
    }

    /// A required field with a stand-in used when it is missing or wrong (reported).
    pub fn or_stand_in<T>(&mut self, v: Option<T>, stand_in: impl FnOnce() -> T) -> T {
        v.unwrap_or_else(|| {
            self.0 = true;
            stand_in()
        })
    }
}

/// Decodes the items of an array, keeping those that decode; the others mark the
/// owner partial. None when the value is not an array.
pub(crate) fn list_of<T>(
    ctx: &mut Ctx<'_>,
    v: &Value<'_>,
    field: &str,
    partial: &mut Partial,
    mut decode: impl FnMut(&mut Ctx<'_>, &Value<'_>, &mut Partial) -> Option<T>,
) -> Option<Vec<T>> {
    let items = ctx.array(v, field)?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match decode(ctx, item, partial) {
            Some(x) => out.push(x),
            None => partial.0 = true,
        }
    }
    Some(out)
}

/// Whether a field name looks like it holds a secret (for fields aciform does not
/// know, such as a misspelt `passwd`).
fn looks_sensitive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["secure", "secret", "pass", "pwd", "key", "token", "cred"]
        .iter()
        .any(|word| lower.contains(word))
}

/// A table being read: its entries, what it is ("a container") for messages.
pub(crate) struct Fields<'t, 'i> {
    entries: Vec<(&'t str, Range<usize>, &'t Value<'i>)>,
    /// The table (its header, or its inline braces).
    pub origin: Origin,
    what: &'static str,
}

impl<'t, 'i> Fields<'t, 'i> {
    /// Opens a table that accepts the `known` fields and reports every other key,
    /// with "did you mean" when a known field is close.
    pub fn open(
        ctx: &mut Ctx<'_>,
        table: &'t DeTable<'i>,
        origin: Origin,
        what: &'static str,
        known: &[&'static str],
    ) -> Fields<'t, 'i> {
        let mut entries = Vec::with_capacity(table.len());
        for (key, value) in table.iter() {
            let name: &'t str = key.get_ref();
            if !known.contains(&name) {
                let at = ctx.origin(key.span());
                let message = format!("unknown field `{name}` in {what}");
                let suggestion = did_you_mean(name, known.iter().copied());
                // A misspelt secret field (`passwd`, `secure_envv`) still holds a secret.
                if looks_sensitive(name) || suggestion.as_deref().is_some_and(looks_sensitive) {
                    ctx.mask_deep(value);
                }
                let help =
                    suggestion.unwrap_or_else(|| format!("{what} has: {}", known.join(", ")));
                ctx.issues
                    .push(Issue::new(&at, message, "unknown field").help(help));
                continue;
            }
            entries.push((name, key.span(), value));
        }
        Fields {
            entries,
            origin,
            what,
        }
    }

    /// The value of a field, if present.
    pub fn get(&self, key: &str) -> Option<&'t Value<'i>> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, v)| *v)
    }

    /// The origin of a field's key, if present.
    pub fn key_origin(&self, ctx: &Ctx<'_>, key: &str) -> Option<Origin> {
        let found = self.entries.iter().find(|(k, _, _)| *k == key);
        found.map(|(_, span, _)| ctx.origin(span.clone()))
    }

    /// A required field; reports it missing (at the table) when absent.
    pub fn req(&self, ctx: &mut Ctx<'_>, key: &str) -> Option<&'t Value<'i>> {
        let found = self.get(key);
        if found.is_none() {
            let message = format!("missing field `{key}` in {}", self.what);
            ctx.issues.push(Issue::new(
                &self.origin,
                message,
                format!("`{key}` is required"),
            ));
        }
        found
    }

    /// The names of the fields present.
    pub fn present(&self) -> impl Iterator<Item = &'t str> + '_ {
        self.entries.iter().map(|(k, _, _)| *k)
    }
}
