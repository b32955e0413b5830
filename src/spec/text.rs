//! String values after `${vars.…}` and `${env.…}` substitution (`Text`), references
//! to other resources' attributes that remain in them (`Reference`), and the wrapper
//! that keeps sensitive values out of every Debug and Display (`Sensitive`, shared
//! with the other layers).

use std::fmt;

use super::address::Address;
use super::source::Origin;

/// A string value of the spec. Variables and environment values are already
/// substituted; references to other resources' attributes remain as `Part::Ref` for
/// the planner to resolve (`ip` and `fqdn` only exist after apply).
#[derive(Clone, PartialEq, Eq)]
pub struct Text {
    /// Literal runs and references, in order. Adjacent literals are merged.
    pub parts: Vec<Part>,
    /// The whole string in the source (quotes included).
    pub origin: Origin,
    /// True when any part came from `${env.…}`. Such values are never quoted in
    /// messages, whatever the field.
    pub from_env: bool,
}

/// A run of a `Text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Lit(String),
    Ref(Reference),
}

/// `${TYPE.KEY.ATTR}`: an attribute of another resource of the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub target: Address,
    /// `name`, `location`, `id`, `ip` or `fqdn`.
    pub attr: String,
    /// The `${…}` in the source.
    pub origin: Origin,
}

impl Reference {
    /// Whether the attribute is known at load (`name`, `location`) rather than only
    /// once the resource exists.
    pub fn is_static(&self) -> bool {
        self.attr == "name" || self.attr == "location"
    }
}

impl Text {
    /// A text made of one literal.
    pub fn lit(value: impl Into<String>, origin: Origin) -> Text {
        Text {
            parts: vec![Part::Lit(value.into())],
            origin,
            from_env: false,
        }
    }

    /// The value when it holds no reference.
    pub fn literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [Part::Lit(s)] => Some(s),
            _ => None,
        }
    }

    /// The references it holds, in order.
    pub fn references(&self) -> impl Iterator<Item = &Reference> {
        self.parts.iter().filter_map(|p| match p {
            Part::Ref(r) => Some(r),
            Part::Lit(_) => None,
        })
    }

    /// Renders with a resolver; None when any reference is unknown (yet).
    pub fn render(&self, resolve: &dyn Fn(&Reference) -> Option<String>) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(s) => out.push_str(s),
                Part::Ref(r) => out.push_str(&resolve(r)?),
            }
        }
        Some(out)
    }

    /// Appends a literal, merging it into a trailing literal.
    pub(crate) fn push_lit(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        match self.parts.last_mut() {
            Some(Part::Lit(last)) => last.push_str(s),
            _ => self.parts.push(Part::Lit(s.to_string())),
        }
    }
}

impl fmt::Debug for Text {
    // Shows the references by address and literals as they are; a Text that holds a
    // secret is always wrapped in `Sensitive`, whose Debug hides it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Text(\"")?;
        for part in &self.parts {
            match part {
                Part::Lit(s) => write!(f, "{}", s.escape_debug())?,
                Part::Ref(r) => write!(f, "${{{}.{}}}", r.target, r.attr)?,
            }
        }
        f.write_str("\")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitive::Sensitive;
    use crate::spec::address::ResourceKind;
    use crate::spec::source::FileId;

    fn origin() -> Origin {
        Origin::new(FileId(0), 0..1)
    }

    #[test]
    fn render_fills_references_or_gives_up() {
        let r = Reference {
            target: Address::new(ResourceKind::ContainerGroup, "db"),
            attr: "ip".into(),
            origin: origin(),
        };
        let text = Text {
            parts: vec![
                Part::Lit("http://".into()),
                Part::Ref(r),
                Part::Lit(":80".into()),
            ],
            origin: origin(),
            from_env: false,
        };
        assert_eq!(text.literal(), None);
        assert_eq!(
            text.render(&|_| Some("10.0.0.4".into())).as_deref(),
            Some("http://10.0.0.4:80")
        );
        assert_eq!(text.render(&|_| None), None);
        assert_eq!(
            format!("{text:?}"),
            "Text(\"http://${container_group.db.ip}:80\")"
        );
    }

    #[test]
    fn secrets_never_print() {
        let s = Sensitive::new(Text::lit("hunter2", origin()));
        assert_eq!(format!("{s:?} {s}"), "(sensitive) (sensitive)");
        assert_eq!(s.expose().literal(), Some("hunter2"));
    }
}
