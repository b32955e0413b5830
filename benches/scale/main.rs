//! The scale benchmark of issue 8: aciform at a thousand container groups, measured
//! against `aciform emulator` on loopback, each as its own process.
//!
//! ```text
//! cargo bench --bench scale                      # every scenario, about two minutes
//! cargo bench --bench scale -- plan validate     # some scenarios
//! cargo bench --bench scale -- --generate DIR [--groups N] [--resource-groups M]
//! ```
//!
//! It prints, per scenario, the request counts, wall time, CPU time and peak memory of
//! the `aciform` process, the lower bound it is compared against and how that bound
//! was computed, then one table of every target with its measured value. It exits 1
//! when a target is missed. docs/performance.md explains the bounds and the design.

mod bounds;
mod child;
mod scenarios;
#[path = "../../tests/support/stack_gen.rs"]
mod stack_gen;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use bounds::Row;
use scenarios::Bench;
use stack_gen::{StackShape, write_stack};

const SCENARIOS: [&str; 4] = ["validate", "plan", "apply", "throttle"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let Some(at) = args.iter().position(|a| a == "--generate") {
        return generate(&args, at);
    }
    let chosen: Vec<&str> = if args.is_empty() {
        SCENARIOS.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    if let Some(unknown) = chosen.iter().find(|s| !SCENARIOS.contains(s)) {
        eprintln!(
            "unknown scenario `{unknown}`; choose from {}",
            SCENARIOS.join(", ")
        );
        return ExitCode::from(2);
    }

    let scratch = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("cannot create a scratch directory: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bench = Bench {
        bin: PathBuf::from(env!("CARGO_BIN_EXE_aciform")),
        root: scratch.path().to_path_buf(),
        runs: 5,
    };
    println!(
        "aciform scale benchmark: {} on {} cores",
        bench.bin.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let started = Instant::now();
    let mut rows = Vec::new();
    let mut broken = false;
    for scenario in chosen {
        let result = match scenario {
            "validate" => bench.validate(),
            "plan" => bench.plan(),
            "apply" => bench.apply(),
            _ => bench.throttled(),
        };
        match result {
            Ok(more) => rows.extend(more),
            Err(e) => {
                eprintln!("{scenario}: {e}");
                broken = true;
            }
        }
    }

    print_table(&rows);
    println!("benchmark time: {:.1} s", started.elapsed().as_secs_f64());
    if broken || rows.iter().any(|r| !r.pass) {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// `--generate DIR [--groups N] [--resource-groups M]`: writes a stack and stops.
fn generate(args: &[String], at: usize) -> ExitCode {
    let value = |flag: &str| {
        let i = args.iter().position(|a| a == flag)?;
        args.get(i + 1)?.parse::<usize>().ok()
    };
    let Some(dir) = args.get(at + 1) else {
        eprintln!("--generate needs a directory");
        return ExitCode::from(2);
    };
    let shape = StackShape {
        groups: value("--groups").unwrap_or(StackShape::LARGE.groups),
        resource_groups: value("--resource-groups")
            .unwrap_or(StackShape::LARGE.resource_groups)
            .max(1),
    };
    match write_stack(&PathBuf::from(dir), "bench", shape) {
        Ok(()) => {
            println!(
                "wrote {} container groups in {} resource groups to {dir}",
                shape.groups, shape.resource_groups
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write the stack to {dir}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn print_table(rows: &[Row]) {
    let width = |f: fn(&Row) -> &str, head: &str| {
        rows.iter()
            .map(|r| f(r).len())
            .chain([head.len()])
            .max()
            .unwrap_or(0)
    };
    let ws = width(|r| r.scenario, "scenario");
    let ww = width(|r| &r.what, "target");
    let wt = width(|r| &r.target, "limit");
    let wm = width(|r| &r.measured, "measured");
    println!();
    println!(
        "{:ws$}  {:ww$}  {:wt$}  {:wm$}  result",
        "scenario", "target", "limit", "measured"
    );
    for r in rows {
        println!(
            "{:ws$}  {:ww$}  {:wt$}  {:wm$}  {}",
            r.scenario,
            r.what,
            r.target,
            r.measured,
            if r.pass { "ok" } else { "MISSED" }
        );
    }
}
