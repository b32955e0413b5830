//! `aciform emulator`: run the ARM emulator as a server until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use super::{CliError, Output};

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory of the emulator's state (default: .aciform/cloud).
    #[arg(long)]
    pub data: Option<PathBuf>,

    /// Added latency per request, in milliseconds.
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
}

pub async fn cmd_emulator(_out: &Output, _args: &EmulatorArgs) -> Result<u8, CliError> {
    Err(CliError::msg("`aciform emulator` is not implemented yet"))
}
