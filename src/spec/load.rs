//! Loading a stack from its files: parse each file, split the top-level tables,
//! gather `[stack]` and `[vars]`, decode every resource, resolve, check the rules,
//! and report every error found along the way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use super::LoadOptions;
use super::address::{Address, ResourceKind, is_valid_key};
use super::decode::{Ctx, Value};
use super::decode_group::{CgDraft, RgDraft, decode_cg, decode_rg};
use super::error::{Issue, Issues, SpecError, SpecErrors, did_you_mean};
use super::model::Stack;
use super::read::StackFile;
use super::resolve::resolve_stack;
use super::rules::check_stack;
use super::scope::{Scope, Var};
use super::source::{FileId, Origin, SourceMap};
use super::stack_table::{StackHeader, apply_overrides, decode_stack, decode_vars};

const TOP_LEVEL: &[&str] = &["stack", "vars", "resource_group", "container_group"];

/// A parsed file.
struct Parsed<'i> {
    file: FileId,
    text: &'i str,
    table: DeTable<'i>,
}

/// A resource table found at the top level of some file.
struct Entry<'t, 'i> {
    file: FileId,
    text: &'i str,
    key: String,
    origin: Origin,
    value: &'t Value<'i>,
}

/// Everything the top-level tables of all files hold.
#[derive(Default)]
struct TopLevel<'t, 'i> {
    stacks: Vec<(FileId, &'i str, Origin, &'t Value<'i>)>,
    vars: Vec<(FileId, &'i str, &'t Value<'i>)>,
    resources: BTreeMap<ResourceKind, Vec<Entry<'t, 'i>>>,
}

/// Loads a stack from files already read. The pure core of `load_stack`, also used
/// by the fuzzer and the tests.
pub fn load_files(
    dir: PathBuf,
    files: Vec<StackFile>,
    opts: &LoadOptions,
) -> Result<Stack, SpecErrors> {
    let mut sources = SourceMap::default();
    let mut texts: Vec<(FileId, Arc<str>)> = Vec::with_capacity(files.len());
    for f in files {
        let id = sources.add(&f.path, f.name, f.text);
        if let Some(file) = sources.file(id) {
            texts.push((id, file.text.clone()));
        }
    }

    let mut issues = Issues::default();
    let mut plain = Vec::new();
    let parsed: Vec<Parsed<'_>> = texts
        .iter()
        .filter_map(|(id, text)| parse_file(*id, text, &mut issues))
        .collect();
    let top = split_top_level(&parsed, &mut issues);
    // A file that does not parse has no known structure: mask whatever may be secret.
    let mut masks: Vec<Origin> = texts
        .iter()
        .filter(|(id, _)| !parsed.iter().any(|p| p.file == *id))
        .flat_map(|(id, text)| super::mask::suspect_spans(*id, text))
        .collect();

    let mut scope = Scope {
        env: opts.env.clone(),
        ..Scope::default()
    };
    for (kind, entries) in &top.resources {
        scope
            .declared
            .extend(entries.iter().map(|e| Address::new(*kind, &e.key)));
    }
    scope.vars = gather_vars(&top, &scope, &mut issues, &mut masks, opts, &mut plain);
    let header = gather_stack(&top, &parsed, &scope, &mut issues, &mut masks);

    let (rgs, cgs) = decode_resources(&top, &scope, &mut issues, &mut masks);
    let stack = header.and_then(|h| resolve_stack(h, rgs, cgs, &scope.declared, &mut issues));
    let stack = stack.map(|(stack, partial)| {
        check_stack(&stack, &partial, &mut issues);
        stack
    });

    for m in &masks {
        sources.mask(m);
    }
    match stack {
        Some(mut stack) if issues.is_empty() && plain.is_empty() => {
            stack.dir = dir;
            stack.sources = sources;
            Ok(stack)
        }
        _ => {
            let mut errors = plain;
            errors.extend(issues.into_errors(&sources));
            Err(SpecErrors::new(errors))
        }
    }
}

fn parse_file<'i>(file: FileId, text: &'i str, issues: &mut Issues) -> Option<Parsed<'i>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if errors.is_empty() {
        return Some(Parsed {
            file,
            text,
            table: table.into_inner(),
        });
    }

    // Recovery after a syntax error often cascades (an unclosed array reports every
    // line after it): keep the first error of each line.
    let mut seen_lines = BTreeSet::new();
    let mut errors: Vec<_> = errors.into_iter().collect();
    errors.sort_by_key(|e| e.span().map(|s| s.start));
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        let line = text
            .get(..span.start)
            .map_or(0, |t| t.matches('\n').count());
        if seen_lines.insert(line) {
            let at = Origin::new(file, span);
            let message = format!("invalid TOML: {}", e.message().trim_end());
            issues.push(Issue::new(&at, message, "here"));
        }
    }
    None
}

fn split_top_level<'t, 'i>(parsed: &'t [Parsed<'i>], issues: &mut Issues) -> TopLevel<'t, 'i> {
    let mut top = TopLevel::default();
    for p in parsed {
        for (key, value) in p.table.iter() {
            let at = Origin::new(p.file, key.span());
            match key.get_ref().as_ref() {
                // [stack] is blamed at its header (the value's span), not its key.
                "stack" => {
                    top.stacks
                        .push((p.file, p.text, Origin::new(p.file, value.span()), value))
                }
                "vars" => top.vars.push((p.file, p.text, value)),
                other => match ResourceKind::parse(other) {
                    Some(kind) => split_resources(p, kind, value, &mut top, issues),
                    None => {
                        let help =
                            did_you_mean(other, TOP_LEVEL.iter().copied()).unwrap_or_else(|| {
                                format!("expected one of: {}", TOP_LEVEL.join(", "))
                            });
                        let message = format!("unknown table `{other}`");
                        issues.push(Issue::new(&at, message, "unknown").help(help));
                    }
                },
            }
        }
    }
    top
}

fn split_resources<'t, 'i>(
    p: &'t Parsed<'i>,
    kind: ResourceKind,
    value: &'t Value<'i>,
    top: &mut TopLevel<'t, 'i>,
    issues: &mut Issues,
) {
    let DeValue::Table(table) = value.get_ref() else {
        let at = Origin::new(p.file, value.span());
        issues.at(
            &at,
            format!("`{kind}` must be a table of resources"),
            "expected [{kind}.KEY]",
        );
        return;
    };
    let entries = top.resources.entry(kind).or_default();
    for (key, v) in table.iter() {
        let origin = Origin::new(p.file, key.span());
        let name = key.get_ref().as_ref();
        if !is_valid_key(name) {
            let issue = Issue::new(&origin, format!("invalid {kind} key"), "here")
                .help("a KEY is one or more of a-z, 0-9, `_` and `-`");
            issues.push(issue);
            continue;
        }
        if let Some(first) = entries.iter().find(|e| e.key == name) {
            let message = format!("{kind}.{name} is defined twice");
            let issue = Issue::new(&origin, message, "defined again here")
                .also(&first.origin, "first defined here")
                .help("an address may be defined only once across the files of a stack");
            issues.push(issue);
            continue;
        }
        entries.push(Entry {
            file: p.file,
            text: p.text,
            key: name.to_string(),
            origin,
            value: v,
        });
    }
}

fn gather_vars(
    top: &TopLevel<'_, '_>,
    scope: &Scope,
    issues: &mut Issues,
    masks: &mut Vec<Origin>,
    opts: &LoadOptions,
    plain: &mut Vec<SpecError>,
) -> BTreeMap<String, Var> {
    let mut vars: BTreeMap<String, (Var, Origin)> = BTreeMap::new();
    for (file, text, value) in &top.vars {
        let mut ctx = Ctx {
            file: *file,
            text,
            issues: &mut *issues,
            masks: &mut *masks,
            scope,
        };
        decode_vars(&mut ctx, value, &mut vars);
    }
    apply_overrides(&mut vars, &opts.vars, plain);
    vars.into_iter().map(|(k, (v, _))| (k, v)).collect()
}

fn gather_stack(
    top: &TopLevel<'_, '_>,
    parsed: &[Parsed<'_>],
    scope: &Scope,
    issues: &mut Issues,
    masks: &mut Vec<Origin>,
) -> Option<StackHeader> {
    let Some((file, text, origin, value)) = top.stacks.first() else {
        // A file that failed to parse may hold [stack]: do not add a second error.
        if let Some(first) = parsed.first()
            && issues.is_empty()
        {
            let at = Origin::new(first.file, 0..0);
            let issue = Issue::new(&at, "the stack has no [stack] table", "expected here")
                .help("add [stack] with name = \"…\" to one of the files");
            issues.push(issue);
        }
        return None;
    };
    for (_, _, again, _) in top.stacks.iter().skip(1) {
        let issue = Issue::new(again, "[stack] is defined twice", "defined again here")
            .also(origin, "first defined here")
            .help("keep one [stack] table across the files of a stack");
        issues.push(issue);
    }
    let mut ctx = Ctx {
        file: *file,
        text,
        issues,
        masks,
        scope,
    };
    decode_stack(&mut ctx, value, origin.clone())
}

type Drafts = (BTreeMap<String, RgDraft>, BTreeMap<String, CgDraft>);

fn decode_resources(
    top: &TopLevel<'_, '_>,
    scope: &Scope,
    issues: &mut Issues,
    masks: &mut Vec<Origin>,
) -> Drafts {
    let empty = Vec::new();
    let rg_entries = top
        .resources
        .get(&ResourceKind::ResourceGroup)
        .unwrap_or(&empty);
    let cg_entries = top
        .resources
        .get(&ResourceKind::ContainerGroup)
        .unwrap_or(&empty);
    let rg_keys: Vec<&str> = rg_entries.iter().map(|e| e.key.as_str()).collect();

    let mut rgs = BTreeMap::new();
    for e in rg_entries {
        let mut ctx = Ctx {
            file: e.file,
            text: e.text,
            issues: &mut *issues,
            masks: &mut *masks,
            scope,
        };
        if let Some(draft) = decode_rg(&mut ctx, &e.key, e.value, e.origin.clone()) {
            rgs.insert(e.key.clone(), draft);
        }
    }
    let mut cgs = BTreeMap::new();
    for e in cg_entries {
        let mut ctx = Ctx {
            file: e.file,
            text: e.text,
            issues: &mut *issues,
            masks: &mut *masks,
            scope,
        };
        if let Some(draft) = decode_cg(&mut ctx, &e.key, e.value, e.origin.clone(), &rg_keys) {
            cgs.insert(e.key.clone(), draft);
        }
    }
    (rgs, cgs)
}
