//! Likely duplicates of a record about to be created, from the entity's facts
//! ([`crate::tools::facts::Duplicates`]): an existing record matching every field of any one
//! key (a contact with the same e-mail address, or the same first and last name at the same
//! company; a company with the same name). One query, reported in the preview and in the result
//! of the create; they do not block it (two people may share a name).

use serde_json::{Map, Value, json};

use super::WriteDeps;
use super::plan::{WriteOp, WritePlan};
use crate::autotask::ReadIntent;
use crate::registry::Field;
use crate::tools::facts::model::names;
use crate::tools::facts::{self, Duplicates};
use crate::tools::spec::error::ToolError;
use crate::tools::spec::query;

/// Most duplicates listed.
const SHOWN: usize = 5;

/// A key field's value in the body: trimmed non-empty text, or a number.
fn key_value(body: &Map<String, Value>, field: &str) -> Option<Value> {
    match body.get(field)? {
        Value::String(s) => {
            let s = s.trim();
            (!s.is_empty()).then(|| json!(s))
        }
        v @ Value::Number(_) => Some(v.clone()),
        _ => None,
    }
}

/// The clause matching one key, when the body has every field of it.
fn key_clause(body: &Map<String, Value>, key: &[Field]) -> Option<Value> {
    let clauses: Vec<Value> = key
        .iter()
        .map(|f| key_value(body, f.name()).map(|v| query::eq(f.name(), v)))
        .collect::<Option<_>>()?;
    match <[Value; 1]>::try_from(clauses) {
        Ok([one]) => Some(one),
        Err(many) => Some(json!({"op": "and", "items": many})),
    }
}

/// The query that finds likely duplicates of `plan`'s record and the fields to show, if its
/// entity has duplicate keys and the body has the fields of one.
pub fn query_for(plan: &WritePlan) -> Option<(Value, Vec<&'static str>)> {
    if plan.op != WriteOp::Create {
        return None;
    }
    let Duplicates { keys, shown } = facts::of(plan.entity)?.duplicates?;
    let shown = names(shown);
    let any: Vec<Value> = keys
        .iter()
        .filter_map(|key| key_clause(&plan.body, key))
        .collect();
    let clause = match <[Value; 1]>::try_from(any) {
        Ok([one]) => one,
        Err(many) if many.is_empty() => return None,
        Err(many) => json!({"op": "or", "items": many}),
    };
    Some((
        json!({"filter": [clause], "maxRecords": SHOWN, "includeFields": shown}),
        shown,
    ))
}

/// The existing records `plan` would likely duplicate (empty for other entities).
pub async fn likely(deps: WriteDeps<'_>, plan: &WritePlan) -> Result<Vec<Value>, ToolError> {
    let Some((query, shown)) = query_for(plan) else {
        return Ok(Vec::new());
    };
    let found = deps
        .tenant
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
        .expect("a contact has a duplicate query");
        assert_eq!(
            q["filter"],
            json!([{"op": "or", "items": [
                {"op": "eq", "field": "emailAddress", "value": "ann@x.example"},
                {"op": "and", "items": [
                    {"op": "eq", "field": "companyID", "value": 5},
                    {"op": "eq", "field": "firstName", "value": "Ann"},
                    {"op": "eq", "field": "lastName", "value": "Lee"}]}]}])
        );
        assert!(
            query_for(&plan(
                "Contacts",
                json!({"companyID": 5, "firstName": "Ann", "emailAddress": " "}),
            ))
            .is_none(),
            "no key complete: no query"
        );
        let (q, _) = query_for(&plan("Companies", json!({"companyName": " Acme "})))
            .expect("a company has a duplicate query");
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
