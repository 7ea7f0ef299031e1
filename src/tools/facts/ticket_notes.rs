//! Ticket notes: a search's columns and how a note shows on its ticket's timeline.

use super::model::{EntityFacts, TimelineKind, TimelineSource};

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        "id",
        "ticketID",
        "title",
        "noteType",
        "publish",
        "createDateTime",
        "creatorResourceID",
        "description",
    ],
    timeline: Some(TimelineKind {
        label: "note",
        source: TimelineSource::Query {
            ticket_field: "ticketID",
        },
        when: &["createDateTime", "lastActivityDate"],
        who: &["creatorResourceID", "createdByContactID"],
        show: &["id", "title", "description", "noteType", "publish"],
    }),
    ..EntityFacts::of("TicketNotes")
};
