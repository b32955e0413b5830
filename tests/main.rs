//! Integration tests: the real CLI binary and the real ARM client against the
//! in-process emulator on 127.0.0.1. Each module covers one area.

mod apply;
mod arm;
mod e2e;
mod emulator;
mod perf;
mod plan;
mod spec_cli;
mod spec_errors;
mod spec_perf;
mod spec_props;
mod spec_skeleton;
mod spec_snapshots;
mod spec_support;
mod spec_values;
mod support;
