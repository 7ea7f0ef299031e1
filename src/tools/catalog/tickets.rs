//! Ticket tools: search with named filters (one server-side filter, never `ne`), get, create,
//! update, and notes (posted to `Tickets/{id}/Notes`). Picklist arguments take codes or the
//! tenant's labels; defaults for status, priority, note type and publish come from the
//! tenant's picklist defaults, never from hard-coded ids.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::args::{ById, Page};
use crate::registry::{ticket_notes as n, tickets as t};
use crate::tools::call::context::Context;
use crate::tools::call::def::{Handles, ToolDef};
use crate::tools::facts::TICKET_ROLE_RULE;
use crate::tools::present::records;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::hints::{CREATE, READ, UPDATE};
use crate::tools::spec::input::arg;
use crate::tools::spec::output::Output;
use crate::tools::spec::query;
use crate::tools::spec::tool::ToolSpec;
use crate::tools::tenant::roles;
use crate::tools::write::defaults::tenant_defaults;
use crate::tools::write::plan::{WriteOp, WritePlan, body_of, changes};

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolSpec::new(
            "search-tickets",
            "Search tickets",
            READ,
            "Find tickets. openOnly leaves out closed ones; ticketNumber finds closed ones too.",
        )
        .entity(t::ENTITY)
        .output(Output::Search)
        .search_handler(|c, a: SearchTickets, f| Box::pin(search_tickets(c, a, f))),
        ToolSpec::new(
            "get-ticket",
            "Get ticket",
            READ,
            "A ticket by id (by number: search-tickets ticketNumber).",
        )
        .entity(t::ENTITY)
        .output(Output::Record)
        .handler(|c, a: ById| Box::pin(get_ticket(c, a))),
        ToolSpec::new(
            "create-ticket",
            "Create ticket",
            CREATE,
            "Create a ticket; status and priority default to the tenant's.",
        )
        .entity(t::ENTITY)
        .output(Output::Written)
        .write_handler(|c, a: CreateTicket| Box::pin(create_ticket(c, a))),
        ToolSpec::new(
            "update-ticket",
            "Update ticket",
            UPDATE,
            "Change a ticket's fields.",
        )
        .entity(t::ENTITY)
        .output(Output::Written)
        .write_handler(|c, a: UpdateTicket| Box::pin(update_ticket(c, a))),
        ToolSpec::new(
            "create-ticket-note",
            "Add ticket note",
            CREATE,
            "Add a note to a ticket; noteType and publish (who sees it) default to the tenant's.",
        )
        .entity(n::ENTITY)
        .output(Output::Written)
        .write_handler(|c, a: CreateTicketNote| Box::pin(create_ticket_note(c, a))),
    ]
}

/// `search-tickets`: named filters (each one clause of the server-side filter), the
/// filters of its own (`unassigned`, `openOnly` with `closedStatusIds`), UDFs and the page.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchTickets {
    #[schemars(extend("x-arg" = arg::eq(t::TICKET_NUMBER)))]
    pub ticket_number: Option<String>,
    #[serde(rename = "companyID")]
    #[schemars(extend("x-arg" = arg::eq(t::COMPANY_ID)))]
    pub company_id: Option<i64>,
    #[schemars(extend("x-arg" = arg::eq(t::STATUS)))]
    pub status: Option<Value>,
    #[schemars(extend("x-arg" = arg::eq(t::PRIORITY)))]
    pub priority: Option<Value>,
    #[serde(rename = "queueID")]
    #[schemars(extend("x-arg" = arg::eq(t::QUEUE_ID)))]
    pub queue_id: Option<Value>,
    #[serde(rename = "assignedResourceID")]
    #[schemars(extend("x-arg" = arg::eq(t::ASSIGNED_RESOURCE_ID)))]
    pub assigned_resource_id: Option<i64>,
    #[schemars(extend("x-arg" = arg::contains(t::TITLE)))]
    pub title_contains: Option<String>,
    pub unassigned: Option<bool>,
    pub open_only: Option<bool>,
    #[schemars(length(max = 200))]
    pub closed_status_ids: Option<String>,
    #[schemars(extend("x-arg" = arg::from(t::CREATE_DATE)))]
    pub created_after: Option<String>,
    #[schemars(extend("x-arg" = arg::before(t::CREATE_DATE)))]
    pub created_before: Option<String>,
    #[schemars(extend("x-arg" = arg::from(t::LAST_ACTIVITY_DATE)))]
    pub last_activity_after: Option<String>,
    #[schemars(extend("x-arg" = arg::udfs()))]
    pub user_defined_fields: Option<Value>,
    #[serde(flatten)]
    pub page: Page,
}

/// `create-ticket`: the ticket's fields; status and priority default to the tenant's, and a
/// resource alone gets its default service-desk role.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateTicket {
    #[schemars(extend("x-arg" = arg::field(t::TITLE)))]
    pub title: String,
    #[serde(rename = "companyID")]
    #[schemars(extend("x-arg" = arg::field(t::COMPANY_ID)))]
    pub company_id: i64,
    #[schemars(extend("x-arg" = arg::field(t::DESCRIPTION)))]
    pub description: Option<String>,
    #[schemars(extend("x-arg" = arg::filled(t::STATUS)))]
    pub status: Option<i64>,
    #[schemars(extend("x-arg" = arg::filled(t::PRIORITY)))]
    pub priority: Option<i64>,
    #[serde(rename = "queueID")]
    #[schemars(extend("x-arg" = arg::field(t::QUEUE_ID)))]
    pub queue_id: Option<i64>,
    #[serde(rename = "assignedResourceID")]
    #[schemars(extend("x-arg" = arg::field(t::ASSIGNED_RESOURCE_ID)))]
    pub assigned_resource_id: Option<i64>,
    #[serde(rename = "assignedResourceRoleID")]
    #[schemars(extend("x-arg" = arg::field(t::ASSIGNED_RESOURCE_ROLE_ID)))]
    pub assigned_resource_role_id: Option<i64>,
    #[serde(rename = "contactID")]
    #[schemars(extend("x-arg" = arg::field(t::CONTACT_ID)))]
    pub contact_id: Option<i64>,
    #[schemars(extend("x-arg" = arg::field(t::DUE_DATE_TIME)))]
    pub due_date_time: Option<String>,
    #[schemars(extend("x-arg" = arg::field(t::ISSUE_TYPE)))]
    pub issue_type: Option<i64>,
    #[schemars(extend("x-arg" = arg::field(t::SUB_ISSUE_TYPE)))]
    pub sub_issue_type: Option<i64>,
    #[schemars(extend("x-arg" = arg::udfs()))]
    pub user_defined_fields: Option<Value>,
}

/// `update-ticket`: the ticket's id and the fields to change.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTicket {
    #[schemars(range(min = 0))]
    pub id: i64,
    #[schemars(extend("x-arg" = arg::field(t::TITLE)))]
    pub title: Option<String>,
    #[schemars(extend("x-arg" = arg::field(t::DESCRIPTION)))]
    pub description: Option<String>,
    #[schemars(extend("x-arg" = arg::field(t::STATUS)))]
    pub status: Option<i64>,
    #[schemars(extend("x-arg" = arg::field(t::PRIORITY)))]
    pub priority: Option<i64>,
    #[serde(rename = "queueID")]
    #[schemars(extend("x-arg" = arg::field(t::QUEUE_ID)))]
    pub queue_id: Option<i64>,
    #[serde(rename = "assignedResourceID")]
    #[schemars(extend("x-arg" = arg::field(t::ASSIGNED_RESOURCE_ID)))]
    pub assigned_resource_id: Option<i64>,
    #[serde(rename = "assignedResourceRoleID")]
    #[schemars(extend("x-arg" = arg::field(t::ASSIGNED_RESOURCE_ROLE_ID)))]
    pub assigned_resource_role_id: Option<i64>,
    #[schemars(extend("x-arg" = arg::field(t::ISSUE_TYPE)))]
    pub issue_type: Option<i64>,
    #[schemars(extend("x-arg" = arg::field(t::SUB_ISSUE_TYPE)))]
    pub sub_issue_type: Option<i64>,
    #[schemars(extend("x-arg" = arg::field(t::DUE_DATE_TIME)))]
    pub due_date_time: Option<String>,
    #[schemars(extend("x-arg" = arg::field(t::RESOLUTION)))]
    pub resolution: Option<String>,
    #[schemars(extend("x-arg" = arg::udfs()))]
    pub user_defined_fields: Option<Value>,
}

/// `create-ticket-note`: the ticket, the note; note type and publish default to the tenant's.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateTicketNote {
    #[serde(rename = "ticketID")]
    #[schemars(extend("x-arg" = arg::field(n::TICKET_ID)))]
    pub ticket_id: i64,
    #[schemars(extend("x-arg" = arg::field(n::TITLE)))]
    pub title: Option<String>,
    #[schemars(extend("x-arg" = arg::field(n::DESCRIPTION)))]
    pub description: String,
    #[schemars(extend("x-arg" = arg::filled(n::NOTE_TYPE)))]
    pub note_type: Option<i64>,
    #[schemars(extend("x-arg" = arg::filled(n::PUBLISH)))]
    pub publish: Option<i64>,
}

/// Parses the per-call closed status list.
fn closed_ids(ctx: &Context, given: Option<&str>) -> Result<Vec<i64>, ToolError> {
    match given {
        None => Ok(ctx.settings.closed_status_ids.to_vec()),
        Some(text) => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                    ToolError::Invalid(format!("`closedStatusIds` has `{}`, which is not a status code: use codes like 5,16", s.chars().take(20).collect::<String>()))
                })
            })
            .collect(),
    }
}

/// The clauses `search-tickets` adds to its named filters: `unassigned` sends `notExist` on
/// the primary resource, `openOnly` `noteq` per closed status (ignored for an exact ticket
/// number lookup, which finds closed tickets too).
pub fn own_clauses(
    a: &SearchTickets,
    named: &[Value],
    closed: &[i64],
) -> (Vec<Value>, Vec<String>) {
    let mut clauses = Vec::new();
    let mut notes = Vec::new();
    if a.unassigned == Some(true) {
        clauses.push(query::not_exist("assignedResourceID"));
    }
    if a.open_only == Some(true) {
        if named.iter().any(|c| c["field"] == "ticketNumber") {
            notes.push(
                "openOnly was ignored: an exact ticketNumber lookup finds closed tickets too"
                    .to_string(),
            );
        } else {
            clauses.extend(closed.iter().map(|id| query::noteq("status", *id)));
        }
    }
    (clauses, notes)
}

async fn search_tickets(
    ctx: &Context,
    a: SearchTickets,
    mut filter: Vec<Value>,
) -> Result<Value, ToolError> {
    let closed = closed_ids(ctx, a.closed_status_ids.as_deref())?;
    let (extra, notes) = own_clauses(&a, &filter, &closed);
    filter.extend(extra);
    let mut out = records::search(
        &ctx.tenant,
        &ctx.limits,
        t::ENTITY.def(),
        filter,
        a.page.max_records,
        a.page.projection(t::ENTITY)?,
    )
    .await?;
    if !notes.is_empty()
        && let Some(obj) = out.as_object_mut()
    {
        let mut all = notes;
        if let Some(Value::Array(more)) = obj.remove("notes") {
            all.extend(
                more.into_iter()
                    .filter_map(|n| n.as_str().map(str::to_string)),
            );
        }
        obj.insert("notes".into(), serde_json::json!(all));
    }
    Ok(out)
}

async fn get_ticket(ctx: &Context, a: ById) -> Result<Value, ToolError> {
    records::get_one(
        &ctx.tenant,
        &ctx.limits,
        "Tickets",
        t::ENTITY.def(),
        a.id,
        "find tickets with search-tickets (ticketNumber for a number such as T20240115.0001)",
    )
    .await
}

/// A ticket assigned to a resource without a role gets the resource's default service-desk
/// role, as Autotask's own screens do.
async fn fill_default_role(
    ctx: &Context,
    body: &mut Map<String, Value>,
) -> Result<Vec<String>, ToolError> {
    Ok(
        roles::fill_default_role(&ctx.tenant, &TICKET_ROLE_RULE, body)
            .await?
            .into_iter()
            .collect(),
    )
}

async fn create_ticket(ctx: &Context, a: CreateTicket) -> Result<WritePlan, ToolError> {
    let mut body = body_of(&a)?;
    let mut notes = fill_default_role(ctx, &mut body).await?;
    notes.extend(tenant_defaults(&ctx.tenant, &[t::STATUS, t::PRIORITY], &mut body).await?);
    Ok(WritePlan::new(WriteOp::Create, t::ENTITY.name(), "Tickets")
        .body(body)
        .notes(notes)
        .read_with("get-ticket"))
}

async fn update_ticket(ctx: &Context, a: UpdateTicket) -> Result<WritePlan, ToolError> {
    let mut body = changes(body_of(&a)?, "update-ticket")?;
    let notes = fill_default_role(ctx, &mut body).await?;
    Ok(WritePlan::new(WriteOp::Update, t::ENTITY.name(), "Tickets")
        .body(body)
        .notes(notes)
        .read_with("get-ticket"))
}

async fn create_ticket_note(ctx: &Context, a: CreateTicketNote) -> Result<WritePlan, ToolError> {
    let ticket = a.ticket_id;
    let mut body = body_of(&a)?;
    let notes = tenant_defaults(&ctx.tenant, &[n::NOTE_TYPE, n::PUBLISH], &mut body).await?;
    Ok(WritePlan::new(
        WriteOp::Create,
        n::ENTITY.name(),
        format!("Tickets/{ticket}/Notes"),
    )
    .body(body)
    .notes(notes)
    .read_with("get-entity TicketNotes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn search_args(v: Value) -> (SearchTickets, Vec<Value>) {
        let def = tools()
            .into_iter()
            .find(|t| t.name == "search-tickets")
            .expect("search-tickets is declared");
        let args =
            crate::tools::spec::param::validate(def.name, &def.params, v.as_object()).unwrap();
        let named = crate::tools::spec::param::filter_clauses(&def.params, &args);
        let own = serde_json::from_value(Value::Object(args.values)).unwrap();
        (own, named)
    }

    #[test]
    fn open_only_uses_noteq_per_closed_status_and_unassigned_uses_not_exist() {
        let (a, named) =
            search_args(json!({"openOnly": "true", "unassigned": true, "companyID": "7"}));
        let (extra, notes) = own_clauses(&a, &named, &[5, 16]);
        assert_eq!(
            named,
            vec![json!({"op": "eq", "field": "companyID", "value": 7})]
        );
        assert_eq!(
            extra,
            vec![
                json!({"op": "notExist", "field": "assignedResourceID"}),
                json!({"op": "noteq", "field": "status", "value": 5}),
                json!({"op": "noteq", "field": "status", "value": 16}),
            ]
        );
        assert!(notes.is_empty());
    }

    #[test]
    fn ticket_numbers_find_closed_tickets_and_dates_filter() {
        let (a, named) = search_args(json!({"ticketNumber": "T1", "openOnly": true,
            "createdAfter": "2026-01-01", "lastActivityAfter": "2026-02-01T00:00:00Z"}));
        let (extra, notes) = own_clauses(&a, &named, &[5]);
        assert_eq!(
            named,
            vec![
                json!({"op": "eq", "field": "ticketNumber", "value": "T1"}),
                json!({"op": "gte", "field": "createDate", "value": "2026-01-01T00:00:00Z"}),
                json!({"op": "gte", "field": "lastActivityDate", "value": "2026-02-01T00:00:00Z"}),
            ]
        );
        assert!(extra.is_empty());
        assert_eq!(notes.len(), 1);
    }
}
