//! Output shaping: what a model reads back, as few bytes as say it all. Pure functions over
//! JSON, each one step of turning an Autotask record into a result:
//!
//! * [`compact`]: no `null`, no `""`, no empty arrays or objects;
//! * [`tidy_dates`]: `2026-05-31T14:06:00.000` → `2026-05-31T14:06` (no digits that say
//!   nothing: zero seconds and fractions go, other seconds stay);
//! * [`labels_in_place`]: a picklist code becomes the tenant's label (`"status": "In
//!   Progress"`); a code the tenant has no label for stays the code, never an invented label;
//! * [`udf_map`]: user-defined fields as a `name → value` map, only those with a value;
//! * [`add_names`]: the name of a referenced record beside its id (`companyID` + `company`);
//! * [`table`]: many records as `columns` + `rows` (keys written once);
//! * [`fit_record`] / [`fit_rows`]: keep a result under its size budget, saying what was cut.

use serde_json::{Map, Value};

use crate::registry::{DataType, EntityDef};
use crate::tools::tenant::names::Names;
use crate::tools::tenant::picklists::EntityPicklists;

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

/// `2026-05-31T14:06:00.000` → `2026-05-31T14:06`; `…T09:01:44.203` → `…T09:01:44`.
pub fn tidy_date(text: &str) -> String {
    let no_fraction = match text.rfind('.') {
        Some(dot) if text[dot + 1..].bytes().all(|b| b.is_ascii_digit()) => &text[..dot],
        _ => text,
    };
    // `YYYY-MM-DDTHH:MM:00` → `YYYY-MM-DDTHH:MM`
    if no_fraction.len() == 19 && no_fraction.ends_with(":00") && no_fraction.as_bytes()[10] == b'T'
    {
        no_fraction[..16].to_string()
    } else {
        no_fraction.to_string()
    }
}

/// Tidies every date-time field of `entity` in `record`.
pub fn tidy_dates(record: &mut Value, entity: &EntityDef) {
    let Value::Object(map) = record else { return };
    for (key, value) in map.iter_mut() {
        if let Value::String(s) = value
            && entity
                .field(key)
                .is_some_and(|f| f.data_type == DataType::DateTime)
        {
            *s = tidy_date(s);
        }
    }
}

/// Replaces each picklist code of `record` the tenant has a label for by the label.
pub fn labels_in_place(record: &mut Value, lists: &EntityPicklists) {
    let Value::Object(map) = record else { return };
    for (key, value) in map.iter_mut() {
        if key == "id" {
            continue;
        }
        if let Some(label) = lists.label(key, value)
            && !label.is_empty()
        {
            *value = Value::String(label.to_string());
        }
    }
}

/// `userDefinedFields: [{name, value}]` → `userDefinedFields: {name: value}`, values only.
pub fn udf_map(record: &mut Value) {
    let Some(Value::Array(items)) = record.get("userDefinedFields").cloned() else {
        return;
    };
    let map: Map<String, Value> = items
        .into_iter()
        .filter_map(|u| {
            let name = u.get("name")?.as_str()?.to_string();
            let value = u.get("value")?.clone();
            (!is_empty(&value)).then_some((name, value))
        })
        .collect();
    if let Value::Object(record) = record {
        if map.is_empty() {
            record.remove("userDefinedFields");
        } else {
            record.insert("userDefinedFields".into(), Value::Object(map));
        }
    }
}

/// The key a reference field's name goes under: the field without its `ID` suffix
/// (`companyID` → `company`, `assignedResourceID` → `assignedResource`), or with `Name`
/// added when that would clash with a field of the entity.
pub fn name_key(entity: &EntityDef, field: &str) -> String {
    let stem = field
        .strip_suffix("ID")
        .or_else(|| field.strip_suffix("Id"))
        .unwrap_or(field);
    if stem == field || stem.is_empty() || entity.field(stem).is_some() {
        format!("{field}Name")
    } else {
        stem.to_string()
    }
}

/// Puts the name of each referenced record right after its id field.
pub fn add_names(record: &mut Value, entity: &EntityDef, names: &Names) {
    let Value::Object(map) = record else { return };
    if names.is_empty() {
        return;
    }
    let mut out = Map::with_capacity(map.len() + 4);
    for (key, value) in std::mem::take(map) {
        let name = entity
            .field(&key)
            .filter(|f| f.is_reference)
            .and_then(|f| crate::registry::by_singular(f.reference_entity_type))
            .and_then(|target| names.get(target.name))
            .and_then(|by_id| value.as_i64().and_then(|id| by_id.get(&id)))
            .cloned();
        let name_key = name_key(entity, &key);
        out.insert(key, value);
        if let Some(name) = name
            && !out.contains_key(&name_key)
        {
            out.insert(name_key, Value::String(name));
        }
    }
    *map = out;
}

/// Many records as one table: `columns` (the `preferred` ones present first, then any other in
/// first-seen order) and `rows` of cells in column order; a cell without a value is `null`.
pub fn table(records: &[Value], preferred: &[String]) -> (Vec<String>, Vec<Value>) {
    let mut columns: Vec<String> = Vec::new();
    let present = |c: &str| {
        records
            .iter()
            .any(|r| r.get(c).is_some_and(|v| !v.is_null()))
    };
    for c in preferred {
        if present(c) && !columns.contains(c) {
            columns.push(c.clone());
        }
    }
    for r in records {
        if let Value::Object(map) = r {
            for key in map.keys() {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
        }
    }
    let rows = records
        .iter()
        .map(|r| {
            Value::Array(
                columns
                    .iter()
                    .map(|c| r.get(c).cloned().unwrap_or(Value::Null))
                    .collect(),
            )
        })
        .collect();
    (columns, rows)
}

/// Keeps the first rows whose JSON fits in `budget` bytes; returns how many were dropped.
pub fn fit_rows(rows: &mut Vec<Value>, budget: usize) -> usize {
    let mut used = 0;
    let mut keep = 0;
    for row in rows.iter() {
        let size = row.to_string().len() + 1;
        if used + size > budget && keep > 0 {
            break;
        }
        used += size;
        keep += 1;
    }
    let dropped = rows.len() - keep;
    rows.truncate(keep);
    dropped
}

/// Shortens the longest strings of `record` until its JSON fits in `budget` bytes; returns
/// the fields cut, with their full length in characters.
pub fn fit_record(record: &mut Value, budget: usize) -> Vec<(String, usize)> {
    let mut cut = Vec::new();
    let Value::Object(map) = record else {
        return cut;
    };
    loop {
        let size = Value::Object(map.clone()).to_string().len();
        if size <= budget {
            return cut;
        }
        let longest = map
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.len())))
            .filter(|(k, _)| !cut.iter().any(|(c, _)| c == k))
            .max_by_key(|(_, len)| *len);
        let Some((key, len)) = longest else {
            return cut;
        };
        let over = size - budget;
        let Some(Value::String(s)) = map.get_mut(&key) else {
            return cut;
        };
        let chars = s.chars().count();
        let keep_bytes = len.saturating_sub(over + 40);
        let mut end = keep_bytes.min(s.len());
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
        cut.push((key, chars));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;
    use serde_json::json;
    use std::collections::HashMap;

    fn tickets() -> &'static EntityDef {
        registry::find("Tickets").expect("Tickets missing")
    }

    #[test]
    fn empties_go_and_zeroes_stay() {
        let mut v = json!({"a": null, "b": "", "c": [], "d": 0, "e": false, "f": {"g": null},
            "userDefinedFields": [{"name": "Ref", "value": null}, {"name": "Tier", "value": "Gold"}], "h": "x"});
        compact(&mut v);
        assert_eq!(
            v,
            json!({"d": 0, "e": false, "userDefinedFields": [{"name": "Tier", "value": "Gold"}], "h": "x"})
        );
        udf_map(&mut v);
        assert_eq!(v["userDefinedFields"], json!({"Tier": "Gold"}));
    }

    #[test]
    fn dates_lose_only_digits_that_say_nothing() {
        assert_eq!(tidy_date("2026-05-31T14:06:00.000"), "2026-05-31T14:06");
        assert_eq!(tidy_date("2026-11-20T09:01:44.203"), "2026-11-20T09:01:44");
        assert_eq!(tidy_date("2026-11-20T09:01:44"), "2026-11-20T09:01:44");
        assert_eq!(tidy_date("2026-11-20"), "2026-11-20");
        let mut r = json!({"createDate": "2026-05-31T14:06:00.000", "title": "12:00:00.000"});
        tidy_dates(&mut r, tickets());
        assert_eq!(
            r,
            json!({"createDate": "2026-05-31T14:06", "title": "12:00:00.000"})
        );
    }

    #[test]
    fn labels_replace_known_codes_only() {
        let lists = EntityPicklists::from_fields(&[
            json!({"name": "status", "picklistValues": [{"value": "5", "label": "Complete"}]}),
        ]);
        let mut v = json!({"id": 5, "status": 5, "priority": 2});
        labels_in_place(&mut v, &lists);
        assert_eq!(v, json!({"id": 5, "status": "Complete", "priority": 2}));
    }

    #[test]
    fn names_sit_beside_their_ids() {
        let mut names = Names::new();
        names.insert("Companies", HashMap::from([(7, "Northwind".to_string())]));
        names.insert("Resources", HashMap::from([(3, "Aiko Tanaka".to_string())]));
        let mut v = json!({"id": 1, "companyID": 7, "assignedResourceID": 3, "contactID": 9});
        add_names(&mut v, tickets(), &names);
        assert_eq!(
            serde_json::to_string(&v).unwrap_or_default(),
            r#"{"id":1,"companyID":7,"company":"Northwind","assignedResourceID":3,"assignedResource":"Aiko Tanaka","contactID":9}"#
        );
        assert_eq!(name_key(tickets(), "companyID"), "company");
        assert_eq!(name_key(tickets(), "title"), "titleName");
    }

    #[test]
    fn tables_write_each_key_once() {
        let (columns, rows) = table(
            &[
                json!({"id": 1, "title": "a"}),
                json!({"id": 2, "status": "New"}),
            ],
            &[
                "id".to_string(),
                "status".to_string(),
                "priority".to_string(),
            ],
        );
        assert_eq!(columns, ["id", "status", "title"]);
        assert_eq!(rows, vec![json!([1, null, "a"]), json!([2, "New", null])]);
    }

    #[test]
    fn oversized_results_are_cut() {
        let mut rows: Vec<Value> = (0..100).map(|i| json!([i, "x".repeat(100)])).collect();
        assert_eq!(fit_rows(&mut rows, 1_000), 91);
        assert!(rows.iter().map(|r| r.to_string().len() + 1).sum::<usize>() <= 1_000);
        let mut record = json!({"id": 1, "description": "y".repeat(10_000), "title": "t"});
        let cut = fit_record(&mut record, 2_000);
        assert_eq!(cut, vec![("description".to_string(), 10_000)]);
        assert!(
            record.to_string().len() <= 2_000,
            "{}",
            record.to_string().len()
        );
        assert_eq!(record["title"], "t");
    }
}
