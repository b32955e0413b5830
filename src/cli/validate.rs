//! `aciform validate`: parse, resolve and check a stack without any API call.

use clap::Args;

use super::{CliError, Output, StackArgs};
use crate::graph::ResourceGraph;
use crate::spec::{LoadOptions, Skeleton, Stack, load_stack_early, parse_var_overrides};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub stack: StackArgs,
}

/// Loads the stack and builds its graph; prints a one-line summary on success.
pub async fn cmd_validate(out: &Output, args: &ValidateArgs) -> Result<u8, CliError> {
    let (stack, _graph) = load_checked(&args.stack)?;
    out.print(&format!("{}\n", summary(&stack)));
    Ok(super::EXIT_OK)
}

/// Loads a stack and builds its graph, turning every spec error into one report.
pub(crate) fn load_checked(args: &StackArgs) -> Result<(Stack, ResourceGraph), CliError> {
    load_checked_early(args, &mut |_| {})
}

/// [`load_checked`], calling `early` with the stack's skeleton as soon as it is known.
pub(crate) fn load_checked_early(
    args: &StackArgs,
    early: &mut dyn FnMut(Skeleton),
) -> Result<(Stack, ResourceGraph), CliError> {
    refuse_saved_plan(&args.path)?;
    let vars = parse_var_overrides(&args.vars).map_err(miette::Report::new)?;
    let opts = LoadOptions::from_process(vars);
    let stack = load_stack_early(&args.path, &opts, early).map_err(|e| e.into_report())?;
    let graph = ResourceGraph::build(&stack).map_err(|e| e.into_report())?;
    Ok((stack, graph))
}

/// A saved plan, or other JSON, given where a stack is expected: say so instead of
/// reporting the JSON as a thousand TOML errors.
fn refuse_saved_plan(path: &std::path::Path) -> Result<(), CliError> {
    let text = path
        .is_file()
        .then(|| std::fs::read_to_string(path).ok())
        .flatten();
    let Some(text) = text else {
        return Ok(());
    };
    if crate::plan::file::looks_like_plan_file(&text) {
        return Err(
            CliError::msg(format!("{} is a saved plan, not a stack", path.display()))
                .with_hint(format!("apply it with `aciform apply {}`", path.display())),
        );
    }
    // No TOML file starts with `{`: this is JSON, most likely `plan --format json`.
    if text.trim_start().starts_with('{') {
        let message = format!("{} is JSON, not a saved plan or a stack", path.display());
        let hint = "`plan --format json` is for reading; save a plan to apply with \
                    `aciform plan STACK -o FILE`";
        return Err(CliError::msg(message).with_hint(hint));
    }
    Ok(())
}

/// `Stack "shop-dev" is valid: 1 resource group, 2 container groups.`
fn summary(stack: &Stack) -> String {
    let plural = |n: usize, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    format!(
        "Stack \"{}\" is valid: {}, {}.",
        stack.name,
        plural(stack.resource_groups.len(), "resource group"),
        plural(stack.container_groups.len(), "container group"),
    )
}
