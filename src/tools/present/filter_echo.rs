//! The filter a search sent, echoed back in its answer: whole when small, else summarised
//! (long value lists and texts cut, with their sizes) so the echo never eats the result's
//! budget.

use serde_json::{Map, Value, json};

/// Largest filter a result echoes whole (bytes of JSON); a larger one is summarised.
pub const ECHO_MAX_BYTES: usize = 4_000;
/// Values of an `in`/`notIn` array, and clauses of a group, a summarised echo keeps.
const ECHO_KEEP: usize = 3;
/// Characters of a text value a summarised echo keeps.
const ECHO_TEXT_CHARS: usize = 80;

/// The filter as a result shows it (`filter`): whole when its JSON is at most
/// [`ECHO_MAX_BYTES`], else summarised (long `value` arrays as their first few values and
/// "… N values", long texts cut, big groups as their first clauses and "… N clauses"; one
/// line saying how large when even that is too long) and `true` beside it, so a huge filter (a 3.5 MB `in` list) never fills the result. The full
/// filter was sent as is.
pub fn echo(filter: &[Value]) -> (Value, bool) {
    let whole = Value::Array(filter.to_vec());
    if whole.to_string().len() <= ECHO_MAX_BYTES {
        return (whole, false);
    }
    let short = Value::Array(summarise_clauses(filter));
    if short.to_string().len() <= ECHO_MAX_BYTES {
        (short, true)
    } else {
        let count = |v: &Value| v.as_array().map_or(0, Vec::len);
        (
            json!([format!(
                "… {} clauses ({} bytes of JSON), too large to show",
                count(&whole),
                whole.to_string().len()
            )]),
            true,
        )
    }
}

fn summarise_clauses(clauses: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = clauses
        .iter()
        .take(if clauses.len() > 2 * ECHO_KEEP {
            ECHO_KEEP
        } else {
            clauses.len()
        })
        .map(summarise_clause)
        .collect();
    if out.len() < clauses.len() {
        out.push(json!(format!("… {} clauses", clauses.len())));
    }
    out
}

fn summarise_clause(clause: &Value) -> Value {
    let Some(obj) = clause.as_object() else {
        return summarise_value(clause);
    };
    let mut out = Map::new();
    for (key, value) in obj {
        let value = match (key.as_str(), value) {
            ("items", Value::Array(items)) => Value::Array(summarise_clauses(items)),
            ("value", Value::Array(values)) if values.len() > 2 * ECHO_KEEP => {
                let mut kept: Vec<Value> =
                    values.iter().take(ECHO_KEEP).map(summarise_value).collect();
                kept.push(json!(format!("… {} values", values.len())));
                Value::Array(kept)
            }
            ("value", Value::Array(values)) => {
                Value::Array(values.iter().map(summarise_value).collect())
            }
            _ => summarise_value(value),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

fn summarise_value(value: &Value) -> Value {
    match value {
        Value::String(s) if s.chars().count() > ECHO_TEXT_CHARS => {
            let short: String = s.chars().take(ECHO_TEXT_CHARS).collect();
            json!(format!("{short}… ({} characters)", s.chars().count()))
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::spec::query::eq;

    #[test]
    fn huge_filters_are_echoed_summarised() {
        let small = vec![eq("status", 1)];
        assert_eq!(echo(&small), (json!(small), false));
        let long = "x".repeat(7_000);
        let values: Vec<Value> = (0..500).map(|i| json!(format!("{i}{long}"))).collect();
        let huge = vec![
            eq("status", 1),
            json!({"op": "in", "field": "title", "value": values}),
            json!({"op": "or", "items": (0..600).map(|i| eq("id", i)).collect::<Vec<_>>()}),
        ];
        let (shown, shortened) = echo(&huge);
        assert!(shortened);
        let text = shown.to_string();
        assert!(text.len() <= ECHO_MAX_BYTES, "{}", text.len());
        assert_eq!(shown[0], eq("status", 1));
        assert_eq!(shown[1]["value"][3], json!("… 500 values"), "{text}");
        assert!(
            shown[1]["value"][0]
                .as_str()
                .is_some_and(|v| v.ends_with("… (7001 characters)")),
            "{text}"
        );
        assert_eq!(shown[2]["items"][3], json!("… 600 clauses"), "{text}");
        // Too many top-level clauses even when summarised: one line says so.
        let wide: Vec<Value> = (0..5).map(|_| json!({"op": "or", "items": (0..7).map(|_| json!({"op": "or", "items": (0..7).map(|_| json!({"op": "in", "field": "title", "value": ["a".repeat(500), "b".repeat(500)]})).collect::<Vec<_>>()})).collect::<Vec<_>>()})).collect();
        let (shown, shortened) = echo(&wide);
        assert!(shortened && shown[0].is_string(), "{shown}");
    }
}
