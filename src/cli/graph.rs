//! `aciform graph`: the resource graph as Graphviz DOT on stdout.

use clap::Args;

use super::validate::load_checked;
use super::{CliError, Output, StackArgs};

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub stack: StackArgs,
}

/// Prints only DOT on stdout; errors go to stderr like `validate`'s.
pub async fn cmd_graph(out: &Output, args: &GraphArgs) -> Result<u8, CliError> {
    let (_stack, graph) = load_checked(&args.stack)?;
    out.print(&graph.to_dot());
    Ok(super::EXIT_OK)
}
