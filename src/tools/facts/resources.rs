//! Resources (staff): a search's columns and the name.

use super::model::EntityFacts;
use crate::registry::resources as e;

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        e::ID,
        e::FIRST_NAME,
        e::LAST_NAME,
        e::EMAIL,
        e::TITLE,
        e::IS_ACTIVE,
    ],
    name: &[e::FIRST_NAME, e::LAST_NAME],
    ..EntityFacts::of(e::ENTITY)
};
