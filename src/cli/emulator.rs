//! `aciform emulator`: run the ARM emulator as a server until Ctrl-C (or, for
//! supervisors such as the scale benchmark, until its standard input closes).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::emulator::{self, EmulatorConfig, ThrottleConfig};

use super::{CliError, Output};

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory of the emulator's state (default: .aciform/cloud).
    #[arg(long)]
    pub data: Option<PathBuf>,

    /// Round trip of every request in milliseconds, the emulator's own work included.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,

    /// Fraction (0..=1) of requests that fail transiently (500/503 or a dropped connection).
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,

    /// ARM-like request budgets: 429 with Retry-After when a bucket is empty.
    #[arg(long)]
    pub throttle: bool,

    /// Container groups per region and subscription (0 for no limit).
    #[arg(long, default_value_t = 100)]
    pub quota: u32,

    /// How long PUT, DELETE, start and restart take before they succeed, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    pub operation_ms: u64,

    /// Seconds advertised in `Retry-After` on long-running answers (0 omits the header).
    #[arg(long, default_value_t = 1)]
    pub retry_after: u64,

    /// Also stop when standard input reaches end of file, so that a supervising process
    /// that dies never leaves the emulator behind.
    #[arg(long)]
    pub exit_on_stdin_eof: bool,
}

/// Runs the emulator until Ctrl-C, printing its endpoint and the environment that
/// points other commands at it.
pub async fn cmd_emulator(out: &Output, args: &EmulatorArgs) -> Result<u8, CliError> {
    let config = emulator_config(args)?;
    let data = config.data_dir.clone();
    let handle = emulator::start(config, args.listen)
        .await
        .map_err(|err| CliError::chain(&err))?;

    let url = handle.base_url();
    out.print(&format!(
        "aciform emulator listening on {url}\n\
         export ACIFORM_ENDPOINT={url} ACIFORM_TOKEN={}\n",
        emulator::LOCAL_TOKEN
    ));
    if let Some(dir) = data {
        out.note(&format!("state in {}; press Ctrl-C to stop", dir.display()));
    }

    tokio::select! {
        signal = tokio::signal::ctrl_c() => {
            if let Err(err) = signal {
                out.note(&format!("cannot wait for Ctrl-C ({err}); stopping"));
            }
        }
        () = stdin_closed(), if args.exit_on_stdin_eof => {}
    }
    handle.shutdown().await;
    Ok(super::EXIT_OK)
}

/// Resolves once standard input reaches end of file (or fails); what is read is ignored.
/// A plain thread does the blocking read, as tokio's stdin would.
async fn stdin_closed() {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        let mut stdin = std::io::stdin();
        while let Ok(n) = std::io::Read::read(&mut stdin, &mut buf) {
            if n == 0 {
                break;
            }
        }
        let _ = tx.send(());
    });
    let _ = rx.await;
}

fn emulator_config(args: &EmulatorArgs) -> Result<EmulatorConfig, CliError> {
    if !(0.0..=1.0).contains(&args.fail_rate) {
        return Err(CliError::msg(format!(
            "--fail-rate must be between 0 and 1, got {}",
            args.fail_rate
        )));
    }
    Ok(EmulatorConfig {
        data_dir: Some(
            args.data
                .clone()
                .unwrap_or_else(|| PathBuf::from(".aciform/cloud")),
        ),
        latency: Duration::from_millis(args.latency_ms),
        fail_rate: args.fail_rate,
        throttle: args.throttle.then(ThrottleConfig::arm),
        quota: args.quota,
        operation_time: Duration::from_millis(args.operation_ms),
        retry_after: (args.retry_after > 0).then_some(args.retry_after),
        ..EmulatorConfig::default()
    })
}
