//! Desired vs live: lowering, normalizing, diffing and the plan value.

pub mod canon;
pub mod diff;
pub mod file;
pub mod ignore;
pub mod live;
pub mod lower;
pub mod model;
pub mod placeholder;
pub mod planner;
pub mod prelower;
pub mod rules;
pub mod secrets;
pub mod step;

pub use model::{
    Action, AttributeChange, ChangeKind, Plan, ResourceChange, Summary, TargetInfo, TargetKind,
};

#[cfg(test)]
mod noise_tests;
