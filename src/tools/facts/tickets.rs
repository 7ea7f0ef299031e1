//! Tickets: a search's columns, the name (its number), and the primary resource who must work
//! under one of their service-desk roles.

use super::model::{EntityFacts, RoleRule};

/// `assignedResourceID` and `assignedResourceRoleID` go together; the role is one of the
/// resource's service-desk roles.
pub const ROLE_RULE: RoleRule = RoleRule {
    resource: "assignedResourceID",
    role: "assignedResourceRoleID",
    roles_from: &["ResourceServiceDeskRoles"],
    paired: true,
    noun: "service-desk role",
};

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        "id",
        "ticketNumber",
        "title",
        "status",
        "priority",
        "queueID",
        "companyID",
        "contactID",
        "assignedResourceID",
        "createDate",
        "lastActivityDate",
        "dueDateTime",
    ],
    name: &["ticketNumber"],
    role_rule: Some(ROLE_RULE),
    ..EntityFacts::of("Tickets")
};
