//! Output shaping: what a model reads back. Null and empty fields are dropped, picklist codes
//! get a `<field>Label` beside them from the tenant's live picklists, and results are kept
//! under a size budget with a note saying what was cut and how to narrow the request.

use serde_json::{Map, Value, json};

use crate::picklists::EntityPicklists;

/// Most characters of JSON a tool result carries.
pub const SIZE_BUDGET: usize = 200_000;

/// Drops `null`, `""`, `[]` and `{}` members of objects, recursively (0 and false stay).
pub fn compact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for v in map.values_mut() {
                compact(v);
            }
            map.retain(|_, v| !is_empty(v));
        }
        Value::Array(items) => {
            for v in items.iter_mut() {
                compact(v);
            }
            // A user-defined field without a value is just `{"name": ...}`.
            items.retain(|v| !matches!(v, Value::Object(o) if o.is_empty() || (o.len() == 1 && o.contains_key("name"))));
        }
        _ => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Adds `<field>Label` after every picklist code of `record` the tenant has a label for.
pub fn add_labels(record: &mut Value, lists: &EntityPicklists) {
    let Value::Object(map) = record else { return };
    let mut out = Map::with_capacity(map.len() + 4);
    for (key, value) in std::mem::take(map) {
        let label = lists.label(&key, &value).map(str::to_string);
        let label_key = format!("{key}Label");
        out.insert(key, value);
        if let Some(label) = label
            && !out.contains_key(&label_key)
        {
            out.insert(label_key, Value::String(label));
        }
    }
    *map = out;
}

/// Cuts `items` so their JSON stays under `budget` characters. Returns the number dropped.
pub fn fit(items: &mut Vec<Value>, budget: usize) -> usize {
    let mut used = 0;
    let mut keep = 0;
    for item in items.iter() {
        let size = item.to_string().len() + 1;
        if used + size > budget && keep > 0 {
            break;
        }
        used += size;
        keep += 1;
    }
    let dropped = items.len() - keep;
    items.truncate(keep);
    dropped
}

/// The result of a search: `count`, `hasMore`, the `filter` applied, and the rows.
pub fn search_result(filter: &[Value], mut items: Vec<Value>, has_more: bool) -> Value {
    let dropped = fit(&mut items, SIZE_BUDGET);
    let mut out = Map::new();
    out.insert("count".into(), json!(items.len()));
    out.insert("hasMore".into(), json!(has_more || dropped > 0));
    out.insert("filter".into(), Value::Array(filter.to_vec()));
    if dropped > 0 {
        out.insert(
            "note".into(),
            json!(format!(
                "{dropped} more rows matched but were left out to keep this result under {SIZE_BUDGET} characters; narrow the filter or lower maxRecords"
            )),
        );
    } else if has_more {
        out.insert(
            "note".into(),
            json!("more rows match than were returned: narrow the filter, or raise maxRecords (up to 500); count-entity gives the total"),
        );
    }
    out.insert("items".into(), Value::Array(items));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empties_go_and_zeroes_stay() {
        let mut v = json!({"a": null, "b": "", "c": [], "d": 0, "e": false, "f": {"g": null},
            "userDefinedFields": [{"name": "Ref", "value": null}, {"name": "Tier", "value": "Gold"}], "h": "x"});
        compact(&mut v);
        assert_eq!(
            v,
            json!({"d": 0, "e": false, "userDefinedFields": [{"name": "Tier", "value": "Gold"}], "h": "x"})
        );
    }

    #[test]
    fn labels_sit_beside_codes() {
        let lists = EntityPicklists::from_fields(&[
            json!({"name": "status", "picklistValues": [{"value": "5", "label": "Complete"}]}),
        ]);
        let mut v = json!({"id": 1, "status": 5, "title": "x"});
        add_labels(&mut v, &lists);
        assert_eq!(
            serde_json::to_string(&v).unwrap_or_default(),
            r#"{"id":1,"status":5,"statusLabel":"Complete","title":"x"}"#
        );
    }

    #[test]
    fn oversized_results_are_cut_with_a_note() {
        let items: Vec<Value> = (0..100)
            .map(|i| json!({"id": i, "text": "x".repeat(100)}))
            .collect();
        let mut cut = items.clone();
        assert_eq!(fit(&mut cut, 1_000), 92);
        let out = search_result(&[], items.clone(), false);
        assert_eq!(out["count"], json!(100));
        assert_eq!(out["hasMore"], json!(false));
        let mut big = items;
        big.iter_mut()
            .for_each(|v| v["text"] = json!("y".repeat(5_000)));
        let out = search_result(&[], big, false);
        assert_eq!(out["hasMore"], json!(true));
        assert!(
            out["note"]
                .as_str()
                .unwrap_or_default()
                .contains("narrow the filter")
        );
    }
}
