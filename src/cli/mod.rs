//! The command line: arguments, wiring, error report and exit codes.
//!
//! Each subcommand lives in its own file as `cmd_<name>`; they hold wiring only and
//! leave decisions to the library layers. This is the only module that writes to the
//! terminal.

mod apply;
mod destroy;
mod emulator;
mod execute;
mod graph;
mod live;
mod lock;
mod logs;
mod output;
mod plan;
mod report;
mod session;
mod status;
mod summary;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use output::{ColorChoice, Output};
pub use report::CliError;

/// Exit code for success (and for `plan --detailed-exitcode` without changes).
pub const EXIT_OK: u8 = 0;
/// Exit code for every error, usage errors included.
pub const EXIT_ERROR: u8 = 1;
/// Exit code of `plan --detailed-exitcode` when the plan has changes.
pub const EXIT_CHANGES: u8 = 2;

/// aciform: desired state for Azure Container Instances.
#[derive(Debug, Parser)]
#[command(name = "aciform", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to colour output: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Same as --color never.
    #[arg(long, global = true)]
    pub no_color: bool,

    /// More log output on stderr: -v info, -vv debug, -vvv trace. ACIFORM_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, resolve, check limits and the graph; no API call.
    Validate(validate::ValidateArgs),
    /// Compare the stack with live state and print the plan.
    Plan(plan::PlanArgs),
    /// Plan (or load a saved plan) and execute it.
    Apply(apply::ApplyArgs),
    /// Delete everything the stack owns, dependents first.
    Destroy(destroy::DestroyArgs),
    /// Live table of the stack's resources.
    Status(status::StatusArgs),
    /// A container's logs.
    Logs(logs::LogsArgs),
    /// The resource graph as Graphviz DOT.
    Graph(graph::GraphArgs),
    /// Run the ARM emulator as a server.
    Emulator(emulator::EmulatorArgs),
}

/// `--format` of commands that print a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Markdown,
    Json,
}

/// `--format` of commands that print a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    Text,
    Json,
}

/// A stack location: a directory of `*.toml` files or one file.
#[derive(Debug, Args)]
pub struct StackArgs {
    /// A stack directory or a single TOML file (`apply` also takes a plan file saved by
    /// `plan -o`).
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Set a stack variable, overriding [vars]: NAME=VALUE. Repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
}

/// Runs the command line and maps every outcome to an exit code; never panics out.
pub fn main() -> ExitCode {
    // Usage errors are printed by clap before our own colour choice exists: honour
    // `--no-color` / `--color never` for them too.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let no_color = args
        .windows(2)
        .any(|w| w[0] == "--color" && w[1] == "never")
        || args
            .iter()
            .any(|a| a == "--no-color" || a == "--color=never");
    let mut command = <Cli as clap::CommandFactory>::command();
    if no_color {
        command = command.color(clap::ColorChoice::Never);
    }
    let parsed = command
        .try_get_matches_from(&args)
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are successes; everything else is a usage error, and
            // usage errors exit 1 so that 2 keeps its one meaning ("changes present").
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };

    let out = Output::init(&cli.global);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            out.error(&CliError::msg(format!(
                "cannot start the async runtime: {e}"
            )));
            return ExitCode::from(EXIT_ERROR);
        }
    };

    let result = runtime.block_on(run(cli.command, &out));
    // Every command has finished its work here: what is left on the runtime is idle
    // connections and parked threads. Waiting for them to wind down (a few
    // milliseconds) only delays the exit. No blocking task can still be running: the
    // only one aciform spawns, the stack load, is awaited.
    runtime.shutdown_background();
    match (result, output::write_failure()) {
        (Ok(code), None) => ExitCode::from(code),
        (Ok(_), Some(why)) => {
            out.error(&CliError::msg(format!("cannot write the output: {why}")));
            ExitCode::from(EXIT_ERROR)
        }
        (Err(err), _) => {
            out.error(&err);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

async fn run(command: Command, out: &Output) -> Result<u8, CliError> {
    match command {
        Command::Validate(args) => validate::cmd_validate(out, &args).await,
        Command::Plan(args) => plan::cmd_plan(out, &args).await,
        Command::Apply(args) => apply::cmd_apply(out, &args).await,
        Command::Destroy(args) => destroy::cmd_destroy(out, &args).await,
        Command::Status(args) => status::cmd_status(out, &args).await,
        Command::Logs(args) => logs::cmd_logs(out, &args).await,
        Command::Graph(args) => graph::cmd_graph(out, &args).await,
        Command::Emulator(args) => emulator::cmd_emulator(out, &args).await,
    }
}
