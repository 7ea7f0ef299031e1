//! Reading records for the tools and shaping what a model reads back: a page of a query (a
//! table of the summary fields, names beside references, labels in place of codes, under the
//! result's size budget) and one record by id (every field that has a value). Every record
//! goes through [`present`].

use serde_json::{Map, Value, json};

use super::Limits;
use super::filter_echo;
use super::projection::{Projection, summary_of};
use super::shape;
use crate::autotask::{QueryResult, ReadIntent};
use crate::registry::EntityDef;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::param::DEFAULT_MAX_RECORDS;
use crate::tools::spec::query;
use crate::tools::tenant::{Tenant, udfs};

/// Longest text cell in a table; `get-*` shows the whole text.
const MAX_CELL_CHARS: usize = 300;

/// Shapes records of `entity` for a model: no empty values, tidy dates, user-defined fields as
/// a map, the tenant's labels in place of picklist codes, names beside references. Labels and
/// names are background reads: when they cannot be had, the records come without them and the
/// notes say why.
pub async fn present(tenant: &Tenant, entity: &EntityDef, records: &mut [Value]) -> Vec<String> {
    let mut notes = Vec::new();
    for r in records.iter_mut() {
        shape::compact(r);
        shape::udf_map(r);
        shape::tidy_dates(r, entity);
    }
    if records.is_empty() {
        return notes;
    }
    tenant.names.remember(entity.name, records);
    let (names, note) = tenant.names.for_records(entity, records).await;
    notes.extend(note);
    let lists = tenant
        .picklists
        .get(entity.name, ReadIntent::Background)
        .await;
    for r in records.iter_mut() {
        shape::add_names(r, entity, &names);
        if let Ok(lists) = &lists {
            shape::labels_in_place(r, lists);
        }
    }
    if let Err(e) = lists {
        notes.push(format!("picklist labels are missing: {e}"));
    }
    notes.extend(udfs::label_records(tenant, entity.name, records).await);
    notes
}

/// The rows a search asks for: `maxRecords` (default 50), capped by the configuration.
fn row_cap(limits: &Limits, max: Option<i64>, notes: &mut Vec<String>) -> usize {
    let cap = limits.max_records_cap.max(1);
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
    limits: &Limits,
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
    let cap = limits.max_records_cap;
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
    let (shown, shortened) = filter_echo::echo(filter);
    if shortened {
        notes.push(format!(
            "the filter was sent in full but is shown summarised here ({} bytes of JSON)",
            Value::Array(filter.to_vec()).to_string().len()
        ));
    }
    out.insert("filter".into(), shown);
    out.insert("columns".into(), json!(columns));
    let header = Value::Object(out.clone()).to_string().len() + 400;
    let dropped = shape::fit_rows(&mut rows, limits.result_max_bytes.saturating_sub(header));
    if dropped > 0 {
        let id_column = columns.iter().position(|c| c == "id");
        let last = id_column
            .and_then(|i| rows.last().and_then(|r| r.get(i)).cloned())
            .unwrap_or(Value::Null);
        out.insert("count".into(), json!(rows.len()));
        out.insert("hasMore".into(), json!(true));
        notes.push(format!(
            "{dropped} more rows were read but left out to keep this result under {} bytes: continue after id {last} (query-entity with this filter plus {{\"op\":\"gt\",\"field\":\"id\",\"value\":{last}}}), choose fewer fields, or narrow the filter",
            limits.result_max_bytes
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
    tenant: &Tenant,
    limits: &Limits,
    e: &'static EntityDef,
    filter: Vec<Value>,
    max: Option<i64>,
    projection: Projection,
) -> Result<Value, ToolError> {
    let mut notes = Vec::new();
    let cap = row_cap(limits, max, &mut notes);
    let filter = query::or_match_all(filter);
    let mut query = json!({"filter": filter});
    if let Some(include) = projection.include_fields() {
        query["includeFields"] = include;
    }
    let result = tenant
        .client
        .query(e.name, &query, cap, ReadIntent::Explicit)
        .await?;
    let mut items = result.items;
    notes.extend(present(tenant, e, &mut items).await);
    Ok(page(
        limits,
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
pub fn fit(limits: &Limits, record: &mut Value, mut notes: Vec<String>) {
    let cut = shape::fit_record(record, limits.result_max_bytes.saturating_sub(400));
    for (field, chars) in cut {
        notes.push(format!(
            "{field} was cut to fit this result's {} bytes (it has {chars} characters)",
            limits.result_max_bytes
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
    tenant: &Tenant,
    limits: &Limits,
    path: &str,
    e: &'static EntityDef,
    id: i64,
    hint: &str,
) -> Result<Value, ToolError> {
    let entity = e.name;
    match tenant.client.get(path, id, ReadIntent::Explicit).await? {
        None => Err(ToolError::NotFound(format!(
            "{entity} has no record with id {id} (or the API user may not see it); {hint}"
        ))),
        Some(record) => {
            let mut records = [record];
            let notes = present(tenant, e, &mut records).await;
            let [mut record] = records;
            fit(limits, &mut record, notes);
            Ok(record)
        }
    }
}

/// Keeps only the summary fields of a shaped record (and the names beside them).
pub fn summarize(entity: &EntityDef, record: &mut Value) {
    let Some(fields) = summary_of(entity.name) else {
        return;
    };
    let projection = Projection {
        fields: Some(fields),
    };
    let keep = projection.columns(entity);
    if let Value::Object(map) = record {
        map.retain(|k, _| keep.contains(k));
    }
}
