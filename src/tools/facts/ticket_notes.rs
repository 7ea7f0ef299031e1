//! Ticket notes: a search's columns and how a note shows on its ticket's timeline.

use super::model::{EntityFacts, TimelineKind, TimelineSource};
use crate::registry::ticket_notes as e;

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        e::ID,
        e::TICKET_ID,
        e::TITLE,
        e::NOTE_TYPE,
        e::PUBLISH,
        e::CREATE_DATE_TIME,
        e::CREATOR_RESOURCE_ID,
        e::DESCRIPTION,
    ],
    timeline: Some(TimelineKind {
        label: "note",
        source: TimelineSource::Query {
            ticket_field: e::TICKET_ID,
        },
        when: &[e::CREATE_DATE_TIME, e::LAST_ACTIVITY_DATE],
        who: &[e::CREATOR_RESOURCE_ID, e::CREATED_BY_CONTACT_ID],
        show: &[e::ID, e::TITLE, e::DESCRIPTION, e::NOTE_TYPE, e::PUBLISH],
    }),
    ..EntityFacts::of(e::ENTITY)
};
