//! Ticket tools: search with named filters (one server-side filter, never `ne`), get, create,
//! update, and notes (posted to `Tickets/{id}/Notes`). Picklist arguments take codes or the
//! tenant's labels; defaults for status, priority, note type and publish come from the
//! tenant's picklist defaults, never from hard-coded ids.

use serde::Deserialize;
use serde_json::Value;

use super::output::Output;
use super::records::{self, ById, body_of, changes, max_records_param, tenant_defaults};
use super::value::{ID, Kind};
use super::writes::{WriteOp, WritePlan};
use super::{CREATE, Context, Op, Param, READ, ToolDef, ToolError, UPDATE, filters};
use crate::entities::{Ticket, TicketNote};

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolDef::new(
            "search-tickets",
            "Search tickets",
            READ,
            "Find tickets with named filters, all optional and combined with AND into one server-side query. For triage use openOnly (excludes the closed statuses, AUTOTASK_CLOSED_STATUS_IDS, default 5,16) and unassigned (no primary resource) instead of listing statuses yourself. status, priority and queueID take the tenant's codes or labels (\"In Progress\"). ticketNumber is an exact lookup that also finds completed tickets (openOnly is ignored then). With no filter at all it returns tickets in id order, oldest first; use createdAfter or lastActivityAfter for recent ones. The result carries count, hasMore and the filter applied, so you can refine it. For a ticket you know the id of, use get-ticket; for project tasks use search-tasks.",
        )
        .entity("Tickets")
        .filter("ticketNumber", "ticketNumber", Op::Eq, "Exact ticket number, e.g. T20240101.0001 (finds completed tickets too).")
        .filter("companyID", "companyID", Op::Eq, "Only tickets of this company id.")
        .filter("status", "status", Op::Eq, "Only this status: the tenant's label (e.g. \"New\") or code.")
        .filter("priority", "priority", Op::Eq, "Only this priority: label (e.g. \"High\") or code.")
        .filter("queueID", "queueID", Op::Eq, "Only this queue: label or code.")
        .filter("assignedResourceID", "assignedResourceID", Op::Eq, "Only tickets whose primary resource is this resource id.")
        .filter("titleContains", "title", Op::Contains, "Text the title contains (case-insensitive).")
        .param(Param::own("unassigned", Kind::Bool, "true: only tickets with no primary resource."))
        .param(Param::own("openOnly", Kind::Bool, "true: leave out closed tickets (status noteq each closed status id)."))
        .param(Param::own("closedStatusIds", Kind::Text { max: 200 }, "Comma-separated status codes that count as closed for openOnly, overriding AUTOTASK_CLOSED_STATUS_IDS for this call."))
        .filter("createdAfter", "createDate", Op::From, "Only tickets created at or after this UTC date/date-time (ISO 8601).")
        .filter("createdBefore", "createDate", Op::Before, "Only tickets created before this UTC date/date-time (ISO 8601).")
        .filter("lastActivityAfter", "lastActivityDate", Op::From, "Only tickets with activity at or after this UTC date/date-time (ISO 8601).")
        .param(max_records_param())
        .output(Output::Search)
        .search_handler(|c, a: SearchTickets, f| Box::pin(search_tickets(c, a, f))),
        ToolDef::new(
            "get-ticket",
            "Get ticket",
            READ,
            "Fetch one ticket by its numeric id, with labels beside status, priority, queue and other picklist codes. To find a ticket by its number (T2024...) use search-tickets with ticketNumber; for its notes use query-entity on TicketNotes with a ticketID filter.",
        )
        .entity("Tickets")
        .param(Param::own("id", ID, "The ticket id (not the ticket number).").required())
        .output(Output::Record)
        .handler(|c, a: ById| Box::pin(get_ticket(c, a))),
        ToolDef::new(
            "create-ticket",
            "Create ticket",
            CREATE,
            "Create a ticket for a company. title and companyID are required; status and priority default to the tenant's default values when left out. Picklist arguments take codes or labels (describe-entity-fields Tickets lists them). Assigning a resource needs both assignedResourceID and assignedResourceRoleID. For fields not offered here use create-entity with entity Tickets.",
        )
        .entity("Tickets")
        .field("title", "Ticket title.")
        .field("companyID", "Id of the company the ticket is for.")
        .field("description", "Ticket description (plain text).")
        .field("status", "Status label or code; default: the tenant's default status.")
        .field("priority", "Priority label or code; default: the tenant's default priority.")
        .optional("status")
        .optional("priority")
        .field("queueID", "Queue label or code.")
        .field("assignedResourceID", "Primary resource id (needs assignedResourceRoleID).")
        .field("assignedResourceRoleID", "Role id of the primary resource.")
        .field("contactID", "Contact id of the requester.")
        .field("dueDateTime", "Due date-time in UTC (ISO 8601).")
        .field("issueType", "Issue type label or code.")
        .field("subIssueType", "Sub-issue type label or code (must belong to issueType).")
        .output(Output::Written)
        .write_handler(|c, t: Ticket| Box::pin(create_ticket(c, t))),
        ToolDef::new(
            "update-ticket",
            "Update ticket",
            UPDATE,
            "Change fields of an existing ticket; only the fields given change. Use it to set status (e.g. complete a ticket), priority, queue, assignment, issue type, due date or resolution. For other fields use update-entity with entity Tickets; to add a note use create-ticket-note.",
        )
        .entity("Tickets")
        .param(Param::own("id", ID, "Id of the ticket to change.").required())
        .field("title", "New title.")
        .field("description", "New description (replaces the old one).")
        .field("status", "New status label or code.")
        .field("priority", "New priority label or code.")
        .field("queueID", "New queue label or code.")
        .field("assignedResourceID", "New primary resource id (with assignedResourceRoleID).")
        .field("assignedResourceRoleID", "Role id of the new primary resource.")
        .field("issueType", "New issue type label or code.")
        .field("subIssueType", "New sub-issue type label or code.")
        .field("dueDateTime", "New due date-time in UTC (ISO 8601).")
        .field("resolution", "Resolution text.")
        .output(Output::Written)
        .write_handler(|c, t: Ticket| Box::pin(update_ticket(c, t))),
        ToolDef::new(
            "create-ticket-note",
            "Add ticket note",
            CREATE,
            "Add a note to a ticket (posted to Tickets/{ticketID}/Notes). noteType and publish (who can see the note) take the tenant's codes or labels; left out, they take the tenant's default values, and the result says which were used. Check publish before writing anything a customer must not see.",
        )
        .entity("TicketNotes")
        .field("ticketID", "Id of the ticket to add the note to.")
        .field("title", "Note title (some tenants require one).")
        .field("description", "Note text (plain text).")
        .field("noteType", "Note type label or code; default: the tenant's default.")
        .field("publish", "Visibility label or code (e.g. internal only vs all users); default: the tenant's default.")
        .optional("noteType")
        .optional("publish")
        .output(Output::Written)
        .write_handler(|c, n: TicketNote| Box::pin(create_ticket_note(c, n))),
    ]
}

/// The own arguments of `search-tickets` (its other filters are named filters).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SearchTickets {
    pub unassigned: Option<bool>,
    pub open_only: Option<bool>,
    pub closed_status_ids: Option<String>,
    pub max_records: Option<i64>,
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
        clauses.push(filters::not_exist("assignedResourceID"));
    }
    if a.open_only == Some(true) {
        if named.iter().any(|c| c["field"] == "ticketNumber") {
            notes.push(
                "openOnly was ignored: an exact ticketNumber lookup finds closed tickets too"
                    .to_string(),
            );
        } else {
            clauses.extend(closed.iter().map(|id| filters::noteq("status", *id)));
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
    let mut out = records::search(ctx, "Tickets", filter, a.max_records, None).await?;
    if !notes.is_empty() {
        out["notes"] = serde_json::json!(notes);
    }
    Ok(out)
}

async fn get_ticket(ctx: &Context, a: ById) -> Result<Value, ToolError> {
    records::get_one(
        ctx,
        "Tickets",
        "Tickets",
        a.id,
        "find tickets with search-tickets (ticketNumber for a T2024... number)",
    )
    .await
}

fn check_assignment(t: &Ticket) -> Result<(), ToolError> {
    if t.assigned_resource_id.is_some() != t.assigned_resource_role_id.is_some() {
        return Err(ToolError::Invalid(
            "Autotask needs assignedResourceID and assignedResourceRoleID together: pass both (the role must be one of the resource's service-desk roles). Nothing was sent.".into(),
        ));
    }
    Ok(())
}

async fn create_ticket(ctx: &Context, t: Ticket) -> Result<WritePlan, ToolError> {
    check_assignment(&t)?;
    let mut body = body_of(&t)?;
    let notes = tenant_defaults(ctx, "Tickets", &["status", "priority"], &mut body).await?;
    Ok(WritePlan::new(WriteOp::Create, "Tickets", "Tickets")
        .body(body)
        .notes(notes)
        .read_with("get-ticket"))
}

async fn update_ticket(_ctx: &Context, t: Ticket) -> Result<WritePlan, ToolError> {
    check_assignment(&t)?;
    let body = changes(body_of(&t)?, "update-ticket")?;
    Ok(WritePlan::new(WriteOp::Update, "Tickets", "Tickets")
        .body(body)
        .read_with("get-ticket"))
}

async fn create_ticket_note(ctx: &Context, n: TicketNote) -> Result<WritePlan, ToolError> {
    let Some(ticket) = n.ticket_id.flatten() else {
        return Err(ToolError::Invalid(
            "`ticketID` is required: the id of the ticket to add the note to. Nothing was sent."
                .into(),
        ));
    };
    let mut body = body_of(&n)?;
    let notes = tenant_defaults(ctx, "TicketNotes", &["noteType", "publish"], &mut body).await?;
    Ok(WritePlan::new(
        WriteOp::Create,
        "TicketNotes",
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
            .unwrap_or_else(|| panic!("search-tickets is declared"));
        let args = super::super::params::validate(def.name, &def.params, v.as_object())
            .unwrap_or_else(|e| panic!("{e}"));
        let named = super::super::params::filter_clauses(&def.params, &args);
        let own = serde_json::from_value(json!({
            "unassigned": args.values.get("unassigned"),
            "openOnly": args.values.get("openOnly"),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
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
