//! Argument values: the kinds a tool parameter or a record field can have, what each kind
//! advertises in a JSON Schema (one type per parameter), and the one coercion path from what a
//! client sends to what Autotask receives. Tool arguments and the bodies of the generic write
//! tools both go through [`coerce`], so `"123"`, `" true "` and `"1.5"` mean the same
//! everywhere, and an entity field's kind always comes from the registry ([`Kind::of_field`]).

use serde_json::{Value, json};

use crate::registry::{DataType, EntityDef, FieldDef};

/// Longest JSON text accepted for a `query` or `fields` argument given as a string.
pub const MAX_JSON_CHARS: usize = 100_000;
/// Longest text accepted where the registry gives no length.
pub const MAX_TEXT: u32 = 32_000;
/// Largest magnitude accepted for a decimal number.
const MAX_NUMBER: f64 = 1e12;

/// What a value accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A whole number in `min..=max`, as a number or a numeric string (ids, references and
    /// `maxRecords` have `min` 0 or 1).
    Int { min: i64, max: i64 },
    /// A picklist code of `entity.field`, or its label as the tenant shows it (turned into the
    /// code through the tenant's live picklist before anything is sent).
    Pick {
        entity: &'static str,
        field: &'static str,
    },
    /// A finite decimal number.
    Number,
    /// `true`/`false`, or the strings "true"/"false".
    Bool,
    /// `true`/`false` on a field Autotask stores as the integer 0/1 (`Contacts.isActive`).
    Flag,
    /// A string of at most `max` characters.
    Text { max: u32 },
    /// An ISO 8601 date or date-time, sent to Autotask in UTC.
    DateTime,
    /// A JSON object, or a string holding one.
    Json,
    /// A list of short names (field names).
    Names,
    /// The confirm token of write tool `tool`: passed through exactly.
    Confirm { tool: &'static str },
}

/// The kind of an id (64-bit, non-negative).
pub const ID: Kind = Kind::Int {
    min: 0,
    max: i64::MAX,
};

/// What a coerced value is: ready to send, or a picklist label still to resolve.
#[derive(Debug, Clone, PartialEq)]
pub enum Coerced {
    Ready(Value),
    Label(String),
}

impl Kind {
    /// The kind of an entity field, from the registry: picklists take codes or labels;
    /// ids, references and picklist codes are non-negative; strings are capped at the field's
    /// length.
    pub fn of_field(entity: &EntityDef, f: &FieldDef) -> Kind {
        if f.is_pick_list {
            return Kind::Pick {
                entity: entity.name,
                field: f.name,
            };
        }
        let non_negative = f.name == "id" || f.is_reference;
        let int = |max: i64| Kind::Int {
            min: if non_negative { 0 } else { -max },
            max,
        };
        match f.data_type {
            DataType::Integer => int(i32::MAX as i64),
            DataType::Short => int(i16::MAX as i64),
            DataType::Long => int(i64::MAX),
            DataType::Double | DataType::Decimal => Kind::Number,
            DataType::Boolean => Kind::Bool,
            DataType::DateTime => Kind::DateTime,
            DataType::String => Kind::Text {
                max: if f.length > 0 { f.length } else { MAX_TEXT },
            },
        }
    }

    /// True when `self` may stand for field `f` of `entity` as a parameter: the kind the
    /// registry gives, a `Flag` on an integer field, or a shorter text cap.
    pub fn fits_field(self, entity: &EntityDef, f: &FieldDef) -> bool {
        let own = Kind::of_field(entity, f);
        match (self, own) {
            (a, b) if a == b => true,
            (Kind::Flag, Kind::Int { .. }) => true,
            (Kind::Text { max: a }, Kind::Text { max: b }) => a <= b,
            _ => false,
        }
    }

    /// The JSON Schema of this kind: exactly one `type`. Numbers and booleans are still
    /// accepted as strings at run time, and picklists as codes or labels.
    pub fn schema(self) -> Value {
        match self {
            Kind::Int { min, max } if min >= 1 && max <= 10_000 => {
                json!({"type": "integer", "minimum": min, "maximum": max})
            }
            // Open-ended counts (`maxRecords`): the lower bound is checked when called, with a
            // message; the schema stays short.
            Kind::Int { .. } => json!({"type": "integer"}),
            Kind::Pick { .. } => json!({"type": "string"}),
            Kind::Number => json!({"type": "number"}),
            Kind::Bool | Kind::Flag => json!({"type": "boolean"}),
            // Long texts' caps are checked when called; short ones help the model.
            Kind::Text { max } if max < 1_000 => json!({"type": "string", "maxLength": max}),
            Kind::Text { .. } => json!({"type": "string"}),
            // The token is the tool's name in upper snake case: the instructions say it once.
            Kind::Confirm { .. } => json!({"type": "string"}),
            Kind::DateTime => json!({"type": "string", "format": "date-time"}),
            Kind::Json => json!({"type": "object"}),
            Kind::Names => json!({"type": "array", "items": {"type": "string"}}),
        }
    }

    /// What to send instead, for an error message.
    pub fn hint(self) -> String {
        match self {
            Kind::Int { min, max } if max == i64::MAX && min == 0 => {
                "a non-negative whole number such as 123 (or \"123\")".into()
            }
            Kind::Int { min, max } => format!("a whole number from {min} to {max}"),
            Kind::Pick { entity, field } => format!(
                "a label or code of {entity}.{field} (describe-entity-fields {entity} lists them)"
            ),
            Kind::Number => "a number such as 1.5 (or \"1.5\")".into(),
            Kind::Bool | Kind::Flag => "true or false".into(),
            Kind::Text { max } => format!("a string of at most {max} characters"),
            Kind::DateTime => {
                "an ISO 8601 date or date-time in UTC, e.g. 2026-01-31 or 2026-01-31T14:00:00Z"
                    .into()
            }
            Kind::Json => "a JSON object (or a string holding one)".into(),
            Kind::Names => "an array of field names".into(),
            Kind::Confirm { tool } => format!("\"{}\"", super::confirm::token_for(tool)),
        }
    }
}

fn parse_int(value: &Value, min: i64, max: i64) -> Option<i64> {
    let n = match value {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => {
            let s = s.trim();
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            s.parse::<i64>().ok()?
        }
        _ => return None,
    };
    (min..=max).contains(&n).then_some(n)
}

fn parse_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn parse_number(value: &Value) -> Option<Value> {
    let n = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) if s.trim().len() <= 30 => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !n.is_finite() || n.abs() > MAX_NUMBER {
        return None;
    }
    serde_json::Number::from_f64(n).map(Value::Number)
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

/// Coerces `value` to `kind`: `None` when it cannot be one.
pub fn coerce(kind: Kind, value: &Value) -> Option<Coerced> {
    let ready = |v: Option<Value>| v.map(Coerced::Ready);
    match kind {
        Kind::Int { min, max } => ready(parse_int(value, min, max).map(Value::from)),
        Kind::Pick { .. } => match value {
            Value::Number(_) => ready(parse_int(value, 0, i32::MAX as i64).map(Value::from)),
            Value::String(s) => {
                let s = s.trim();
                // A number-like string must be a valid code; anything else is a label.
                if s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') {
                    ready(parse_int(value, 0, i32::MAX as i64).map(Value::from))
                } else if !s.is_empty() && s.chars().count() <= 100 {
                    Some(Coerced::Label(s.to_string()))
                } else {
                    None
                }
            }
            _ => None,
        },
        Kind::Number => ready(parse_number(value)),
        Kind::Bool => ready(parse_bool(value).map(Value::Bool)),
        Kind::Flag => match value {
            // Already the field's own 0/1.
            Value::Number(n) if matches!(n.as_i64(), Some(0 | 1)) => ready(Some(value.clone())),
            _ => ready(parse_bool(value).map(|b| Value::from(i64::from(b)))),
        },
        Kind::Text { max } => match value {
            Value::String(s) if s.chars().count() <= max as usize => {
                ready(Some(Value::String(s.clone())))
            }
            _ => None,
        },
        Kind::DateTime => ready(value.as_str().and_then(parse_datetime).map(Value::String)),
        Kind::Json => match value {
            Value::Object(_) => ready(Some(value.clone())),
            Value::String(s) if s.len() <= MAX_JSON_CHARS => {
                match serde_json::from_str::<Value>(s) {
                    Ok(v @ Value::Object(_)) => ready(Some(v)),
                    _ => None,
                }
            }
            _ => None,
        },
        Kind::Names => match value {
            Value::Array(items)
                if items.len() <= 500
                    && items
                        .iter()
                        .all(|i| i.as_str().is_some_and(|s| !s.is_empty() && s.len() <= 100)) =>
            {
                ready(Some(value.clone()))
            }
            // A comma-separated string works too.
            Value::String(s) if s.len() <= 10_000 => {
                let names: Vec<Value> = s
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(|n| Value::String(n.to_string()))
                    .collect();
                (!names.is_empty()).then(|| Coerced::Ready(Value::Array(names)))
            }
            _ => None,
        },
        Kind::Confirm { .. } => match value {
            Value::String(s) if s.chars().count() <= 64 => ready(Some(value.clone())),
            _ => None,
        },
    }
}

/// Why a JSON argument is not acceptable (more precise than [`Kind::hint`]).
pub fn json_problem(value: &Value) -> String {
    match value {
        Value::String(s) if s.len() > MAX_JSON_CHARS => {
            format!(
                "is {} characters long; the limit is {MAX_JSON_CHARS}",
                s.len()
            )
        }
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(_) => "is JSON but not an object; pass an object such as {\"filter\": []}".into(),
            Err(e) => format!("is not valid JSON ({e}); pass an object, or a string holding one"),
        },
        _ => "must be a JSON object (or a string holding one)".into(),
    }
}

/// A short rendering of a bad value for an error message.
pub fn describe(value: &Value) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    fn field(entity: &str, name: &str) -> (&'static EntityDef, &'static FieldDef) {
        let e = registry::find(entity).unwrap();
        let f = e.field(name).unwrap();
        (e, f)
    }

    fn ok(kind: Kind, v: Value) -> Value {
        match coerce(kind, &v) {
            Some(Coerced::Ready(v)) => v,
            other => panic!("{kind:?} {v}: {other:?}"),
        }
    }

    #[test]
    fn field_kinds_come_from_the_registry() {
        let (e, f) = field("Tickets", "title");
        assert_eq!(Kind::of_field(e, f), Kind::Text { max: 255 });
        let (e, f) = field("Tickets", "status");
        assert_eq!(
            Kind::of_field(e, f),
            Kind::Pick {
                entity: "Tickets",
                field: "status"
            }
        );
        let (e, f) = field("Tickets", "companyID");
        assert_eq!(
            Kind::of_field(e, f),
            Kind::Int {
                min: 0,
                max: i32::MAX as i64
            }
        );
        let (e, f) = field("Tickets", "id");
        assert_eq!(Kind::of_field(e, f), ID);
        let (e, f) = field("Contacts", "isActive");
        assert!(Kind::Flag.fits_field(e, f));
        assert!(!Kind::Bool.fits_field(e, f));
        let (e, f) = field("Tickets", "title");
        assert!(Kind::Text { max: 100 }.fits_field(e, f));
        assert!(!Kind::Text { max: 1000 }.fits_field(e, f));
    }

    #[test]
    fn strings_stand_for_numbers_and_booleans() {
        assert_eq!(ok(ID, json!("123")), json!(123));
        assert_eq!(ok(ID, json!(" 7 ")), json!(7));
        assert_eq!(ok(Kind::Bool, json!(" TRUE ")), json!(true));
        assert_eq!(ok(Kind::Flag, json!(false)), json!(0));
        assert_eq!(ok(Kind::Number, json!("1.5")), json!(1.5));
        assert_eq!(
            ok(Kind::DateTime, json!("2026-01-31")),
            json!("2026-01-31T00:00:00Z")
        );
        assert_eq!(
            ok(Kind::DateTime, json!("2026-01-31T14:00:00+02:00")),
            json!("2026-01-31T12:00:00Z")
        );
        assert_eq!(ok(Kind::Json, json!("{\"a\":1}")), json!({"a": 1}));
        assert_eq!(ok(Kind::Names, json!("id, title")), json!(["id", "title"]));
        let pick = Kind::Pick {
            entity: "Tickets",
            field: "status",
        };
        assert_eq!(ok(pick, json!("8")), json!(8));
        assert_eq!(
            coerce(pick, &json!(" In Progress ")),
            Some(Coerced::Label("In Progress".into()))
        );
    }

    #[test]
    fn junk_is_refused() {
        for (kind, v) in [
            (ID, json!(-1)),
            (ID, json!("1e3")),
            (ID, json!("99999999999999999999999")),
            (ID, json!(1.5)),
            (Kind::Int { min: 1, max: 2_000 }, json!(0)),
            (Kind::Bool, json!("yes")),
            (Kind::Number, json!("NaN")),
            (Kind::Number, json!(1e13)),
            (Kind::Text { max: 3 }, json!("abcd")),
            (Kind::DateTime, json!("yesterday")),
            (Kind::Json, json!("[1]")),
            (
                Kind::Pick {
                    entity: "Tickets",
                    field: "status",
                },
                json!("-5"),
            ),
            (
                Kind::Pick {
                    entity: "Tickets",
                    field: "status",
                },
                json!(""),
            ),
            (Kind::Names, json!([1])),
        ] {
            assert_eq!(coerce(kind, &v), None, "{kind:?} {v}");
        }
    }

    #[test]
    fn every_kind_advertises_exactly_one_type() {
        let kinds = [
            ID,
            Kind::Int { min: 1, max: 2_000 },
            Kind::Pick {
                entity: "Tickets",
                field: "status",
            },
            Kind::Number,
            Kind::Bool,
            Kind::Flag,
            Kind::Text { max: 10 },
            Kind::DateTime,
            Kind::Json,
            Kind::Names,
            Kind::Confirm {
                tool: "create-ticket",
            },
        ];
        for kind in kinds {
            assert!(kind.schema()["type"].is_string(), "{kind:?}");
        }
    }
}
