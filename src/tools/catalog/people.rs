//! People: `search-resources` (staff by name or e-mail, active only unless asked, with their
//! roles and queues; the ids other tools take as `assignedResourceID`, `resourceID`, …) and
//! `who-am-i` (the API user's resource, the signed-in person and the resource writes act as
//! when impersonating, or why writes are refused).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::args::NoArgs;
use crate::autotask::ReadIntent;
use crate::caller::Caller;
use crate::registry::resources;
use crate::tools::call::context::Context;
use crate::tools::call::def::{Handles, ToolDef};
use crate::tools::facts::naming::name_of;
use crate::tools::present::records;
use crate::tools::spec::entity::entity_def;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::hints::READ;
use crate::tools::spec::output::{Output, object};
use crate::tools::spec::param::{DEFAULT_MAX_RECORDS, MAX_RECORDS};
use crate::tools::spec::query;
use crate::tools::spec::tool::ToolSpec;

const FIELDS: &[&str] = &["id", "firstName", "lastName", "email", "title", "isActive"];

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolSpec::new(
            "search-resources",
            "Search resources",
            READ,
            "Staff by name or e-mail, with roles and queues.",
        )
        .entity(resources::ENTITY)
        .output(Output::Shape(people_shape))
        .handler(|c, a: Search| Box::pin(search(c, a))),
        ToolSpec::new(
            "who-am-i",
            "Who am I",
            READ,
            "The API user's resource and the acting one.",
        )
        .output(Output::Shape(|| object(&[], &["apiUser"])))
        .caller_handler(|c, _: NoArgs, caller| Box::pin(who_am_i(c, caller))),
    ]
}

fn people_shape() -> Value {
    object(&[], &["resources"])
}

/// `search-resources`: a name (every word in the first or last name), an e-mail, active only
/// unless `isActive` is false.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Search {
    #[schemars(length(max = 1_000))]
    pub name: Option<String>,
    #[schemars(length(max = 1_000))]
    pub email: Option<String>,
    pub is_active: Option<bool>,
    #[schemars(range(min = 1, max = MAX_RECORDS))]
    pub max_records: Option<i64>,
}

/// The clauses of a name: every word in the first or last name.
fn name_clauses(name: &str) -> Vec<Value> {
    name.split_whitespace()
        .take(5)
        .map(|w| {
            json!({"op": "or", "items": [
                {"op": "contains", "field": "firstName", "value": w},
                {"op": "contains", "field": "lastName", "value": w}]})
        })
        .collect()
}

/// Reads `filter` on Resources and adds each resource's roles and queues (two more reads,
/// at once).
async fn people(ctx: &Context, filter: Vec<Value>, max: usize) -> Result<Vec<Value>, ToolError> {
    let query = json!({"filter": query::or_match_all(filter), "includeFields": FIELDS});
    let found = ctx
        .tenant
        .client
        .query("Resources", &query, max, ReadIntent::Explicit)
        .await?;
    let ids: Vec<i64> = found
        .items
        .iter()
        .filter_map(|r| r.get("id").and_then(Value::as_i64))
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let by_resource = json!({"filter": [{"op": "in", "field": "resourceID", "value": ids}]});
    let (roles, queues) = tokio::join!(
        ctx.tenant
            .client
            .query("ResourceRoles", &by_resource, 2_000, ReadIntent::Explicit),
        ctx.tenant.client.query(
            "ResourceRoleQueues",
            &by_resource,
            2_000,
            ReadIntent::Explicit
        ),
    );
    let mut roles = roles?.items;
    let mut queues = queues?.items;
    records::present(&ctx.tenant, entity_def("ResourceRoles")?, &mut roles).await;
    records::present(&ctx.tenant, entity_def("ResourceRoleQueues")?, &mut queues).await;
    let of = |rows: &[Value], id: i64, key: &str| -> Vec<Value> {
        let mut out: Vec<Value> = rows
            .iter()
            .filter(|r| r.get("resourceID").and_then(Value::as_i64) == Some(id))
            .filter_map(|r| r.get(key).cloned())
            .collect();
        out.dedup();
        out
    };
    Ok(found
        .items
        .iter()
        .map(|r| {
            let id = r.get("id").and_then(Value::as_i64).unwrap_or_default();
            let mut p = Map::new();
            p.insert("id".into(), json!(id));
            if let Some(name) = name_of("Resources", r) {
                p.insert("name".into(), json!(name));
            }
            for k in ["email", "title", "isActive"] {
                if let Some(v) = r.get(k).filter(|v| !v.is_null() && **v != json!("")) {
                    p.insert(k.into(), v.clone());
                }
            }
            p.insert("roles".into(), json!(of(&roles, id, "role")));
            p.insert("queues".into(), json!(of(&queues, id, "queueID")));
            Value::Object(p)
        })
        .collect())
}

async fn search(ctx: &Context, a: Search) -> Result<Value, ToolError> {
    let mut filter = Vec::new();
    if let Some(name) = a.name.as_deref() {
        filter.extend(name_clauses(name));
    }
    if let Some(email) = a.email.as_deref() {
        filter.push(json!({"op": "contains", "field": "email", "value": email.trim()}));
    }
    filter.push(query::eq("isActive", a.is_active.unwrap_or(true)));
    let max = usize::try_from(a.max_records.unwrap_or(DEFAULT_MAX_RECORDS))
        .unwrap_or(50)
        .min(ctx.limits.max_records_cap);
    let found = people(ctx, filter.clone(), max).await?;
    Ok(json!({"count": found.len(), "resources": found, "filter": filter}))
}

async fn who_am_i(ctx: &Context, caller: Caller) -> Result<Value, ToolError> {
    let user = ctx.tenant.client.api_user_name();
    let filter = vec![json!({"op": "or", "items": [
        query::eq("userName", user.as_str()),
        query::eq("email", user.as_str())]})];
    let mut me = people(ctx, filter, 1).await?;
    // The API user's name is a credential: never shown, even as its resource's e-mail.
    for m in &mut me {
        if let Some(obj) = m.as_object_mut()
            && obj
                .get("email")
                .and_then(Value::as_str)
                .is_some_and(|e| e.eq_ignore_ascii_case(&user))
        {
            obj.remove("email");
        }
    }
    let mut out = json!({
        "apiUser": me.first().cloned().unwrap_or_else(|| json!({
            "note": "no resource has the API user's user name or e-mail"
        })),
    });
    if let Some(id) = ctx.tenant.client.acting_as() {
        let acting = people(ctx, vec![query::eq("id", id)], 1).await?;
        out["actingAs"] = acting
            .first()
            .cloned()
            .unwrap_or_else(|| json!({"id": id, "note": "no such resource"}));
        out["note"] = json!("writes are attributed to actingAs (impersonation)");
    }
    if let Some(user) = &caller.user {
        out["signedIn"] = json!({
            "user": user,
            "resourceID": caller.acting_as,
            "mayWrite": caller.may_write,
        });
    }
    if let Some(problem) = &caller.acting_as_problem {
        out["writesRefused"] = json!(problem);
    }
    Ok(out)
}
