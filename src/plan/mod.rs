//! Desired vs live: lowering, normalizing, diffing and the plan value.

pub mod canon;
pub mod diff;
pub mod model;
pub mod placeholder;
pub mod rules;
pub mod secrets;
pub mod sensitive;

pub use model::{Action, AttributeChange, Plan, ResourceChange, Summary, TargetInfo, TargetKind};

#[cfg(test)]
mod noise_tests;
