//! The scenarios of issue 8, each against its own `aciform emulator` child: set up,
//! measure the `aciform` binary as a separate process, print the details, and return
//! one row per target.

use std::path::{Path, PathBuf};
use std::time::Duration;

use aciform::emulator::{Stats, ThrottleConfig};

use crate::bounds::{ApplyShape, Budget, Row, Unit, plan_bound};
use crate::child::{Emulator, EmulatorOptions, Measured, aciform, fresh_dir, run_measured};
use crate::stack_gen::{StackShape, write_stack};

/// Per-request latency of the emulator in every timed scenario.
pub const LATENCY: Duration = Duration::from_millis(25);

/// Where scenarios find the binary and keep their files.
pub struct Bench {
    pub bin: PathBuf,
    pub root: PathBuf,
    /// Timed runs per command where a median is taken.
    pub runs: usize,
}

const MB: f64 = 1024.0 * 1024.0;

impl Bench {
    /// `aciform validate` of the 1,000-group stack: the median of `runs` runs.
    pub fn validate(&self) -> Result<Vec<Row>, String> {
        let stack = self.large_stack()?;
        let mut runs = Vec::new();
        for _ in 0..=self.runs {
            let mut cmd = aciform(&self.bin, None);
            cmd.arg("validate").arg(&stack);
            runs.push(expect_exit(run_measured(cmd)?, 0, "validate")?);
        }
        runs.remove(0); // warm-up: page cache and dynamic loading
        let m = median(&runs);
        println!(
            "validate: {} runs, median wall {:.1} ms, cpu {:.1} ms, peak rss {:.1} MB",
            runs.len(),
            ms(m.wall),
            ms(m.cpu),
            m.max_rss as f64 / MB
        );
        Ok(vec![Row::at_most(
            "validate 1,000 groups",
            "wall time",
            ms(m.wall),
            150.0,
            Unit::Millis,
        )])
    }

    /// Plan of 1,000 up-to-date groups in 50 resource groups at 25 ms per request.
    pub fn plan(&self) -> Result<Vec<Row>, String> {
        let stack = self.large_stack()?;
        let data = fresh_dir(&self.root, "cloud-plan")?;
        self.populate(&stack, &data)?;

        let emulator = Emulator::start(&self.bin, &data, options(LATENCY, 2000, false))?;
        let emulator_cpu = emulator.cpu();
        let mut runs = Vec::new();
        let mut stats = Vec::new();
        for _ in 0..=self.runs {
            emulator.reset_stats()?;
            let mut cmd = aciform(&self.bin, Some(&emulator.url));
            cmd.arg("plan").arg(&stack).arg("--detailed-exitcode");
            // Phase timings for the breakdown (four log lines).
            cmd.env("ACIFORM_LOG", "aciform=info");
            runs.push(expect_exit(run_measured(cmd)?, 0, "plan (no changes)")?);
            stats.push(emulator.stats()?);
        }
        let emulator_cpu = (emulator.cpu() - emulator_cpu) / (self.runs as u32 + 1);
        emulator.stop();
        runs.remove(0);
        stats.remove(0);

        let requests = stats.iter().map(|s| s.total).max().unwrap_or(0);
        let concurrency = default_concurrency();
        let bound = plan_bound(requests, concurrency, LATENCY);
        let m = median(&runs);
        let cpu = runs.iter().map(|r| r.cpu).max().unwrap_or_default();
        let rss = runs.iter().map(|r| r.max_rss).max().unwrap_or(0);
        println!(
            "plan: {} runs; requests per run {} ({}); concurrency {concurrency} \
             (ClientConfig::max_in_flight, the default in effect); latency {} ms",
            runs.len(),
            requests,
            by_kind(&stats[0]),
            LATENCY.as_millis()
        );
        println!(
            "plan: lower bound ceil({requests}/{concurrency}) x {} ms = {:.0} ms; median wall \
             {:.1} ms ({:.2} x bound); cpu max {:.1} ms; peak rss {:.1} MB; emulator cpu \
             {:.0} ms per plan",
            LATENCY.as_millis(),
            ms(bound),
            ms(m.wall),
            m.wall.as_secs_f64() / bound.as_secs_f64(),
            ms(cpu),
            rss as f64 / MB,
            ms(emulator_cpu)
        );
        let phase = |what: &str| phase_ms(&m.stderr, what);
        println!(
            "plan: phases of the median run: stack loaded and graph built {} ms; then \
             reads and planning until plan ready {} ms (of which lowering ahead {} ms on its \
             own thread); the rest ({:.0} ms) is process start, rendering and exit",
            phase("stack loaded"),
            phase("plan ready"),
            phase("lowered ahead"),
            ms(m.wall) - (phase("stack loaded") + phase("plan ready")) as f64
        );
        let scenario = "plan 1,000 groups / 50 RGs";
        Ok(vec![
            Row::at_most(scenario, "ARM requests", requests as f64, 60.0, Unit::Count),
            Row::at_most(
                scenario,
                format!("wall time (1.5 x bound {:.0} ms)", ms(bound)),
                ms(m.wall),
                1.5 * ms(bound),
                Unit::Millis,
            ),
            Row::at_most(scenario, "cpu time", ms(cpu), 500.0, Unit::Millis),
            Row::at_most(
                scenario,
                "peak memory",
                rss as f64 / MB,
                150.0,
                Unit::Megabytes,
            ),
        ])
    }

    /// Apply of 200 creates in 10 resource groups, parallelism 20.
    pub fn apply(&self) -> Result<Vec<Row>, String> {
        let shape = StackShape {
            groups: 200,
            resource_groups: 10,
        };
        let stack = self.stack("stack-200", shape)?;
        let data = fresh_dir(&self.root, "cloud-apply")?;
        let (operation_ms, retry_after_s, parallelism) = (2000, 1, 20);
        let opts = EmulatorOptions {
            retry_after_s,
            ..options(LATENCY, operation_ms, false)
        };
        let emulator = Emulator::start(&self.bin, &data, opts)?;
        let m = self.timed_apply(&emulator, &stack, parallelism)?;
        let stats = emulator.stats()?;
        let emulator_cpu = emulator.cpu();
        emulator.stop();

        let apply = ApplyShape {
            container_groups: shape.groups as u64,
            resource_groups: shape.resource_groups as u64,
            parallelism,
            latency: LATENCY,
            operation: Duration::from_millis(operation_ms),
            poll: Duration::from_secs(retry_after_s),
        };
        let bound = apply.bound();
        println!(
            "apply: {} creates + {} resource groups, parallelism {parallelism}, operation \
             time {operation_ms} ms, Retry-After {retry_after_s} s, latency {} ms",
            apply.container_groups,
            apply.resource_groups,
            LATENCY.as_millis()
        );
        println!(
            "apply: bound 2 x {} ms + {} waves x ({:.0} ms operation rounded up to the poll \
             + {} ms) = {:.2} s; wall {:.2} s ({:.2} x bound); cpu {:.0} ms; peak rss {:.1} \
             MB; requests {} ({}); emulator cpu {:.0} ms (persistence included)",
            LATENCY.as_millis(),
            apply.waves(),
            ms(apply.per_wave() - LATENCY),
            LATENCY.as_millis(),
            bound.as_secs_f64(),
            m.wall.as_secs_f64(),
            m.wall.as_secs_f64() / bound.as_secs_f64(),
            ms(m.cpu),
            m.max_rss as f64 / MB,
            stats.total,
            by_kind(&stats),
            ms(emulator_cpu)
        );
        Ok(vec![Row::at_most(
            "apply 200 creates, -p 20",
            format!("wall time (1.3 x bound {:.2} s)", bound.as_secs_f64()),
            m.wall.as_secs_f64(),
            1.3 * bound.as_secs_f64(),
            Unit::Seconds,
        )])
    }

    /// Apply of 400 creates in 20 resource groups under ARM's request budgets.
    pub fn throttled(&self) -> Result<Vec<Row>, String> {
        let shape = StackShape {
            groups: 400,
            resource_groups: 20,
        };
        let stack = self.stack("stack-400", shape)?;
        let data = fresh_dir(&self.root, "cloud-throttle")?;
        let parallelism = 50;
        let emulator = Emulator::start(&self.bin, &data, options(LATENCY, 2000, true))?;
        let m = self.timed_apply(&emulator, &stack, parallelism)?;
        let stats = emulator.stats()?;
        emulator.stop();

        // What the budgets allow for the requests that succeeded (a 429 costs no token).
        let arm = ThrottleConfig::arm();
        let budget = |b: aciform::emulator::BucketConfig| Budget {
            capacity: f64::from(b.capacity),
            refill_per_sec: b.refill_per_sec,
        };
        let reads = stats.method("GET") + stats.method("HEAD");
        let deletes = stats.method("DELETE");
        let writes = stats.total - reads - deletes;
        let accepted = |n: u64| n.saturating_sub(stats.throttled);
        let budget_bound = [
            budget(arm.reads).time_for(accepted(reads)),
            budget(arm.writes).time_for(accepted(writes)),
            budget(arm.deletes).time_for(deletes),
        ]
        .into_iter()
        .max()
        .unwrap_or_default();
        let apply = ApplyShape {
            container_groups: shape.groups as u64,
            resource_groups: shape.resource_groups as u64,
            parallelism,
            latency: LATENCY,
            operation: Duration::from_secs(2),
            poll: Duration::from_secs(1),
        };
        let bound = budget_bound.max(apply.bound());
        println!(
            "throttle: {} creates, parallelism {parallelism}, ARM budgets (reads 250 + 25/s, \
             writes 200 + 10/s); exit {}; requests {} ({}), answered 429: {}",
            shape.groups,
            m.exit_code,
            stats.total,
            by_kind(&stats),
            stats.throttled
        );
        println!(
            "throttle: budget bound {:.2} s (reads {reads}, writes {writes}), latency bound \
             {:.2} s; wall {:.2} s ({:.2} x the larger)",
            budget_bound.as_secs_f64(),
            apply.bound().as_secs_f64(),
            m.wall.as_secs_f64(),
            m.wall.as_secs_f64() / bound.as_secs_f64()
        );
        let scenario = "apply 400 creates, --throttle";
        let failed_lines = m.stdout.lines().filter(|l| l.starts_with("Error:")).count();
        Ok(vec![
            Row::at_most(
                scenario,
                "exit code",
                f64::from(m.exit_code),
                0.0,
                Unit::Count,
            ),
            Row::at_most(
                scenario,
                "steps failed (throttling)",
                failed_lines as f64,
                0.0,
                Unit::Count,
            ),
            Row::at_most(
                scenario,
                format!("wall time (1.3 x bound {:.2} s)", bound.as_secs_f64()),
                m.wall.as_secs_f64(),
                1.3 * bound.as_secs_f64(),
                Unit::Seconds,
            ),
        ])
    }

    /// Runs `apply --auto-approve` once, timed; every create must succeed.
    fn timed_apply(
        &self,
        emulator: &Emulator,
        stack: &Path,
        parallelism: u64,
    ) -> Result<Measured, String> {
        emulator.reset_stats()?;
        let mut cmd = aciform(&self.bin, Some(&emulator.url));
        cmd.arg("apply").arg(stack).args([
            "--auto-approve",
            "--parallelism",
            &parallelism.to_string(),
        ]);
        run_measured(cmd)
    }

    /// Creates every group of `stack` in the cloud at `data`, fast (no latency, instant
    /// operations), so that the timed runs see a cloud that is all up to date.
    fn populate(&self, stack: &Path, data: &Path) -> Result<(), String> {
        let emulator = Emulator::start(&self.bin, data, options(Duration::ZERO, 0, false))?;
        let mut cmd = aciform(&self.bin, Some(&emulator.url));
        cmd.arg("apply")
            .arg(stack)
            .args(["--auto-approve", "--parallelism", "200"]);
        let m = expect_exit(run_measured(cmd)?, 0, "apply (populating the cloud)")?;
        println!(
            "plan: populated the cloud in {:.1} s (apply of 1,000 groups, no latency)",
            m.wall.as_secs_f64()
        );
        emulator.stop();
        Ok(())
    }

    fn large_stack(&self) -> Result<PathBuf, String> {
        self.stack("stack-1000", StackShape::LARGE)
    }

    fn stack(&self, name: &str, shape: StackShape) -> Result<PathBuf, String> {
        let dir = self.root.join(name);
        write_stack(&dir, "bench", shape).map_err(|e| format!("cannot write {name}: {e}"))?;
        Ok(dir)
    }
}

fn options(latency: Duration, operation_ms: u64, throttle: bool) -> EmulatorOptions {
    EmulatorOptions {
        latency_ms: u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
        operation_ms,
        retry_after_s: 1,
        throttle,
    }
}

/// The cap on requests in flight a default client has (what the CLI uses).
fn default_concurrency() -> u64 {
    let url = url::Url::parse("http://127.0.0.1:1").expect("a literal URL");
    let credential = aciform::arm::Credential::Static(aciform::arm::Secret::new("x"));
    let config = aciform::arm::ClientConfig::new(url, "sub", credential);
    config.max_in_flight as u64
}

fn expect_exit(m: Measured, code: i32, what: &str) -> Result<Measured, String> {
    if m.exit_code == code {
        return Ok(m);
    }
    let tail: Vec<&str> = m.stderr.lines().rev().take(15).collect();
    Err(format!(
        "{what} exited {} (expected {code}); stderr ends:\n{}",
        m.exit_code,
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    ))
}

/// The run with the median wall time.
fn median(runs: &[Measured]) -> Measured {
    let mut sorted: Vec<&Measured> = runs.iter().collect();
    sorted.sort_by_key(|m| m.wall);
    sorted[sorted.len() / 2].clone()
}

/// The `ms=` of the info log line with `what` in it (0 when absent).
fn phase_ms(stderr: &str, what: &str) -> u64 {
    stderr
        .lines()
        .find(|l| l.contains(what))
        .and_then(|l| l.split_whitespace().find_map(|w| w.strip_prefix("ms=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn by_kind(stats: &Stats) -> String {
    let parts: Vec<String> = stats
        .by_kind
        .iter()
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect();
    parts.join(", ")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
