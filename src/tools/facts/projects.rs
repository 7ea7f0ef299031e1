//! Projects: a search's columns and the name.

use super::model::EntityFacts;

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        "id",
        "projectNumber",
        "projectName",
        "status",
        "companyID",
        "projectLeadResourceID",
        "startDateTime",
        "endDateTime",
    ],
    name: &["projectName"],
    ..EntityFacts::of("Projects")
};
