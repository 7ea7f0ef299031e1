//! Ticket history: how a change shows on the ticket's timeline.

use super::model::{EntityFacts, TimelineKind, TimelineSource};

pub const FACTS: EntityFacts = EntityFacts {
    timeline: Some(TimelineKind {
        label: "history",
        source: TimelineSource::Query {
            ticket_field: "ticketID",
        },
        when: &["date"],
        who: &["resourceID"],
        show: &["action", "detail"],
    }),
    ..EntityFacts::of("TicketHistory")
};
