//! The strict parse of hand-written filter JSON ([`Filter::parse`], and `Deserialize`): every
//! mistake is a [`FilterError`].

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::ops::{Group, Op, Operand};
use super::problem::{FilterError, MAX_DEPTH, MAX_LIST, Problem};
use super::tree::Filter;
use super::values::{Field, Scalar};

impl<'de> Deserialize<'de> for Op {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Op, D::Error> {
        let text = String::deserialize(d)?;
        Op::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(Problem::UnknownOp(text.chars().take(20).collect()))
        })
    }
}

impl<'de> Deserialize<'de> for Filter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Filter, D::Error> {
        let value = Value::deserialize(d)?;
        Filter::parse(&value).map_err(serde::de::Error::custom)
    }
}

/// The keys of `obj`, each found once in any case; a duplicate is an error.
fn keys_once<'a>(
    obj: &'a Map<String, Value>,
    at: &str,
) -> Result<[Option<&'a Value>; 5], FilterError> {
    const KEYS: [&str; 5] = ["op", "field", "value", "udf", "items"];
    let mut found: [Option<&Value>; 5] = [None; 5];
    let mut seen = [false; 5];
    for (key, value) in obj {
        let Some(i) = KEYS.iter().position(|k| k.eq_ignore_ascii_case(key)) else {
            return Err(err(at, Problem::UnknownKey(key.chars().take(40).collect())));
        };
        if seen[i] {
            return Err(err(at, Problem::DuplicateKey(KEYS[i].to_string())));
        }
        seen[i] = true;
        // A serialised Filter model may carry every key, the unused ones null.
        if !value.is_null() {
            found[i] = Some(value);
        }
    }
    Ok(found)
}

fn err(at: &str, problem: Problem) -> FilterError {
    FilterError {
        at: at.to_string(),
        problem,
    }
}

/// The strict parse.
impl Filter {
    /// One clause (or group) of hand-written JSON, checked strictly; see the module docs.
    pub fn parse(value: &Value) -> Result<Filter, FilterError> {
        parse_at(value, "filter", 0)
    }

    /// The `filter` array of a query: every clause checked strictly; the first problem found,
    /// with where it is (`filter[1].items[0]`).
    pub fn parse_list(value: &Value) -> Result<Vec<Filter>, FilterError> {
        let Value::Array(items) = value else {
            return Err(err("filter", Problem::NotAList));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| parse_at(item, &format!("filter[{i}]"), 0))
            .collect()
    }
}

fn parse_at(value: &Value, at: &str, depth: usize) -> Result<Filter, FilterError> {
    if depth > MAX_DEPTH {
        return Err(err(at, Problem::TooDeep));
    }
    let Value::Object(obj) = value else {
        return Err(err(at, Problem::NotAnObject));
    };
    let [op, field, val, udf, items] = keys_once(obj, at)?;
    let Some(op) = op.and_then(Value::as_str) else {
        return Err(err(at, Problem::MissingOp));
    };
    if let Some(group) = Group::parse(op) {
        for (key, present) in [("field", field), ("value", val), ("udf", udf)] {
            if present.is_some() {
                return Err(err(
                    at,
                    Problem::Misplaced {
                        key,
                        tag: group.as_str(),
                    },
                ));
            }
        }
        let Some(Value::Array(list)) = items else {
            return Err(err(at, Problem::MissingItems(group)));
        };
        if list.is_empty() {
            return Err(err(at, Problem::EmptyGroup(group)));
        }
        let parsed = list
            .iter()
            .enumerate()
            .map(|(i, item)| parse_at(item, &format!("{at}.items[{i}]"), depth + 1))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Filter::group(group, parsed));
    }
    let Some(op) = Op::parse(op) else {
        return Err(err(at, Problem::UnknownOp(op.chars().take(20).collect())));
    };
    if items.is_some_and(|i| !matches!(i, Value::Array(list) if list.is_empty())) {
        return Err(err(
            at,
            Problem::Misplaced {
                key: "items",
                tag: op.as_str(),
            },
        ));
    }
    let udf = match udf {
        None | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(_) => return Err(err(at, Problem::UdfNotBoolean)),
    };
    let name = match field {
        Some(Value::String(name)) if !name.trim().is_empty() => name.clone(),
        _ => return Err(err(at, Problem::MissingField(op))),
    };
    let field = Field { name, udf };
    let built = match op.operand() {
        Operand::None => match val {
            None | Some(Value::Null) => Filter::presence(op, field),
            Some(_) => return Err(err(at, Problem::UnexpectedValue(op))),
        },
        Operand::Scalar => match val {
            None | Some(Value::Null) => return Err(err(at, Problem::MissingValue(op))),
            Some(v) => match Scalar::from_value(v) {
                Some(value) => Filter::compare(op, field, value),
                None => return Err(err(at, Problem::ValueNotScalar(op))),
            },
        },
        Operand::List => {
            let Some(Value::Array(list)) = val else {
                return Err(err(at, Problem::ValueNotList(op)));
            };
            if list.is_empty() {
                return Err(err(at, Problem::EmptyList(op)));
            }
            if list.len() > MAX_LIST {
                return Err(err(at, Problem::ListTooLong(op, list.len())));
            }
            let values = list
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    Scalar::from_value(v).ok_or_else(|| err(at, Problem::ListItemNotScalar(op, i)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Filter::list(op, field, values)
        }
    };
    // Every operator has a variant of its own operand kind, so `built` is always `Some`.
    built.ok_or_else(|| err(at, Problem::UnknownOp(op.as_str().to_string())))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::json;

    fn problem(v: Value) -> Problem {
        match Filter::parse(&v) {
            Err(e) => e.problem,
            Ok(f) => panic!("expected an error for {v}, got {f:?}"),
        }
    }

    #[test]
    fn hand_written_mistakes_are_named_with_the_fix() {
        let ne = problem(json!({"op": "ne", "field": "status", "value": 5}));
        assert_eq!(ne, Problem::UnknownOp("ne".into()));
        let text = ne.to_string();
        assert!(
            text.contains("use `noteq`") && text.contains("notExist"),
            "{text}"
        );
        assert!(
            problem(json!({"op": "like", "field": "t", "value": "x"}))
                .to_string()
                .contains("contains")
        );
        assert_eq!(
            problem(json!({"field": "status", "value": 5})),
            Problem::MissingOp
        );
        assert_eq!(
            problem(json!({"op": 5, "field": "status"})),
            Problem::MissingOp
        );
        assert_eq!(
            problem(json!({"op": "eq", "value": 5})),
            Problem::MissingField(Op::Eq)
        );
        assert_eq!(
            problem(json!({"op": "eq", "field": " ", "value": 5})),
            Problem::MissingField(Op::Eq)
        );
        assert_eq!(
            problem(json!({"op": "gt", "field": "id"})),
            Problem::MissingValue(Op::Gt)
        );
        assert_eq!(
            problem(json!({"op": "eq", "field": "id", "value": null})),
            Problem::MissingValue(Op::Eq)
        );
        assert_eq!(
            problem(json!({"op": "eq", "field": "id", "value": [1, 2]})),
            Problem::ValueNotScalar(Op::Eq)
        );
        assert_eq!(
            problem(json!({"op": "exist", "field": "id", "value": 3})),
            Problem::UnexpectedValue(Op::Exist)
        );
        assert!(Filter::parse(&json!({"op": "exist", "field": "id", "value": null})).is_ok());
        assert_eq!(
            problem(json!({"op": "in", "field": "id", "value": 3})),
            Problem::ValueNotList(Op::In)
        );
        assert_eq!(
            problem(json!({"op": "notIn", "field": "id", "value": []})),
            Problem::EmptyList(Op::NotIn)
        );
        assert_eq!(
            problem(json!({"op": "in", "field": "id", "value": [1, {"a": 1}]})),
            Problem::ListItemNotScalar(Op::In, 1)
        );
        let long: Vec<i64> = (0..501).collect();
        assert_eq!(
            problem(json!({"op": "in", "field": "id", "value": long})),
            Problem::ListTooLong(Op::In, 501)
        );
        assert_eq!(
            problem(json!({"op": "eq", "field": "id", "value": 1, "udf": "yes"})),
            Problem::UdfNotBoolean
        );
        assert_eq!(
            problem(json!({"op": "eq", "field": "id", "value": 1, "colour": "red"})),
            Problem::UnknownKey("colour".into())
        );
        assert_eq!(
            problem(json!({"op": "eq", "field": "id", "FIELD": "x", "value": 1})),
            Problem::DuplicateKey("field".into())
        );
        assert_eq!(
            problem(
                json!({"op": "eq", "field": "id", "value": 1, "items": [{"op": "exist", "field": "id"}]})
            ),
            Problem::Misplaced {
                key: "items",
                tag: "eq"
            }
        );
        assert_eq!(
            problem(json!({"op": "or", "field": "id", "items": [{"op": "exist", "field": "id"}]})),
            Problem::Misplaced {
                key: "field",
                tag: "or"
            }
        );
        assert_eq!(
            problem(json!({"op": "and"})),
            Problem::MissingItems(Group::And)
        );
        assert_eq!(
            problem(json!({"op": "or", "items": []})),
            Problem::EmptyGroup(Group::Or)
        );
        assert_eq!(problem(json!("status = 5")), Problem::NotAnObject);
        // A serialised Filter model with every key, the unused ones null or empty, is fine.
        assert_eq!(
            Filter::parse(
                &json!({"op": "eq", "field": "id", "value": 1, "udf": null, "items": []})
            ),
            Ok(Filter::eq("id", 1))
        );
        assert_eq!(
            Filter::parse(
                &json!({"op": "or", "field": null, "value": null, "udf": null,
                                  "items": [{"op": "exist", "field": "id", "items": null}]})
            ),
            Ok(Filter::or([Filter::exist("id")]))
        );
        let mut deep = json!({"op": "exist", "field": "id"});
        for _ in 0..=MAX_DEPTH {
            deep = json!({"op": "and", "items": [deep]});
        }
        assert_eq!(problem(deep), Problem::TooDeep);
    }

    #[test]
    fn errors_say_where_the_clause_is() {
        let e = Filter::parse_list(&json!([
            {"op": "eq", "field": "id", "value": 1},
            {"op": "or", "items": [{"op": "exist", "field": "id"}, {"op": "ne", "field": "status", "value": 5}]}
        ]))
        .unwrap_err();
        assert_eq!(e.at, "filter[1].items[1]");
        assert!(
            e.to_string()
                .starts_with("filter[1].items[1]: unknown filter operator `ne`")
        );
        assert_eq!(
            Filter::parse_list(&json!({"op": "eq"}))
                .unwrap_err()
                .problem,
            Problem::NotAList
        );
        let e = serde_json::from_value::<Filter>(json!({"op": "eq", "field": "id"})).unwrap_err();
        assert!(e.to_string().contains("needs a `value`"), "{e}");
        assert_eq!(Filter::parse_list(&json!([])), Ok(vec![]));
    }
}
