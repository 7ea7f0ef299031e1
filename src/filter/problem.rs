//! What can be wrong with hand-written filter JSON: a [`FilterError`] says where the clause is
//! (`filter[1].items[0]`), what is wrong ([`Problem`]) and how to fix it.

use std::fmt;

use super::ops::{Group, Op};

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
