//! Likely duplicates of a contact or company about to be created: a contact with the same
//! e-mail address (anywhere in the tenant) or the same first and last name at the same
//! company; a company with the same name. One query each, reported in the preview and in
//! the result of the create; they do not block it (two people may share a name).

use serde_json::{Map, Value, json};

use super::writes::{WriteOp, WritePlan};
use super::{Context, ToolError, filters};
use crate::autotask::ReadIntent;

/// Most duplicates listed.
const SHOWN: usize = 5;

fn text<'a>(body: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    body.get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The query that finds likely duplicates of `plan`'s record and the fields to show, if its
/// entity has one.
pub fn query_for(plan: &WritePlan) -> Option<(Value, &'static [&'static str])> {
    if plan.op != WriteOp::Create {
        return None;
    }
    let body = &plan.body;
    match plan.entity {
        "Contacts" => {
            let mut any = Vec::new();
            if let Some(email) = text(body, "emailAddress") {
                any.push(filters::eq("emailAddress", email));
            }
            if let (Some(first), Some(last), Some(company)) = (
                text(body, "firstName"),
                text(body, "lastName"),
                body.get("companyID").and_then(Value::as_i64),
            ) {
                any.push(json!({"op": "and", "items": [
                    filters::eq("companyID", company),
                    filters::eq("firstName", first),
                    filters::eq("lastName", last),
                ]}));
            }
            (!any.is_empty()).then(|| {
                (
                    json!({"filter": [{"op": "or", "items": any}], "maxRecords": SHOWN,
                        "includeFields": ["id", "companyID", "firstName", "lastName", "emailAddress"]}),
                    &["id", "companyID", "firstName", "lastName", "emailAddress"][..],
                )
            })
        }
        "Companies" => text(body, "companyName").map(|name| {
            (
                json!({"filter": [filters::eq("companyName", name)], "maxRecords": SHOWN,
                    "includeFields": ["id", "companyName", "companyType"]}),
                &["id", "companyName", "companyType"][..],
            )
        }),
        _ => None,
    }
}

/// The existing records `plan` would likely duplicate (empty for other entities).
pub async fn likely(ctx: &Context, plan: &WritePlan) -> Result<Vec<Value>, ToolError> {
    let Some((query, shown)) = query_for(plan) else {
        return Ok(Vec::new());
    };
    let found = ctx
        .client
        .query(plan.entity, &query, SHOWN, ReadIntent::Explicit)
        .await?;
    Ok(found
        .items
        .into_iter()
        .map(|r| {
            let kept: Map<String, Value> = shown
                .iter()
                .filter_map(|f| {
                    r.get(*f)
                        .filter(|v| !v.is_null())
                        .map(|v| (f.to_string(), v.clone()))
                })
                .collect();
            Value::Object(kept)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(entity: &'static str, body: Value) -> WritePlan {
        let body = body.as_object().cloned().unwrap_or_default();
        WritePlan::new(WriteOp::Create, entity, entity).body(body)
    }

    #[test]
    fn contacts_match_by_email_or_name_at_the_company_and_companies_by_name() {
        let (q, _) = query_for(&plan(
            "Contacts",
            json!({"companyID": 5, "firstName": "Ann", "lastName": "Lee", "emailAddress": "ann@x.example"}),
        ))
        .unwrap_or_else(|| panic!("a contact has a duplicate query"));
        assert_eq!(
            q["filter"],
            json!([{"op": "or", "items": [
                {"op": "eq", "field": "emailAddress", "value": "ann@x.example"},
                {"op": "and", "items": [
                    {"op": "eq", "field": "companyID", "value": 5},
                    {"op": "eq", "field": "firstName", "value": "Ann"},
                    {"op": "eq", "field": "lastName", "value": "Lee"}]}]}])
        );
        let (q, _) = query_for(&plan("Companies", json!({"companyName": " Acme "})))
            .unwrap_or_else(|| panic!("a company has a duplicate query"));
        assert_eq!(
            q["filter"],
            json!([{"op": "eq", "field": "companyName", "value": "Acme"}])
        );
        assert!(query_for(&plan("Tickets", json!({"title": "x"}))).is_none());
        let update = WritePlan::new(WriteOp::Update, "Companies", "Companies").body(
            json!({"id": 1, "companyName": "Acme"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        assert!(query_for(&update).is_none());
    }
}
