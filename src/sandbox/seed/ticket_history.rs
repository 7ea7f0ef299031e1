//! The history of every seeded ticket, as the sandbox records it for tickets written through
//! the API (`crate::sandbox::history`): `Created` when the ticket was opened (by its creator),
//! the first assignment of a primary resource, and the status change that brought it to its
//! current status. Made after the tickets without drawing from the random generator, so the
//! rest of the tenant does not change with it.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::Seeder;
use crate::sandbox::history;
use crate::sandbox::store::Record;
use crate::sandbox::wire::parse_datetime;

fn at(record: &Record, field: &str) -> Option<DateTime<Utc>> {
    record
        .get(field)
        .and_then(Value::as_str)
        .and_then(parse_datetime)
}

fn int(record: &Record, field: &str) -> Option<i64> {
    record.get(field).and_then(Value::as_i64)
}

pub(super) fn seed(s: &mut Seeder) {
    let tickets: Vec<Record> = s
        .data
        .table("Tickets")
        .map(|t| t.rows.values().cloned().collect())
        .unwrap_or_default();
    for ticket in tickets {
        let (Some(id), Some(created)) = (int(&ticket, "id"), at(&ticket, "createDate")) else {
            continue;
        };
        let creator = int(&ticket, "creatorResourceID");
        let assignee = int(&ticket, "assignedResourceID");
        let last = at(&ticket, "completedDate")
            .or_else(|| at(&ticket, "lastActivityDate"))
            .unwrap_or(created)
            .max(created);
        let span = last - created;
        history::record(
            &mut s.data,
            id,
            history::CREATED,
            history::CREATED_DETAIL,
            created,
            creator,
        );
        // The ticket as it was opened: New, nobody assigned.
        let mut opened = ticket.clone();
        opened.insert("status".into(), Value::from(1));
        opened.insert("assignedResourceID".into(), Value::Null);
        opened.insert("assignedResourceRoleID".into(), Value::Null);
        let mut assigned = opened.clone();
        for field in ["assignedResourceID", "assignedResourceRoleID"] {
            assigned.insert(
                field.into(),
                ticket.get(field).cloned().unwrap_or(Value::Null),
            );
        }
        let dispatched = created + (span / 4).min(Duration::minutes(30));
        let resolved = if int(&ticket, "status") == Some(5) {
            last
        } else {
            created + span / 2
        };
        for (before, after, when, who) in [
            (&opened, &assigned, dispatched, creator.or(assignee)),
            (
                &assigned,
                &ticket,
                resolved.max(dispatched),
                assignee.or(creator),
            ),
        ] {
            for (action, detail) in history::changes(&s.data, Some(before), after) {
                history::record(&mut s.data, id, action, &detail, when, who);
            }
        }
    }
}
