//! Ticket tools: search with named filters (one server-side filter, never `ne`), get, create,
//! update, and notes (posted to `Tickets/{id}/Notes`). Picklist arguments take codes or the
//! tenant's labels; defaults for status, priority, note type and publish come from the
//! tenant's picklist defaults, never from hard-coded ids.

use serde_json::{Map, Value, json};

use super::{Args, CREATE, Kind, ParamSpec, READ, ToolError, ToolSpec, UPDATE, filters, written};
use crate::server::ServerState;

const PICK_TICKET_STATUS: Kind = Kind::Pick {
    entity: "Tickets",
    field: "status",
};
const PICK_TICKET_PRIORITY: Kind = Kind::Pick {
    entity: "Tickets",
    field: "priority",
};
const PICK_TICKET_QUEUE: Kind = Kind::Pick {
    entity: "Tickets",
    field: "queueID",
};
const PICK_ISSUE: Kind = Kind::Pick {
    entity: "Tickets",
    field: "issueType",
};
const PICK_SUB_ISSUE: Kind = Kind::Pick {
    entity: "Tickets",
    field: "subIssueType",
};
const PICK_NOTE_TYPE: Kind = Kind::Pick {
    entity: "TicketNotes",
    field: "noteType",
};
const PICK_PUBLISH: Kind = Kind::Pick {
    entity: "TicketNotes",
    field: "publish",
};

pub fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "search-tickets",
            "Search tickets",
            READ,
            "Find tickets with named filters, all optional and combined with AND into one server-side query. For triage use openOnly (excludes the closed statuses, AUTOTASK_CLOSED_STATUS_IDS, default 5,16) and unassigned (no primary resource) instead of listing statuses yourself. status, priority and queueID take the tenant's codes or labels (\"In Progress\"). ticketNumber is an exact lookup that also finds completed tickets (openOnly is ignored then). With no filter at all it returns tickets in id order, oldest first; use createdAfter or lastActivityAfter for recent ones. The result carries count, hasMore and the filter applied, so you can refine it. For a ticket you know the id of, use get-ticket; for project tasks use search-tasks.",
            |s, a| Box::pin(search_tickets(s, a)),
        )
        .params(vec![
            ParamSpec::new("ticketNumber", Kind::Text(50), "Exact ticket number, e.g. T20240101.0001 (finds completed tickets too)."),
            ParamSpec::new("companyID", Kind::Code, "Only tickets of this company id."),
            ParamSpec::new("status", PICK_TICKET_STATUS, "Only this status: the tenant's code (e.g. 1) or label (e.g. \"New\")."),
            ParamSpec::new("priority", PICK_TICKET_PRIORITY, "Only this priority: code or label (e.g. \"High\")."),
            ParamSpec::new("queueID", PICK_TICKET_QUEUE, "Only this queue: code or label."),
            ParamSpec::new("assignedResourceID", Kind::Code, "Only tickets whose primary resource is this resource id."),
            ParamSpec::new("titleContains", Kind::Text(255), "Text the title contains (case-insensitive)."),
            ParamSpec::new("unassigned", Kind::Bool, "true: only tickets with no primary resource."),
            ParamSpec::new("openOnly", Kind::Bool, "true: leave out closed tickets (status noteq each closed status id)."),
            ParamSpec::new("closedStatusIds", Kind::Text(200), "Comma-separated status codes that count as closed for openOnly, overriding AUTOTASK_CLOSED_STATUS_IDS for this call."),
            ParamSpec::new("createdAfter", Kind::DateTime, "Only tickets created at or after this UTC date/date-time (ISO 8601)."),
            ParamSpec::new("createdBefore", Kind::DateTime, "Only tickets created before this UTC date/date-time (ISO 8601)."),
            ParamSpec::new("lastActivityAfter", Kind::DateTime, "Only tickets with activity at or after this UTC date/date-time (ISO 8601)."),
            super::max_records_param(),
        ]),
        ToolSpec::new(
            "get-ticket",
            "Get ticket",
            READ,
            "Fetch one ticket by its numeric id, with labels beside status, priority, queue and other picklist codes. To find a ticket by its number (T2024...) use search-tickets with ticketNumber; for its notes use query-entity on TicketNotes with a ticketID filter.",
            |s, a| Box::pin(get_ticket(s, a)),
        )
        .params(vec![ParamSpec::new("id", Kind::Id, "The ticket id (not the ticket number).").required()]),
        ToolSpec::new(
            "create-ticket",
            "Create ticket",
            CREATE,
            "Create a ticket for a company. title and companyID are required; status and priority default to the tenant's default values when left out. Picklist arguments take codes or labels (describe-entity-fields Tickets lists them). Assigning a resource needs both assignedResourceID and assignedResourceRoleID. For fields not offered here use create-entity with entity Tickets. Requires confirm: \"CREATE_TICKET\".",
            |s, a| Box::pin(create_ticket(s, a)),
        )
        .params(vec![
            ParamSpec::new("title", Kind::Text(255), "Ticket title (up to 255 characters).").required(),
            ParamSpec::new("companyID", Kind::Code, "Id of the company the ticket is for.").required(),
            ParamSpec::new("description", Kind::Text(8000), "Ticket description (up to 8000 characters, plain text)."),
            ParamSpec::new("status", PICK_TICKET_STATUS, "Status code or label; default: the tenant's default status."),
            ParamSpec::new("priority", PICK_TICKET_PRIORITY, "Priority code or label; default: the tenant's default priority."),
            ParamSpec::new("queueID", PICK_TICKET_QUEUE, "Queue code or label."),
            ParamSpec::new("assignedResourceID", Kind::Code, "Primary resource id (needs assignedResourceRoleID)."),
            ParamSpec::new("assignedResourceRoleID", Kind::Code, "Role id of the primary resource."),
            ParamSpec::new("contactID", Kind::Code, "Contact id of the requester."),
            ParamSpec::new("dueDateTime", Kind::DateTime, "Due date-time in UTC (ISO 8601)."),
            ParamSpec::new("issueType", PICK_ISSUE, "Issue type code or label."),
            ParamSpec::new("subIssueType", PICK_SUB_ISSUE, "Sub-issue type code or label (must belong to issueType)."),
        ]),
        ToolSpec::new(
            "update-ticket",
            "Update ticket",
            UPDATE,
            "Change fields of an existing ticket; only the fields given change. Use it to set status (e.g. complete a ticket), priority, queue, assignment, issue type, due date or resolution. For other fields use update-entity with entity Tickets; to add a note use create-ticket-note. Requires confirm: \"UPDATE_TICKET\".",
            |s, a| Box::pin(update_ticket(s, a)),
        )
        .params(vec![
            ParamSpec::new("id", Kind::Id, "Id of the ticket to change.").required(),
            ParamSpec::new("title", Kind::Text(255), "New title."),
            ParamSpec::new("description", Kind::Text(8000), "New description (replaces the old one)."),
            ParamSpec::new("status", PICK_TICKET_STATUS, "New status code or label."),
            ParamSpec::new("priority", PICK_TICKET_PRIORITY, "New priority code or label."),
            ParamSpec::new("queueID", PICK_TICKET_QUEUE, "New queue code or label."),
            ParamSpec::new("assignedResourceID", Kind::Code, "New primary resource id (with assignedResourceRoleID)."),
            ParamSpec::new("assignedResourceRoleID", Kind::Code, "Role id of the new primary resource."),
            ParamSpec::new("issueType", PICK_ISSUE, "New issue type code or label."),
            ParamSpec::new("subIssueType", PICK_SUB_ISSUE, "New sub-issue type code or label."),
            ParamSpec::new("dueDateTime", Kind::DateTime, "New due date-time in UTC (ISO 8601)."),
            ParamSpec::new("resolution", Kind::Text(8000), "Resolution text."),
        ]),
        ToolSpec::new(
            "create-ticket-note",
            "Add ticket note",
            CREATE,
            "Add a note to a ticket (posted to Tickets/{ticketID}/Notes). noteType and publish (who can see the note) take the tenant's codes or labels; left out, they take the tenant's default values, and the result says which were used. Check publish before writing anything a customer must not see. Requires confirm: \"CREATE_TICKET_NOTE\".",
            |s, a| Box::pin(create_ticket_note(s, a)),
        )
        .params(vec![
            ParamSpec::new("ticketID", Kind::Id, "Id of the ticket to add the note to.").required(),
            ParamSpec::new("title", Kind::Text(250), "Note title (some tenants require one)."),
            ParamSpec::new("description", Kind::Text(32000), "Note text (plain text, up to 32000 characters).").required(),
            ParamSpec::new("noteType", PICK_NOTE_TYPE, "Note type code or label; default: the tenant's default."),
            ParamSpec::new("publish", PICK_PUBLISH, "Visibility code or label (e.g. internal only vs all users); default: the tenant's default."),
        ]),
    ]
}

/// Parses the per-call closed status list.
fn closed_ids(state: &ServerState, args: &Args) -> Result<Vec<i64>, ToolError> {
    match args.text("closedStatusIds") {
        None => Ok(state.closed_status_ids.to_vec()),
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

/// The filter `search-tickets` sends for these arguments (labels already resolved).
pub fn ticket_filter(args: &Args, closed: &[i64]) -> (Vec<Value>, Vec<String>) {
    let mut clauses = Vec::new();
    let mut notes = Vec::new();
    if let Some(n) = args.text("ticketNumber") {
        clauses.push(filters::eq("ticketNumber", n.trim()));
    }
    for field in [
        "companyID",
        "status",
        "priority",
        "queueID",
        "assignedResourceID",
    ] {
        if let Some(v) = args.int(field) {
            clauses.push(filters::eq(field, v));
        }
    }
    if let Some(t) = args.text("titleContains") {
        clauses.push(filters::contains("title", t));
    }
    if args.bool("unassigned") == Some(true) {
        clauses.push(filters::not_exist("assignedResourceID"));
    }
    if args.bool("openOnly") == Some(true) {
        if args.text("ticketNumber").is_some() {
            notes.push(
                "openOnly was ignored: an exact ticketNumber lookup finds closed tickets too"
                    .to_string(),
            );
        } else {
            for id in closed {
                clauses.push(filters::noteq("status", *id));
            }
        }
    }
    if let Some(d) = args.text("createdAfter") {
        clauses.push(filters::gte("createDate", d));
    }
    if let Some(d) = args.text("createdBefore") {
        clauses.push(filters::lt("createDate", d));
    }
    if let Some(d) = args.text("lastActivityAfter") {
        clauses.push(filters::gte("lastActivityDate", d));
    }
    (filters::or_match_all(clauses), notes)
}

fn spec_params(name: &str) -> Vec<ParamSpec> {
    tools()
        .into_iter()
        .find(|t| t.name == name)
        .map(|t| t.params)
        .unwrap_or_default()
}

async fn search_tickets(state: &ServerState, mut args: Args) -> Result<Value, ToolError> {
    let closed = closed_ids(state, &args)?;
    super::resolve_labels(state, &spec_params("search-tickets"), &mut args).await?;
    let (filter, notes) = ticket_filter(&args, &closed);
    let max = args.int("maxRecords").unwrap_or(super::DEFAULT_MAX_RECORDS);
    let mut out = super::search(state, "Tickets", filter, max, None).await?;
    if !notes.is_empty() {
        out["notes"] = json!(notes);
    }
    Ok(out)
}

async fn get_ticket(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let id = args.req_int("id")?;
    super::get_one(
        state,
        "Tickets",
        "Tickets",
        id,
        "find tickets with search-tickets (ticketNumber for a T2024... number)",
    )
    .await
}

const TICKET_FIELDS: &[&str] = &[
    "title",
    "description",
    "status",
    "priority",
    "queueID",
    "assignedResourceID",
    "assignedResourceRoleID",
    "contactID",
    "dueDateTime",
    "issueType",
    "subIssueType",
    "resolution",
];

fn check_assignment(args: &Args) -> Result<(), ToolError> {
    if args.has("assignedResourceID") != args.has("assignedResourceRoleID") {
        return Err(ToolError::Invalid(
            "Autotask needs assignedResourceID and assignedResourceRoleID together: pass both (the role must be one of the resource's service-desk roles). Nothing was sent.".into(),
        ));
    }
    Ok(())
}

async fn create_ticket(state: &ServerState, mut args: Args) -> Result<Value, ToolError> {
    check_assignment(&args)?;
    super::resolve_labels(state, &spec_params("create-ticket"), &mut args).await?;
    let mut body = Map::new();
    body.insert("companyID".into(), json!(args.req_int("companyID")?));
    super::copy_args(&args, &mut body, TICKET_FIELDS);
    let mut notes = Vec::new();
    for field in ["status", "priority"] {
        if !body.contains_key(field) {
            let lists = state
                .picklists
                .get("Tickets", crate::autotask::ReadIntent::Explicit)
                .await?;
            match lists.default_value(field) {
                Some(v) => {
                    body.insert(
                        field.into(),
                        v.value
                            .parse::<i64>()
                            .map(Value::from)
                            .unwrap_or_else(|_| json!(v.value)),
                    );
                    notes.push(format!("{field} defaulted to {} ({})", v.value, v.label));
                }
                None => {
                    return Err(ToolError::Invalid(format!(
                        "the tenant has no default {field}: pass {field} (describe-entity-fields Tickets lists the values). Nothing was sent."
                    )));
                }
            }
        }
    }
    let id = state.client.create("Tickets", &Value::Object(body)).await?;
    Ok(written(
        "created",
        "Tickets",
        "Tickets",
        id,
        &format!("get-ticket {id} reads it back"),
        notes,
    ))
}

async fn update_ticket(state: &ServerState, mut args: Args) -> Result<Value, ToolError> {
    check_assignment(&args)?;
    let id = args.req_int("id")?;
    let mut body = Map::new();
    body.insert("id".into(), json!(id));
    if !TICKET_FIELDS.iter().any(|f| args.has(f)) {
        return Err(ToolError::Invalid(
            "update-ticket has nothing to change: pass at least one field besides id. Nothing was sent.".into(),
        ));
    }
    super::resolve_labels(state, &spec_params("update-ticket"), &mut args).await?;
    super::copy_args(&args, &mut body, TICKET_FIELDS);
    let id = state
        .client
        .update(
            "Tickets",
            &Value::Object(body),
            crate::autotask::UpdateMethod::Patch,
        )
        .await?;
    Ok(written(
        "updated",
        "Tickets",
        "Tickets",
        id,
        &format!("get-ticket {id} reads it back"),
        Vec::new(),
    ))
}

async fn create_ticket_note(state: &ServerState, mut args: Args) -> Result<Value, ToolError> {
    let ticket = args.req_int("ticketID")?;
    super::resolve_labels(state, &spec_params("create-ticket-note"), &mut args).await?;
    let mut body = Map::new();
    body.insert("ticketID".into(), json!(ticket));
    super::copy_args(
        &args,
        &mut body,
        &["title", "description", "noteType", "publish"],
    );
    let mut notes = Vec::new();
    for field in ["noteType", "publish"] {
        if !body.contains_key(field) {
            let lists = state
                .picklists
                .get("TicketNotes", crate::autotask::ReadIntent::Explicit)
                .await?;
            match lists.default_value(field) {
                Some(v) => {
                    body.insert(
                        field.into(),
                        v.value
                            .parse::<i64>()
                            .map(Value::from)
                            .unwrap_or_else(|_| json!(v.value)),
                    );
                    notes.push(format!("{field} defaulted to {} ({})", v.value, v.label));
                }
                None => {
                    let values: Vec<String> = lists
                        .field(field)
                        .map(|l| {
                            l.values
                                .iter()
                                .filter(|v| v.is_active)
                                .map(|v| format!("{} = {}", v.value, v.label))
                                .collect()
                        })
                        .unwrap_or_default();
                    return Err(ToolError::Invalid(format!(
                        "the tenant has no default {field} for ticket notes: pass {field} ({}). Nothing was sent.",
                        if values.is_empty() {
                            "see describe-entity-fields TicketNotes".to_string()
                        } else {
                            values.join(", ")
                        }
                    )));
                }
            }
        }
    }
    let path = format!("Tickets/{ticket}/Notes");
    let id = state.client.create(&path, &Value::Object(body)).await?;
    Ok(written(
        "created",
        "TicketNotes",
        &path,
        id,
        &format!("get-entity TicketNotes {id} reads it back"),
        notes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: Value) -> Args {
        super::super::args::validate(
            "search-tickets",
            &spec_params("search-tickets"),
            v.as_object(),
        )
        .unwrap_or_default()
    }

    #[test]
    fn open_only_uses_noteq_per_closed_status_and_unassigned_uses_not_exist() {
        let (filter, _) = ticket_filter(
            &args(json!({"openOnly": "true", "unassigned": true, "companyID": "7"})),
            &[5, 16],
        );
        assert_eq!(
            filter,
            vec![
                json!({"op": "eq", "field": "companyID", "value": 7}),
                json!({"op": "notExist", "field": "assignedResourceID"}),
                json!({"op": "noteq", "field": "status", "value": 5}),
                json!({"op": "noteq", "field": "status", "value": 16}),
            ]
        );
    }

    #[test]
    fn ticket_numbers_find_closed_tickets_and_dates_filter() {
        let (filter, notes) = ticket_filter(
            &args(
                json!({"ticketNumber": "T1", "openOnly": true, "createdAfter": "2026-01-01", "lastActivityAfter": "2026-02-01T00:00:00Z"}),
            ),
            &[5],
        );
        assert_eq!(
            filter,
            vec![
                json!({"op": "eq", "field": "ticketNumber", "value": "T1"}),
                json!({"op": "gte", "field": "createDate", "value": "2026-01-01T00:00:00Z"}),
                json!({"op": "gte", "field": "lastActivityDate", "value": "2026-02-01T00:00:00Z"}),
            ]
        );
        assert_eq!(notes.len(), 1);
        let (filter, _) = ticket_filter(&args(json!({})), &[5]);
        assert_eq!(filter, vec![filters::match_all()]);
    }
}
