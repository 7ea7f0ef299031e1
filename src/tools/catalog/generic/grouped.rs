//! Grouped counts (`count-entity` with `groupBy`): how many records match per value of one
//! field, with the tenant's labels for picklist codes and names for references, using the
//! fewest Autotask requests. A picklist with fewer values than the matching records fill pages
//! is counted value by value (`query/count` with an extra `eq` clause each); anything else is
//! read in pages of just `id` and the field, and tallied here. The answer says what it cost.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::autotask::ReadIntent;
use crate::autotask::paging::MAX_PAGE_SIZE;
use crate::registry::EntityDef;
use crate::tools::call::context::Context;
use crate::tools::facts::naming::named_reference;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::query;
use crate::tools::tenant::labels::typed_code;
use crate::tools::tenant::picklists::value_text;

/// Most records a grouped count reads in pages (20 requests of 500).
pub const MAX_GROUPED_ROWS: u64 = 10_000;
/// Most groups listed one by one; the rest are summed.
const MAX_GROUPS_LISTED: usize = 100;

/// The field to group `entity` by: an existing field, in the registry's spelling, that
/// Autotask can filter or return.
pub fn group_field(entity: &EntityDef, name: &str) -> Result<&'static str, ToolError> {
    let field = query::field_name(entity, name.trim())?;
    Ok(field)
}

/// How the counts were had.
enum Method {
    PerValue,
    Pages,
}

/// Counts of `entity` records matching `filter` (already checked, labels resolved) per value
/// of `field`; `total` is the number matching.
pub async fn counts(
    ctx: &Context,
    entity: &'static EntityDef,
    field: &'static str,
    filter: &[Value],
    total: u64,
) -> Result<Value, ToolError> {
    let def = entity.field(field);
    let lists = match def.filter(|f| f.is_pick_list) {
        Some(_) => ctx
            .tenant
            .picklists
            .get(entity.name, ReadIntent::Explicit)
            .await
            .ok(),
        None => None,
    };
    let values: Vec<String> = lists
        .as_ref()
        .and_then(|l| l.field(field))
        .map(|p| p.values.iter().map(|v| v.value.clone()).collect())
        .unwrap_or_default();
    let pages = total.div_ceil(MAX_PAGE_SIZE as u64);
    let queryable = def.is_some_and(|f| f.is_queryable);
    let per_value = !values.is_empty() && queryable && (values.len() as u64) < pages;
    let mut tally: HashMap<Option<String>, u64> = HashMap::new();
    let (method, requests) = if total == 0 {
        (Method::PerValue, 0)
    } else if per_value {
        let mut counted = 0;
        for code in &values {
            let mut clauses = filter.to_vec();
            if clauses == vec![query::match_all()] {
                clauses.clear();
            }
            clauses.push(query::eq(field, typed_code(entity.name, field, code)));
            let n = ctx
                .tenant
                .client
                .count(
                    entity.name,
                    &json!({ "filter": clauses }),
                    ReadIntent::Explicit,
                )
                .await?;
            if n > 0 {
                tally.insert(Some(code.clone()), n);
                counted += n;
            }
        }
        if total > counted {
            tally.insert(None, total - counted);
        }
        (Method::PerValue, values.len())
    } else {
        if total > MAX_GROUPED_ROWS {
            return Err(ToolError::Invalid(format!(
                "{total} {} records match: grouping them by {field} would read them all ({pages} requests of the tenant's hourly budget); narrow the filter (a date range, a queue, a company) to at most {MAX_GROUPED_ROWS} records, or count one value at a time.",
                entity.name
            )));
        }
        let query = json!({"filter": filter, "includeFields": ["id", field]});
        let rows = ctx
            .tenant
            .client
            .query(entity.name, &query, total as usize, ReadIntent::Explicit)
            .await?;
        for row in &rows.items {
            let key = row
                .get(field)
                .and_then(value_text)
                .filter(|s| !s.is_empty());
            *tally.entry(key).or_default() += 1;
        }
        (Method::Pages, pages as usize)
    };
    let mut groups: Vec<(Option<String>, u64)> = tally.into_iter().collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let listed = groups.len().min(MAX_GROUPS_LISTED);
    let rest: u64 = groups[listed..].iter().map(|g| g.1).sum();
    let rest_groups = groups.len() - listed;
    groups.truncate(listed);
    let names = reference_names(ctx, entity, field, &groups).await;
    let mut out = Vec::with_capacity(groups.len());
    for (value, count) in &groups {
        let mut g = Map::new();
        match value {
            Some(code) => {
                g.insert("value".into(), typed_code(entity.name, field, code));
                if let Some(label) = lists
                    .as_ref()
                    .and_then(|l| l.label(field, &Value::String(code.clone())))
                    .filter(|l| !l.is_empty())
                {
                    g.insert("label".into(), json!(label));
                } else if let Some(name) = code.parse::<i64>().ok().and_then(|id| names.get(&id)) {
                    g.insert("name".into(), json!(name));
                }
            }
            None => {
                g.insert("label".into(), json!("(no value)"));
            }
        }
        g.insert("count".into(), json!(count));
        out.push(Value::Object(g));
    }
    let cost = match method {
        Method::PerValue if requests == 0 => "nothing matched: no grouping request".to_string(),
        Method::PerValue => format!("a count per {field} value: {requests} requests"),
        Method::Pages => format!("{total} records read as {requests} pages of id and {field}"),
    };
    let mut result = json!({
        "groupBy": field,
        "groups": out,
        "cost": cost,
    });
    if rest_groups > 0 {
        result["otherGroups"] = json!({"groups": rest_groups, "count": rest});
    }
    Ok(result)
}

/// Names of the records a reference field's values point to (empty when the field is not a
/// named reference or the lookup failed: the ids still show).
async fn reference_names(
    ctx: &Context,
    entity: &EntityDef,
    field: &str,
    groups: &[(Option<String>, u64)],
) -> HashMap<i64, String> {
    if named_reference(entity, field).is_none() {
        return HashMap::new();
    }
    let records: Vec<Value> = groups
        .iter()
        .filter_map(|(v, _)| v.as_ref()?.parse::<i64>().ok())
        .map(|id| json!({ field: id }))
        .collect();
    let (found, _) = ctx.tenant.names.for_records(entity, &records).await;
    found.into_values().next().unwrap_or_default()
}
