//! Tool parameters: what each parameter is (an entity field, a named filter on fields, or the
//! tool's own argument), the input JSON Schema built from them, and the validation of what a
//! client sends. Validation runs before anything leaves the process: unknown names, wrong
//! types, out-of-range numbers, over-long and empty strings are all reported in one message
//! that names each argument and says what to send instead.

use serde_json::{Map, Value, json};

use super::error::ToolError;
use super::kind::{self as value, Coerced, Kind};
use crate::registry::FieldDef;

/// The comparison a named filter makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Op {
    Eq,
    Contains,
    BeginsWith,
    /// At or after (`gte`).
    From,
    /// Before (`lt`).
    Before,
}

impl Op {
    /// The Autotask operator.
    pub fn autotask(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Contains => "contains",
            Op::BeginsWith => "beginsWith",
            Op::From => "gte",
            Op::Before => "lt",
        }
    }
}

/// Default `maxRecords` of the searches.
pub const DEFAULT_MAX_RECORDS: i64 = 50;
/// Largest `maxRecords` the parameter takes; the configured cap applies below it.
pub const MAX_RECORDS: i64 = 100_000;
/// The parameter of user-defined fields by name, on writes (values to set) and searches
/// (values to match).
pub const UDF_PARAM: &str = "userDefinedFields";

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

/// The `fields` parameter of the searches (the columns to show).
pub fn fields_param() -> Param {
    Param::own("fields", Kind::Names, "")
}

/// The `userDefinedFields` parameter (taught once in the server's instructions).
pub fn udf_param() -> Param {
    Param::own(UDF_PARAM, Kind::Json, "")
}

/// Where a parameter comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A field of the tool's entity, sent under its own name.
    Field(&'static FieldDef),
    /// A named filter: `op` on one field, or `contains` on any of several (ORed).
    Filter { fields: Vec<&'static str>, op: Op },
    /// The tool's own argument (`openOnly`, `maxRecords`, `entity`, `confirm`, …).
    Own,
}

/// One parameter of a tool.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// Empty when the schema says it all.
    pub description: String,
    pub source: Source,
}

impl Param {
    /// The tool's own parameter.
    pub fn own(name: &'static str, kind: Kind, description: impl Into<String>) -> Param {
        Param {
            name,
            kind,
            required: false,
            description: description.into(),
            source: Source::Own,
        }
    }

    pub fn required(mut self) -> Param {
        self.required = true;
        self
    }

    /// The JSON Schema of this parameter.
    pub fn schema(&self) -> Value {
        let mut schema = self.kind.schema();
        if !self.description.is_empty()
            && let Some(obj) = schema.as_object_mut()
        {
            obj.insert("description".into(), json!(self.description));
        }
        schema
    }
}

/// The description the registry gives a field parameter: only what its name and type do not
/// say (a dependent picklist's parent). Labels for picklists and ids for references are
/// explained once, in the server's instructions.
pub fn field_description(f: &FieldDef) -> String {
    if f.is_pick_list && !f.picklist_parent_value_field.is_empty() {
        format!("Depends on {}.", f.picklist_parent_value_field)
    } else {
        String::new()
    }
}

/// The input schema of a tool: an object with these properties (others are refused when
/// called, naming the valid ones).
pub fn input_schema(params: &[Param]) -> Map<String, Value> {
    let mut properties = Map::new();
    for p in params {
        properties.insert(p.name.to_string(), p.schema());
    }
    let required: Vec<Value> = params
        .iter()
        .filter(|p| p.required)
        .map(|p| Value::String(p.name.to_string()))
        .collect();
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema
}

/// Validated arguments: every value coerced to its kind (ids are integers, booleans booleans,
/// date-times UTC strings, JSON arguments objects); picklist labels are still labels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args {
    pub values: Map<String, Value>,
    /// Picklist parameters given as labels: (parameter, label).
    pub labels: Vec<(&'static str, String)>,
}

/// Checks `raw` against `params`: every problem is collected into one message.
pub fn validate(
    tool: &str,
    params: &[Param],
    raw: Option<&Map<String, Value>>,
) -> Result<Args, ToolError> {
    let empty = Map::new();
    let raw = raw.unwrap_or(&empty);
    let mut problems = Vec::new();
    let valid_names: Vec<&str> = params.iter().map(|p| p.name).collect();
    let mut unknown = false;
    for name in raw.keys() {
        if !valid_names.contains(&name.as_str()) {
            unknown = true;
            let close = params
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(name))
                .map(|p| vec![p.name])
                .unwrap_or_else(|| crate::registry::suggest(name, valid_names.iter().copied()));
            let hint = match close.first() {
                Some(c) => format!(" (did you mean `{c}`?)"),
                None => String::new(),
            };
            let shown: String = name.chars().take(60).collect();
            problems.push(format!("unknown argument `{shown}`{hint}"));
        }
    }
    let mut args = Args::default();
    for p in params {
        match raw.get(p.name) {
            None => {
                // A missing confirm token is the gate's to report: it names the token.
                if p.required && !matches!(p.kind, Kind::Confirm { .. }) {
                    problems.push(format!("`{}` is required: {}", p.name, p.kind.hint()));
                }
            }
            Some(Value::Null) => problems.push(format!(
                "`{}` is null: pass {} or leave it out",
                p.name,
                p.kind.hint()
            )),
            Some(Value::String(s))
                if s.trim().is_empty() && !matches!(p.kind, Kind::Confirm { .. }) =>
            {
                if p.required || matches!(p.source, Source::Filter { .. }) {
                    // An empty filter would match everything: refuse it.
                    problems.push(format!(
                        "`{}` is empty: pass {} or leave it out",
                        p.name,
                        p.kind.hint()
                    ));
                } else if matches!(p.kind, Kind::Text { .. }) {
                    args.values.insert(p.name.to_string(), json!(s));
                }
                // Otherwise "" means "not given", as for the server we replace.
            }
            Some(value) => match value::coerce(p.kind, value) {
                Some(Coerced::Ready(v)) => {
                    args.values.insert(p.name.to_string(), v);
                }
                Some(Coerced::Label(label)) => {
                    args.values.insert(p.name.to_string(), json!(label));
                    args.labels.push((p.name, label));
                }
                None if p.kind == Kind::Json => {
                    problems.push(format!("`{}` {}", p.name, value::json_problem(value)))
                }
                None => problems.push(format!(
                    "`{}` is {}: expected {}{}",
                    p.name,
                    value::describe(value),
                    p.kind.hint(),
                    name_for_id(p, value)
                )),
            },
        }
    }
    if problems.is_empty() {
        return Ok(args);
    }
    let total = problems.len();
    problems.truncate(10);
    if total > 10 {
        problems.push(format!("and {} more problems", total - 10));
    }
    let mut message = format!("invalid arguments for {tool}: {}", problems.join("; "));
    if unknown {
        message.push_str(&format!(". Valid arguments: {}", valid_names.join(", ")));
    }
    message.push_str(". Fix the arguments and call again.");
    Err(ToolError::Invalid(message))
}

/// When a name stands where an id goes (`assignedResourceID: "Aiko Tanaka"`), the tool that
/// finds the id.
fn name_for_id(p: &Param, value: &Value) -> String {
    let Some(text) = value.as_str() else {
        return String::new();
    };
    if !matches!(p.kind, Kind::Int { .. }) || !text.chars().any(char::is_alphabetic) {
        return String::new();
    }
    let lower = p.name.to_ascii_lowercase();
    let tool = if lower.contains("resource") {
        "search-resources"
    } else if lower.contains("company") {
        "search-companies"
    } else if lower.contains("contact") {
        "search-contacts"
    } else if lower.contains("project") {
        "search-projects"
    } else if lower.contains("ticket") {
        "search-tickets"
    } else {
        return String::new();
    };
    format!(" (a name: find its id with {tool}, then pass the id)")
}

/// The Autotask clause of a named filter with value `v`.
pub fn filter_clause(fields: &[&str], op: Op, v: &Value) -> Value {
    match fields {
        [field] => json!({"op": op.autotask(), "field": field, "value": v}),
        many => json!({"op": "or", "items": many
            .iter()
            .map(|f| json!({"op": op.autotask(), "field": f, "value": v}))
            .collect::<Vec<_>>()}),
    }
}

/// The clauses of the named filters among `params` that `args` sets, in parameter order.
pub fn filter_clauses(params: &[Param], args: &Args) -> Vec<Value> {
    params
        .iter()
        .filter_map(|p| match &p.source {
            Source::Filter { fields, op } => args
                .values
                .get(p.name)
                .map(|v| filter_clause(fields, *op, v)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::spec::kind::ID;

    fn params() -> Vec<Param> {
        vec![
            Param::own("id", ID, "Ticket id").required(),
            Param::own("openOnly", Kind::Bool, ""),
            Param::own("title", Kind::Text { max: 10 }, ""),
            Param::own("maxRecords", Kind::Int { min: 1, max: 500 }, ""),
            Param::own("query", Kind::Json, ""),
            Param::own("after", Kind::DateTime, ""),
            Param::own("hours", Kind::Number, ""),
            Param {
                name: "nameContains",
                kind: Kind::Text { max: 50 },
                required: false,
                description: String::new(),
                source: Source::Filter {
                    fields: vec!["firstName", "lastName"],
                    op: Op::Contains,
                },
            },
            Param::own(
                "status",
                Kind::Pick {
                    entity: "Tickets",
                    field: "status",
                },
                "",
            ),
        ]
    }

    fn check(args: Value) -> Result<Args, String> {
        validate("t", &params(), args.as_object()).map_err(|e| e.to_string())
    }

    #[test]
    fn values_are_normalised_and_labels_noted() -> Result<(), String> {
        let args = check(json!({"id": "123", "openOnly": "true", "maxRecords": "20",
            "hours": "1.5", "status": "In Progress", "after": "2026-01-02"}))?;
        assert_eq!(
            Value::Object(args.values),
            json!({"id": 123, "openOnly": true, "maxRecords": 20, "hours": 1.5,
                "status": "In Progress", "after": "2026-01-02T00:00:00Z"})
        );
        assert_eq!(args.labels, vec![("status", "In Progress".to_string())]);
        Ok(())
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let err = check(
            json!({"id": -1, "titel": "x", "maxRecords": 501, "query": "[1]",
            "nameContains": "", "openOnly": null}),
        )
        .err()
        .unwrap_or_default();
        for expect in [
            "`id` is -1: expected a non-negative whole number",
            "unknown argument `titel` (did you mean `title`?)",
            "`maxRecords` is 501: expected a whole number from 1 to 500",
            "`query` is JSON but not an object",
            "`nameContains` is empty",
            "`openOnly` is null",
            "Valid arguments: id, openOnly",
            "Nothing was sent",
        ] {
            assert!(err.contains(expect), "{expect} missing from: {err}");
        }
        let err = check(json!({})).err().unwrap_or_default();
        assert!(err.contains("`id` is required"), "{err}");
    }

    #[test]
    fn named_filters_become_clauses() -> Result<(), String> {
        let args = check(json!({"id": 1, "nameContains": "ann"}))?;
        assert_eq!(
            filter_clauses(&params(), &args),
            vec![json!({"op": "or", "items": [
                {"op": "contains", "field": "firstName", "value": "ann"},
                {"op": "contains", "field": "lastName", "value": "ann"}]})]
        );
        Ok(())
    }
}
