//! Reading records for the tools and shaping what a model reads back: a page of a query (a
//! table of the summary fields, names beside references, labels in place of codes, under the
//! result's size budget) and one record by id (every field that has a value). Every record
//! goes through [`present`].

use serde_json::{Map, Value, json};

use super::params::Param;
use super::summary::{self, Projection};
use super::value::Kind;
use super::{Context, ToolError, shape};
use crate::autotask::{QueryResult, ReadIntent};
use crate::registry::{self, EntityDef};

/// Default `maxRecords` of the searches.
pub const DEFAULT_MAX_RECORDS: i64 = 50;
/// Largest `maxRecords` the parameter takes; the configured cap applies below it.
pub const MAX_RECORDS: i64 = 100_000;
/// Longest text cell in a table; `get-*` shows the whole text.
const MAX_CELL_CHARS: usize = 300;

/// The `maxRecords` parameter of the searches.
pub fn max_records_param() -> Param {
    Param::own(
        "maxRecords",
        Kind::Int {
            min: 1,
            max: MAX_RECORDS,
        },
        "",
    )
}

/// The registry entry of `name` (an entity the tools name in code).
pub fn entity_def(name: &str) -> Result<&'static EntityDef, ToolError> {
    registry::find(name).ok_or_else(|| {
        ToolError::Invalid(format!(
            "internal error: no entity {name} in the registry. Nothing was sent."
        ))
    })
}

/// Shapes records of `entity` for a model: no empty values, tidy dates, user-defined fields as
/// a map, the tenant's labels in place of picklist codes, names beside references. Labels and
/// names are background reads: when they cannot be had, the records come without them and the
/// notes say why.
pub async fn present(ctx: &Context, entity: &EntityDef, records: &mut [Value]) -> Vec<String> {
    let mut notes = Vec::new();
    for r in records.iter_mut() {
        shape::compact(r);
        shape::udf_map(r);
        shape::tidy_dates(r, entity);
    }
    if records.is_empty() {
        return notes;
    }
    ctx.names.remember(entity.name, records);
    let (names, note) = ctx.names.for_records(entity, records).await;
    notes.extend(note);
    let lists = ctx.picklists.get(entity.name, ReadIntent::Background).await;
    for r in records.iter_mut() {
        shape::add_names(r, entity, &names);
        if let Ok(lists) = &lists {
            shape::labels_in_place(r, lists);
        }
    }
    if let Err(e) = lists {
        notes.push(format!("picklist labels are missing: {e}"));
    }
    notes.extend(super::udfs::label_records(ctx, entity.name, records).await);
    notes
}

/// The rows a search asks for: `maxRecords` (default 50), capped by the configuration.
fn row_cap(ctx: &Context, max: Option<i64>, notes: &mut Vec<String>) -> usize {
    let cap = ctx.settings.max_records_cap.max(1);
    let wanted = usize::try_from(max.unwrap_or(DEFAULT_MAX_RECORDS).max(1)).unwrap_or(cap);
    if wanted > cap {
        notes.push(format!(
            "maxRecords {wanted} is above this server's cap of {cap} (AUTOTASK_MAX_RECORDS): the first {cap} were read"
        ));
    }
    wanted.min(cap)
}

fn cut_long_cells(row: &mut Value) -> bool {
    let mut cut = false;
    if let Value::Object(map) = row {
        for v in map.values_mut() {
            if let Value::String(s) = v
                && s.chars().count() > MAX_CELL_CHARS
            {
                let short: String = s.chars().take(MAX_CELL_CHARS).collect();
                *s = format!("{short}…");
                cut = true;
            }
        }
    }
    cut
}

/// A page of shaped records as a table, under the size budget.
pub fn page(
    ctx: &Context,
    entity: &EntityDef,
    filter: &[Value],
    rows: QueryResult,
    projection: &Projection,
    mut notes: Vec<String>,
) -> Value {
    let QueryResult {
        mut items,
        has_more,
    } = rows;
    let cap = ctx.settings.max_records_cap;
    let cut = items.iter_mut().map(cut_long_cells).filter(|c| *c).count();
    if cut > 0 {
        notes.push(format!(
            "texts longer than {MAX_CELL_CHARS} characters are cut here; get the record for the whole text"
        ));
    }
    let wanted = projection.columns(entity);
    if projection.fields.is_some() {
        // A projection shows its columns only: Autotask sends `userDefinedFields` with any
        // `includeFields`, and a page has no room for what was not asked for.
        for item in items.iter_mut() {
            if let Value::Object(map) = item {
                map.retain(|k, _| wanted.iter().any(|w| w == k));
            }
        }
    }
    let (columns, mut rows) = shape::table(&items, &wanted);
    let mut out = Map::new();
    out.insert("count".into(), json!(rows.len()));
    out.insert("hasMore".into(), json!(has_more));
    let (shown, shortened) = super::filters::echo(filter);
    if shortened {
        notes.push(format!(
            "the filter was sent in full but is shown summarised here ({} bytes of JSON)",
            Value::Array(filter.to_vec()).to_string().len()
        ));
    }
    out.insert("filter".into(), shown);
    out.insert("columns".into(), json!(columns));
    let header = Value::Object(out.clone()).to_string().len() + 400;
    let dropped = shape::fit_rows(
        &mut rows,
        ctx.settings.result_max_bytes.saturating_sub(header),
    );
    if dropped > 0 {
        let id_column = columns.iter().position(|c| c == "id");
        let last = id_column
            .and_then(|i| rows.last().and_then(|r| r.get(i)).cloned())
            .unwrap_or(Value::Null);
        out.insert("count".into(), json!(rows.len()));
        out.insert("hasMore".into(), json!(true));
        notes.push(format!(
            "{dropped} more rows were read but left out to keep this result under {} bytes: continue after id {last} (query-entity with this filter plus {{\"op\":\"gt\",\"field\":\"id\",\"value\":{last}}}), choose fewer fields, or narrow the filter",
            ctx.settings.result_max_bytes
        ));
    } else if has_more {
        notes.push(format!(
            "more rows match: raise maxRecords (up to {cap}) or narrow the filter; count-entity gives the total"
        ));
    }
    if !notes.is_empty() {
        out.insert("notes".into(), json!(notes));
    }
    out.insert("rows".into(), Value::Array(rows));
    Value::Object(out)
}

/// Queries `entity` with `filter` (all records when empty) and answers with a page.
pub async fn search(
    ctx: &Context,
    entity: &str,
    filter: Vec<Value>,
    max: Option<i64>,
    projection: Projection,
) -> Result<Value, ToolError> {
    let e = entity_def(entity)?;
    let mut notes = Vec::new();
    let cap = row_cap(ctx, max, &mut notes);
    let filter = super::filters::or_match_all(filter);
    let mut query = json!({"filter": filter});
    if let Some(include) = projection.include_fields() {
        query["includeFields"] = include;
    }
    let result = ctx
        .client
        .query(e.name, &query, cap, ReadIntent::Explicit)
        .await?;
    let mut items = result.items;
    notes.extend(present(ctx, e, &mut items).await);
    Ok(page(
        ctx,
        e,
        &filter,
        QueryResult {
            items,
            has_more: result.has_more,
        },
        &projection,
        notes,
    ))
}

/// Fits one shaped record under the result's size budget, noting what was cut.
pub fn fit(ctx: &Context, record: &mut Value, mut notes: Vec<String>) {
    let cut = shape::fit_record(record, ctx.settings.result_max_bytes.saturating_sub(400));
    for (field, chars) in cut {
        notes.push(format!(
            "{field} was cut to fit this result's {} bytes (it has {chars} characters)",
            ctx.settings.result_max_bytes
        ));
    }
    if !notes.is_empty()
        && let Some(obj) = record.as_object_mut()
    {
        obj.insert("_notes".into(), json!(notes));
    }
}

/// Reads one record at `path/{id}`: every field with a value, shaped. `hint` says how to find
/// the right id when there is no such record.
pub async fn get_one(
    ctx: &Context,
    path: &str,
    entity: &str,
    id: i64,
    hint: &str,
) -> Result<Value, ToolError> {
    let e = entity_def(entity)?;
    match ctx.client.get(path, id, ReadIntent::Explicit).await? {
        None => Err(ToolError::NotFound(format!(
            "{entity} has no record with id {id} (or the API user may not see it); {hint}"
        ))),
        Some(record) => {
            let mut records = [record];
            let notes = present(ctx, e, &mut records).await;
            let [mut record] = records;
            fit(ctx, &mut record, notes);
            Ok(record)
        }
    }
}

/// Keeps only the summary fields of a shaped record (and the names beside them).
pub fn summarize(entity: &EntityDef, record: &mut Value) {
    let Some(fields) = summary::summary_of(entity.name) else {
        return;
    };
    let projection = Projection {
        fields: Some(fields.to_vec()),
    };
    let keep = projection.columns(entity);
    if let Value::Object(map) = record {
        map.retain(|k, _| keep.contains(k));
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
    pub fields: Option<Vec<String>>,
}

impl Page {
    /// The projection `fields` asks for on `entity`.
    pub fn projection(&self, entity: &str) -> Result<Projection, ToolError> {
        summary::projection(entity_def(entity)?, self.fields.as_deref())
    }
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
