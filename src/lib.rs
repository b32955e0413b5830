//! aciform: a desired-state applier for Azure Container Instances.
//!
//! Data flows one way: `spec` reads TOML stacks, `graph` orders the resources, `plan`
//! compares them with live state read through `arm`, `render` prints the plan and `apply`
//! executes it; `status` reports what runs. `emulator` is the ARM-compatible local
//! cloud, reached only over HTTP. Only `cli` touches the terminal.

pub mod apply;
pub mod arm;
pub mod cli;
pub mod emulator;
pub mod graph;
pub mod plan;
pub mod render;
pub mod sensitive;
pub mod spec;
pub mod status;
pub mod terminal;
