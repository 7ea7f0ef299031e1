//! Time entry tools: search, and create (always `POST /TimeEntries`, never under a ticket:
//! the ticket or task goes in the body; with neither it is regular time).

use serde_json::{Map, Value, json};

use super::{Args, CREATE, Kind, ParamSpec, READ, ToolError, ToolSpec, filters, written};
use crate::server::ServerState;

pub fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "search-time-entries",
            "Search time entries",
            READ,
            "Find time entries by ticket, task, resource or date worked, combined with AND; with none, entries in id order. The result carries count, hasMore and the filter applied.",
            |s, a| Box::pin(search_time_entries(s, a)),
        )
        .params(vec![
            ParamSpec::new("ticketID", Kind::Code, "Only time logged on this ticket id."),
            ParamSpec::new("taskID", Kind::Code, "Only time logged on this project task id."),
            ParamSpec::new("resourceID", Kind::Code, "Only time logged by this resource id."),
            ParamSpec::new("dateWorkedAfter", Kind::DateTime, "Only entries worked at or after this UTC date/date-time."),
            ParamSpec::new("dateWorkedBefore", Kind::DateTime, "Only entries worked before this UTC date/date-time."),
            super::max_records_param(),
        ]),
        ToolSpec::new(
            "create-time-entry",
            "Log time",
            CREATE,
            "Log time on a ticket or a project task (at most one of ticketID and taskID; with neither it is regular time), sent to TimeEntries. Give hoursWorked (over 0, at most 24), or startDateTime and endDateTime. Autotask needs resourceID and a roleID the resource holds; dateWorked defaults to today (UTC). Requires confirm: \"CREATE_TIME_ENTRY\".",
            |s, a| Box::pin(create_time_entry(s, a)),
        )
        .params(vec![
            ParamSpec::new("ticketID", Kind::Code, "Ticket id to log the time on (or taskID)."),
            ParamSpec::new("taskID", Kind::Code, "Project task id to log the time on (or ticketID)."),
            ParamSpec::new("resourceID", Kind::Code, "Resource id of the person who did the work."),
            ParamSpec::new("roleID", Kind::Code, "Role id the work is billed under (one of the resource's roles)."),
            ParamSpec::new("hoursWorked", Kind::Number, "Hours worked, e.g. 1.5 (over 0, at most 24)."),
            ParamSpec::new("summaryNotes", Kind::Text(8000), "What was done (shown to the customer on invoices)."),
            ParamSpec::new("internalNotes", Kind::Text(8000), "Internal notes."),
            ParamSpec::new("dateWorked", Kind::DateTime, "Date of the work, UTC (default today)."),
            ParamSpec::new("startDateTime", Kind::DateTime, "Start of the work, UTC date-time."),
            ParamSpec::new("endDateTime", Kind::DateTime, "End of the work, UTC date-time."),
        ]),
    ]
}

/// The filter `search-time-entries` sends.
pub fn time_filter(args: &Args) -> Vec<Value> {
    let mut clauses = Vec::new();
    for field in ["ticketID", "taskID", "resourceID"] {
        if let Some(v) = args.int(field) {
            clauses.push(filters::eq(field, v));
        }
    }
    if let Some(d) = args.text("dateWorkedAfter") {
        clauses.push(filters::gte("dateWorked", d));
    }
    if let Some(d) = args.text("dateWorkedBefore") {
        clauses.push(filters::lt("dateWorked", d));
    }
    filters::or_match_all(clauses)
}

async fn search_time_entries(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let max = args.int("maxRecords").unwrap_or(super::DEFAULT_MAX_RECORDS);
    super::search(state, "TimeEntries", time_filter(&args), max, None).await
}

/// Checks the combination of arguments and builds the body.
pub fn time_body(args: &Args, today: &str) -> Result<(Map<String, Value>, Vec<String>), ToolError> {
    if args.has("ticketID") && args.has("taskID") {
        return Err(ToolError::Invalid(
            "pass ticketID or taskID, not both. Nothing was sent.".into(),
        ));
    }
    match args.number("hoursWorked") {
        Some(h) if !(h > 0.0 && h <= 24.0) => {
            return Err(ToolError::Invalid(format!(
                "hoursWorked is {h}: it must be over 0 and at most 24. Nothing was sent."
            )));
        }
        None if !(args.has("startDateTime") && args.has("endDateTime")) => {
            return Err(ToolError::Invalid(
                "pass hoursWorked, or startDateTime and endDateTime. Nothing was sent.".into(),
            ));
        }
        _ => {}
    }
    if let (Some(start), Some(end)) = (args.text("startDateTime"), args.text("endDateTime"))
        && end <= start
    {
        return Err(ToolError::Invalid(
            "endDateTime must be after startDateTime. Nothing was sent.".into(),
        ));
    }
    let mut body = Map::new();
    super::copy_args(
        args,
        &mut body,
        &[
            "ticketID",
            "taskID",
            "resourceID",
            "roleID",
            "hoursWorked",
            "summaryNotes",
            "internalNotes",
            "dateWorked",
            "startDateTime",
            "endDateTime",
        ],
    );
    let mut notes = Vec::new();
    if !body.contains_key("dateWorked") {
        let date = args
            .text("startDateTime")
            .map(|s| format!("{}T00:00:00Z", &s[..10.min(s.len())]))
            .unwrap_or_else(|| today.to_string());
        notes.push(format!("dateWorked defaulted to {date}"));
        body.insert("dateWorked".into(), json!(date));
    }
    Ok((body, notes))
}

async fn create_time_entry(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let today = chrono::Utc::now().format("%Y-%m-%dT00:00:00Z").to_string();
    let (body, notes) = time_body(&args, &today)?;
    let id = state
        .client
        .create("TimeEntries", &Value::Object(body))
        .await?;
    Ok(written(
        "created",
        "TimeEntries",
        "TimeEntries",
        id,
        &format!("get-entity TimeEntries {id} reads it back"),
        notes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(mut v: Value) -> Args {
        v["confirm"] = json!("CREATE_TIME_ENTRY");
        let params = tools()
            .into_iter()
            .find(|t| t.name == "create-time-entry")
            .map(|t| t.params)
            .unwrap_or_default();
        super::super::args::validate("create-time-entry", &params, v.as_object())
            .unwrap_or_default()
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
        ] {
            let err = time_body(&args(v.clone()), "2026-01-01T00:00:00Z")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(expect), "{v}: {err}");
        }
        let (body, notes) = time_body(
            &args(json!({"ticketID": "3", "hoursWorked": "1.25", "resourceID": 4})),
            "2026-01-01T00:00:00Z",
        )
        .unwrap_or_default();
        assert_eq!(
            Value::Object(body),
            json!({"ticketID": 3, "resourceID": 4, "hoursWorked": 1.25, "dateWorked": "2026-01-01T00:00:00Z"})
        );
        assert_eq!(notes.len(), 1);
    }
}
