//! Integration tests: the real CLI binary and the real ARM client against the
//! in-process emulator on 127.0.0.1. Each module covers one area.

mod arm;
mod emulator;
mod perf;
mod plan;
mod spec_errors;
mod spec_support;
mod support;
