//! Project tasks: a search's columns and the name.

use super::model::EntityFacts;

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        "id",
        "taskNumber",
        "title",
        "status",
        "projectID",
        "assignedResourceID",
        "startDateTime",
        "endDateTime",
    ],
    name: &["title"],
    ..EntityFacts::of("Tasks")
};
