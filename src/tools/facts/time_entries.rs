//! Time entries: a search's columns, the role the time is logged under (one of the resource's
//! roles or service-desk roles), and how time shows on a ticket's timeline.

use super::model::{EntityFacts, RoleRule, TimelineKind, TimelineSource};
use crate::registry::{resource_roles, resource_service_desk_roles, time_entries as e};

/// `roleID` is one of the resource's roles (or service-desk roles).
pub const ROLE_RULE: RoleRule = RoleRule {
    resource: e::RESOURCE_ID,
    role: e::ROLE_ID,
    roles_from: &[resource_roles::ENTITY, resource_service_desk_roles::ENTITY],
    paired: false,
    noun: "role",
};

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        e::ID,
        e::DATE_WORKED,
        e::HOURS_WORKED,
        e::RESOURCE_ID,
        e::ROLE_ID,
        e::TICKET_ID,
        e::TASK_ID,
        e::SUMMARY_NOTES,
    ],
    role_rule: Some(ROLE_RULE),
    timeline: Some(TimelineKind {
        label: "time",
        source: TimelineSource::Query {
            ticket_field: e::TICKET_ID,
        },
        when: &[e::START_DATE_TIME, e::DATE_WORKED, e::CREATE_DATE_TIME],
        who: &[e::RESOURCE_ID],
        show: &[e::ID, e::HOURS_WORKED, e::SUMMARY_NOTES, e::INTERNAL_NOTES],
    }),
    ..EntityFacts::of(e::ENTITY)
};
