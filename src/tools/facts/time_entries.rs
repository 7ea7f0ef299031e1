//! Time entries: a search's columns, the role the time is logged under (one of the resource's
//! roles or service-desk roles), and how time shows on a ticket's timeline.

use super::model::{EntityFacts, RoleRule, TimelineKind, TimelineSource};

/// `roleID` is one of the resource's roles (or service-desk roles).
pub const ROLE_RULE: RoleRule = RoleRule {
    resource: "resourceID",
    role: "roleID",
    roles_from: &["ResourceRoles", "ResourceServiceDeskRoles"],
    paired: false,
    noun: "role",
};

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        "id",
        "dateWorked",
        "hoursWorked",
        "resourceID",
        "roleID",
        "ticketID",
        "taskID",
        "summaryNotes",
    ],
    role_rule: Some(ROLE_RULE),
    timeline: Some(TimelineKind {
        label: "time",
        source: TimelineSource::Query {
            ticket_field: "ticketID",
        },
        when: &["startDateTime", "dateWorked", "createDateTime"],
        who: &["resourceID"],
        show: &["id", "hoursWorked", "summaryNotes", "internalNotes"],
    }),
    ..EntityFacts::of("TimeEntries")
};
