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

mod handles;

pub use handles::{Entity, Field};

/// Wire type of a field, as `entityInformation/fields` names it in `dataType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    Integer,
    Long,
    Short,
    Double,
    Decimal,
    Boolean,
    DateTime,
    String,
}

impl DataType {
    /// The `dataType` string of the REST API.
    pub fn as_str(self) -> &'static str {
        match self {
            DataType::Integer => "integer",
            DataType::Long => "long",
            DataType::Short => "short",
            DataType::Double => "double",
            DataType::Decimal => "decimal",
            DataType::Boolean => "boolean",
            DataType::DateTime => "datetime",
            DataType::String => "string",
        }
    }

    /// Integer-valued (`integer`, `long`, `short`).
    pub fn is_integer(self) -> bool {
        matches!(self, DataType::Integer | DataType::Long | DataType::Short)
    }

    /// Any number.
    pub fn is_number(self) -> bool {
        self.is_integer() || matches!(self, DataType::Double | DataType::Decimal)
    }
}

/// One field of an entity (`FieldInformationModel` without tenant picklist values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    pub name: &'static str,
    pub data_type: DataType,
    /// Maximum length for strings; 0 when not applicable.
    pub length: u32,
    pub is_required: bool,
    pub is_read_only: bool,
    pub is_queryable: bool,
    pub is_reference: bool,
    /// Singular name of the referenced entity (`Company`), or `""`.
    pub reference_entity_type: &'static str,
    pub is_pick_list: bool,
    /// For a dependent picklist, the field selecting the list (`issueType`), or `""`.
    pub picklist_parent_value_field: &'static str,
    pub is_supported_webhook_field: bool,
}

/// What the root collection `/V1.0/{name}` supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RootRoutes {
    pub query: bool,
    pub count: bool,
    pub get: bool,
    pub create: bool,
    pub patch: bool,
    pub put: bool,
    pub delete: bool,
}

impl RootRoutes {
    /// True when the root collection has no route at all.
    pub fn is_empty(&self) -> bool {
        !(self.query
            || self.count
            || self.get
            || self.create
            || self.patch
            || self.put
            || self.delete)
    }
}

/// A parent-scoped route `/V1.0/{parent}/{parentId}/{segment}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParentRoute {
    /// Parent collection (`Tickets`).
    pub parent: &'static str,
    /// URL segment (`Notes`).
    pub segment: &'static str,
    /// The child's field holding the parent id (`ticketID`), or `""`.
    pub foreign_key: &'static str,
    pub list: bool,
    pub get: bool,
    pub create: bool,
    pub patch: bool,
    pub put: bool,
    pub delete: bool,
}

/// One entity: capabilities, fields and routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityDef {
    /// Collection name used in URLs (`Tickets`).
    pub name: &'static str,
    /// Singular name Autotask reports (`Ticket`), used by `referenceEntityType`.
    pub singular: &'static str,
    pub can_create: bool,
    pub can_update: bool,
    pub can_query: bool,
    pub can_delete: bool,
    pub user_access_for_create: u8,
    pub user_access_for_update: u8,
    pub user_access_for_query: u8,
    pub user_access_for_delete: u8,
    pub has_user_defined_fields: bool,
    pub supports_webhook_callouts: bool,
    pub root: RootRoutes,
    pub parents: &'static [ParentRoute],
    pub fields: &'static [FieldDef],
}

mod generated {
    use super::{DataType, EntityDef, FieldDef, ParentRoute, RootRoutes};
    include!(concat!(env!("OUT_DIR"), "/registry.rs"));
}

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

/// Where a create, update or delete of an entity is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteRoute {
    /// `/V1.0/{entity}` (or `/V1.0/{entity}/{id}` for a delete).
    Root,
    /// `/V1.0/{parent}/{parentId}/{segment}`.
    Parent(&'static ParentRoute),
}

/// The kind of write, to pick a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    Create,
    Patch,
    Put,
    Delete,
}

impl EntityDef {
    /// The field with this name, ignoring case.
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The parent route under `parent` (collection name, ignoring case).
    pub fn parent_route(&self, parent: &str) -> Option<&'static ParentRoute> {
        self.parents
            .iter()
            .find(|p| p.parent.eq_ignore_ascii_case(parent))
    }

    /// Where a write of this kind goes: the root when it supports it, else the first parent
    /// route that does. `None` when the entity does not support the write at all.
    pub fn write_route(&self, kind: WriteKind) -> Option<WriteRoute> {
        let root = match kind {
            WriteKind::Create => self.root.create,
            WriteKind::Patch => self.root.patch,
            WriteKind::Put => self.root.put,
            WriteKind::Delete => self.root.delete,
        };
        if root {
            return Some(WriteRoute::Root);
        }
        self.parents
            .iter()
            .find(|p| match kind {
                WriteKind::Create => p.create,
                WriteKind::Patch => p.patch,
                WriteKind::Put => p.put,
                WriteKind::Delete => p.delete,
            })
            .map(WriteRoute::Parent)
    }
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
