//! Time entry tools: search, and create (always `POST /TimeEntries`, never under a ticket:
//! the ticket or task goes in the body; with neither it is regular time).

use serde_json::{Map, Value, json};

use super::output::Output;
use super::records::{self, Page, body_of, max_records_param};
use super::roles;
use super::summary::fields_param;
use super::writes::{WriteOp, WritePlan};
use super::{CREATE, Context, Op, READ, ToolDef, ToolError};
use crate::entities::TimeEntry;

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolDef::new("search-time-entries", "Search time entries", READ, "Find time entries.")
            .entity("TimeEntries")
            .filter("ticketID", "ticketID", Op::Eq, "")
            .filter("taskID", "taskID", Op::Eq, "")
            .filter("resourceID", "resourceID", Op::Eq, "")
            .filter("dateWorkedAfter", "dateWorked", Op::From, "")
            .filter("dateWorkedBefore", "dateWorked", Op::Before, "")
            .param(max_records_param())
            .param(fields_param())
            .output(Output::Search)
            .search_handler(|c, a: Page, f| Box::pin(search_time_entries(c, a, f))),
        ToolDef::new(
            "create-time-entry",
            "Log time",
            CREATE,
            "Log time on a ticket or task (neither: regular time): hoursWorked (0-24], or start and end. roleID defaults to the resource's default service-desk role.",
        )
        .entity("TimeEntries")
        .field("ticketID", "")
        .field("taskID", "")
        .field("resourceID", "")
        .field("roleID", "")
        .optional("roleID")
        .field("hoursWorked", "")
        .field("summaryNotes", "Shown to the customer.")
        .field("internalNotes", "")
        .field("dateWorked", "Default today (UTC).")
        .optional("dateWorked")
        .field("startDateTime", "")
        .field("endDateTime", "")
        .output(Output::Written)
        .write_handler(|c, t: TimeEntry| Box::pin(create_time_entry(c, t))),
    ]
}

async fn search_time_entries(
    ctx: &Context,
    a: Page,
    filter: Vec<Value>,
) -> Result<Value, ToolError> {
    records::search(
        ctx,
        "TimeEntries",
        filter,
        a.max_records,
        a.projection("TimeEntries")?,
    )
    .await
}

/// Checks the combination of fields and builds the body; `today` is the default date worked.
pub fn time_body(
    t: &TimeEntry,
    today: &str,
) -> Result<(Map<String, Value>, Vec<String>), ToolError> {
    let given = |v: &Option<Option<i32>>| v.flatten().is_some();
    if given(&t.ticket_id) && given(&t.task_id) {
        return Err(ToolError::Invalid(
            "pass ticketID or taskID, not both. Nothing was sent.".into(),
        ));
    }
    let start = t.start_date_time.clone().flatten();
    let end = t.end_date_time.clone().flatten();
    match t.hours_worked.flatten() {
        Some(h) if !(h > 0.0 && h <= 24.0) => {
            return Err(ToolError::Invalid(format!(
                "hoursWorked is {h}: it must be over 0 and at most 24. Nothing was sent."
            )));
        }
        None if !(start.is_some() && end.is_some()) => {
            return Err(ToolError::Invalid(
                "pass hoursWorked, or startDateTime and endDateTime. Nothing was sent.".into(),
            ));
        }
        _ => {}
    }
    if let (Some(start), Some(end)) = (&start, &end)
        && end <= start
    {
        return Err(ToolError::Invalid(
            "endDateTime must be after startDateTime. Nothing was sent.".into(),
        ));
    }
    let mut body = body_of(t)?;
    let mut notes = Vec::new();
    if !body.contains_key("dateWorked") {
        let date = start
            .map(|s| format!("{}T00:00:00Z", s.get(..10).unwrap_or(&s)))
            .unwrap_or_else(|| today.to_string());
        notes.push(format!("dateWorked defaulted to {date}"));
        body.insert("dateWorked".into(), json!(date));
    }
    Ok((body, notes))
}

async fn create_time_entry(ctx: &Context, mut t: TimeEntry) -> Result<WritePlan, ToolError> {
    let today = chrono::Utc::now().format("%Y-%m-%dT00:00:00Z").to_string();
    let mut role_note = None;
    if let (Some(Some(resource)), None | Some(None)) = (t.resource_id, t.role_id) {
        let role = roles::default_desk_role(ctx, i64::from(resource)).await?;
        t.role_id = Some(Some(role.id));
        role_note = Some(format!("roleID {}", role.note));
    }
    let (body, mut notes) = time_body(&t, &today)?;
    notes.extend(role_note);
    Ok(
        WritePlan::new(WriteOp::Create, "TimeEntries", "TimeEntries")
            .body(body)
            .notes(notes)
            .read_with("get-entity TimeEntries"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(v: Value) -> TimeEntry {
        serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn hours_and_targets_are_checked_before_sending() {
        for (v, expect) in [
            (
                json!({"ticketID": 1, "taskID": 2, "hoursWorked": 1}),
                "not both",
            ),
            (json!({"ticketID": 1, "hoursWorked": 25}), "at most 24"),
            (json!({"ticketID": 1, "hoursWorked": 0}), "over 0"),
            (json!({"ticketID": 1}), "pass hoursWorked"),
            (
                json!({"startDateTime": "2026-01-01T10:00:00Z", "endDateTime": "2026-01-01T09:00:00Z"}),
                "after startDateTime",
            ),
        ] {
            match time_body(&entry(v.clone()), "2026-01-01T00:00:00Z") {
                Err(e) => assert!(e.to_string().contains(expect), "{v}: {e}"),
                Ok(body) => panic!("{v} was accepted: {body:?}"),
            }
        }
        let (body, notes) = time_body(
            &entry(json!({"ticketID": 3, "hoursWorked": 1.25, "resourceID": 4})),
            "2026-01-01T00:00:00Z",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            Value::Object(body),
            json!({"ticketID": 3, "resourceID": 4, "hoursWorked": 1.25, "dateWorked": "2026-01-01T00:00:00Z"})
        );
        assert_eq!(notes.len(), 1);
    }
}
