//! Child processes of the benchmark: the `aciform emulator` server, and measured runs
//! of the `aciform` binary whose wall time, CPU time and peak memory are their own
//! (`wait4` hands back the child's resource usage when it is reaped).
//!
//! The emulator is started with `--exit-on-stdin-eof` and its standard input piped
//! from here, so it stops when the benchmark does, however the benchmark ends.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use aciform::emulator::{LOCAL_TOKEN, Stats};

/// How an emulator child behaves.
#[derive(Debug, Clone, Copy)]
pub struct EmulatorOptions {
    pub latency_ms: u64,
    pub operation_ms: u64,
    pub retry_after_s: u64,
    pub throttle: bool,
}

/// A running `aciform emulator` child on 127.0.0.1.
pub struct Emulator {
    child: Child,
    /// Closing it stops the emulator.
    stdin: Option<ChildStdin>,
    pub url: String,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl Emulator {
    /// Starts the emulator on an ephemeral loopback port with its state in `data`.
    pub fn start(bin: &Path, data: &Path, opts: EmulatorOptions) -> Result<Emulator, String> {
        let mut cmd = Command::new(bin);
        cmd.args(["emulator", "--listen", "127.0.0.1:0", "--quota", "0"])
            .arg("--data")
            .arg(data)
            .args(["--latency-ms", &opts.latency_ms.to_string()])
            .args(["--operation-ms", &opts.operation_ms.to_string()])
            .args(["--retry-after", &opts.retry_after_s.to_string()])
            .arg("--exit-on-stdin-eof")
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if opts.throttle {
            cmd.arg("--throttle");
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start the emulator: {e}"))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("the emulator has no stdout")?;

        // Its first line names the endpoint: "aciform emulator listening on http://…".
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .map_err(|e| format!("cannot read the emulator's address: {e}"))?;
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .ok_or_else(|| format!("unexpected first line from the emulator: {first:?}"))?
            .to_string();

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a runtime: {e}"))?;
        Ok(Emulator {
            child,
            stdin,
            url,
            http: reqwest::Client::new(),
            runtime,
        })
    }

    /// The request counters since the last reset.
    pub fn stats(&self) -> Result<Stats, String> {
        let url = format!("{}/_emulator/stats", self.url);
        self.runtime.block_on(async {
            let response = self.http.get(url).send().await.map_err(|e| e.to_string())?;
            response.json::<Stats>().await.map_err(|e| e.to_string())
        })
    }

    /// Sets the counters back to zero.
    pub fn reset_stats(&self) -> Result<(), String> {
        let url = format!("{}/_emulator/stats/reset", self.url);
        self.runtime.block_on(async {
            let response = self
                .http
                .post(url)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            response.error_for_status().map_err(|e| e.to_string())?;
            Ok(())
        })
    }

    /// CPU time (user + system) the emulator process has used so far, from /proc.
    pub fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()));
        // Fields after the command name (which may hold spaces) start at field 3; utime
        // and stime are fields 14 and 15, in clock ticks.
        let ticks: u64 = stat
            .ok()
            .and_then(|s| {
                let rest = s.rsplit_once(") ")?.1.to_string();
                let fields: Vec<&str> = rest.split_whitespace().collect();
                let utime = fields.get(11)?.parse::<u64>().ok()?;
                let stime = fields.get(12)?.parse::<u64>().ok()?;
                Some(utime + stime)
            })
            .unwrap_or(0);
        // SAFETY: sysconf only reads a configuration value.
        let per_sec = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        let per_sec = u64::try_from(per_sec).unwrap_or(100).max(1);
        Duration::from_millis(ticks * 1000 / per_sec)
    }

    /// Stops the emulator (standard input closed) and waits for it, for at most 10 s.
    pub fn stop(mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // Normally `stop` has run; after an early return, make sure it goes away.
        drop(self.stdin.take());
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What one measured run of a child process cost.
#[derive(Debug, Clone)]
pub struct Measured {
    pub exit_code: i32,
    pub wall: Duration,
    /// User plus system CPU time of the child.
    pub cpu: Duration,
    /// Peak resident set size of the child, in bytes.
    pub max_rss: u64,
    pub stdout: String,
    pub stderr: String,
}

/// The `aciform` binary pointed at an emulator (or at nothing, for `validate`).
pub fn aciform(bin: &Path, endpoint: Option<&str>) -> Command {
    let mut cmd = Command::new(bin);
    cmd.env("NO_COLOR", "1")
        .env_remove("ACIFORM_LOG")
        .env_remove("AZURE_SUBSCRIPTION_ID")
        .env_remove("ACIFORM_ENDPOINT")
        .env_remove("ACIFORM_TOKEN");
    if let Some(url) = endpoint {
        cmd.env("ACIFORM_ENDPOINT", url)
            .env("ACIFORM_TOKEN", LOCAL_TOKEN);
    }
    cmd
}

/// Runs `cmd` to completion and measures it.
pub fn run_measured(mut cmd: Command) -> Result<Measured, String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run aciform: {e}"))?;

    // Drain both pipes on threads so a chatty child never blocks on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );

    let (status, usage) = wait4(child.id())?;
    let wall = started.elapsed();
    // Reaped by wait4: std must not wait for it again, so the handle is forgotten.
    std::mem::forget(child);

    Ok(Measured {
        exit_code: status,
        wall,
        cpu: timeval(usage.ru_utime) + timeval(usage.ru_stime),
        max_rss: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// Reaps `pid`, returning its exit code (128 + signal when killed) and its usage.
fn wait4(pid: u32) -> Result<(i32, libc::rusage), String> {
    let pid = libc::pid_t::try_from(pid).map_err(|_| "pid out of range".to_string())?;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data, and wait4 writes both out-parameters.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: pid is our own child, not reaped elsewhere; the pointers are valid.
        let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if got == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("wait4 failed: {err}"));
        }
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    Ok((code, usage))
}

fn timeval(t: libc::timeval) -> Duration {
    let secs = u64::try_from(t.tv_sec).unwrap_or(0);
    let micros = u64::try_from(t.tv_usec).unwrap_or(0);
    Duration::from_secs(secs) + Duration::from_micros(micros)
}

/// A fresh directory under the benchmark's scratch root.
pub fn fresh_dir(root: &Path, name: &str) -> Result<PathBuf, String> {
    let dir = root.join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("cannot clear {name}: {e}"))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {name}: {e}"))?;
    Ok(dir)
}
