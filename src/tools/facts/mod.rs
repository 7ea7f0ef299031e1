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
    ALL.iter().find(|f| f.entity.eq_ignore_ascii_case(entity))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    fn field_of(entity: &str, field: &str) -> &'static registry::FieldDef {
        let e = registry::find(entity).unwrap();
        e.field(field).unwrap()
    }

    #[test]
    fn every_fact_names_real_fields() {
        for f in ALL {
            let e = registry::find(f.entity).unwrap();
            assert_eq!(e.name, f.entity, "registry spelling");
            if !f.summary.is_empty() {
                assert_eq!(f.summary.first(), Some(&"id"), "{}", f.entity);
            }
            for name in f.summary.iter().chain(f.name) {
                field_of(f.entity, name);
            }
            if !f.name.is_empty() {
                assert!(e.root.query, "{} names need a query", f.entity);
                for name in f.name {
                    assert!(field_of(f.entity, name).is_queryable, "{}.{name}", f.entity);
                }
            }
            if let Some(d) = f.duplicates {
                assert!(!d.keys.is_empty());
                for name in d.keys.iter().flat_map(|k| k.iter()).chain(d.shown) {
                    assert!(field_of(f.entity, name).is_queryable, "{}.{name}", f.entity);
                }
            }
            if let Some(r) = f.role_rule {
                field_of(f.entity, r.resource);
                field_of(f.entity, r.role);
                for roles in r.roles_from {
                    field_of(roles, "roleID");
                    field_of(roles, "resourceID");
                }
            }
            if let Some(t) = f.timeline {
                for name in t.when.iter().chain(t.who).chain(t.show) {
                    field_of(f.entity, name);
                }
                if let TimelineSource::Query { ticket_field } = t.source {
                    field_of(f.entity, ticket_field);
                }
            }
        }
        let mut names: Vec<&str> = ALL.iter().map(|f| f.entity).collect();
        names.sort_unstable();
        let len = names.len();
        names.dedup();
        assert_eq!(names.len(), len, "one home per entity");
        assert!(!TIMELINE.is_empty());
        assert!(TIMELINE.iter().all(|f| f.timeline.is_some()));
    }
}
