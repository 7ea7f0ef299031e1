//! Project tasks: a search's columns and the name.

use super::model::EntityFacts;
use crate::registry::tasks as e;

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        e::ID,
        e::TASK_NUMBER,
        e::TITLE,
        e::STATUS,
        e::PROJECT_ID,
        e::ASSIGNED_RESOURCE_ID,
        e::START_DATE_TIME,
        e::END_DATE_TIME,
    ],
    name: &[e::TITLE],
    ..EntityFacts::of(e::ENTITY)
};
