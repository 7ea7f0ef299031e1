//! Ticket status history in the sandbox: a create or an update that sets a ticket's status
//! adds a `TicketHistory` row (who, when, from and to), as Autotask's ticket history records
//! it, so `get-ticket-timeline` sees status changes made through the API.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::picklists::tenant;
use super::store::{Data, Record};
use super::wire::format_datetime;

fn status_label(code: Option<i64>) -> String {
    let Some(code) = code else {
        return "none".into();
    };
    tenant()
        .picklist("Tickets", "status")
        .and_then(|list| list.iter().find(|v| v.value == code.to_string()))
        .map_or_else(|| code.to_string(), |v| v.label.clone())
}

/// Records the status change of ticket `id` from `before` (none on a create) to `after`.
pub fn ticket_written(
    data: &mut Data,
    id: i64,
    before: Option<&Record>,
    after: &Record,
    now: DateTime<Utc>,
    who: i64,
) {
    let status = |r: &Record| r.get("status").and_then(Value::as_i64);
    let (old, new) = (before.and_then(status), status(after));
    if old == new || new.is_none() {
        return;
    }
    let detail = match before {
        None => format!("Status set to {}", status_label(new)),
        Some(_) => format!(
            "Status changed from {} to {}",
            status_label(old),
            status_label(new)
        ),
    };
    let history_id = data.next_id("TicketHistory", super::seed::id_base("TicketHistory"));
    let mut row = Record::new();
    for (k, v) in [
        ("id", json!(history_id)),
        ("ticketID", json!(id)),
        ("action", json!("Edited")),
        ("detail", json!(detail)),
        ("date", json!(format_datetime(now))),
        ("resourceID", json!(who)),
    ] {
        row.insert(k.into(), v);
    }
    data.put("TicketHistory", row);
}
