//! Reading records for the tools and shaping what a model reads back: one page of a query,
//! one record by id, and the answer of a write. Every record goes through [`present`]: empty
//! values dropped, the tenant's picklist label beside each code.

use serde_json::{Value, json};

use super::params::Param;
use super::value::Kind;
use super::{Context, ToolError, shape};
use crate::autotask::ReadIntent;

/// Default `maxRecords` of the searches.
pub const DEFAULT_MAX_RECORDS: i64 = 50;
/// Largest `maxRecords` a search accepts (Autotask's page limit).
pub const MAX_RECORDS: i64 = 500;

/// The `maxRecords` parameter of the searches.
pub fn max_records_param() -> Param {
    Param::own(
        "maxRecords",
        Kind::Int {
            min: 1,
            max: MAX_RECORDS,
        },
        "Most records to return (default 50).",
    )
}

/// Compacts records and adds picklist labels (from the tenant's live picklists of `entity`).
/// When the picklists cannot be read, the records come back without labels and the note says
/// why.
pub async fn present(ctx: &Context, entity: &str, records: &mut [Value]) -> Option<String> {
    for r in records.iter_mut() {
        shape::compact(r);
    }
    if records.is_empty() {
        return None;
    }
    match ctx.picklists.get(entity, ReadIntent::Background).await {
        Ok(lists) => {
            for r in records.iter_mut() {
                shape::add_labels(r, &lists);
            }
            None
        }
        Err(e) => Some(format!("picklist labels are missing: {e}")),
    }
}

/// Queries `entity` with `filter`, shapes the rows and reports count/hasMore/filter.
pub async fn search(
    ctx: &Context,
    entity: &str,
    filter: Vec<Value>,
    max: Option<i64>,
    include: Option<Value>,
) -> Result<Value, ToolError> {
    let max = max.unwrap_or(DEFAULT_MAX_RECORDS).clamp(1, MAX_RECORDS);
    let filter = super::filters::or_match_all(filter);
    let mut query = json!({"filter": filter, "maxRecords": max});
    if let Some(include) = include {
        query["includeFields"] = include;
    }
    let result = ctx
        .client
        .query(entity, &query, max as usize, ReadIntent::Explicit)
        .await?;
    let mut items = result.items;
    let note = present(ctx, entity, &mut items).await;
    let mut out = shape::search_result(&filter, items, result.has_more);
    if let (Some(note), Some(obj)) = (note, out.as_object_mut()) {
        obj.insert("labelNote".into(), json!(note));
    }
    Ok(out)
}

/// Reads one record at `path/{id}`, shaped with labels from `entity`'s picklists. `hint` says
/// how to find the right id when there is no such record.
pub async fn get_one(
    ctx: &Context,
    path: &str,
    entity: &str,
    id: i64,
    hint: &str,
) -> Result<Value, ToolError> {
    match ctx.client.get(path, id, ReadIntent::Explicit).await? {
        None => Err(ToolError::NotFound(format!(
            "{entity} has no record with id {id} (or the API user may not see it); {hint}"
        ))),
        Some(record) => {
            let mut records = [record];
            let note = present(ctx, entity, &mut records).await;
            let [mut record] = records;
            if let (Some(note), Some(obj)) = (note, record.as_object_mut()) {
                obj.insert("labelNote".into(), json!(note));
            }
            Ok(record)
        }
    }
}

/// The input of the tools that read one record by id.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ById {
    pub id: i64,
}

/// The input of a search whose filters are all named filters.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Page {
    pub max_records: Option<i64>,
}

/// Serializes a typed record into the body of a write.
pub fn body_of<T: serde::Serialize>(
    record: &T,
) -> Result<serde_json::Map<String, Value>, ToolError> {
    match serde_json::to_value(record) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) | Err(_) => Err(ToolError::Invalid(
            "internal error: the record could not be written as JSON. Nothing was sent.".into(),
        )),
    }
}

/// An update body that changes something besides the id, or the error saying so.
pub fn changes(
    body: serde_json::Map<String, Value>,
    tool: &str,
) -> Result<serde_json::Map<String, Value>, ToolError> {
    if body.keys().any(|k| k != "id") {
        Ok(body)
    } else {
        Err(ToolError::Invalid(format!(
            "{tool} has nothing to change: pass at least one field besides id. Nothing was sent."
        )))
    }
}

/// Fills each picklist field of `fields` missing from `body` with the tenant's default value
/// of `entity`; returns a note per field filled. A field without a tenant default is an error
/// that lists the values to choose from; nothing is sent then.
pub async fn tenant_defaults(
    ctx: &Context,
    entity: &str,
    fields: &[&str],
    body: &mut serde_json::Map<String, Value>,
) -> Result<Vec<String>, ToolError> {
    let missing: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|f| !body.contains_key(*f))
        .collect();
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    let lists = ctx.picklists.get(entity, ReadIntent::Explicit).await?;
    let mut notes = Vec::new();
    for field in missing {
        match lists.default_value(field) {
            Some(v) => {
                body.insert(
                    field.to_string(),
                    super::labels::typed_code(entity, field, &v.value),
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
                    "the tenant has no default {field} for {entity}: pass {field} ({}). Nothing was sent.",
                    if values.is_empty() {
                        format!("describe-entity-fields {entity} lists the values")
                    } else {
                        values.join(", ")
                    }
                )));
            }
        }
    }
    Ok(notes)
}
