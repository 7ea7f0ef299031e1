//! Tool arguments: the parameter specs every tool declares, the JSON Schema generated from them,
//! and the coercion/validation of what a client sends. Everything here runs before any request
//! leaves the process: unknown names, wrong types, out-of-range numbers and over-long strings
//! are all rejected with one message that says what to send instead.

use serde_json::{Map, Value, json};

use super::ToolError;

/// Longest JSON text accepted for a `query` or `fields` argument given as a string.
pub const MAX_JSON_CHARS: usize = 100_000;
/// Largest `maxRecords` a search accepts (Autotask's page limit).
pub const MAX_RECORDS: i64 = 500;

/// What a parameter accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A record id: a non-negative integer (64-bit), as a number or a numeric string.
    Id,
    /// A 32-bit non-negative integer such as a foreign key or a picklist code.
    Code,
    /// A picklist code of `entity.field`: a code, or the label as the tenant shows it
    /// (resolved through the tenant's live picklist after the confirm gate).
    Pick {
        entity: &'static str,
        field: &'static str,
    },
    /// `maxRecords`: 1..=500.
    MaxRecords,
    /// A finite decimal number (hours).
    Number,
    /// `true`/`false` or the strings "true"/"false".
    Bool,
    /// A string of at most this many characters.
    Text(usize),
    /// A date or date-time (ISO 8601), sent to Autotask in UTC.
    DateTime,
    /// A JSON object given as an object or as a JSON string.
    Json,
    /// The confirm token of a write tool.
    Confirm,
}

/// One parameter of a tool.
#[derive(Debug, Clone)]
pub struct ParamSpec {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub description: String,
}

impl ParamSpec {
    pub fn new(name: &'static str, kind: Kind, description: impl Into<String>) -> Self {
        ParamSpec {
            name,
            kind,
            required: false,
            description: description.into(),
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// The JSON Schema of this parameter. Numbers and booleans also accept their string form,
    /// so clients of the server we replace (which sent every value as a string) keep working.
    pub fn schema(&self) -> Value {
        let mut schema = match self.kind {
            Kind::Id => {
                json!({"type": ["integer", "string"], "minimum": 0})
            }
            Kind::Code => {
                json!({"type": ["integer", "string"], "minimum": 0, "maximum": i32::MAX})
            }
            Kind::Pick { .. } => {
                json!({"type": ["integer", "string"], "minimum": 0, "maxLength": 100})
            }
            Kind::MaxRecords => {
                json!({"type": ["integer", "string"], "minimum": 1, "maximum": MAX_RECORDS})
            }
            Kind::Number => json!({"type": ["number", "string"]}),
            Kind::Bool => {
                json!({"type": ["boolean", "string"], "enum": [true, false, "true", "false"]})
            }
            Kind::Text(max) => json!({"type": "string", "maxLength": max}),
            Kind::DateTime => json!({"type": "string", "format": "date-time", "maxLength": 40}),
            Kind::Json => json!({"type": ["object", "string"]}),
            Kind::Confirm => json!({"type": "string", "maxLength": 64}),
        };
        if let Some(obj) = schema.as_object_mut() {
            obj.insert(
                "description".into(),
                Value::String(self.description.clone()),
            );
        }
        schema
    }
}

/// The input schema of a tool: an object with these properties, nothing else.
pub fn input_schema(params: &[ParamSpec]) -> Map<String, Value> {
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
    schema.insert("additionalProperties".into(), json!(false));
    schema
}

/// Validated, normalised arguments: ids and codes are JSON integers, booleans are booleans,
/// date-times are UTC strings, JSON arguments are objects.
#[derive(Debug, Clone, Default)]
pub struct Args {
    values: Map<String, Value>,
}

impl Args {
    /// An integer argument (ids, codes, maxRecords, resolved picklist codes).
    pub fn int(&self, name: &str) -> Option<i64> {
        self.values.get(name).and_then(Value::as_i64)
    }

    /// A required integer argument.
    pub fn req_int(&self, name: &str) -> Result<i64, ToolError> {
        self.int(name)
            .ok_or_else(|| ToolError::Invalid(format!("`{name}` is required")))
    }

    pub fn number(&self, name: &str) -> Option<f64> {
        self.values.get(name).and_then(Value::as_f64)
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.values.get(name).and_then(Value::as_str)
    }

    pub fn req_text(&self, name: &str) -> Result<&str, ToolError> {
        self.text(name)
            .ok_or_else(|| ToolError::Invalid(format!("`{name}` is required")))
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.values.get(name).and_then(Value::as_bool)
    }

    pub fn json(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// The raw normalised value (to copy into a request body).
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// Replaces a value (label → code resolution).
    pub fn set(&mut self, name: &str, value: Value) {
        self.values.insert(name.to_string(), value);
    }

    /// The names given, in the order of the tool's parameters.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
}

fn kind_hint(kind: Kind) -> String {
    match kind {
        Kind::Id => "a non-negative whole number such as 123 (or \"123\")".into(),
        Kind::Code => format!(
            "a non-negative whole number up to {} (or the same as a string)",
            i32::MAX
        ),
        Kind::Pick { entity, field } => format!(
            "a picklist code such as 1 (or \"1\"), or its label; describe-entity-fields {entity} lists the values of {field}"
        ),
        Kind::MaxRecords => format!("a whole number from 1 to {MAX_RECORDS}"),
        Kind::Number => "a number such as 1.5 (or \"1.5\")".into(),
        Kind::Bool => "true or false".into(),
        Kind::Text(max) => format!("a string of at most {max} characters"),
        Kind::DateTime => {
            "an ISO 8601 date or date-time in UTC, e.g. 2026-01-31 or 2026-01-31T14:00:00Z".into()
        }
        Kind::Json => "a JSON object (or a string holding one)".into(),
        Kind::Confirm => "the confirm token string".into(),
    }
}

fn describe(value: &Value) -> String {
    let text = match value {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    };
    if text.chars().count() > 40 {
        let cut: String = text.chars().take(40).collect();
        format!("{cut}… ({} characters)", text.chars().count())
    } else {
        text
    }
}

fn parse_uint(value: &Value, max: u64) -> Option<i64> {
    let n = match value {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse::<u64>().ok()?
        }
        _ => return None,
    };
    if n > max {
        return None;
    }
    i64::try_from(n).ok()
}

fn parse_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Parses an ISO 8601 date or date-time into Autotask's UTC form `YYYY-MM-DDTHH:MM:SSZ`.
pub fn parse_datetime(text: &str) -> Option<String> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
    let t = text.trim();
    if t.len() > 40 {
        return None;
    }
    let utc = if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        dt.with_timezone(&Utc).naive_utc()
    } else if let Ok(dt) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f") {
        dt
    } else if let Ok(dt) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M") {
        dt
    } else if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        d.and_hms_opt(0, 0, 0)?
    } else {
        return None;
    };
    Some(utc.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn coerce(kind: Kind, value: &Value) -> Option<Value> {
    match kind {
        Kind::Id => parse_uint(value, i64::MAX as u64).map(Value::from),
        Kind::Code => parse_uint(value, i32::MAX as u64).map(Value::from),
        Kind::Pick { .. } => match value {
            // A number-like string must be a valid code; anything else is a label.
            Value::String(s)
                if s.trim().chars().any(|c| c.is_ascii_digit())
                    && s.trim()
                        .chars()
                        .all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) =>
            {
                parse_uint(value, i32::MAX as u64).map(Value::from)
            }
            Value::String(s) if !s.trim().is_empty() && s.chars().count() <= 100 => Some(
                parse_uint(value, i32::MAX as u64)
                    .map_or_else(|| Value::String(s.trim().to_string()), Value::from),
            ),
            Value::Number(_) => parse_uint(value, i32::MAX as u64).map(Value::from),
            _ => None,
        },
        Kind::MaxRecords => parse_uint(value, MAX_RECORDS as u64)
            .filter(|n| *n >= 1)
            .map(Value::from),
        Kind::Number => {
            let n = match value {
                Value::Number(n) => n.as_f64()?,
                Value::String(s) if s.trim().len() <= 30 => s.trim().parse::<f64>().ok()?,
                _ => return None,
            };
            if !n.is_finite() || n.abs() > 1e12 {
                return None;
            }
            serde_json::Number::from_f64(n).map(Value::Number)
        }
        Kind::Bool => parse_bool(value).map(Value::Bool),
        Kind::Text(max) => match value {
            Value::String(s) if s.chars().count() <= max => Some(Value::String(s.clone())),
            _ => None,
        },
        Kind::DateTime => match value {
            Value::String(s) => parse_datetime(s).map(Value::String),
            _ => None,
        },
        Kind::Json => match value {
            Value::Object(_) => Some(value.clone()),
            Value::String(s) if s.len() <= MAX_JSON_CHARS => match serde_json::from_str::<Value>(s)
            {
                Ok(v @ Value::Object(_)) => Some(v),
                _ => None,
            },
            _ => None,
        },
        // Passed through exactly: the gate accepts only the exact token (no trimming).
        Kind::Confirm => match value {
            Value::String(s) if s.chars().count() <= 64 => Some(Value::String(s.clone())),
            _ => None,
        },
    }
}

fn json_problem(value: &Value) -> String {
    match value {
        Value::String(s) if s.len() > MAX_JSON_CHARS => {
            format!(
                "is {} characters long; the limit is {MAX_JSON_CHARS}",
                s.len()
            )
        }
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(_) => "is JSON but not an object; pass an object such as {\"filter\": [...]}".into(),
            Err(e) => format!("is not valid JSON ({e}); pass an object, or a string holding one"),
        },
        _ => "must be a JSON object (or a string holding one)".into(),
    }
}

/// Checks `raw` against `params`: every problem is collected into one message.
pub fn validate(
    tool: &str,
    params: &[ParamSpec],
    raw: Option<&Map<String, Value>>,
) -> Result<Args, ToolError> {
    let empty = Map::new();
    let raw = raw.unwrap_or(&empty);
    let mut problems = Vec::new();
    let valid_names: Vec<&str> = params.iter().map(|p| p.name).collect();
    for name in raw.keys() {
        if !params.iter().any(|p| p.name == name.as_str()) {
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
    let mut values = Map::new();
    for p in params {
        match raw.get(p.name) {
            None => {
                // A missing confirm token is the gate's to report: it names the token.
                if p.required && p.kind != Kind::Confirm {
                    problems.push(format!("`{}` is required: {}", p.name, kind_hint(p.kind)));
                }
            }
            Some(Value::Null) => problems.push(format!(
                "`{}` is null: pass {} or leave it out",
                p.name,
                kind_hint(p.kind)
            )),
            Some(Value::String(s))
                if s.trim().is_empty() && !p.required && !matches!(p.kind, Kind::Text(_)) =>
            {
                // The server we replace treated "" as "not given"; keep that.
            }
            Some(value) => match coerce(p.kind, value) {
                Some(v) => {
                    values.insert(p.name.to_string(), v);
                }
                None if p.kind == Kind::Json => {
                    problems.push(format!("`{}` {}", p.name, json_problem(value)))
                }
                None => problems.push(format!(
                    "`{}` is {}: expected {}",
                    p.name,
                    describe(value),
                    kind_hint(p.kind)
                )),
            },
        }
    }
    if problems.is_empty() {
        return Ok(Args { values });
    }
    let total = problems.len();
    problems.truncate(10);
    if total > 10 {
        problems.push(format!("and {} more problems", total - 10));
    }
    let mut message = format!("invalid arguments for {tool}: {}", problems.join("; "));
    if raw.keys().any(|k| !valid_names.contains(&k.as_str())) {
        message.push_str(&format!(". Valid arguments: {}", valid_names.join(", ")));
    }
    message.push_str(". Nothing was sent to Autotask; fix the arguments and call again.");
    Err(ToolError::Invalid(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Vec<ParamSpec> {
        vec![
            ParamSpec::new("id", Kind::Id, "Ticket id").required(),
            ParamSpec::new("status", Kind::Code, "Status code"),
            ParamSpec::new("openOnly", Kind::Bool, "Open only"),
            ParamSpec::new("title", Kind::Text(10), "Title"),
            ParamSpec::new("maxRecords", Kind::MaxRecords, "Max"),
            ParamSpec::new("query", Kind::Json, "Query"),
            ParamSpec::new("after", Kind::DateTime, "After"),
            ParamSpec::new("hours", Kind::Number, "Hours"),
        ]
    }

    fn check(args: Value) -> Result<Args, String> {
        validate("t", &params(), args.as_object()).map_err(|e| e.to_string())
    }

    #[test]
    fn numbers_accept_numeric_strings_and_booleans_accept_strings() {
        let args = check(
            json!({"id": "123", "status": 5, "openOnly": "true", "maxRecords": "20", "hours": "1.5"}),
        );
        let args = args.unwrap_or_default();
        assert_eq!(args.int("id"), Some(123));
        assert_eq!(args.int("status"), Some(5));
        assert_eq!(args.bool("openOnly"), Some(true));
        assert_eq!(args.int("maxRecords"), Some(20));
        assert_eq!(args.number("hours"), Some(1.5));
    }

    #[test]
    fn junk_is_rejected_with_the_reason() {
        for (args, expect) in [
            (json!({}), "`id` is required"),
            (json!({"id": null}), "`id` is null"),
            (json!({"id": -1}), "expected a non-negative whole number"),
            (
                json!({"id": "1234567890123456789012345678901234567890"}),
                "expected a non-negative",
            ),
            (
                json!({"id": 1234567890123456789012345678901234567890.0}),
                "expected a non-negative",
            ),
            (json!({"id": 1.5}), "expected a non-negative"),
            (json!({"id": true}), "expected a non-negative"),
            (json!({"id": 1, "status": 3_000_000_000u64}), "`status`"),
            (
                json!({"id": 1, "openOnly": "yes"}),
                "expected true or false",
            ),
            (
                json!({"id": 1, "title": "x".repeat(5000)}),
                "at most 10 characters",
            ),
            (json!({"id": 1, "maxRecords": 501}), "from 1 to 500"),
            (json!({"id": 1, "maxRecords": 0}), "from 1 to 500"),
            (json!({"id": 1, "query": "{not json"}), "is not valid JSON"),
            (json!({"id": 1, "query": "[1]"}), "not an object"),
            (json!({"id": 1, "after": "yesterday"}), "ISO 8601"),
            (json!({"id": 1, "hours": "NaN"}), "expected a number"),
            (
                json!({"id": 1, "colour": "red"}),
                "unknown argument `colour`",
            ),
            (json!({"id": 1, "Status": 1}), "did you mean `status`"),
        ] {
            let err = check(args.clone()).err().unwrap_or_default();
            assert!(err.contains(expect), "{args}: {err}");
        }
        let err = check(json!({"id": 1, "colour": "red"}))
            .err()
            .unwrap_or_default();
        assert!(
            err.contains("Valid arguments: id, status, openOnly"),
            "{err}"
        );
    }

    #[test]
    fn json_arguments_take_objects_or_strings_and_dates_become_utc() {
        let args = check(json!({"id": 1, "query": "{\"filter\": []}", "after": "2026-01-31"}))
            .unwrap_or_default();
        assert_eq!(args.json("query"), Some(&json!({"filter": []})));
        assert_eq!(args.text("after"), Some("2026-01-31T00:00:00Z"));
        let args =
            check(json!({"id": 1, "query": {"filter": []}, "after": "2026-01-31T10:00:00+02:00"}))
                .unwrap_or_default();
        assert_eq!(args.json("query"), Some(&json!({"filter": []})));
        assert_eq!(args.text("after"), Some("2026-01-31T08:00:00Z"));
    }

    #[test]
    fn a_flood_of_unknown_arguments_gives_a_short_message() {
        let mut flood = serde_json::Map::new();
        for i in 0..5_000 {
            flood.insert(format!("junk{i}"), json!(i));
        }
        flood.insert("id".into(), json!(1));
        let err = check(Value::Object(flood)).err().unwrap_or_default();
        assert!(err.len() < 2_000, "{}", err.len());
        assert!(err.contains("and 4990 more problems"), "{err}");
    }

    #[test]
    fn empty_strings_for_optional_numbers_mean_not_given() {
        let args = check(json!({"id": 7, "status": ""})).unwrap_or_default();
        assert_eq!(args.int("status"), None);
        assert_eq!(args.int("id"), Some(7));
    }

    #[test]
    fn confirm_tokens_are_passed_to_the_gate_exactly() {
        for token in ["CREATE_TICKET", " CREATE_TICKET", "CREATE_TICKET "] {
            assert_eq!(
                coerce(Kind::Confirm, &Value::String(token.into())),
                Some(Value::String(token.into()))
            );
        }
    }

    #[test]
    fn schemas_are_closed_objects_without_null_unions() {
        let schema = Value::Object(input_schema(&params()));
        assert_eq!(schema["additionalProperties"], json!(false));
        assert_eq!(schema["required"], json!(["id"]));
        assert!(!schema.to_string().contains("null"));
        for p in params() {
            assert!(schema["properties"][p.name]["description"].is_string());
        }
    }
}
