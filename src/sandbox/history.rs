//! Ticket history in the sandbox, as Autotask keeps it (`TicketHistory`: `ticketID`, `action`,
//! `detail`, `date`, `resourceID` = who made the change):
//! * a create adds one row, action `Created` ("Ticket Created"): Autotask's history does not
//!   report the initial values of a new ticket's fields;
//! * an update adds one row, action `Edited`, per tracked field it changes: the status, the
//!   queue and the primary resource (resource + role, one row for the pair), with the values
//!   before and after as the UI shows them (labels, names), e.g.
//!   `Primary Resource changed from none to Alex Kim (Service Desk L1)`.
//!
//! Sources: Autotask's "Viewing the ticket history" help page (actions `Created` = Ticket
//! Created, `Edited` = Ticket Edited; the history "tracks changes to most ticket fields") and
//! "Entity History" (history pages "do not report on the setting of the initial values of
//! those fields when the entity is first created"); the REST model's fields. The exact `detail`
//! wording of a live tenant is unverified.
//!
//! Querying: the SOAP-era TicketHistory page says the query "requires users to supply and only
//! accepts a single 'TicketID Equals' filter" and that id, action, detail, date and resourceID
//! cannot be queried; `check_query` enforces it.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::picklists::tenant;
use super::query::{Cond, QuerySpec, Target};
use super::store::{Data, Record, blank};
use super::wire::{ApiError, format_datetime};
use crate::filter::Op;

/// The action of the row a create adds.
pub const CREATED: &str = "Created";
/// The action of the rows an update adds.
pub const EDITED: &str = "Edited";
/// The detail of the row a create adds.
pub const CREATED_DETAIL: &str = "Ticket Created";
/// Longest `detail` (the field's length).
const DETAIL_MAX: usize = 255;

fn picklist_label(field: &str, code: Option<i64>) -> String {
    let Some(code) = code else {
        return "none".into();
    };
    tenant()
        .picklist("Tickets", field)
        .and_then(|list| list.iter().find(|v| v.value == code.to_string()))
        .map_or_else(|| code.to_string(), |v| v.label.clone())
}

/// `First Last (Role)` of a resource and role, as the UI shows the primary resource.
fn assignee(data: &Data, resource: Option<i64>, role: Option<i64>) -> String {
    let Some(resource) = resource else {
        return "none".into();
    };
    let text = |entity: &str, id: i64, fields: &[&str]| -> Option<String> {
        let record = data.get(entity, id)?;
        let parts: Vec<&str> = fields
            .iter()
            .filter_map(|f| record.get(*f).and_then(Value::as_str))
            .filter(|s| !s.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    };
    let name = text("Resources", resource, &["firstName", "lastName"])
        .unwrap_or_else(|| resource.to_string());
    match role.map(|r| text("Roles", r, &["name"]).unwrap_or_else(|| r.to_string())) {
        Some(role) => format!("{name} ({role})"),
        None => name,
    }
}

fn int(record: Option<&Record>, field: &str) -> Option<i64> {
    record.and_then(|r| r.get(field)).and_then(Value::as_i64)
}

/// The `(action, detail)` rows a write of ticket `before` → `after` adds, in order.
pub fn changes(
    data: &Data,
    before: Option<&Record>,
    after: &Record,
) -> Vec<(&'static str, String)> {
    let Some(before) = before else {
        return vec![(CREATED, CREATED_DETAIL.to_string())];
    };
    let mut rows = Vec::new();
    for (field, label) in [("status", "Status"), ("queueID", "Queue")] {
        let (old, new) = (int(Some(before), field), int(Some(after), field));
        if old != new {
            rows.push((
                EDITED,
                format!(
                    "{label} changed from {} to {}",
                    picklist_label(field, old),
                    picklist_label(field, new)
                ),
            ));
        }
    }
    let pair = |r: &Record| {
        (
            int(Some(r), "assignedResourceID"),
            int(Some(r), "assignedResourceRoleID"),
        )
    };
    let (old, new) = (pair(before), pair(after));
    if old != new {
        rows.push((
            EDITED,
            format!(
                "Primary Resource changed from {} to {}",
                assignee(data, old.0, old.1),
                assignee(data, new.0, new.1)
            ),
        ));
    }
    rows
}

/// Adds one history row of ticket `ticket`.
pub fn record(
    data: &mut Data,
    ticket: i64,
    action: &str,
    detail: &str,
    at: DateTime<Utc>,
    who: Option<i64>,
) -> i64 {
    let id = data.next_id("TicketHistory", super::ids::id_base("TicketHistory"));
    let detail: String = detail.chars().take(DETAIL_MAX).collect();
    let mut row = crate::registry::find("TicketHistory")
        .map(blank)
        .unwrap_or_default();
    for (k, v) in [
        ("id", json!(id)),
        ("ticketID", json!(ticket)),
        ("action", json!(action)),
        ("detail", json!(detail)),
        ("date", json!(format_datetime(at))),
        ("resourceID", json!(who)),
    ] {
        row.insert(k.into(), v);
    }
    data.put("TicketHistory", row);
    id
}

/// Records the history of a write of ticket `id`: `before` is `None` on a create; `who` is the
/// acting resource (the impersonated one, else the API user).
pub fn ticket_written(
    data: &mut Data,
    id: i64,
    before: Option<&Record>,
    after: &Record,
    now: DateTime<Utc>,
    who: i64,
) {
    for (action, detail) in changes(data, before, after) {
        record(data, id, action, &detail, now, Some(who));
    }
}

/// A TicketHistory query must be exactly one `ticketID eq <id>` filter.
pub fn check_query(spec: &QuerySpec) -> Result<(), ApiError> {
    let single = |cond: &Cond| {
        matches!(cond, Cond::Compare {
            target: Target::Field { name, .. },
            op: Op::Eq,
            ..
        } if name.eq_ignore_ascii_case("ticketID"))
    };
    let ok = match &spec.filter {
        Cond::And(items) => items.len() == 1 && single(&items[0]),
        other => single(other),
    };
    if ok {
        return Ok(());
    }
    Err(ApiError::server(
        "The TicketHistory entity can only be queried by one ticket: send exactly one filter, {\"op\":\"eq\",\"field\":\"ticketID\",\"value\":<ticket id>}.",
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::sandbox::query::parse_query;
    use crate::sandbox::seed;

    #[test]
    fn a_create_is_one_created_row_and_an_update_one_row_per_tracked_change() {
        let data = seed::generate(42).data;
        let mut before = data.get("Tickets", 10001).unwrap().clone();
        assert_eq!(
            changes(&data, None, &before),
            vec![(CREATED, CREATED_DETAIL.to_string())]
        );
        before.insert("status".into(), json!(1));
        before.insert("queueID".into(), json!(29683482));
        before.insert("assignedResourceID".into(), Value::Null);
        before.insert("assignedResourceRoleID".into(), Value::Null);
        let mut after = before.clone();
        after.insert("title".into(), json!("not tracked"));
        assert!(changes(&data, Some(&before), &after).is_empty());
        after.insert("status".into(), json!(8));
        after.insert("queueID".into(), json!(29682833));
        after.insert("assignedResourceID".into(), json!(29682889));
        after.insert("assignedResourceRoleID".into(), json!(29683400));
        let rows = changes(&data, Some(&before), &after);
        let who = data.get("Resources", 29682889).unwrap();
        let name = format!(
            "{} {}",
            who["firstName"].as_str().unwrap(),
            who["lastName"].as_str().unwrap()
        );
        let role = data.get("Roles", 29683400).unwrap()["name"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            rows,
            vec![
                (EDITED, "Status changed from New to In Progress".to_string()),
                (
                    EDITED,
                    "Queue changed from Triage to Level I Support".to_string()
                ),
                (
                    EDITED,
                    format!("Primary Resource changed from none to {name} ({role})")
                ),
            ]
        );
        // A new role for the same resource is a change of the primary resource too.
        let mut role_only = after.clone();
        role_only.insert("assignedResourceRoleID".into(), json!(29683401));
        assert_eq!(changes(&data, Some(&after), &role_only).len(), 1);
    }

    #[test]
    fn history_is_queried_by_one_ticket_only() {
        let e = crate::registry::find("TicketHistory").unwrap();
        let check = |body: Value| check_query(&parse_query(e, &body)?);
        assert!(
            check(json!({"filter": [{"op": "eq", "field": "ticketID", "value": 10001}]})).is_ok()
        );
        assert!(
            check(json!({"filter": {"op": "eq", "field": "TICKETID", "value": 10001}})).is_ok()
        );
        for bad in [
            json!({}),
            json!({"filter": [{"op": "gt", "field": "ticketID", "value": 10001}]}),
            json!({"filter": [{"op": "in", "field": "ticketID", "value": [10001, 10002]}]}),
            json!({"filter": [{"op": "eq", "field": "ticketID", "value": 10001},
                              {"op": "eq", "field": "ticketID", "value": 10001}]}),
        ] {
            assert!(check(bad.clone()).is_err(), "{bad}");
        }
    }
}
