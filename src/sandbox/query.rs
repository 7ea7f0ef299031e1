//! Queries: parsing a `QueryModel` (keys and field names case-insensitive), compiling its filter
//! once against the entity's fields, evaluating it over a table in id order, the id-based paging
//! cursor of `/query/next`, and `includeFields` projection. Autotask's quirks are kept: an
//! unknown operator is dropped (matches everything), an unknown field is a 500, booleans must be
//! literal, at most 500 `or` conditions, `maxRecords` 1..500. The filter is read through
//! `crate::filter::Lenient` (Autotask's own reading, operators spelt once in `crate::filter`).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::picklists::tenant;
use super::store::{Record, Table, udf_value};
use super::wire::{ApiError, format_datetime, get_ci, parse_datetime};
use crate::filter::{Group, Lenient, Op, Operand};
use crate::registry::{DataType, EntityDef};

/// Page size when `maxRecords` is absent, and its maximum.
pub const MAX_PAGE: usize = 500;
/// Most `or` conditions a query may hold.
pub const MAX_OR_CONDITIONS: usize = 500;

/// A parsed, compiled query.
#[derive(Debug)]
pub struct QuerySpec {
    pub max_records: usize,
    /// Fields to return (registry order, `id` included), or all.
    pub include: Option<Vec<&'static str>>,
    pub filter: Cond,
}

/// A compiled filter.
#[derive(Debug, Clone)]
pub enum Cond {
    /// Matches everything (an empty group or a dropped unknown operator).
    All,
    /// Matches nothing (`gt null` and the like).
    Never,
    And(Vec<Cond>),
    Or(Vec<Cond>),
    /// A comparison with one value (`op` is one of the `Operand::Scalar` operators).
    Compare {
        target: Target,
        op: Op,
        operand: Comparand,
    },
    /// `exist` (`negate` false) / `notExist`.
    Exist {
        target: Target,
        negate: bool,
    },
    /// `in` / `notIn`.
    In {
        target: Target,
        operands: Vec<Comparand>,
        negate: bool,
    },
}

/// What a condition reads.
#[derive(Debug, Clone)]
pub enum Target {
    Field {
        name: &'static str,
        data_type: DataType,
    },
    Udf {
        name: String,
    },
}

/// A filter value, normalised for comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparand {
    Number(f64),
    Bool(bool),
    /// Lower-cased string, or a datetime in the stored format (compares in order).
    Text(String),
}

/// The `paging` cursor of `/query/next`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paging {
    pub page_size: usize,
    #[serde(default)]
    pub previous_ids: Vec<i64>,
    #[serde(default)]
    pub next_ids: Vec<i64>,
}

fn unknown_field(field: &str, entity: &EntityDef) -> ApiError {
    ApiError::server(format!(
        "Unable to find {field} in the {} Entity",
        entity.singular
    ))
}

/// Parses a `QueryModel` JSON (`null` or `{}` → every record, 500 per page).
pub fn parse_query(entity: &EntityDef, body: &Value) -> Result<QuerySpec, ApiError> {
    let empty = Map::new();
    let model = match body {
        Value::Object(m) => m,
        Value::Null => &empty,
        _ => {
            return Err(ApiError::server(
                "The query must be a JSON object with filter, maxRecords and includeFields.",
            ));
        }
    };
    let max_records = match get_ci(model, "maxRecords") {
        None | Some(Value::Null) => MAX_PAGE,
        Some(v) => match v.as_i64() {
            Some(n) if (1..=MAX_PAGE as i64).contains(&n) => n as usize,
            _ => {
                return Err(ApiError::server(
                    "maxCountOfRecordsToReturn must be between 1 and 500",
                ));
            }
        },
    };
    let include = match get_ci(model, "includeFields") {
        None | Some(Value::Null) => None,
        Some(Value::Array(names)) if names.is_empty() => None,
        Some(Value::Array(names)) => {
            let mut wanted = vec![false; entity.fields.len()];
            for name in names {
                let name = name.as_str().unwrap_or_default();
                let index = entity
                    .fields
                    .iter()
                    .position(|f| f.name.eq_ignore_ascii_case(name))
                    .ok_or_else(|| unknown_field(name, entity))?;
                wanted[index] = true;
            }
            Some(
                entity
                    .fields
                    .iter()
                    .zip(wanted)
                    .filter(|(f, w)| *w || f.name == "id")
                    .map(|(f, _)| f.name)
                    .collect(),
            )
        }
        Some(_) => {
            return Err(ApiError::server(
                "includeFields must be an array of field names.",
            ));
        }
    };
    let filter = match get_ci(model, "filter") {
        None | Some(Value::Null) => Cond::All,
        Some(Value::Array(items)) => Cond::And(compile_all(entity, items)?),
        Some(item @ Value::Object(_)) => compile(entity, item)?,
        Some(_) => return Err(ApiError::server("filter must be an array of conditions.")),
    };
    let ors = count_or(&filter);
    if ors > MAX_OR_CONDITIONS {
        return Err(ApiError::server(
            "Invalid query syntax. Queries are limited to 500 or fewer 'OR' conditions.",
        ));
    }
    Ok(QuerySpec {
        max_records,
        include,
        filter,
    })
}

fn count_or(cond: &Cond) -> usize {
    match cond {
        Cond::Or(items) => items.len() + items.iter().map(count_or).sum::<usize>(),
        Cond::And(items) => items.iter().map(count_or).sum(),
        _ => 0,
    }
}

fn compile_all(entity: &EntityDef, items: &[Value]) -> Result<Vec<Cond>, ApiError> {
    items.iter().map(|item| compile(entity, item)).collect()
}

fn compile(entity: &EntityDef, item: &Value) -> Result<Cond, ApiError> {
    let clause = Lenient::read(item).map_err(|_| {
        ApiError::server("Each filter item must be an object with op, field and value.")
    })?;
    compile_clause(entity, &clause)
}

/// Compiles Autotask's reading of one clause (`filter::Lenient`: the operators spelt once, in
/// `crate::filter`) against the entity's fields.
fn compile_clause(entity: &EntityDef, clause: &Lenient) -> Result<Cond, ApiError> {
    let (op, field_name, is_udf, value) = match clause {
        // Autotask silently drops a clause with an operator it does not know.
        Lenient::Ignored { .. } => return Ok(Cond::All),
        Lenient::Group { group, items } => {
            let items = items
                .iter()
                .map(|c| compile_clause(entity, c))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(match group {
                Group::And => Cond::And(items),
                Group::Or => Cond::Or(items),
            });
        }
        Lenient::Compare {
            op,
            field,
            udf,
            value,
        } => (*op, field.as_str(), *udf, value),
    };
    let target = if is_udf {
        let udf = tenant()
            .udf(entity.name, field_name)
            .ok_or_else(|| unknown_field(field_name, entity))?;
        Target::Udf {
            name: udf.name.to_string(),
        }
    } else {
        let field = entity
            .field(field_name)
            .ok_or_else(|| unknown_field(field_name, entity))?;
        if !field.is_queryable {
            return Err(ApiError::server(format!(
                "The field {} of the {} Entity cannot be queried.",
                field.name, entity.singular
            )));
        }
        Target::Field {
            name: field.name,
            data_type: field.data_type,
        }
    };
    match op.operand() {
        Operand::None => Ok(Cond::Exist {
            target,
            negate: op == Op::NotExist,
        }),
        Operand::List => {
            let values: Vec<&Value> = match value {
                Value::Array(v) => v.iter().collect(),
                other => vec![other],
            };
            let operands = values
                .into_iter()
                .map(|v| operand(&target, v, entity))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Cond::In {
                target,
                operands,
                negate: op == Op::NotIn,
            })
        }
        Operand::Scalar => {
            if value.is_null()
                && !matches!(
                    target,
                    Target::Field {
                        data_type: DataType::Boolean,
                        ..
                    }
                )
            {
                // `eq null` / `noteq null` read as notExist / exist.
                return Ok(match op {
                    Op::Eq => Cond::Exist {
                        target,
                        negate: true,
                    },
                    Op::NotEq => Cond::Exist {
                        target,
                        negate: false,
                    },
                    _ => Cond::Never,
                });
            }
            let operand = operand(&target, value, entity)?;
            Ok(Cond::Compare {
                target,
                op,
                operand,
            })
        }
    }
}

fn operand(target: &Target, value: &Value, entity: &EntityDef) -> Result<Comparand, ApiError> {
    let (name, data_type) = match target {
        Target::Field { name, data_type } => (*name, *data_type),
        Target::Udf { .. } => {
            return Ok(Comparand::Text(scalar_text(value).to_lowercase()));
        }
    };
    let invalid = |what: &str| {
        ApiError::server(format!(
            "Invalid value {value} for the {what} field {name} of the {} Entity.",
            entity.singular
        ))
    };
    match data_type {
        DataType::Boolean => match value {
            Value::Bool(b) => Ok(Comparand::Bool(*b)),
            _ => Err(ApiError::server(format!(
                "Invalid value {value} for the boolean field {name} of the {} Entity: use true or false.",
                entity.singular
            ))),
        },
        t if t.is_number() => match value {
            Value::Number(n) => n
                .as_f64()
                .map(Comparand::Number)
                .ok_or_else(|| invalid("numeric")),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .map(Comparand::Number)
                .map_err(|_| invalid("numeric")),
            _ => Err(invalid("numeric")),
        },
        DataType::DateTime => value
            .as_str()
            .and_then(parse_datetime)
            .map(|at| Comparand::Text(format_datetime(at)))
            .ok_or_else(|| invalid("datetime")),
        _ => match value {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                Ok(Comparand::Text(scalar_text(value).to_lowercase()))
            }
            _ => Err(invalid("string")),
        },
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The record's value for a target, as an operand (`None` when null or empty).
fn read(record: &Record, target: &Target) -> Option<Comparand> {
    match target {
        Target::Field { name, data_type } => match record.get(*name)? {
            Value::Null => None,
            Value::Bool(b) => Some(Comparand::Bool(*b)),
            Value::Number(n) => n.as_f64().map(Comparand::Number),
            Value::String(s) if s.is_empty() => None,
            Value::String(s) if *data_type == DataType::DateTime => {
                Some(Comparand::Text(s.clone()))
            }
            Value::String(s) => Some(Comparand::Text(s.to_lowercase())),
            _ => None,
        },
        Target::Udf { name } => udf_value(record, name)
            .filter(|s| !s.is_empty())
            .map(|s| Comparand::Text(s.to_lowercase())),
    }
}

fn compare(left: &Comparand, right: &Comparand) -> Option<std::cmp::Ordering> {
    match (left, right) {
        (Comparand::Number(a), Comparand::Number(b)) => a.partial_cmp(b),
        (Comparand::Bool(a), Comparand::Bool(b)) => Some(a.cmp(b)),
        (Comparand::Text(a), Comparand::Text(b)) => {
            // UDF values are text; numbers in them compare as numbers.
            match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => x.partial_cmp(&y),
                _ => Some(a.cmp(b)),
            }
        }
        _ => None,
    }
}

impl Cond {
    /// Whether a record satisfies the condition. A null value matches no comparison (SQL).
    pub fn matches(&self, record: &Record) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Cond::All => true,
            Cond::Never => false,
            Cond::And(items) => items.iter().all(|c| c.matches(record)),
            Cond::Or(items) => items.is_empty() || items.iter().any(|c| c.matches(record)),
            Cond::Exist { target, negate } => read(record, target).is_some() != *negate,
            Cond::In {
                target,
                operands,
                negate,
            } => match read(record, target) {
                None => false,
                Some(v) => operands.iter().any(|o| compare(&v, o) == Some(Equal)) != *negate,
            },
            Cond::Compare {
                target,
                op,
                operand,
            } => {
                let Some(v) = read(record, target) else {
                    return false;
                };
                match op {
                    Op::Eq => compare(&v, operand) == Some(Equal),
                    Op::NotEq => compare(&v, operand).is_some_and(|o| o != Equal),
                    Op::Gt => compare(&v, operand) == Some(Greater),
                    Op::Gte => matches!(compare(&v, operand), Some(Greater | Equal)),
                    Op::Lt => compare(&v, operand) == Some(Less),
                    Op::Lte => matches!(compare(&v, operand), Some(Less | Equal)),
                    Op::BeginsWith | Op::EndsWith | Op::Contains => {
                        let (Comparand::Text(hay), Comparand::Text(needle)) = (&v, operand) else {
                            return false;
                        };
                        match op {
                            Op::BeginsWith => hay.starts_with(needle.as_str()),
                            Op::EndsWith => hay.ends_with(needle.as_str()),
                            _ => hay.contains(needle.as_str()),
                        }
                    }
                    // Presence and list operators compile to `Exist` and `In`, never here.
                    Op::Exist | Op::NotExist | Op::In | Op::NotIn => false,
                }
            }
        }
    }
}

/// One page of matching records.
#[derive(Debug)]
pub struct Page<'a> {
    pub items: Vec<&'a Record>,
    /// True when more records match after the last one.
    pub has_more: bool,
}

/// Up to `size` records with an id greater than `after` that match, in id order.
pub fn page<'a>(table: Option<&'a Table>, filter: &Cond, after: i64, size: usize) -> Page<'a> {
    let mut items = Vec::with_capacity(size.min(MAX_PAGE));
    let mut has_more = false;
    if let Some(table) = table {
        for record in table.rows.range(after.saturating_add(1)..).map(|(_, r)| r) {
            if filter.matches(record) {
                if items.len() == size {
                    has_more = true;
                    break;
                }
                items.push(record);
            }
        }
    }
    Page { items, has_more }
}

/// How many records match.
pub fn count(table: Option<&Table>, filter: &Cond) -> usize {
    table.map_or(0, |t| t.rows.values().filter(|r| filter.matches(r)).count())
}

/// The record as returned: whole, or only `include` (+ `userDefinedFields`).
pub fn project<'a>(record: &'a Record, include: Option<&[&'static str]>) -> Cow<'a, Record> {
    match include {
        None => Cow::Borrowed(record),
        Some(fields) => {
            let mut out = Map::with_capacity(fields.len() + 1);
            for name in fields {
                if let Some(v) = record.get(*name) {
                    out.insert((*name).to_string(), v.clone());
                }
            }
            if let Some(udfs) = record.get("userDefinedFields") {
                out.insert("userDefinedFields".into(), udfs.clone());
            }
            Cow::Owned(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;
    use serde_json::json;

    fn tickets() -> &'static EntityDef {
        registry::find("Tickets").unwrap()
    }

    fn record(v: Value) -> Record {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn operators_and_groups_evaluate() {
        let r = record(
            json!({"id": 1, "title": "Printer Jam", "status": 8, "companyID": 5,
            "dueDateTime": "2026-11-25T10:00:00.000", "isVisibleToComanaged": false,
            "userDefinedFields": [{"name": "Customer Ref", "value": "ACME-1"}]}),
        );
        let q = |f: Value| {
            parse_query(tickets(), &json!({ "filter": f }))
                .unwrap()
                .filter
                .matches(&r)
        };
        assert!(q(json!([{"op": "eq", "field": "STATUS", "value": 8}])));
        assert!(q(
            json!([{"op": "beginsWith", "field": "title", "value": "printer"}])
        ));
        assert!(q(
            json!([{"op": "contains", "field": "title", "value": "ER J"}])
        ));
        assert!(!q(
            json!([{"op": "endsWith", "field": "title", "value": "printer"}])
        ));
        assert!(q(json!([{"op": "in", "field": "status", "value": [1, 8]}])));
        assert!(q(
            json!([{"op": "notIn", "field": "status", "value": [1, 5]}])
        ));
        assert!(q(
            json!([{"op": "gt", "field": "dueDateTime", "value": "2026-11-25T09:00:00Z"}])
        ));
        assert!(q(json!([{"op": "exist", "field": "title"}])));
        assert!(q(
            json!([{"op": "notExist", "field": "assignedResourceID"}])
        ));
        assert!(!q(
            json!([{"op": "noteq", "field": "assignedResourceID", "value": 4}])
        ));
        assert!(q(
            json!([{"op": "eq", "field": "isVisibleToComanaged", "value": false}])
        ));
        assert!(q(
            json!([{"op": "eq", "field": "Customer Ref", "udf": true, "value": "acme-1"}])
        ));
        assert!(q(json!([{"op": "or", "items": [
            {"op": "eq", "field": "status", "value": 1},
            {"op": "and", "items": [{"op": "eq", "field": "companyID", "value": 5},
                                    {"op": "lte", "field": "status", "value": 8}]}]}])));
        // An unknown operator is dropped: the clause matches everything.
        assert!(q(json!([{"op": "ne", "field": "status", "value": 8}])));
    }

    #[test]
    fn bad_queries_get_autotask_errors() {
        let err = |body: Value| match parse_query(tickets(), &body) {
            Err(ApiError::Errors { messages, .. }) => messages.join(" "),
            other => panic!("expected an error, got {other:?}"),
        };
        assert_eq!(
            err(json!({"filter": [{"op": "eq", "field": "projectIDx", "value": 1}]})),
            "Unable to find projectIDx in the Ticket Entity"
        );
        assert!(err(json!({"MaxRecords": 501})).contains("between 1 and 500"));
        assert!(err(json!({"maxRecords": 0})).contains("between 1 and 500"));
        assert!(
            err(
                json!({"filter": [{"op": "eq", "field": "isVisibleToComanaged", "value": "true"}]})
            )
            .contains("boolean")
        );
        assert!(
            err(json!({"filter": [{"op": "eq", "field": "creatorType", "value": 1}]}))
                .contains("cannot be queried")
        );
        let ors: Vec<Value> = (0..501)
            .map(|i| json!({"op": "eq", "field": "id", "value": i}))
            .collect();
        assert!(err(json!({"filter": [{"op": "or", "items": ors}]})).contains("500 or fewer"));
    }

    #[test]
    fn include_fields_keep_id_and_registry_order() {
        let spec = parse_query(tickets(), &json!({"IncludeFields": ["title", "STATUS"]})).unwrap();
        assert_eq!(spec.include, Some(vec!["id", "status", "title"]));
    }
}
