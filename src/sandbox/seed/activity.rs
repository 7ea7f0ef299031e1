//! Attachments (real bytes: a small PNG and a text file) on the first tickets of the demo
//! tenant. Made after the tickets without drawing from the random
//! generator, so the rest of the tenant does not change with them.

use chrono::Duration;
use serde_json::{Value, json};

use super::seeder::{API_USER_RESOURCE_ID, Seeder, dt, id_base};
use crate::sandbox::attachments::{content_type_of, demo_files};
use crate::sandbox::wire::parse_datetime;

/// The tickets that carry the demo attachments: the first three.
pub const TICKETS_WITH_ATTACHMENTS: [i64; 3] = [10001, 10002, 10003];

pub(super) fn seed(s: &mut Seeder) {
    let mut attachment_id = id_base("TicketAttachments");
    for (n, ticket) in TICKETS_WITH_ATTACHMENTS.into_iter().enumerate() {
        let Some(record) = s.data.get("Tickets", ticket).cloned() else {
            continue;
        };
        let created = record
            .get("createDate")
            .and_then(Value::as_str)
            .and_then(parse_datetime)
            .unwrap_or(s.now);
        let by = record
            .get("assignedResourceID")
            .and_then(Value::as_i64)
            .unwrap_or(API_USER_RESOURCE_ID);
        // The first ticket gets both files, the others the text file.
        let files = demo_files();
        let wanted: &[usize] = if n == 0 { &[0, 1] } else { &[1] };
        for (k, i) in wanted.iter().enumerate() {
            let Some((path, title, data)) = files.get(*i) else {
                continue;
            };
            let size = data.len() / 4 * 3;
            s.put(
                "TicketAttachments",
                attachment_id,
                json!({
                    "ticketID": ticket,
                    "parentID": ticket,
                    "title": title,
                    "fullPath": path,
                    "contentType": content_type_of(path),
                    "attachmentType": "FILE_ATTACHMENT",
                    "publish": 1,
                    "fileSize": size as f64,
                    "data": data,
                    "attachDate": dt(created + Duration::minutes(5 + k as i64)),
                    "attachedByResourceID": by,
                }),
            );
            attachment_id += 1;
        }
    }
}
