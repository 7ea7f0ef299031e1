//! Tickets: a search's columns, the name (its number), and the primary resource who must work
//! under one of their service-desk roles.

use super::model::{EntityFacts, RoleRule};
use crate::registry::{resource_service_desk_roles, tickets as e};

/// `assignedResourceID` and `assignedResourceRoleID` go together; the role is one of the
/// resource's service-desk roles.
pub const ROLE_RULE: RoleRule = RoleRule {
    resource: e::ASSIGNED_RESOURCE_ID,
    role: e::ASSIGNED_RESOURCE_ROLE_ID,
    roles_from: &[resource_service_desk_roles::ENTITY],
    paired: true,
    noun: "service-desk role",
};

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        e::ID,
        e::TICKET_NUMBER,
        e::TITLE,
        e::STATUS,
        e::PRIORITY,
        e::QUEUE_ID,
        e::COMPANY_ID,
        e::CONTACT_ID,
        e::ASSIGNED_RESOURCE_ID,
        e::CREATE_DATE,
        e::LAST_ACTIVITY_DATE,
        e::DUE_DATE_TIME,
    ],
    name: &[e::TICKET_NUMBER],
    role_rule: Some(ROLE_RULE),
    ..EntityFacts::of(e::ENTITY)
};
