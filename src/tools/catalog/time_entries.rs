//! Time entry tools: search, and create (always `POST /TimeEntries`, never under a ticket:
//! the ticket or task goes in the body; with neither it is regular time).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::args::Page;
use crate::registry::time_entries as te;
use crate::tools::call::context::Context;
use crate::tools::call::def::{Handles, ToolDef};
use crate::tools::facts::TIME_ENTRY_ROLE_RULE;
use crate::tools::present::records;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::hints::{CREATE, READ};
use crate::tools::spec::input::arg;
use crate::tools::spec::output::Output;
use crate::tools::spec::tool::ToolSpec;
use crate::tools::tenant::roles;
use crate::tools::write::plan::{WriteOp, WritePlan, body_of};

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolSpec::new("search-time-entries", "Search time entries", READ, "Find time entries.")
            .entity(te::ENTITY)
            .output(Output::Search)
            .search_handler(|c, a: SearchTimeEntries, f| Box::pin(search_time_entries(c, a, f))),
        ToolSpec::new(
            "create-time-entry",
            "Log time",
            CREATE,
            "Log time on a ticket or task (neither: regular time): hoursWorked (0-24], or start and end. roleID defaults to the resource's default service-desk role.",
        )
        .entity(te::ENTITY)
        .output(Output::Written)
        .write_handler(|c, a: CreateTimeEntry| Box::pin(create_time_entry(c, a))),
    ]
}

/// `search-time-entries`: named filters and the page.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchTimeEntries {
    #[serde(rename = "ticketID")]
    #[schemars(extend("x-arg" = arg::eq(te::TICKET_ID)))]
    pub ticket_id: Option<i64>,
    #[serde(rename = "taskID")]
    #[schemars(extend("x-arg" = arg::eq(te::TASK_ID)))]
    pub task_id: Option<i64>,
    #[serde(rename = "resourceID")]
    #[schemars(extend("x-arg" = arg::eq(te::RESOURCE_ID)))]
    pub resource_id: Option<i64>,
    #[schemars(extend("x-arg" = arg::from(te::DATE_WORKED)))]
    pub date_worked_after: Option<String>,
    #[schemars(extend("x-arg" = arg::before(te::DATE_WORKED)))]
    pub date_worked_before: Option<String>,
    #[serde(flatten)]
    pub page: Page,
}

/// `create-time-entry`: on a ticket or task (or neither: regular time), by a resource, under
/// a role (its default service-desk role unless given), `hoursWorked` or start and end.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateTimeEntry {
    #[serde(rename = "ticketID")]
    #[schemars(extend("x-arg" = arg::field(te::TICKET_ID)))]
    pub ticket_id: Option<i64>,
    #[serde(rename = "taskID")]
    #[schemars(extend("x-arg" = arg::field(te::TASK_ID)))]
    pub task_id: Option<i64>,
    #[serde(rename = "resourceID")]
    #[schemars(extend("x-arg" = arg::field(te::RESOURCE_ID)))]
    pub resource_id: i64,
    #[serde(rename = "roleID")]
    #[schemars(extend("x-arg" = arg::filled(te::ROLE_ID)))]
    pub role_id: Option<i64>,
    #[schemars(extend("x-arg" = arg::field(te::HOURS_WORKED)))]
    pub hours_worked: Option<f64>,
    /// Shown to the customer.
    #[schemars(extend("x-arg" = arg::field(te::SUMMARY_NOTES)))]
    pub summary_notes: Option<String>,
    #[schemars(extend("x-arg" = arg::field(te::INTERNAL_NOTES)))]
    pub internal_notes: Option<String>,
    /// Default today (UTC).
    #[schemars(extend("x-arg" = arg::filled(te::DATE_WORKED)))]
    pub date_worked: Option<String>,
    #[schemars(extend("x-arg" = arg::field(te::START_DATE_TIME)))]
    pub start_date_time: Option<String>,
    #[schemars(extend("x-arg" = arg::field(te::END_DATE_TIME)))]
    pub end_date_time: Option<String>,
}

async fn search_time_entries(
    ctx: &Context,
    a: SearchTimeEntries,
    filter: Vec<Value>,
) -> Result<Value, ToolError> {
    records::search(
        &ctx.tenant,
        &ctx.limits,
        te::ENTITY.def(),
        filter,
        a.page.max_records,
        a.page.projection(te::ENTITY)?,
    )
    .await
}

/// Checks the combination of fields and builds the body; `today` is the default date worked.
pub fn time_body(
    t: &CreateTimeEntry,
    today: &str,
) -> Result<(Map<String, Value>, Vec<String>), ToolError> {
    if t.ticket_id.is_some() && t.task_id.is_some() {
        return Err(ToolError::Invalid(
            "pass ticketID or taskID, not both.".into(),
        ));
    }
    let start = t.start_date_time.clone();
    let end = t.end_date_time.clone();
    match t.hours_worked {
        Some(h) if !(h > 0.0 && h <= 24.0) => {
            return Err(ToolError::Invalid(format!(
                "hoursWorked is {h}: it must be over 0 and at most 24."
            )));
        }
        None if !(start.is_some() && end.is_some()) => {
            return Err(ToolError::Invalid(
                "pass hoursWorked, or startDateTime and endDateTime.".into(),
            ));
        }
        _ => {}
    }
    if let (Some(start), Some(end)) = (&start, &end)
        && end <= start
    {
        return Err(ToolError::Invalid(
            "endDateTime must be after startDateTime.".into(),
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

async fn create_time_entry(ctx: &Context, t: CreateTimeEntry) -> Result<WritePlan, ToolError> {
    let today = chrono::Utc::now().format("%Y-%m-%dT00:00:00Z").to_string();
    let (mut body, mut notes) = time_body(&t, &today)?;
    notes.extend(roles::fill_default_role(&ctx.tenant, &TIME_ENTRY_ROLE_RULE, &mut body).await?);
    Ok(
        WritePlan::new(WriteOp::Create, te::ENTITY.name(), "TimeEntries")
            .body(body)
            .notes(notes)
            .read_with("get-entity TimeEntries"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(v: Value) -> CreateTimeEntry {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn hours_and_targets_are_checked_before_sending() {
        for (v, expect) in [
            (
                json!({"ticketID": 1, "taskID": 2, "hoursWorked": 1, "resourceID": 4}),
                "not both",
            ),
            (
                json!({"ticketID": 1, "hoursWorked": 25, "resourceID": 4}),
                "at most 24",
            ),
            (
                json!({"ticketID": 1, "hoursWorked": 0, "resourceID": 4}),
                "over 0",
            ),
            (json!({"ticketID": 1, "resourceID": 4}), "pass hoursWorked"),
            (
                json!({"startDateTime": "2026-01-01T10:00:00Z", "endDateTime": "2026-01-01T09:00:00Z", "resourceID": 4}),
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
        .unwrap();
        assert_eq!(
            Value::Object(body),
            json!({"ticketID": 3, "resourceID": 4, "hoursWorked": 1.25, "dateWorked": "2026-01-01T00:00:00Z"})
        );
        assert_eq!(notes.len(), 1);
    }
}
