//! Plan and status output: the [`Plan`](crate::plan::Plan) as Terraform-style text,
//! as markdown for pull requests and as SPEC.md's JSON; apply progress lines; the
//! status table.
//!
//! Renderers decide nothing: no planning logic, no network, no clock (durations are
//! passed in). Text is built as styled spans ([`Styled`]) and resolved into plain text
//! or ANSI colour at the very end, so tests compare plain text. Whatever the plan
//! holds, a sensitive attribute renders as `(sensitive value)` (`null` in JSON), and
//! every string is sanitized so terminal escape sequences cannot act.

mod block;
mod json;
mod markdown;
pub mod progress;
mod styled;
mod table;
mod text;
mod value;

#[cfg(test)]
mod fixtures;

pub use json::plan_json;
pub use markdown::plan_markdown;
pub use styled::{Style, Styled};
pub use table::{table, table_styled};
pub use text::{NO_CHANGES, plan_styled, plan_text};

/// A JSON value as the plan shows it inline (strings quoted, numbers as written),
/// made safe for a terminal.
pub fn value_text(value: &serde_json::Value) -> String {
    value::inline(value)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;
    use crate::plan::{
        Action, AttributeChange, ChangeKind, Plan, ResourceChange, TargetInfo, TargetKind,
    };

    /// Marks every value a sensitive attribute carries in these tests.
    const SECRET: &str = "SECRET-VALUE";

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".{0,30}".prop_map(Value::from),
            "[a-z\n`|<\u{1b}]{0,80}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::btree_map(".{0,8}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn any_attribute() -> impl Strategy<Value = AttributeChange> {
        let value = || prop::option::of(any_value());
        (".{0,20}", value(), value(), any::<[bool; 3]>()).prop_map(
            |(path, before, after, [sensitive, known_after_apply, forces_replacement])| {
                let secret = |v: Option<Value>| v.map(|_| Value::from(format!("{SECRET}-x")));
                let (before, after) = if sensitive {
                    (secret(before), secret(after))
                } else {
                    (before, after)
                };
                AttributeChange {
                    path,
                    change: ChangeKind::between(before.as_ref(), after.as_ref(), known_after_apply),
                    before,
                    after,
                    sensitive,
                    known_after_apply,
                    forces_replacement,
                }
            },
        )
    }

    fn any_change() -> impl Strategy<Value = ResourceChange> {
        let actions = [
            Action::Create,
            Action::Update,
            Action::Replace,
            Action::Delete,
            Action::Start,
            Action::Stop,
            Action::NoOp,
        ];
        let attributes = prop::collection::vec(any_attribute(), 0..6);
        let reasons = prop::collection::vec(".{0,40}", 0..3);
        (
            ".{0,30}",
            prop::sample::select(actions.to_vec()),
            attributes,
            reasons,
            0..50usize,
        )
            .prop_map(
                |(address, action, attributes, reasons, unchanged_attributes)| ResourceChange {
                    address,
                    id: None,
                    action,
                    attributes,
                    reasons,
                    unchanged_attributes,
                },
            )
    }

    proptest! {
        #[test]
        fn any_plan_renders_without_panic_or_secret(
            changes in prop::collection::vec(any_change(), 0..5),
        ) {
            let target = TargetInfo {
                kind: TargetKind::Azure,
                endpoint: "https://management.azure.com".into(),
                subscription: "s".into(),
            };
            let plan = Plan::new("s".into(), target, changes);

            let text = plan_text(&plan, false);
            let coloured = plan_text(&plan, true);
            let markdown = plan_markdown(&plan);
            let json = plan_json(&plan);
            for shown in [&text, &markdown, &json] {
                prop_assert!(!shown.contains(SECRET));
            }
            prop_assert!(!text.contains('\x1b'));
            prop_assert!(!markdown.contains('\x1b'));
            prop_assert!(coloured.contains('\x1b'));
            let parsed: Result<Value, _> = serde_json::from_str(&json);
            prop_assert!(parsed.is_ok());
        }
    }
}
