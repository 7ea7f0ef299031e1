//! Ticket history: how a change shows on the ticket's timeline.

use super::model::{EntityFacts, TimelineKind, TimelineSource};
use crate::registry::ticket_history as e;

pub const FACTS: EntityFacts = EntityFacts {
    timeline: Some(TimelineKind {
        label: "history",
        source: TimelineSource::Query {
            ticket_field: e::TICKET_ID,
        },
        when: &[e::DATE],
        who: &[e::RESOURCE_ID],
        show: &[e::ACTION, e::DETAIL],
    }),
    ..EntityFacts::of(e::ENTITY)
};
