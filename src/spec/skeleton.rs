//! The skeleton of a stack: its name, subscription and resource group names, told
//! to the command before the resources are decoded so that it can start reading live
//! state. The files that may declare them are parsed first and the skeleton is told
//! from them alone when they tell it without an error.

use std::path::{Path, PathBuf};

use super::LoadOptions;
use super::address::ResourceKind;
use super::decode::Ctx;
use super::error::Issues;
use super::load::{Parsed, TopLevel, gather_stack, scope_of, split_top_level};
use super::scope::Scope;
use super::stack_table::StackHeader;

/// What a stack is, known before its resources are decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skeleton {
    pub name: String,
    pub subscription: Option<String>,
    /// The stack's directory.
    pub dir: PathBuf,
    /// Azure names of the resource groups whose name is a literal once variables and
    /// environment values are in (names made of references are left out: the full
    /// load knows them).
    pub resource_groups: Vec<String>,
}

/// The skeleton `header` and the top-level tables `top` tell; resource groups whose
/// name is not a literal are left out.
pub(super) fn skeleton(
    header: &StackHeader,
    top: &TopLevel<'_, '_>,
    scope: &Scope,
    dir: PathBuf,
) -> Skeleton {
    let mut resource_groups = Vec::new();
    let entries = top
        .resources
        .get(&ResourceKind::ResourceGroup)
        .map(Vec::as_slice);
    for entry in entries.unwrap_or_default() {
        let Some(name) = entry.value.get_ref().as_table().and_then(|t| t.get("name")) else {
            resource_groups.push(entry.key.clone());
            continue;
        };
        // Evaluated on the side: any error is reported by the full load.
        let (mut issues, mut masks) = (Issues::default(), Vec::new());
        let mut ctx = Ctx {
            file: entry.file,
            text: entry.text,
            issues: &mut issues,
            masks: &mut masks,
            scope,
        };
        if let Some(literal) = ctx.text(name, "name").as_ref().and_then(|t| t.literal()) {
            resource_groups.push(literal.to_string());
        }
    }
    Skeleton {
        name: header.name.clone(),
        subscription: header.subscription.clone(),
        dir,
        resource_groups,
    }
}

/// The skeleton as some of the files tell it, if they tell it without an error. What
/// they say of the stack is final; resource groups declared in other files are
/// listed once the whole stack is known.
pub(super) fn skeleton_of(
    parsed: &[&Parsed<'_>],
    opts: &LoadOptions,
    dir: &Path,
) -> Option<Skeleton> {
    let (mut issues, mut masks, mut plain) = (Issues::default(), Vec::new(), Vec::new());
    let top = split_top_level(parsed.iter().copied(), &mut issues);
    let scope = scope_of(&top, opts, &mut issues, &mut masks, &mut plain);
    let parsed_first = parsed.first().copied();
    let header = gather_stack(&top, parsed_first, &scope, &mut issues, &mut masks)?;
    (issues.is_empty() && plain.is_empty()).then(|| skeleton(&header, &top, &scope, dir.into()))
}

/// Whether `text` may declare `[stack]`, `[vars]` or a resource group: a line opens
/// one of those tables, or a key at the root (before any table) names one. A wrong
/// guess costs time, never a wrong stack: every file is parsed, and the skeleton is
/// only told early when the files guessed tell it without an error.
pub(super) fn may_hold_skeleton(text: &str) -> bool {
    let names = |s: &str| {
        let s = s.trim_start_matches(['"', '\'']);
        ["stack", "vars", "resource_group"]
            .iter()
            .any(|k| s.starts_with(k))
    };
    let mut root = true;
    for line in text.lines().map(str::trim_start) {
        if let Some(header) = line.strip_prefix('[') {
            if names(header.trim_start_matches('[').trim_start()) {
                return true;
            }
            root = false;
        } else if root && names(line) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::may_hold_skeleton;

    #[test]
    fn files_that_open_the_tables_of_the_skeleton_are_guessed() {
        assert!(may_hold_skeleton("[stack]\nname = \"x\"\n"));
        assert!(may_hold_skeleton("# vars\n  [ vars ]\na = 1\n"));
        assert!(may_hold_skeleton(
            "[container_group.a]\n[resource_group.main]\n"
        ));
        assert!(may_hold_skeleton("[\"resource_group\".main]\n"));
        assert!(may_hold_skeleton("stack.name = \"x\"\n"));
        assert!(may_hold_skeleton("resource_group = { main = {} }\n"));
    }

    #[test]
    fn files_of_container_groups_only_are_not() {
        let text = "[container_group.web]\nresource_group = \"main\"\n\
                    [[container_group.web.containers]]\nname = \"vars\"\n";
        assert!(!may_hold_skeleton(text));
        assert!(!may_hold_skeleton(""));
    }
}
