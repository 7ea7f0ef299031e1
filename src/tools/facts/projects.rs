//! Projects: a search's columns and the name.

use super::model::EntityFacts;
use crate::registry::projects as e;

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        e::ID,
        e::PROJECT_NUMBER,
        e::PROJECT_NAME,
        e::STATUS,
        e::COMPANY_ID,
        e::PROJECT_LEAD_RESOURCE_ID,
        e::START_DATE_TIME,
        e::END_DATE_TIME,
    ],
    name: &[e::PROJECT_NAME],
    ..EntityFacts::of(e::ENTITY)
};
