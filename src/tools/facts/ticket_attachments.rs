//! Ticket attachments: how a file shows on its ticket's timeline (metadata only; they are
//! listed under the ticket).

use super::model::{EntityFacts, TimelineKind, TimelineSource};
use crate::registry::ticket_attachments as e;

pub const FACTS: EntityFacts = EntityFacts {
    timeline: Some(TimelineKind {
        label: "attachment",
        source: TimelineSource::ChildList {
            segment: "Attachments",
        },
        when: &[e::ATTACH_DATE],
        who: &[e::ATTACHED_BY_RESOURCE_ID, e::ATTACHED_BY_CONTACT_ID],
        show: &[e::ID, e::TITLE, e::FULL_PATH, e::CONTENT_TYPE, e::FILE_SIZE],
    }),
    ..EntityFacts::of(e::ENTITY)
};
