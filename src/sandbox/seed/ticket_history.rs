//! The history of every seeded ticket, as the sandbox records it for tickets written through
//! the API (`crate::sandbox::history`): `Created` when the ticket was opened (by its creator),
//! the first assignment of a primary resource, and the status change that brought it to its
//! current status. Made after the tickets without drawing from the random generator, so the
//! rest of the tenant does not change with it.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::seeder::Seeder;
use crate::sandbox::history;
use crate::sandbox::store::Record;
use crate::sandbox::wire::parse_datetime;

/// What the history of one ticket is made from.
struct Opened {
    id: i64,
    created: DateTime<Utc>,
    last: DateTime<Utc>,
    creator: Option<i64>,
    assignee: Option<i64>,
    complete: bool,
    /// The tracked fields: as opened (New, nobody assigned), once assigned, and now.
    states: [Record; 3],
}

fn at(record: &Record, field: &str) -> Option<DateTime<Utc>> {
    record
        .get(field)
        .and_then(Value::as_str)
        .and_then(parse_datetime)
}

fn int(record: &Record, field: &str) -> Option<i64> {
    record.get(field).and_then(Value::as_i64)
}

fn opened(ticket: &Record) -> Option<Opened> {
    let created = at(ticket, "createDate")?;
    let field = |name: &str| ticket.get(name).cloned().unwrap_or(Value::Null);
    let state = |status: Value, assigned: bool| -> Record {
        let mut r = Record::new();
        r.insert("status".into(), status);
        r.insert("queueID".into(), field("queueID"));
        for name in ["assignedResourceID", "assignedResourceRoleID"] {
            r.insert(
                name.into(),
                if assigned { field(name) } else { Value::Null },
            );
        }
        r
    };
    Some(Opened {
        id: int(ticket, "id")?,
        created,
        last: at(ticket, "completedDate")
            .or_else(|| at(ticket, "lastActivityDate"))
            .unwrap_or(created)
            .max(created),
        creator: int(ticket, "creatorResourceID"),
        assignee: int(ticket, "assignedResourceID"),
        complete: int(ticket, "status") == Some(5),
        states: [
            state(Value::from(1), false),
            state(Value::from(1), true),
            state(field("status"), true),
        ],
    })
}

pub(super) fn seed(s: &mut Seeder) {
    let tickets: Vec<Opened> = s
        .data
        .table("Tickets")
        .map(|t| t.rows.values().filter_map(opened).collect())
        .unwrap_or_default();
    for t in tickets {
        history::record(
            &mut s.data,
            t.id,
            history::CREATED,
            history::CREATED_DETAIL,
            t.created,
            t.creator,
        );
        let span = t.last - t.created;
        let dispatched = t.created + (span / 4).min(Duration::minutes(30));
        let resolved = if t.complete {
            t.last
        } else {
            t.created + span / 2
        };
        let [new, assigned, current] = &t.states;
        for (before, after, when, who) in [
            (new, assigned, dispatched, t.creator.or(t.assignee)),
            (
                assigned,
                current,
                resolved.max(dispatched),
                t.assignee.or(t.creator),
            ),
        ] {
            for (action, detail) in history::changes(&s.data, Some(before), after) {
                history::record(&mut s.data, t.id, action, &detail, when, who);
            }
        }
    }
}
