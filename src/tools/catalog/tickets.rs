//! Ticket tools: search with named filters (one server-side filter, never `ne`), get, create,
//! update, and notes (posted to `Tickets/{id}/Notes`). Picklist arguments take codes or the
//! tenant's labels; defaults for status, priority, note type and publish come from the
//! tenant's picklist defaults, never from hard-coded ids.

use serde::Deserialize;
use serde_json::Value;

use super::args::ById;
use crate::entities::{Ticket, TicketNote};
use crate::tools::call::context::Context;
use crate::tools::call::def::{Handles, ToolDef};
use crate::tools::facts::TICKET_ROLE_RULE;
use crate::tools::present::{projection, records};
use crate::tools::spec::entity::entity_def;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::hints::{CREATE, READ, UPDATE};
use crate::tools::spec::kind::{ID, Kind};
use crate::tools::spec::output::Output;
use crate::tools::spec::param::{Op, Param, fields_param, max_records_param, udf_param};
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
        .entity("Tickets")
        .filter("ticketNumber", "ticketNumber", Op::Eq, "")
        .filter("companyID", "companyID", Op::Eq, "")
        .filter("status", "status", Op::Eq, "")
        .filter("priority", "priority", Op::Eq, "")
        .filter("queueID", "queueID", Op::Eq, "")
        .filter("assignedResourceID", "assignedResourceID", Op::Eq, "")
        .filter("titleContains", "title", Op::Contains, "")
        .param(Param::own("unassigned", Kind::Bool, ""))
        .param(Param::own("openOnly", Kind::Bool, ""))
        .param(Param::own("closedStatusIds", Kind::Text { max: 200 }, ""))
        .filter("createdAfter", "createDate", Op::From, "")
        .filter("createdBefore", "createDate", Op::Before, "")
        .filter("lastActivityAfter", "lastActivityDate", Op::From, "")
        .param(udf_param())
        .param(max_records_param())
        .param(fields_param())
        .output(Output::Search)
        .search_handler(|c, a: SearchTickets, f| Box::pin(search_tickets(c, a, f))),
        ToolSpec::new(
            "get-ticket",
            "Get ticket",
            READ,
            "A ticket by id (by number: search-tickets ticketNumber).",
        )
        .entity("Tickets")
        .param(Param::own("id", ID, "").required())
        .output(Output::Record)
        .handler(|c, a: ById| Box::pin(get_ticket(c, a))),
        ToolSpec::new(
            "create-ticket",
            "Create ticket",
            CREATE,
            "Create a ticket; status and priority default to the tenant's.",
        )
        .entity("Tickets")
        .field("title", "")
        .field("companyID", "")
        .field("description", "")
        .field("status", "")
        .field("priority", "")
        .optional("status")
        .optional("priority")
        .field("queueID", "")
        .field("assignedResourceID", "")
        .field("assignedResourceRoleID", "")
        .field("contactID", "")
        .field("dueDateTime", "")
        .field("issueType", "")
        .field("subIssueType", "")
        .param(udf_param())
        .output(Output::Written)
        .write_handler(|c, t: Ticket| Box::pin(create_ticket(c, t))),
        ToolSpec::new(
            "update-ticket",
            "Update ticket",
            UPDATE,
            "Change a ticket's fields.",
        )
        .entity("Tickets")
        .param(Param::own("id", ID, "").required())
        .field("title", "")
        .field("description", "")
        .field("status", "")
        .field("priority", "")
        .field("queueID", "")
        .field("assignedResourceID", "")
        .field("assignedResourceRoleID", "")
        .field("issueType", "")
        .field("subIssueType", "")
        .field("dueDateTime", "")
        .field("resolution", "")
        .param(udf_param())
        .output(Output::Written)
        .write_handler(|c, t: Ticket| Box::pin(update_ticket(c, t))),
        ToolSpec::new(
            "create-ticket-note",
            "Add ticket note",
            CREATE,
            "Add a note to a ticket; noteType and publish (who sees it) default to the tenant's.",
        )
        .entity("TicketNotes")
        .field("ticketID", "")
        .field("title", "")
        .field("description", "")
        .field("noteType", "")
        .field("publish", "")
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
    pub fields: Option<Vec<String>>,
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
    let projection = projection::projection(entity_def("Tickets")?, a.fields.as_deref())?;
    let mut out = records::search(
        &ctx.tenant,
        &ctx.limits,
        "Tickets",
        filter,
        a.max_records,
        projection,
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
        "Tickets",
        a.id,
        "find tickets with search-tickets (ticketNumber for a number such as T20240115.0001)",
    )
    .await
}

/// A ticket assigned to a resource without a role gets the resource's default service-desk
/// role, as Autotask's own screens do.
async fn fill_default_role(
    ctx: &Context,
    body: &mut serde_json::Map<String, Value>,
) -> Result<Vec<String>, ToolError> {
    Ok(
        roles::fill_default_role(&ctx.tenant, &TICKET_ROLE_RULE, body)
            .await?
            .into_iter()
            .collect(),
    )
}

async fn create_ticket(ctx: &Context, t: Ticket) -> Result<WritePlan, ToolError> {
    let mut body = body_of(&t)?;
    let mut notes = fill_default_role(ctx, &mut body).await?;
    notes
        .extend(tenant_defaults(&ctx.tenant, "Tickets", &["status", "priority"], &mut body).await?);
    Ok(WritePlan::new(WriteOp::Create, "Tickets", "Tickets")
        .body(body)
        .notes(notes)
        .read_with("get-ticket"))
}

async fn update_ticket(ctx: &Context, t: Ticket) -> Result<WritePlan, ToolError> {
    let mut body = changes(body_of(&t)?, "update-ticket")?;
    let notes = fill_default_role(ctx, &mut body).await?;
    Ok(WritePlan::new(WriteOp::Update, "Tickets", "Tickets")
        .body(body)
        .notes(notes)
        .read_with("get-ticket"))
}

async fn create_ticket_note(ctx: &Context, n: TicketNote) -> Result<WritePlan, ToolError> {
    let Some(ticket) = n.ticket_id.flatten() else {
        return Err(ToolError::Invalid(
            "`ticketID` is required: the id of the ticket to add the note to.".into(),
        ));
    };
    let mut body = body_of(&n)?;
    let notes = tenant_defaults(
        &ctx.tenant,
        "TicketNotes",
        &["noteType", "publish"],
        &mut body,
    )
    .await?;
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
            .expect("search-tickets is declared");
        let args =
            crate::tools::spec::param::validate(def.name, &def.params, v.as_object()).unwrap();
        let named = crate::tools::spec::param::filter_clauses(&def.params, &args);
        let own = serde_json::from_value(json!({
            "unassigned": args.values.get("unassigned"),
            "openOnly": args.values.get("openOnly"),
        }))
        .unwrap();
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
