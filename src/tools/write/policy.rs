//! The write allow-list (`AUTOTASK_WRITE_ENTITIES`): which entities the write tools may
//! change. A convenience write tool about another entity is not registered at all; the
//! generic write tools stay, and the write path refuses any other entity they name, child
//! routes included (`Notes` under `Tickets` is `TicketNotes`). Read-only mode is the stronger
//! switch: with it no write tool exists whatever the list says.

use std::sync::Arc;

use crate::registry;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::tool::ToolSpec;

/// The entities writes may touch: every entity, or only those listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WritePolicy {
    /// `None`: every entity. Registry names, sorted.
    only: Option<Arc<[&'static str]>>,
}

impl WritePolicy {
    /// Every entity may be written.
    pub fn all() -> WritePolicy {
        WritePolicy::default()
    }

    /// Only the listed entities (names as the registry knows them, in any case or singular).
    /// An unknown name, or no name at all, is an error naming the variable: an empty list
    /// never means every entity.
    pub fn only<S: AsRef<str>>(names: &[S]) -> Result<WritePolicy, String> {
        if names.is_empty() {
            return Err(
                "AUTOTASK_WRITE_ENTITIES names no entity: unset it to let writes reach every entity, or list the entities writes may change".into(),
            );
        }
        let mut only = Vec::new();
        for name in names {
            let e = registry::lookup(name.as_ref())
                .map_err(|e| format!("AUTOTASK_WRITE_ENTITIES: {e}"))?;
            only.push(e.name);
        }
        only.sort_unstable();
        only.dedup();
        Ok(WritePolicy {
            only: Some(only.into()),
        })
    }

    /// True when writes to `entity` (a registry name) are allowed.
    pub fn allows(&self, entity: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|e| e.eq_ignore_ascii_case(entity)))
    }

    /// True when `def` is offered: reads always, a write tool about one entity when that
    /// entity is allowed, the generic write tools always (they refuse other entities).
    pub fn offers(&self, def: &ToolSpec) -> bool {
        !def.writes() || def.entity.is_none_or(|e| self.allows(e.name))
    }

    /// The allowed entities, when there is a list.
    pub fn listed(&self) -> Option<&[&'static str]> {
        self.only.as_deref()
    }

    /// The sentence the server's instructions carry, when there is a list.
    pub fn instructions(&self) -> Option<String> {
        self.listed().map(|only| {
            format!(
                "Writes are allowed only for these entities (AUTOTASK_WRITE_ENTITIES): {}.",
                only.join(", ")
            )
        })
    }

    /// The refusal of a write to `entity` by `tool`, when it is not allowed.
    pub fn check(&self, tool: &str, entity: &str) -> Result<(), ToolError> {
        match self.listed() {
            Some(only) if !self.allows(entity) => Err(ToolError::Refused(format!(
                "{tool} may not write {entity} on this server: AUTOTASK_WRITE_ENTITIES allows writes to {} only. Ask the administrator if {entity} must be writable.",
                only.join(", ")
            ))),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_matched_like_the_registry() {
        let p = WritePolicy::only(&["ticket", " TicketNotes", "Tickets"]).unwrap_or_default();
        assert_eq!(p.listed(), Some(&["TicketNotes", "Tickets"][..]));
        assert!(p.allows("Tickets") && p.allows("ticketnotes"));
        assert!(!p.allows("Companies"));
        let err = p
            .check("create-entity", "Companies")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("AUTOTASK_WRITE_ENTITIES allows writes to TicketNotes, Tickets only")
                && err.contains("Nothing was sent"),
            "{err}"
        );
        let err = WritePolicy::only(&["Tikcets"]).err().unwrap_or_default();
        assert!(
            err.starts_with("AUTOTASK_WRITE_ENTITIES: unknown entity `Tikcets`")
                && err.contains("Tickets"),
            "{err}"
        );
        let empty: [&str; 0] = [];
        assert!(
            WritePolicy::only(&empty).is_err(),
            "an empty list never opens every entity"
        );
        assert!(WritePolicy::all().allows("Anything"));
        assert_eq!(WritePolicy::all().instructions(), None);
    }
}
