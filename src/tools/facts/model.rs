//! What a fact about an entity is: the columns, name, duplicate keys, role rule and timeline
//! kind one entity may have, named by the registry's typed handles (a misspelt field does not
//! compile).

use crate::registry::{Entity, Field};

/// What we know of one entity.
#[derive(Debug, Clone, Copy)]
pub struct EntityFacts {
    /// The registry name.
    pub entity: Entity,
    /// The default columns of a search, in display order, `id` first (empty: every field).
    pub summary: &'static [Field],
    /// The fields that make up a record's name, joined by a space (empty: no known name).
    pub name: &'static [Field],
    /// What makes a new record a likely duplicate of an existing one.
    pub duplicates: Option<Duplicates>,
    /// The resource and role a write names together.
    pub role_rule: Option<RoleRule>,
    /// How a record shows on its ticket's timeline.
    pub timeline: Option<TimelineKind>,
}

impl EntityFacts {
    /// Facts with nothing known but the entity.
    pub const fn of(entity: Entity) -> EntityFacts {
        EntityFacts {
            entity,
            summary: &[],
            name: &[],
            duplicates: None,
            role_rule: None,
            timeline: None,
        }
    }
}

/// Likely duplicates of a create: an existing record that matches every field of any one key
/// (each key is used only when the new record has all its fields).
#[derive(Debug, Clone, Copy)]
pub struct Duplicates {
    pub keys: &'static [&'static [Field]],
    /// The fields shown of each likely duplicate.
    pub shown: &'static [Field],
}

/// A resource and the role it works under, named by one write: the role must be one the
/// resource has in `roles_from`; when the write names the resource alone, its default
/// service-desk role fills the role, as Autotask's own screens do.
#[derive(Debug, Clone, Copy)]
pub struct RoleRule {
    pub resource: Field,
    pub role: Field,
    /// The entities listing the roles a resource may take here, tried in order.
    pub roles_from: &'static [Entity],
    /// The two fields go together: both or neither.
    pub paired: bool,
    /// What the role is called in messages (`service-desk role`).
    pub noun: &'static str,
}

/// Where a ticket's records of one entity are read.
#[derive(Debug, Clone, Copy)]
pub enum TimelineSource {
    /// Queried at the root collection by this field (`ticketID`).
    Query { ticket_field: Field },
    /// Listed under the ticket (`Tickets/{id}/<segment>`).
    ChildList { segment: &'static str },
}

/// How one kind of record shows on a ticket's timeline.
#[derive(Debug, Clone, Copy)]
pub struct TimelineKind {
    /// The entry's `kind` (`note`, `time`, …).
    pub label: &'static str,
    pub source: TimelineSource,
    /// The first of these with a value dates the entry.
    pub when: &'static [Field],
    /// The first of these with a value (its name when known) says who.
    pub who: &'static [Field],
    /// The fields the entry shows.
    pub show: &'static [Field],
}

/// The API names of `fields`.
pub fn names(fields: &[Field]) -> Vec<&'static str> {
    fields.iter().map(|f| f.name()).collect()
}
