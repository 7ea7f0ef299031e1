//! Ticket attachments: how a file shows on its ticket's timeline (metadata only; they are
//! listed under the ticket).

use super::model::{EntityFacts, TimelineKind, TimelineSource};

pub const FACTS: EntityFacts = EntityFacts {
    timeline: Some(TimelineKind {
        label: "attachment",
        source: TimelineSource::ChildList {
            segment: "Attachments",
        },
        when: &["attachDate"],
        who: &["attachedByResourceID", "attachedByContactID"],
        show: &["id", "title", "fullPath", "contentType", "fileSize"],
    }),
    ..EntityFacts::of("TicketAttachments")
};
