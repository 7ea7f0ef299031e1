//! The one picklist label resolver: wherever a picklist code goes (a tool argument, a field of a
//! write body, a filter value), the tenant's label may stand instead, and it becomes the code
//! here, through the tenant's live picklists, before anything is sent. Every label that does
//! not resolve is reported at once, with the values the tenant has.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{Context, ToolError};
use crate::autotask::ReadIntent;
use crate::picklists::EntityPicklists;

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
    ctx: &Context,
    wanted: &[Wanted],
) -> Result<HashMap<&'static str, Arc<EntityPicklists>>, ToolError> {
    let mut lists = HashMap::new();
    for w in wanted {
        if !lists.contains_key(w.entity) {
            let loaded = ctx.picklists.get(w.entity, ReadIntent::Explicit).await?;
            lists.insert(w.entity, loaded);
        }
    }
    Ok(lists)
}

/// Replaces the labels at `wanted` in `values` by their codes. Values that are not strings
/// (codes already) are left alone.
pub async fn resolve(
    ctx: &Context,
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
    let lists = load(ctx, &owned).await?;
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
        Err(ToolError::Invalid(format!(
            "{}. Nothing was sent.",
            problems.join("; ")
        )))
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
}
