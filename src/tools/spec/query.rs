//! Autotask filter JSON: built from named search arguments, and checked when a client writes
//! it by hand (`query-entity`, `count-entity`). Autotask silently ignores an operator it does
//! not know (`ne` returned every Complete ticket as "open"), so only the real operators are
//! ever built or let through; an unknown field is a hard error at Autotask, so fields are
//! checked against the registry first, with suggestions, and a field Autotask cannot query
//! (`isQueryable` false, e.g. `Tickets.creatorType`) is refused before anything is sent.

use serde_json::{Map, Value, json};

use super::error::ToolError;
use crate::registry::{self, EntityDef};

/// The comparison operators Autotask evaluates.
pub const OPERATORS: &[&str] = &[
    "eq",
    "noteq",
    "gt",
    "gte",
    "lt",
    "lte",
    "beginsWith",
    "endsWith",
    "contains",
    "exist",
    "notExist",
    "in",
    "notIn",
];
/// The grouping operators.
pub const GROUPS: &[&str] = &["and", "or"];

pub fn eq(field: &str, value: impl Into<Value>) -> Value {
    json!({"op": "eq", "field": field, "value": value.into()})
}

pub fn noteq(field: &str, value: impl Into<Value>) -> Value {
    json!({"op": "noteq", "field": field, "value": value.into()})
}

pub fn gte(field: &str, value: impl Into<Value>) -> Value {
    json!({"op": "gte", "field": field, "value": value.into()})
}

pub fn not_exist(field: &str) -> Value {
    json!({"op": "notExist", "field": field})
}

/// The "every record" filter Autotask needs when nothing else is asked for.
pub fn match_all() -> Value {
    gte("id", 0)
}

/// Clauses, or `match_all` when there are none.
pub fn or_match_all(clauses: Vec<Value>) -> Vec<Value> {
    if clauses.is_empty() {
        vec![match_all()]
    } else {
        clauses
    }
}

/// A hand-written query after checking.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckedQuery {
    pub filter: Vec<Value>,
    /// `includeFields`: registry spellings, or `*` for every field.
    pub include: Option<Vec<String>>,
    pub max: Option<i64>,
}

/// Checks and normalises a hand-written query: `filter` must be a non-empty array of valid
/// clauses on fields the entity has; `maxRecords` (any casing) is taken out and returned so
/// the caller can apply its own cap. Field names are rewritten to the registry's spelling.
pub fn check_query(entity: &EntityDef, query: &Value) -> Result<CheckedQuery, ToolError> {
    let Some(obj) = query.as_object() else {
        return Err(ToolError::Invalid(
            "`query` must be a JSON object such as {\"filter\":[{\"op\":\"eq\",\"field\":\"id\",\"value\":1}]}".into(),
        ));
    };
    let mut filter = None;
    let mut include = None;
    let mut max = None;
    for (key, value) in obj {
        match key.to_ascii_lowercase().as_str() {
            "filter" => filter = Some(value),
            "includefields" => include = Some(value),
            "maxrecords" => {
                let n = value
                    .as_i64()
                    .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
                    .filter(|n| (1..=super::param::MAX_RECORDS).contains(n))
                    .ok_or_else(|| {
                        ToolError::Invalid(
                            "`maxRecords` in the query must be a whole number from 1 to 500".into(),
                        )
                    })?;
                max = Some(n);
            }
            other => {
                return Err(ToolError::Invalid(format!(
                    "the query has an unknown key `{}`: use filter, includeFields and maxRecords",
                    other.chars().take(40).collect::<String>()
                )));
            }
        }
    }
    let filter = match filter {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|c| check_clause(entity, c, 0))
            .collect::<Result<Vec<_>, _>>()?,
        Some(Value::Array(_)) | None => vec![match_all()],
        Some(_) => {
            return Err(ToolError::Invalid(
                "`filter` must be an array of clauses".into(),
            ));
        }
    };
    let include = match include {
        None => None,
        Some(Value::Array(names)) => {
            let mut fields = Vec::new();
            for n in names {
                let name = n.as_str().ok_or_else(|| {
                    ToolError::Invalid("`includeFields` must be an array of field names".into())
                })?;
                if name.trim() == "*" {
                    fields.push("*".to_string());
                } else {
                    fields.push(field_name(entity, name)?.to_string());
                }
            }
            Some(fields)
        }
        Some(_) => {
            return Err(ToolError::Invalid(
                "`includeFields` must be an array of field names".into(),
            ));
        }
    };
    Ok(CheckedQuery {
        filter,
        include,
        max,
    })
}

/// The registry spelling of a field of `entity`, or an error with suggestions.
pub fn field_name(entity: &EntityDef, name: &str) -> Result<&'static str, ToolError> {
    if let Some(f) = entity.field(name) {
        return Ok(f.name);
    }
    let suggestions = registry::suggest(name, entity.fields.iter().map(|f| f.name));
    let hint = if suggestions.is_empty() {
        format!("; call describe-entity-fields {} for the list", entity.name)
    } else {
        format!(": did you mean {}?", suggestions.join(", "))
    };
    Err(ToolError::Invalid(format!(
        "{} has no field `{}`{hint}",
        entity.name,
        name.chars().take(60).collect::<String>()
    )))
}

fn check_clause(entity: &EntityDef, clause: &Value, depth: usize) -> Result<Value, ToolError> {
    if depth > 8 {
        return Err(ToolError::Invalid(
            "the filter nests more than 8 groups deep".into(),
        ));
    }
    let Some(obj) = clause.as_object() else {
        return Err(ToolError::Invalid("each filter clause must be an object like {\"op\":\"eq\",\"field\":\"id\",\"value\":1}".into()));
    };
    let mut op = None;
    let mut out = Map::new();
    for (key, value) in obj {
        match key.to_ascii_lowercase().as_str() {
            "op" => op = value.as_str(),
            "field" | "value" | "items" | "udf" => {}
            other => {
                return Err(ToolError::Invalid(format!(
                    "a filter clause has an unknown key `{}`: use op, field, value, udf, items",
                    other.chars().take(40).collect::<String>()
                )));
            }
        }
    }
    let get = |k: &str| {
        obj.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v)
    };
    let Some(op) = op else {
        return Err(ToolError::Invalid("a filter clause has no `op`".into()));
    };
    if let Some(group) = GROUPS.iter().find(|g| g.eq_ignore_ascii_case(op)) {
        let Some(Value::Array(items)) = get("items") else {
            return Err(ToolError::Invalid(format!(
                "an `{group}` group needs an `items` array of clauses"
            )));
        };
        if items.is_empty() {
            return Err(ToolError::Invalid(format!(
                "an `{group}` group has no items"
            )));
        }
        let items = items
            .iter()
            .map(|c| check_clause(entity, c, depth + 1))
            .collect::<Result<Vec<_>, _>>()?;
        out.insert("op".into(), json!(group));
        out.insert("items".into(), Value::Array(items));
        return Ok(Value::Object(out));
    }
    let Some(op) = OPERATORS.iter().find(|o| o.eq_ignore_ascii_case(op)) else {
        let hint = match op.to_ascii_lowercase().as_str() {
            "ne" | "neq" | "!=" | "not" => " (for \"not equal\" use `noteq`)",
            "like" => " (use `contains`, `beginsWith` or `endsWith`)",
            _ => "",
        };
        return Err(ToolError::Invalid(format!(
            "unknown filter operator `{}`{hint}. Autotask silently ignores unknown operators, so it is refused here. Operators: {}, and groups and/or",
            op.chars().take(20).collect::<String>(),
            OPERATORS.join(", ")
        )));
    };
    out.insert("op".into(), json!(op));
    let udf = matches!(get("udf"), Some(Value::Bool(true)));
    let field = get("field")
        .and_then(Value::as_str)
        .ok_or_else(|| ToolError::Invalid(format!("the `{op}` clause has no `field`")))?;
    if udf {
        out.insert("field".into(), json!(field));
        out.insert("udf".into(), json!(true));
    } else {
        let name = field_name(entity, field)?;
        if entity.field(name).is_some_and(|f| !f.is_queryable) {
            return Err(ToolError::Invalid(format!(
                "{}.{name} can't be filtered on: Autotask does not allow queries on it (isQueryable is false in describe-entity-fields); filter on another field",
                entity.name
            )));
        }
        out.insert("field".into(), json!(name));
    }
    let value = get("value");
    match *op {
        "exist" | "notExist" => {}
        "in" | "notIn" => match value {
            Some(Value::Array(v)) if !v.is_empty() && v.len() <= 500 => {
                out.insert("value".into(), Value::Array(v.clone()));
            }
            _ => {
                return Err(ToolError::Invalid(format!(
                    "`{op}` on {field} needs a `value` array of 1 to 500 values"
                )));
            }
        },
        _ => match value {
            Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => {
                out.insert("value".into(), v.clone());
            }
            _ => {
                return Err(ToolError::Invalid(format!(
                    "`{op}` on {field} needs a `value` (a string, number or boolean); for \"is empty\" use notExist"
                )));
            }
        },
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tickets() -> &'static EntityDef {
        match registry::find("Tickets") {
            Some(e) => e,
            None => panic!("Tickets missing from the registry"),
        }
    }

    #[test]
    fn ne_and_unknown_fields_are_refused_with_the_fix() {
        let err = check_query(
            tickets(),
            &json!({"filter": [{"op": "ne", "field": "status", "value": 5}]}),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("use `noteq`"), "{err}");
        let err = check_query(
            tickets(),
            &json!({"filter": [{"op": "eq", "field": "stauts", "value": 5}]}),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("did you mean status"), "{err}");
    }

    #[test]
    fn fields_autotask_cannot_query_are_refused() {
        for field in ["creatorType", "LASTACTIVITYPERSONTYPE"] {
            let q = json!({"filter": [{"op": "or", "items": [{"op": "eq", "field": "status", "value": 1}, {"op": "eq", "field": field, "value": 1}]}]});
            let err = check_query(tickets(), &q)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                err.contains("can't be filtered on")
                    && err.to_lowercase().contains(&field.to_lowercase()),
                "{err}"
            );
        }
        // Listing it as a column is fine: only filters are refused.
        let q = json!({"filter": [{"op": "eq", "field": "id", "value": 1}], "includeFields": ["creatorType"]});
        assert!(check_query(tickets(), &q).is_ok());
    }

    #[test]
    fn queries_are_normalised() {
        let q = json!({"Filter": [{"op": "or", "items": [{"op": "EQ", "field": "STATUS", "value": 1}, {"op": "notexist", "field": "assignedresourceid"}]}], "MaxRecords": 20, "IncludeFields": ["Title"]});
        let CheckedQuery {
            filter,
            include,
            max,
        } = match check_query(tickets(), &q) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            filter,
            vec![
                json!({"op": "or", "items": [{"op": "eq", "field": "status", "value": 1}, {"op": "notExist", "field": "assignedResourceID"}]})
            ]
        );
        assert_eq!(include, Some(vec!["title".to_string()]));
        assert_eq!(max, Some(20));
        match check_query(tickets(), &json!({})) {
            Ok(checked) => assert_eq!(checked.filter, vec![match_all()]),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn built_filters_never_use_ne() {
        let f = [
            noteq("status", 5),
            not_exist("assignedResourceID"),
            crate::tools::spec::param::filter_clause(
                &["a", "b"],
                crate::tools::spec::param::Op::Contains,
                &json!("x"),
            ),
        ];
        let text = match serde_json::to_string(&f) {
            Ok(text) => text,
            Err(e) => panic!("{e}"),
        };
        assert!(
            text.contains("\"noteq\"") && !text.contains("\"ne\""),
            "{text}"
        );
    }
}
