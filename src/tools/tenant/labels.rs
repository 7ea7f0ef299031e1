//! The one picklist label resolver: wherever a picklist code goes (a tool argument, a field of a
//! write body, a filter value), the tenant's label may stand instead, and it becomes the code
//! here, through the tenant's live picklists, before anything is sent. Every label that does
//! not resolve is reported at once, with the values the tenant has.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::Tenant;
use super::picklists::EntityPicklists;
use crate::autotask::ReadIntent;
use crate::tools::spec::error::ToolError;

/// A label to turn into a code: the key it sits under in a map, and the picklist it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub key: String,
    pub entity: &'static str,
    pub field: &'static str,
}

/// Most valid values listed in an error.
const SHOWN: usize = 60;

/// The code `code` (as the tenant's picklist writes it) in the type of `entity.field`.
pub fn typed_code(entity: &str, field: &str, code: &str) -> Value {
    let integer = crate::registry::find(entity)
        .and_then(|e| e.field(field))
        .is_none_or(|f| f.data_type.is_integer());
    match code.parse::<i64>() {
        Ok(n) if integer => Value::from(n),
        _ => Value::String(code.to_string()),
    }
}

/// Resolves one label against loaded picklists.
pub fn code_of(
    lists: &EntityPicklists,
    key: &str,
    entity: &str,
    field: &str,
    label: &str,
) -> Result<Value, String> {
    match lists.code(field, label) {
        Ok(code) => Ok(typed_code(entity, field, code)),
        Err(valid) if valid.is_empty() => Err(format!(
            "`{key}` is \"{label}\", but the tenant has no picklist for {entity}.{field}: pass the numeric code"
        )),
        Err(valid) => {
            let total = valid.len();
            let mut shown: Vec<&str> = valid.into_iter().take(SHOWN).collect();
            if total > SHOWN {
                shown.push("…");
            }
            Err(format!(
                "`{key}` is \"{label}\", which is not a value of {entity}.{field}. Values: {}",
                shown.join(", ")
            ))
        }
    }
}

/// Loads the picklists of every entity `wanted` names, once each.
async fn load(
    tenant: &Tenant,
    wanted: &[Wanted],
) -> Result<HashMap<&'static str, Arc<EntityPicklists>>, ToolError> {
    let mut lists = HashMap::new();
    for w in wanted {
        if !lists.contains_key(w.entity) {
            let loaded = tenant.picklists.get(w.entity, ReadIntent::Explicit).await?;
            lists.insert(w.entity, loaded);
        }
    }
    Ok(lists)
}

/// Replaces the labels at `wanted` in `values` by their codes. Values that are not strings
/// (codes already) are left alone.
pub async fn resolve(
    tenant: &Tenant,
    values: &mut Map<String, Value>,
    wanted: &[Wanted],
) -> Result<(), ToolError> {
    let wanted: Vec<&Wanted> = wanted
        .iter()
        .filter(|w| values.get(&w.key).is_some_and(Value::is_string))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let owned: Vec<Wanted> = wanted.iter().map(|w| (*w).clone()).collect();
    let lists = load(tenant, &owned).await?;
    let mut problems = Vec::new();
    for w in wanted {
        let Some(label) = values
            .get(&w.key)
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        let Some(list) = lists.get(w.entity) else {
            continue;
        };
        match code_of(list, &w.key, w.entity, w.field, &label) {
            Ok(code) => {
                values.insert(w.key.clone(), code);
            }
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ToolError::Invalid(problems.join("; ")))
    }
}

/// A filter value to look at: a picklist label to turn into a code, or a numeric string to
/// send as a number.
fn needs_code(v: &Value) -> bool {
    matches!(v, Value::String(_))
}

/// Turns the picklist labels in a checked Autotask filter into codes: every clause on a
/// picklist field of `entity` whose value (or `in`/`notIn` values) is text. A numeric text is
/// a code already; an unknown label is refused with the valid choices, nothing sent.
pub async fn resolve_filter(
    tenant: &Tenant,
    entity: &crate::registry::EntityDef,
    filter: &mut [Value],
) -> Result<(), ToolError> {
    let mut wanted = false;
    for clause in filter.iter() {
        walk(clause, &mut |field, values| {
            if entity.field(field).is_some_and(|f| f.is_pick_list)
                && values.iter().any(|v| needs_code(v))
            {
                wanted = true;
            }
        });
    }
    if !wanted {
        return Ok(());
    }
    let lists = tenant
        .picklists
        .get(entity.name, ReadIntent::Explicit)
        .await?;
    let mut problems = Vec::new();
    for clause in filter.iter_mut() {
        walk_mut(clause, &mut |field, value| {
            let Some(f) = entity.field(field).filter(|f| f.is_pick_list) else {
                return;
            };
            let Value::String(text) = value else { return };
            let trimmed = text.trim().to_string();
            if trimmed.parse::<i64>().is_ok() {
                *value = typed_code(entity.name, f.name, &trimmed);
                return;
            }
            match code_of(&lists, field, entity.name, f.name, &trimmed) {
                Ok(code) => *value = code,
                Err(problem) => problems.push(problem),
            }
        });
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ToolError::Invalid(format!(
            "`query`: {}",
            problems.join("; ")
        )))
    }
}

/// Calls `f(field, values)` for every comparison clause (values: `value`, or the `in` list).
fn walk(clause: &Value, f: &mut impl FnMut(&str, Vec<&Value>)) {
    if let Some(items) = clause.get("items").and_then(Value::as_array) {
        for item in items {
            walk(item, f);
        }
        return;
    }
    if clause.get("udf") == Some(&Value::Bool(true)) {
        return;
    }
    let Some(field) = clause.get("field").and_then(Value::as_str) else {
        return;
    };
    match clause.get("value") {
        Some(Value::Array(values)) => f(field, values.iter().collect()),
        Some(v) => f(field, vec![v]),
        None => {}
    }
}

/// Calls `f(field, value)` on every value of every comparison clause, to change it.
fn walk_mut(clause: &mut Value, f: &mut impl FnMut(&str, &mut Value)) {
    if let Some(items) = clause.get_mut("items").and_then(Value::as_array_mut) {
        for item in items {
            walk_mut(item, f);
        }
        return;
    }
    if clause.get("udf") == Some(&Value::Bool(true)) {
        return;
    }
    let Some(field) = clause
        .get("field")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return;
    };
    match clause.get_mut("value") {
        Some(Value::Array(values)) => values.iter_mut().for_each(|v| f(&field, v)),
        Some(v) => f(&field, v),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lists() -> EntityPicklists {
        EntityPicklists::from_fields(&[json!({"name": "status", "picklistValues": [
            {"value": "1", "label": "New", "isActive": true},
            {"value": "8", "label": "In Progress", "isActive": true}]})])
    }

    #[test]
    fn labels_become_codes_of_the_field_type() {
        assert_eq!(
            code_of(&lists(), "status", "Tickets", "status", "in progress"),
            Ok(json!(8))
        );
        let err = code_of(&lists(), "status", "Tickets", "status", "Done")
            .err()
            .unwrap_or_default();
        assert!(err.contains("Values: New, In Progress"), "{err}");
        let err = code_of(&lists(), "queueID", "Tickets", "queueID", "Desk")
            .err()
            .unwrap_or_default();
        assert!(err.contains("no picklist for Tickets.queueID"), "{err}");
        assert_eq!(typed_code("Tickets", "status", "5"), json!(5));
        assert_eq!(typed_code("Nope", "x", "A"), json!("A"));
    }

    #[test]
    fn filters_are_walked_into_groups_and_lists() {
        let mut clause = json!({"op": "or", "items": [
            {"op": "eq", "field": "status", "value": "New"},
            {"op": "in", "field": "priority", "value": ["High", 2]},
            {"op": "eq", "field": "Tier", "udf": true, "value": "Gold"}]});
        let mut seen = Vec::new();
        walk(&clause, &mut |field, values| {
            seen.push((field.to_string(), values.len()))
        });
        assert_eq!(
            seen,
            [("status".to_string(), 1), ("priority".to_string(), 2)]
        );
        walk_mut(&mut clause, &mut |_, v| {
            if v.is_string() {
                *v = json!(0);
            }
        });
        assert_eq!(clause["items"][0]["value"], 0);
        assert_eq!(clause["items"][1]["value"], json!([0, 2]));
        assert_eq!(
            clause["items"][2]["value"], "Gold",
            "UDF values are left alone"
        );
    }
}
