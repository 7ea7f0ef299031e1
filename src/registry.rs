//! The entity registry: every Autotask entity of the metadata snapshot, generated at build time
//! (`build.rs` → `OUT_DIR/registry.rs`, `handles.rs`), with case-insensitive lookup, "did you
//! mean" suggestions and route resolution (root collection or parent-scoped child route).
//!
//! # The registry as types
//!
//! Every entity has a module of typed handles, so code names entities and fields by constants
//! the compiler checks instead of strings:
//!
//! ```
//! use autotask_mcp::registry::{tickets, ticket_notes};
//!
//! assert_eq!(tickets::ENTITY.name(), "Tickets");
//! assert_eq!(tickets::ASSIGNED_RESOURCE_ID.name(), "assignedResourceID");
//! assert_eq!(tickets::TITLE.def().length, 255); // the `FieldDef`, no lookup
//! assert_eq!(ticket_notes::TICKET_ID.entity(), ticket_notes::ENTITY);
//! ```
//!
//! Names are derived from the snapshot, deterministically:
//! * the module is the collection name in snake_case (`TicketNotes` → `ticket_notes`);
//! * `ENTITY` is the [`Entity`] handle, and every field is a [`Field`] constant named after its
//!   API name in SCREAMING_SNAKE_CASE (`assignedResourceID` → `ASSIGNED_RESOURCE_ID`);
//! * a name that would start with a digit gets a leading `_`; a Rust keyword, a name this
//!   module uses itself (`generated`, `handles`, `serde_nullable`, `tests`) or `ENTITY` gets a
//!   trailing `_`; a name equal to an earlier one (entities in collection-name order, fields in
//!   the snapshot's order) gets `_` until it is unique. A renamed constant says so in its doc.

use serde::{Deserialize, Serialize};

mod generated;
mod handles;
mod model;

pub use handles::{Entity, Field};
pub use model::{DataType, EntityDef, FieldDef, ParentRoute, RootRoutes, WriteKind, WriteRoute};

// One module of typed handles per entity (`tickets`, `ticket_notes`, …).
include!(concat!(env!("OUT_DIR"), "/handles.rs"));

/// A field value that tells absent (`None`), `null` (`Some(None)`) and a value apart.
pub type Nullable<T> = Option<Option<T>>;

/// A user-defined field on the wire: `{"name": "...", "value": "..."}` (values are strings).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserDefinedField {
    pub name: String,
    #[serde(default)]
    pub value: Option<String>,
}

/// Serde adapter for `Nullable<T>` fields (with `default` and `skip_serializing_if`).
pub mod serde_nullable {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// Every entity, sorted by collection name.
pub fn entities() -> &'static [EntityDef] {
    &generated::ENTITIES
}

/// The entity with this collection or singular name, ignoring case (`tickets`, `Ticket`).
pub fn find(name: &str) -> Option<&'static EntityDef> {
    let name = name.trim();
    entities()
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(name))
        .or_else(|| {
            entities()
                .iter()
                .find(|e| e.singular.eq_ignore_ascii_case(name))
        })
}

/// The entity whose singular name is `singular` (as in `referenceEntityType`).
pub fn by_singular(singular: &str) -> Option<&'static EntityDef> {
    entities()
        .iter()
        .find(|e| e.singular.eq_ignore_ascii_case(singular))
}

/// An entity name the registry does not know, with the closest known names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown entity `{name}`{}", suggestion_text(.suggestions))]
pub struct UnknownEntity {
    pub name: String,
    pub suggestions: Vec<&'static str>,
}

fn suggestion_text(suggestions: &[&'static str]) -> String {
    if suggestions.is_empty() {
        ". Call list-known-entities for the full list".to_string()
    } else {
        format!(": did you mean {}?", suggestions.join(", "))
    }
}

/// Like `find`, but an unknown name gets suggestions.
pub fn lookup(name: &str) -> Result<&'static EntityDef, UnknownEntity> {
    find(name).ok_or_else(|| UnknownEntity {
        name: name.to_string(),
        suggestions: suggest(name, entities().iter().map(|e| e.name)),
    })
}

/// Up to three candidates closest to `wanted` (case-insensitive), best first.
pub fn suggest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let wanted = wanted.trim().to_ascii_lowercase();
    let mut scored: Vec<(f64, &'a str)> = candidates
        .map(|c| {
            let lower = c.to_ascii_lowercase();
            let mut score = strsim::jaro_winkler(&wanted, &lower);
            if !wanted.is_empty() && (lower.contains(&wanted) || wanted.contains(&lower)) {
                score += 0.2;
            }
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_case_insensitive_and_accepts_singular_names() {
        assert_eq!(find("tickets").map(|e| e.name), Some("Tickets"));
        assert_eq!(find("TimeEntry").map(|e| e.name), Some("TimeEntries"));
        assert_eq!(find("Company").map(|e| e.name), Some("Companies"));
    }

    #[test]
    fn unknown_names_get_suggestions() {
        let err = lookup("Tickts").err();
        let suggestions = err.map(|e| e.suggestions).unwrap_or_default();
        assert_eq!(suggestions.first(), Some(&"Tickets"));
        let text = lookup("Contcts")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(text.contains("did you mean Contacts"), "{text}");
    }

    #[test]
    fn write_routes_follow_the_contract() {
        let notes = find("TicketNotes").map(|e| e.write_route(WriteKind::Create));
        assert!(matches!(
            notes,
            Some(Some(WriteRoute::Parent(ParentRoute {
                parent: "Tickets",
                segment: "Notes",
                ..
            })))
        ));
        let time = find("TimeEntries").map(|e| e.write_route(WriteKind::Create));
        assert_eq!(time, Some(Some(WriteRoute::Root)));
        let tickets = find("Tickets").map(|e| e.write_route(WriteKind::Delete));
        assert_eq!(tickets, Some(None));
    }
}
