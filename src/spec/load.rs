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
use super::skeleton::{Skeleton, may_hold_skeleton, skeleton, skeleton_of};
use super::source::{FileId, Origin, SourceMap};
use super::stack_table::{StackHeader, apply_overrides, decode_stack, decode_vars};

const TOP_LEVEL: &[&str] = &["stack", "vars", "resource_group", "container_group"];

/// A parsed file.
pub(super) struct Parsed<'i> {
    pub(super) file: FileId,
    pub(super) text: &'i str,
    pub(super) table: DeTable<'i>,
}

/// A resource table found at the top level of some file.
pub(super) struct Entry<'t, 'i> {
    pub(super) file: FileId,
    pub(super) text: &'i str,
    pub(super) key: String,
    pub(super) origin: Origin,
    pub(super) value: &'t Value<'i>,
}

/// Everything the top-level tables of all files hold.
#[derive(Default)]
pub(super) struct TopLevel<'t, 'i> {
    pub(super) stacks: Vec<(FileId, &'i str, Origin, &'t Value<'i>)>,
    pub(super) vars: Vec<(FileId, &'i str, &'t Value<'i>)>,
    pub(super) resources: BTreeMap<ResourceKind, Vec<Entry<'t, 'i>>>,
}

/// Loads a stack from files already read. The pure core of `load_stack`, also used
/// by the fuzzer and the tests.
pub fn load_files(
    dir: PathBuf,
    files: Vec<StackFile>,
    opts: &LoadOptions,
) -> Result<Stack, SpecErrors> {
    load_files_early(dir, files, opts, &mut |_| {})
}

/// `load_files`, calling `early` with the stack's skeleton (its name, subscription and
/// resource group names) as soon as `[stack]` and `[vars]` are read, before the
/// resources are decoded: a command can start reading live state that early.
pub fn load_files_early(
    dir: PathBuf,
    files: Vec<StackFile>,
    opts: &LoadOptions,
    early: &mut dyn FnMut(Skeleton),
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
    // The files that may hold [stack], [vars] or resource groups are parsed first, and
    // the skeleton told from them while the other files are parsed.
    let (first, rest): (Vec<_>, Vec<_>) = texts.iter().partition(|(_, t)| may_hold_skeleton(t));
    let mut results = parse_files(&first);
    let mut told = false;
    if !first.is_empty() && !rest.is_empty() && results.iter().all(|(_, _, i)| i.is_empty()) {
        let parsed: Vec<&Parsed> = results.iter().filter_map(|(_, p, _)| p.as_ref()).collect();
        if let Some(skeleton) = skeleton_of(&parsed, opts, &dir) {
            early(skeleton);
            told = true;
        }
    }
    results.extend(parse_files(&rest));
    results.sort_by_key(|(id, _, _)| *id);
    let mut parsed = Vec::with_capacity(results.len());
    for (_, file, file_issues) in results {
        issues.extend(file_issues);
        parsed.extend(file);
    }

    let top = split_top_level(&parsed, &mut issues);
    // A file that does not parse has no known structure: mask whatever may be secret.
    let mut masks: Vec<Origin> = texts
        .iter()
        .filter(|(id, _)| !parsed.iter().any(|p| p.file == *id))
        .flat_map(|(id, text)| super::mask::suspect_spans(*id, text))
        .collect();

    let scope = scope_of(&top, opts, &mut issues, &mut masks, &mut plain);
    let header = gather_stack(&top, parsed.first(), &scope, &mut issues, &mut masks);
    if let Some(h) = header
        .as_ref()
        .filter(|_| !told && issues.is_empty() && plain.is_empty())
    {
        early(skeleton(h, &top, &scope, dir.clone()));
    }

    let (rgs, cgs) = decode_resources(&top, &scope, &mut issues, &mut masks);
    let stack = header.and_then(|h| resolve_stack(h, rgs, cgs, &scope.declared, &mut issues));
    let stack = stack.map(|(stack, partial)| {
        check_stack(&stack, &partial, &mut issues);
        stack
    });

    match stack {
        Some(mut stack) if issues.is_empty() && plain.is_empty() => {
            sources.mask_all(&masks);
            stack.dir = dir;
            stack.sources = sources;
            Ok(stack)
        }
        _ => {
            // A value the error stopped from decoding (a volume with two kinds, a field
            // in the wrong table) is not known to be a secret: mask every value that may
            // be one, as for a file that does not parse, on lines where no secret was
            // found exactly. Too much is the safe side.
            let suspects: Vec<Origin> = parsed
                .iter()
                .flat_map(|p| suspects_off_exact_lines(p, &masks))
                .collect();
            masks.extend(suspects);
            sources.mask_all(&masks);
            let mut errors = plain;
            errors.extend(issues.into_errors(&sources));
            Err(SpecErrors::new(errors))
        }
    }
}

/// The values of `p` that may be secrets (`mask::suspect_spans`), on the lines where
/// `exact` masks nothing.
fn suspects_off_exact_lines(p: &Parsed<'_>, exact: &[Origin]) -> Vec<Origin> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(p.text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |at: usize| line_starts.partition_point(|&start| start <= at);
    let exact_lines: BTreeSet<usize> = exact
        .iter()
        .filter(|m| m.file() == p.file)
        .map(|m| line_of(m.span().start))
        .collect();
    let suspects = super::mask::suspect_spans(p.file, p.text);
    let off_exact = |s: &Origin| !exact_lines.contains(&line_of(s.span().start));
    suspects.into_iter().filter(off_exact).collect()
}

/// The names and variables the resources of `top` may use.
pub(super) fn scope_of(
    top: &TopLevel<'_, '_>,
    opts: &LoadOptions,
    issues: &mut Issues,
    masks: &mut Vec<Origin>,
    plain: &mut Vec<SpecError>,
) -> Scope {
    let mut scope = Scope {
        env: opts.env.clone(),
        ..Scope::default()
    };
    for (kind, entries) in &top.resources {
        scope
            .declared
            .extend(entries.iter().map(|e| Address::new(*kind, &e.key)));
    }
    scope.vars = gather_vars(top, &scope, issues, masks, opts, plain);
    scope
}

/// Parses every file, on as many threads as there are cores (parsing is a third of
/// loading a large stack, and files are independent). Results keep the files' order.
fn parse_files<'i>(texts: &[&'i (FileId, Arc<str>)]) -> Vec<ParsedFile<'i>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = texts.len().div_ceil(threads.max(1)).max(1);
    if texts.len() < 2 || threads < 2 {
        return texts
            .iter()
            .map(|(id, text)| parse_one(*id, text))
            .collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = texts
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(id, text)| parse_one(*id, text))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // A parser thread that panicked is a bug of the parser; resume the panic here
        // rather than report a half-read stack.
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// A file, what it parsed to (if it did) and its syntax errors.
type ParsedFile<'i> = (FileId, Option<Parsed<'i>>, Issues);

fn parse_one(file: FileId, text: &str) -> ParsedFile<'_> {
    let mut issues = Issues::default();
    let parsed = parse_file(file, text, &mut issues);
    (file, parsed, issues)
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

pub(super) fn split_top_level<'t, 'i: 't>(
    parsed: impl IntoIterator<Item = &'t Parsed<'i>>,
    issues: &mut Issues,
) -> TopLevel<'t, 'i> {
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

pub(super) fn gather_stack(
    top: &TopLevel<'_, '_>,
    first_file: Option<&Parsed<'_>>,
    scope: &Scope,
    issues: &mut Issues,
    masks: &mut Vec<Origin>,
) -> Option<StackHeader> {
    let Some((file, text, origin, value)) = top.stacks.first() else {
        // A file that failed to parse may hold [stack]: do not add a second error.
        if let Some(first) = first_file
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
