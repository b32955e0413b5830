//! Desired vs live: lowering, normalizing, diffing and the plan value.

pub mod model;

pub use model::{Action, AttributeChange, Plan, ResourceChange, Summary, TargetInfo, TargetKind};
