//! What the planner refuses: touching a same-named resource the stack does not own,
//! and deleting or replacing one under `lifecycle.prevent_destroy`.

use super::*;

impl<'a> Planner<'a> {
    /// Refuses to touch a same-named resource this stack does not own.
    pub(super) fn check_owner(
        &mut self,
        address: &Address,
        origin: &crate::spec::Origin,
        live: &Value,
        what: &str,
        name: &str,
    ) -> bool {
        let owner = tag(live, TAG_STACK);
        if owner == Some(self.stack().name.as_str()) {
            return true;
        }
        let whose = match owner {
            Some(other) => format!("it belongs to stack `{other}`"),
            None => "it was not created by aciform".to_string(),
        };
        let existing_hint = if address.kind == ResourceKind::ResourceGroup {
            "set `existing = true` to use it without managing it, or "
        } else {
            ""
        };
        let stack = &self.stack().name;
        let tags = format!("{TAG_STACK}={stack} {TAG_ADDRESS}={address}");
        let help = format!(
            "{existing_hint}adopt it by adding the tags `{TAG_STACK}={stack}` and \
             `{TAG_ADDRESS}={address}` (e.g. `az tag update --operation merge --resource-id \
             <id> --tags {tags}`), or pick another name"
        );
        self.errors.push(self.stack().error_at(
            origin,
            format!("{what} `{name}` already exists and {whose}"),
            "declared here",
            Some(help),
        ));
        false
    }

    /// Refuses to `verb` (replace, destroy) a resource under `prevent_destroy`;
    /// `because` says what forces it, so the user knows which change to undo.
    pub(super) fn refuse_if_protected(
        &mut self,
        address: &Address,
        lifecycle: &crate::spec::Lifecycle,
        origin: &crate::spec::Origin,
        verb: &str,
        because: &[String],
    ) {
        if !lifecycle.prevent_destroy {
            return;
        }
        let at = lifecycle.prevent_destroy_origin.as_ref().unwrap_or(origin);
        let help = match because {
            [] => "remove prevent_destroy to allow it, or undo the change that forces it".into(),
            why => format!(
                "forced by: {}; remove prevent_destroy to allow it, or undo that change",
                why.join("; ")
            ),
        };
        self.errors.push(self.stack().error_at(
            at,
            format!("the plan would {verb} {address}, which has `lifecycle.prevent_destroy`"),
            "prevent_destroy is set here",
            Some(help),
        ));
    }
}
