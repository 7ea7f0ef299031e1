//! Autotask's own reading of a filter clause, quirks included: the view an emulator evaluates.

use serde_json::Value;

use super::ops::{Group, Op};
use super::tree::Filter;
use super::values::Scalar;

/// How Autotask reads one filter clause, quirks included (the view an emulator evaluates):
/// keys and operators in any case, an unknown (or missing) operator kept as `Ignored`, a
/// missing `field` read as `""`, a non-boolean `udf` as false, a missing `value` as `null`, and
/// a group whose `items` is missing or not an array as an empty group.
#[derive(Debug, Clone, PartialEq)]
pub enum Lenient {
    /// A clause whose operator Autotask does not know: dropped, so it matches every record.
    Ignored {
        op: String,
    },
    /// A comparison; `field` and `value` as sent, for the server to judge.
    Compare {
        op: Op,
        field: String,
        udf: bool,
        value: Value,
    },
    Group {
        group: Group,
        items: Vec<Lenient>,
    },
}

/// A filter item that is not a JSON object (Autotask answers an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAnObject;

impl Lenient {
    /// Reads one item of a query's `filter` (and its groups' items).
    pub fn read(item: &Value) -> Result<Lenient, NotAnObject> {
        let Value::Object(obj) = item else {
            return Err(NotAnObject);
        };
        let get = |key: &str| {
            obj.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        };
        let op = get("op").and_then(Value::as_str).unwrap_or_default();
        if let Some(group) = Group::parse(op) {
            let items = match get("items") {
                Some(Value::Array(items)) => {
                    items.iter().map(Lenient::read).collect::<Result<_, _>>()?
                }
                _ => Vec::new(),
            };
            return Ok(Lenient::Group { group, items });
        }
        let Some(op) = Op::parse(op) else {
            return Ok(Lenient::Ignored { op: op.to_string() });
        };
        Ok(Lenient::Compare {
            op,
            field: get("field")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            udf: get("udf").and_then(Value::as_bool).unwrap_or(false),
            value: get("value").cloned().unwrap_or(Value::Null),
        })
    }
}

/// A typed filter as Autotask reads it (the same as `Lenient::read(&filter.to_value())`).
impl From<&Filter> for Lenient {
    fn from(filter: &Filter) -> Lenient {
        if let (Some(group), Some(items)) = (filter.group_op(), filter.items()) {
            return Lenient::Group {
                group,
                items: items.iter().map(Lenient::from).collect(),
            };
        }
        let value = match (filter.value(), filter.values()) {
            (Some(v), _) => v.to_value(),
            (None, Some(list)) => Value::Array(list.iter().map(Scalar::to_value).collect()),
            (None, None) => Value::Null,
        };
        match (filter.op(), filter.field()) {
            (Some(op), Some(field)) => Lenient::Compare {
                op,
                field: field.name.clone(),
                udf: field.udf,
                value,
            },
            _ => Lenient::Ignored { op: String::new() },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::super::Field;
    use super::*;
    use serde_json::json;

    #[test]
    fn the_lenient_view_keeps_autotask_quirks() {
        // An unknown operator is kept as ignored (Autotask drops the clause).
        assert_eq!(
            Lenient::read(&json!({"op": "ne", "field": "status", "value": 5})),
            Ok(Lenient::Ignored { op: "ne".into() })
        );
        assert_eq!(
            Lenient::read(&json!({"field": "status"})),
            Ok(Lenient::Ignored { op: String::new() })
        );
        // Keys and operators in any case; field and value kept raw.
        assert_eq!(
            Lenient::read(&json!({"OP": "BeginsWith", "Field": "title", "VALUE": [1]})),
            Ok(Lenient::Compare {
                op: Op::BeginsWith,
                field: "title".into(),
                udf: false,
                value: json!([1])
            })
        );
        assert_eq!(
            Lenient::read(&json!({"op": "eq", "udf": "yes"})),
            Ok(Lenient::Compare {
                op: Op::Eq,
                field: String::new(),
                udf: false,
                value: Value::Null
            })
        );
        assert_eq!(
            Lenient::read(&json!({"op": "Or"})),
            Ok(Lenient::Group {
                group: Group::Or,
                items: vec![]
            })
        );
        assert_eq!(
            Lenient::read(&json!({"op": "and", "items": [{"op": "exist", "field": "id"}, 3]})),
            Err(NotAnObject)
        );
        // What the strict parse writes, the lenient view reads as the same operators.
        let typed = Filter::or([Filter::noteq("status", 5), Filter::not_in("id", [1])]);
        let Ok(Lenient::Group { group, items }) = Lenient::read(&typed.to_value()) else {
            panic!("a group");
        };
        assert_eq!(group, Group::Or);
        let ops: Vec<Op> = items
            .iter()
            .filter_map(|i| match i {
                Lenient::Compare { op, .. } => Some(*op),
                _ => None,
            })
            .collect();
        assert_eq!(ops, [Op::NotEq, Op::NotIn]);
        // Converting a typed filter gives what reading its JSON gives.
        let typed = Filter::and([
            Filter::eq(Field::udf("Level"), "2"),
            Filter::or([Filter::not_exist("x"), Filter::is_in("id", [1, 2])]),
        ]);
        assert_eq!(
            Lenient::from(&typed),
            Lenient::read(&typed.to_value()).unwrap()
        );
    }
}
