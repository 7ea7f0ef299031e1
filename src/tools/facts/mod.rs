//! Layer 1, what we know of particular entities beyond the registry, one file per entity:
//! the columns a search shows by default, the fields that name a record, the keys that make a
//! create a likely duplicate, the rule pairing a resource with the role it works under, and how
//! a record shows on a ticket's timeline. The layers above read these facts by entity; no
//! generic code matches on an entity's name.

mod companies;
mod contacts;
pub mod model;
mod named;
pub mod naming;
mod projects;
mod resources;
mod tasks;
mod ticket_attachments;
mod ticket_history;
mod ticket_notes;
mod tickets;
mod time_entries;

pub use model::{Duplicates, EntityFacts, RoleRule, TimelineKind, TimelineSource};
pub use tickets::ROLE_RULE as TICKET_ROLE_RULE;
pub use time_entries::ROLE_RULE as TIME_ENTRY_ROLE_RULE;

/// Every entity we know something of.
pub const ALL: &[EntityFacts] = &[
    companies::FACTS,
    contacts::FACTS,
    projects::FACTS,
    resources::FACTS,
    tasks::FACTS,
    ticket_attachments::FACTS,
    ticket_history::FACTS,
    ticket_notes::FACTS,
    tickets::FACTS,
    time_entries::FACTS,
    named::BILLING_CODES,
    named::COMPANY_LOCATIONS,
    named::CONFIGURATION_ITEMS,
    named::CONTRACTS,
    named::DEPARTMENTS,
    named::OPPORTUNITIES,
    named::PHASES,
    named::ROLES,
];

/// The kinds of a ticket's timeline, in the order they are read.
pub const TIMELINE: &[EntityFacts] = &[
    ticket_notes::FACTS,
    time_entries::FACTS,
    ticket_attachments::FACTS,
    ticket_history::FACTS,
];

/// What we know of `entity` (any casing).
pub fn of(entity: &str) -> Option<&'static EntityFacts> {
    ALL.iter()
        .find(|f| f.entity.name().eq_ignore_ascii_case(entity))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Field;

    /// The facts name fields by handle, so they exist; what is checked here is that each
    /// belongs where it is used and can do what it is used for.
    #[test]
    fn every_fact_uses_fields_of_its_entity_that_can_do_the_job() {
        let of_entity = |f: &EntityFacts, fields: &[Field]| {
            for field in fields {
                assert_eq!(field.entity(), f.entity, "{field:?} in {:?}", f.entity);
            }
        };
        for f in ALL {
            let e = f.entity.def();
            of_entity(f, f.summary);
            of_entity(f, f.name);
            if let Some(first) = f.summary.first() {
                assert_eq!(first.name(), "id", "{:?}", f.entity);
            }
            if !f.name.is_empty() {
                assert!(e.root.query, "{} names need a query", e.name);
                assert!(f.name.iter().all(|n| n.def().is_queryable), "{}", e.name);
            }
            if let Some(d) = f.duplicates {
                assert!(!d.keys.is_empty());
                for key in d.keys {
                    assert!(!key.is_empty());
                    of_entity(f, key);
                    assert!(key.iter().all(|k| k.def().is_queryable), "{}", e.name);
                }
                of_entity(f, d.shown);
            }
            if let Some(r) = f.role_rule {
                of_entity(f, &[r.resource, r.role]);
                assert!(!r.roles_from.is_empty());
                for roles in r.roles_from {
                    for field in ["roleID", "resourceID"] {
                        assert!(roles.def().field(field).is_some(), "{roles:?}.{field}");
                    }
                }
            }
            if let Some(t) = f.timeline {
                of_entity(f, t.when);
                of_entity(f, t.who);
                of_entity(f, t.show);
                if let TimelineSource::Query { ticket_field } = t.source {
                    of_entity(f, &[ticket_field]);
                    assert!(ticket_field.def().is_queryable);
                }
            }
        }
        let mut names: Vec<&str> = ALL.iter().map(|f| f.entity.name()).collect();
        names.sort_unstable();
        let len = names.len();
        names.dedup();
        assert_eq!(names.len(), len, "one home per entity");
        assert!(!TIMELINE.is_empty());
        assert!(TIMELINE.iter().all(|f| f.timeline.is_some()));
    }
}
