//! Resources (staff): a search's columns and the name.

use super::model::EntityFacts;

pub const FACTS: EntityFacts = EntityFacts {
    summary: &["id", "firstName", "lastName", "email", "title", "isActive"],
    name: &["firstName", "lastName"],
    ..EntityFacts::of("Resources")
};
