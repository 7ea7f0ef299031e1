//! The strict parse of hand-written filter JSON: every mistake is a `FilterError` that says
//! where the clause is (`filter[1].items[0]`), what is wrong and how to fix it.

use std::fmt;

use serde_json::{Map, Value};

use super::{Field, Filter, Group, Op, Operand, Scalar};

/// Deepest nesting of groups the strict parse accepts (a clause at the top level is depth 0).
pub const MAX_DEPTH: usize = 8;
/// Most values of one `in` / `notIn` list the strict parse accepts (Autotask allows at most 500
/// `or` conditions per query, and a list is read as that many).
pub const MAX_LIST: usize = 500;

/// Where in a filter a problem is, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// `filter[2].items[0]`: the clause at fault.
    pub at: String,
    pub problem: Problem,
}

/// What is wrong with a hand-written filter; each says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `filter` is not an array of clauses.
    NotAList,
    /// A clause is not a JSON object.
    NotAnObject,
    /// A clause has no `op` (or it is not a string).
    MissingOp,
    /// `op` names no operator Autotask knows (the text, at most 20 characters).
    UnknownOp(String),
    /// A key that is not `op`, `field`, `value`, `udf` or `items`.
    UnknownKey(String),
    /// The same key twice, in different cases.
    DuplicateKey(String),
    /// A key that does not belong to this kind of clause (`items` on a comparison, `field` on
    /// a group).
    Misplaced {
        key: &'static str,
        tag: &'static str,
    },
    /// A comparison without a `field` (or with an empty or non-string one).
    MissingField(Op),
    /// `udf` that is not `true` or `false`.
    UdfNotBoolean,
    /// A comparison that needs one value has none (or `null`).
    MissingValue(Op),
    /// A comparison that needs one value got an array or an object.
    ValueNotScalar(Op),
    /// `exist` / `notExist` with a value.
    UnexpectedValue(Op),
    /// `in` / `notIn` without an array.
    ValueNotList(Op),
    /// `in` / `notIn` with an empty array.
    EmptyList(Op),
    /// `in` / `notIn` with more than [`MAX_LIST`] values (how many).
    ListTooLong(Op, usize),
    /// An element of an `in` / `notIn` array that is not a string, number or boolean.
    ListItemNotScalar(Op, usize),
    /// A group without an `items` array.
    MissingItems(Group),
    /// A group whose `items` is empty.
    EmptyGroup(Group),
    /// Groups nested deeper than [`MAX_DEPTH`].
    TooDeep,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NotAList => write!(
                f,
                "the filter must be an array of clauses like [{{\"op\":\"eq\",\"field\":\"id\",\"value\":1}}]"
            ),
            Problem::NotAnObject => write!(
                f,
                "each filter clause must be an object like {{\"op\":\"eq\",\"field\":\"id\",\"value\":1}}"
            ),
            Problem::MissingOp => write!(
                f,
                "the clause has no `op`: use one of {}, or the groups and/or",
                Op::list()
            ),
            Problem::UnknownOp(op) => {
                let hint = match op.to_ascii_lowercase().as_str() {
                    "ne" | "neq" | "!=" | "<>" | "not" => " (for \"not equal\" use `noteq`)",
                    "like" | "notlike" => " (use `contains`, `beginsWith` or `endsWith`)",
                    "isnull" | "null" | "empty" => " (for \"is empty\" use `notExist`)",
                    "isnotnull" | "notnull" | "exists" => " (for \"has a value\" use `exist`)",
                    "ge" | ">=" => " (use `gte`)",
                    "le" | "<=" => " (use `lte`)",
                    "=" | "==" | "equals" => " (use `eq`)",
                    "startswith" => " (use `beginsWith`)",
                    "nin" | "not in" => " (use `notIn`)",
                    _ => "",
                };
                write!(
                    f,
                    "unknown filter operator `{op}`{hint}. Autotask silently ignores unknown operators (the clause would match every record), so it is refused here. Operators: {}, and the groups and/or",
                    Op::list()
                )
            }
            Problem::UnknownKey(key) => write!(
                f,
                "the clause has an unknown key `{key}`: a clause takes op, field, value and udf; a group takes op and items"
            ),
            Problem::DuplicateKey(key) => write!(
                f,
                "the clause has the key `{key}` more than once (keys are read in any case): keep one"
            ),
            Problem::Misplaced { key, tag } => match *key {
                "items" => write!(
                    f,
                    "`{tag}` compares one field and takes no `items`; to group clauses use {{\"op\":\"and\"|\"or\",\"items\":[...]}}"
                ),
                _ => write!(
                    f,
                    "an `{tag}` group takes only `items` (its clauses carry the `{key}`)"
                ),
            },
            Problem::MissingField(op) => {
                write!(
                    f,
                    "the `{op}` clause has no `field`: name the field to compare"
                )
            }
            Problem::UdfNotBoolean => write!(
                f,
                "`udf` must be true (the field is a user-defined field, named by its name) or false"
            ),
            Problem::MissingValue(op) => write!(
                f,
                "the `{op}` clause needs a `value` (a string, number or boolean); for \"is empty\" use notExist, for \"has a value\" exist"
            ),
            Problem::ValueNotScalar(op) => write!(
                f,
                "the `{op}` clause compares with one string, number or boolean; for a list of values use `in` or `notIn`"
            ),
            Problem::UnexpectedValue(op) => write!(
                f,
                "`{op}` takes no `value` (it tests whether the field is set); to compare with a value use eq or noteq"
            ),
            Problem::ValueNotList(op) => write!(
                f,
                "`{op}` needs a `value` array of 1 to {MAX_LIST} strings, numbers or booleans"
            ),
            Problem::EmptyList(op) => write!(
                f,
                "`{op}` has an empty `value` array: give 1 to {MAX_LIST} values"
            ),
            Problem::ListTooLong(op, n) => write!(
                f,
                "`{op}` has {n} values; Autotask allows at most {MAX_LIST}: split the query"
            ),
            Problem::ListItemNotScalar(op, i) => write!(
                f,
                "value {i} of the `{op}` array is not a string, number or boolean"
            ),
            Problem::MissingItems(group) => {
                write!(f, "an `{group}` group needs an `items` array of clauses")
            }
            Problem::EmptyGroup(group) => write!(
                f,
                "the `{group}` group has no items: give at least one clause, or leave the group out"
            ),
            Problem::TooDeep => write!(
                f,
                "the filter nests groups more than {MAX_DEPTH} deep: flatten it"
            ),
        }
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            write!(f, "{}", self.problem)
        } else {
            write!(f, "{}: {}", self.at, self.problem)
        }
    }
}

impl std::error::Error for FilterError {}

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
