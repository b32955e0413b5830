//! Where a command's output goes: stdout for the product (plans, tables, JSON), stderr
//! for progress, logs and errors. Colour is decided once here and pushed to every
//! library that colours on its own (owo-colors, anstream, miette, tracing).

use std::io::{IsTerminal, Write};

use clap::ValueEnum;

use super::GlobalArgs;
use super::report::{CliError, render_message};

/// The first failure to write to stdout, other than a closed pipe.
static WRITE_FAILURE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Why product output could not be written, if it could not.
pub fn write_failure() -> Option<&'static str> {
    WRITE_FAILURE.get().map(String::as_str)
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The terminal as commands see it.
#[derive(Debug, Clone)]
pub struct Output {
    /// Colour for stdout.
    pub color_stdout: bool,
    /// Colour for stderr.
    pub color_stderr: bool,
    /// Whether stdin and stderr are terminals (prompts and live progress need both).
    pub interactive: bool,
}

impl Output {
    /// Decides colour, installs the log subscriber and configures miette.
    pub fn init(args: &GlobalArgs) -> Output {
        let choice = if args.no_color {
            ColorChoice::Never
        } else {
            args.color
        };
        let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |is_tty: bool| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_tty && !no_color_env,
        };
        let out = Output {
            color_stdout: decide(std::io::stdout().is_terminal()),
            color_stderr: decide(std::io::stderr().is_terminal()),
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
        };

        owo_colors::set_override(out.color_stdout);
        anstream::ColorChoice::write_global(if out.color_stdout {
            anstream::ColorChoice::Always
        } else {
            anstream::ColorChoice::Never
        });
        let color_stderr = out.color_stderr;
        let _ = miette::set_hook(Box::new(move |_| {
            Box::new(
                miette::MietteHandlerOpts::new()
                    .color(color_stderr)
                    .unicode(color_stderr)
                    .terminal_links(false)
                    .build(),
            )
        }));
        init_logging(args.verbose, out.color_stderr);
        out
    }

    /// Writes product output to stdout. A closed pipe (`aciform plan | head`) is the
    /// reader's choice and ignored; any other failure (a full disk) is recorded, and
    /// the command exits 1 once done (see [`write_failure`]): an empty `plan.json` must
    /// not pass for a plan.
    pub fn print(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let written = stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush());
        if let Err(e) = written
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            let _ = WRITE_FAILURE.set(e.to_string());
        }
    }

    /// Writes a line of progress or information to stderr.
    pub fn note(&self, text: &str) {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{text}");
    }

    /// Prints an error report to stderr.
    pub fn error(&self, err: &CliError) {
        match err {
            CliError::Diagnostic(report) => {
                let mut stderr = std::io::stderr().lock();
                let _ = writeln!(stderr, "{report:?}");
            }
            CliError::Message {
                message,
                causes,
                hint,
            } => {
                let text = render_message(message, causes, hint.as_deref());
                let mut stderr = std::io::stderr().lock();
                if self.color_stderr {
                    // Only the headline is coloured; the rest stays plain for readability.
                    let (head, rest) = text.split_once('\n').unwrap_or((&text, ""));
                    let _ = write!(stderr, "\x1b[1;31m{head}\x1b[0m\n{rest}");
                } else {
                    let _ = stderr.write_all(text.as_bytes());
                }
            }
        }
    }
}

/// Logs go to stderr. Default warn; -v info, -vv debug, -vvv trace; ACIFORM_LOG
/// (an env-filter directive) overrides both.
fn init_logging(verbose: u8, ansi: bool) {
    let default = match verbose {
        0 => "warn",
        1 => "aciform=info,warn",
        2 => "aciform=debug,info",
        _ => "aciform=trace,debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("ACIFORM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Through the live view of apply, when one is up, so log lines never tear it.
        .with_writer(super::live::LogWriter::new)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}
