//! The Autotask filter language, typed: one enum (`Filter`) whose variants are the thirteen
//! comparison operators and the two groups, serialised with `op` as the tag, exactly as the
//! REST API's `QueryModel.filter` items are written:
//!
//! ```json
//! {"op": "eq", "field": "status", "value": 5}
//! {"op": "in", "field": "queueID", "value": [5, 8]}
//! {"op": "notExist", "field": "assignedResourceID"}
//! {"op": "eq", "field": "Customer Ref", "udf": true, "value": "ACME-1"}
//! {"op": "or", "items": [ ... ]}
//! ```
//!
//! The operators are spelt in exactly one place (`Op::as_str`, `Group::as_str`); everything
//! else (serialisation, both parses, the sandbox's evaluator, the tools) goes through them.
//!
//! Two readings of a client's JSON:
//! * [`Filter::parse`] / [`Filter::parse_list`] (and `Deserialize`), **strict**: for JSON a
//!   person or a model wrote by hand. Every mistake is an error that says what is wrong and how
//!   to fix it: an unknown operator (Autotask would silently drop the clause and match
//!   everything, so `ne` must never reach it), a missing field or value, a value of the wrong
//!   shape, an unknown key, an empty group, nesting deeper than [`MAX_DEPTH`].
//! * [`Lenient::read`]: how Autotask itself reads a clause, quirks included (API-FACTS §4.1):
//!   keys and operator names in any case, an unknown operator kept as [`Lenient::Ignored`] (the
//!   clause is dropped: it matches every record), and field and value left raw for the server to
//!   judge against the entity's fields. The sandbox evaluates this view.
//!
//! This module is the bottom layer: it uses only std, serde and serde_json.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

/// Deepest nesting of groups the strict parse accepts (a clause at the top level is depth 0).
pub const MAX_DEPTH: usize = 8;
/// Most values of one `in` / `notIn` list the strict parse accepts (Autotask allows at most 500
/// `or` conditions per query, and a list is read as that many).
pub const MAX_LIST: usize = 500;

/// A comparison operator. Its wire spelling lives here and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    NotEq,
    Gt,
    Gte,
    Lt,
    Lte,
    BeginsWith,
    EndsWith,
    Contains,
    Exist,
    NotExist,
    In,
    NotIn,
}

/// What an operator takes as its `value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    /// No value (`exist`, `notExist`).
    None,
    /// One string, number or boolean.
    Scalar,
    /// An array of strings, numbers or booleans (`in`, `notIn`).
    List,
}

impl Op {
    /// Every comparison operator, in the order Autotask's documentation lists them.
    pub const ALL: [Op; 13] = [
        Op::Eq,
        Op::NotEq,
        Op::Gt,
        Op::Gte,
        Op::Lt,
        Op::Lte,
        Op::BeginsWith,
        Op::EndsWith,
        Op::Contains,
        Op::Exist,
        Op::NotExist,
        Op::In,
        Op::NotIn,
    ];

    /// The operator as Autotask spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::NotEq => "noteq",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::BeginsWith => "beginsWith",
            Op::EndsWith => "endsWith",
            Op::Contains => "contains",
            Op::Exist => "exist",
            Op::NotExist => "notExist",
            Op::In => "in",
            Op::NotIn => "notIn",
        }
    }

    /// The operator spelt `text`, in any case (`NOTEQ`, `beginswith`).
    pub fn parse(text: &str) -> Option<Op> {
        Op::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(text))
    }

    /// What the operator compares against.
    pub const fn operand(self) -> Operand {
        match self {
            Op::Exist | Op::NotExist => Operand::None,
            Op::In | Op::NotIn => Operand::List,
            _ => Operand::Scalar,
        }
    }

    /// The spellings of every operator, comma-separated (for messages).
    pub fn list() -> String {
        Op::ALL.map(Op::as_str).join(", ")
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Op {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Op {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Op, D::Error> {
        let text = String::deserialize(d)?;
        Op::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(Problem::UnknownOp(text.chars().take(20).collect()))
        })
    }
}

/// A grouping operator: its `items` all match (`and`) or any matches (`or`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    And,
    Or,
}

impl Group {
    pub const ALL: [Group; 2] = [Group::And, Group::Or];

    /// The group as Autotask spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Group::And => "and",
            Group::Or => "or",
        }
    }

    /// The group spelt `text`, in any case.
    pub fn parse(text: &str) -> Option<Group> {
        Group::ALL
            .into_iter()
            .find(|g| g.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a clause reads: a field of the entity by name, or a user-defined field (`udf: true`)
/// by the UDF's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    pub name: String,
    pub udf: bool,
}

impl Field {
    /// A field of the entity.
    pub fn named(name: impl Into<String>) -> Field {
        Field {
            name: name.into(),
            udf: false,
        }
    }

    /// A user-defined field, by its name.
    pub fn udf(name: impl Into<String>) -> Field {
        Field {
            name: name.into(),
            udf: true,
        }
    }
}

impl From<&str> for Field {
    fn from(name: &str) -> Field {
        Field::named(name)
    }
}

impl From<String> for Field {
    fn from(name: String) -> Field {
        Field::named(name)
    }
}

impl From<&String> for Field {
    fn from(name: &String) -> Field {
        Field::named(name.clone())
    }
}

/// A value a clause compares with: a string, a number or a boolean (the swagger's `value`:
/// "an Integer, String, Boolean, an Array of Integers, or an Array of Strings").
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Number(Number),
    Text(String),
}

impl Scalar {
    /// A scalar from JSON; `None` for null, arrays and objects.
    pub fn from_value(value: &Value) -> Option<Scalar> {
        match value {
            Value::Bool(b) => Some(Scalar::Bool(*b)),
            Value::Number(n) => Some(Scalar::Number(n.clone())),
            Value::String(s) => Some(Scalar::Text(s.clone())),
            _ => None,
        }
    }

    /// A finite floating-point number (`None` for NaN and infinities, which JSON cannot hold).
    pub fn float(value: f64) -> Option<Scalar> {
        Number::from_f64(value).map(Scalar::Number)
    }

    /// The JSON value.
    pub fn to_value(&self) -> Value {
        match self {
            Scalar::Bool(b) => Value::Bool(*b),
            Scalar::Number(n) => Value::Number(n.clone()),
            Scalar::Text(s) => Value::String(s.clone()),
        }
    }
}

impl From<bool> for Scalar {
    fn from(v: bool) -> Scalar {
        Scalar::Bool(v)
    }
}

macro_rules! scalar_from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Scalar {
            fn from(v: $t) -> Scalar {
                Scalar::Number(Number::from(v))
            }
        }
    )*};
}
scalar_from_integer!(i8, i16, i32, i64, u8, u16, u32, u64, isize, usize);

impl From<&str> for Scalar {
    fn from(v: &str) -> Scalar {
        Scalar::Text(v.to_string())
    }
}

impl From<String> for Scalar {
    fn from(v: String) -> Scalar {
        Scalar::Text(v)
    }
}

impl From<&String> for Scalar {
    fn from(v: &String) -> Scalar {
        Scalar::Text(v.clone())
    }
}

/// One filter of an Autotask query: a comparison on one field, or a group of filters. On the
/// wire `op` is the tag; the top-level filters of a query are ANDed.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Eq {
        field: Field,
        value: Scalar,
    },
    NotEq {
        field: Field,
        value: Scalar,
    },
    Gt {
        field: Field,
        value: Scalar,
    },
    Gte {
        field: Field,
        value: Scalar,
    },
    Lt {
        field: Field,
        value: Scalar,
    },
    Lte {
        field: Field,
        value: Scalar,
    },
    /// Text that starts with `value` (Autotask compares text case-insensitively).
    BeginsWith {
        field: Field,
        value: Scalar,
    },
    EndsWith {
        field: Field,
        value: Scalar,
    },
    Contains {
        field: Field,
        value: Scalar,
    },
    /// The field has a value.
    Exist {
        field: Field,
    },
    /// The field is empty (`null`).
    NotExist {
        field: Field,
    },
    In {
        field: Field,
        values: Vec<Scalar>,
    },
    NotIn {
        field: Field,
        values: Vec<Scalar>,
    },
    And {
        items: Vec<Filter>,
    },
    Or {
        items: Vec<Filter>,
    },
}

/// The builders: `Filter::eq("status", 5)`, `Filter::not_exist("assignedResourceID")`,
/// `Filter::eq(Field::udf("Customer Ref"), "ACME-1")`, `Filter::or([..])`.
impl Filter {
    pub fn eq(field: impl Into<Field>, value: impl Into<Scalar>) -> Filter {
        Filter::Eq {
            field: field.into(),
            value: value.into(),
        }
    }

    pub fn noteq(field: impl Into<Field>, value: impl Into<Scalar>) -> Filter {
        Filter::NotEq {
            field: field.into(),
            value: value.into(),
        }
    }

    pub fn gt(field: impl Into<Field>, value: impl Into<Scalar>) -> Filter {
        Filter::Gt {
            field: field.into(),
            value: value.into(),
        }
    }

    pub fn gte(field: impl Into<Field>, value: impl Into<Scalar>) -> Filter {
        Filter::Gte {
            field: field.into(),
            value: value.into(),
        }
    }

    pub fn lt(field: impl Into<Field>, value: impl Into<Scalar>) -> Filter {
        Filter::Lt {
            field: field.into(),
            value: value.into(),
        }
    }

    pub fn lte(field: impl Into<Field>, value: impl Into<Scalar>) -> Filter {
        Filter::Lte {
            field: field.into(),
            value: value.into(),
        }
    }

    pub fn begins_with(field: impl Into<Field>, value: impl Into<Scalar>) -> Filter {
        Filter::BeginsWith {
            field: field.into(),
            value: value.into(),
        }
    }

    pub fn ends_with(field: impl Into<Field>, value: impl Into<Scalar>) -> Filter {
        Filter::EndsWith {
            field: field.into(),
            value: value.into(),
        }
    }

    pub fn contains(field: impl Into<Field>, value: impl Into<Scalar>) -> Filter {
        Filter::Contains {
            field: field.into(),
            value: value.into(),
        }
    }

    pub fn exist(field: impl Into<Field>) -> Filter {
        Filter::Exist {
            field: field.into(),
        }
    }

    pub fn not_exist(field: impl Into<Field>) -> Filter {
        Filter::NotExist {
            field: field.into(),
        }
    }

    pub fn is_in<V: Into<Scalar>>(
        field: impl Into<Field>,
        values: impl IntoIterator<Item = V>,
    ) -> Filter {
        Filter::In {
            field: field.into(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    pub fn not_in<V: Into<Scalar>>(
        field: impl Into<Field>,
        values: impl IntoIterator<Item = V>,
    ) -> Filter {
        Filter::NotIn {
            field: field.into(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    pub fn and(items: impl IntoIterator<Item = Filter>) -> Filter {
        Filter::And {
            items: items.into_iter().collect(),
        }
    }

    pub fn or(items: impl IntoIterator<Item = Filter>) -> Filter {
        Filter::Or {
            items: items.into_iter().collect(),
        }
    }

    /// The comparison `op` on `field` with one value (`None` when `op` takes no value or a list).
    pub fn compare(op: Op, field: impl Into<Field>, value: impl Into<Scalar>) -> Option<Filter> {
        let (field, value) = (field.into(), value.into());
        Some(match op {
            Op::Eq => Filter::Eq { field, value },
            Op::NotEq => Filter::NotEq { field, value },
            Op::Gt => Filter::Gt { field, value },
            Op::Gte => Filter::Gte { field, value },
            Op::Lt => Filter::Lt { field, value },
            Op::Lte => Filter::Lte { field, value },
            Op::BeginsWith => Filter::BeginsWith { field, value },
            Op::EndsWith => Filter::EndsWith { field, value },
            Op::Contains => Filter::Contains { field, value },
            Op::Exist | Op::NotExist | Op::In | Op::NotIn => return None,
        })
    }

    fn presence(op: Op, field: Field) -> Option<Filter> {
        match op {
            Op::Exist => Some(Filter::Exist { field }),
            Op::NotExist => Some(Filter::NotExist { field }),
            _ => None,
        }
    }

    fn list(op: Op, field: Field, values: Vec<Scalar>) -> Option<Filter> {
        match op {
            Op::In => Some(Filter::In { field, values }),
            Op::NotIn => Some(Filter::NotIn { field, values }),
            _ => None,
        }
    }

    /// A group of `items`.
    pub fn group(group: Group, items: Vec<Filter>) -> Filter {
        match group {
            Group::And => Filter::And { items },
            Group::Or => Filter::Or { items },
        }
    }

    /// Marks the field of this comparison as a UDF (`udf: true`); groups are left as they are.
    pub fn udf(mut self) -> Filter {
        if let Some(field) = self.field_mut() {
            field.udf = true;
        }
        self
    }
}

/// Reading a filter.
impl Filter {
    /// The comparison operator (`None` for a group).
    pub fn op(&self) -> Option<Op> {
        Some(match self {
            Filter::Eq { .. } => Op::Eq,
            Filter::NotEq { .. } => Op::NotEq,
            Filter::Gt { .. } => Op::Gt,
            Filter::Gte { .. } => Op::Gte,
            Filter::Lt { .. } => Op::Lt,
            Filter::Lte { .. } => Op::Lte,
            Filter::BeginsWith { .. } => Op::BeginsWith,
            Filter::EndsWith { .. } => Op::EndsWith,
            Filter::Contains { .. } => Op::Contains,
            Filter::Exist { .. } => Op::Exist,
            Filter::NotExist { .. } => Op::NotExist,
            Filter::In { .. } => Op::In,
            Filter::NotIn { .. } => Op::NotIn,
            Filter::And { .. } | Filter::Or { .. } => return None,
        })
    }

    /// The group operator (`None` for a comparison).
    pub fn group_op(&self) -> Option<Group> {
        match self {
            Filter::And { .. } => Some(Group::And),
            Filter::Or { .. } => Some(Group::Or),
            _ => None,
        }
    }

    /// The `op` tag as Autotask spells it.
    pub fn tag(&self) -> &'static str {
        match (self.op(), self.group_op()) {
            (Some(op), _) => op.as_str(),
            (None, Some(group)) => group.as_str(),
            (None, None) => "",
        }
    }

    /// The field a comparison reads (`None` for a group).
    pub fn field(&self) -> Option<&Field> {
        match self {
            Filter::Eq { field, .. }
            | Filter::NotEq { field, .. }
            | Filter::Gt { field, .. }
            | Filter::Gte { field, .. }
            | Filter::Lt { field, .. }
            | Filter::Lte { field, .. }
            | Filter::BeginsWith { field, .. }
            | Filter::EndsWith { field, .. }
            | Filter::Contains { field, .. }
            | Filter::Exist { field }
            | Filter::NotExist { field }
            | Filter::In { field, .. }
            | Filter::NotIn { field, .. } => Some(field),
            Filter::And { .. } | Filter::Or { .. } => None,
        }
    }

    /// The field a comparison reads, to change it (`None` for a group).
    pub fn field_mut(&mut self) -> Option<&mut Field> {
        match self {
            Filter::Eq { field, .. }
            | Filter::NotEq { field, .. }
            | Filter::Gt { field, .. }
            | Filter::Gte { field, .. }
            | Filter::Lt { field, .. }
            | Filter::Lte { field, .. }
            | Filter::BeginsWith { field, .. }
            | Filter::EndsWith { field, .. }
            | Filter::Contains { field, .. }
            | Filter::Exist { field }
            | Filter::NotExist { field }
            | Filter::In { field, .. }
            | Filter::NotIn { field, .. } => Some(field),
            Filter::And { .. } | Filter::Or { .. } => None,
        }
    }

    /// The one value of a comparison (`None` for presence, list and group filters).
    pub fn value(&self) -> Option<&Scalar> {
        match self {
            Filter::Eq { value, .. }
            | Filter::NotEq { value, .. }
            | Filter::Gt { value, .. }
            | Filter::Gte { value, .. }
            | Filter::Lt { value, .. }
            | Filter::Lte { value, .. }
            | Filter::BeginsWith { value, .. }
            | Filter::EndsWith { value, .. }
            | Filter::Contains { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The values of `in` / `notIn` (`None` otherwise).
    pub fn values(&self) -> Option<&[Scalar]> {
        match self {
            Filter::In { values, .. } | Filter::NotIn { values, .. } => Some(values),
            _ => None,
        }
    }

    /// The items of a group (`None` for a comparison).
    pub fn items(&self) -> Option<&[Filter]> {
        match self {
            Filter::And { items } | Filter::Or { items } => Some(items),
            _ => None,
        }
    }

    /// Every field this filter reads, groups walked, in order.
    pub fn fields(&self) -> Vec<&Field> {
        let mut out = Vec::new();
        self.walk(&mut |f| {
            if let Some(field) = f.field() {
                out.push(field);
            }
        });
        out
    }

    /// Calls `visit` with every field this filter reads, groups walked, in order (to check or
    /// rewrite names, e.g. to the entity's own spelling).
    pub fn for_each_field_mut(&mut self, visit: &mut impl FnMut(&mut Field)) {
        match self {
            Filter::And { items } | Filter::Or { items } => {
                for item in items {
                    item.for_each_field_mut(visit);
                }
            }
            other => {
                if let Some(field) = other.field_mut() {
                    visit(field);
                }
            }
        }
    }

    fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Filter)) {
        visit(self);
        if let Some(items) = self.items() {
            for item in items {
                item.walk(visit);
            }
        }
    }

    /// How many `or` conditions the filter holds, as Autotask counts them toward its limit of
    /// 500 per query: the items of every `or` group.
    pub fn or_conditions(&self) -> usize {
        let mut n = 0;
        self.walk(&mut |f| {
            if let Filter::Or { items } = f {
                n += items.len();
            }
        });
        n
    }

    /// The filter as Autotask's JSON (`op` first, then `field`, `value`, `udf` or `items`).
    pub fn to_value(&self) -> Value {
        let mut out = Map::new();
        out.insert("op".into(), Value::String(self.tag().into()));
        if let Some(field) = self.field() {
            out.insert("field".into(), Value::String(field.name.clone()));
        }
        if let Some(value) = self.value() {
            out.insert("value".into(), value.to_value());
        }
        if let Some(values) = self.values() {
            out.insert(
                "value".into(),
                Value::Array(values.iter().map(Scalar::to_value).collect()),
            );
        }
        if self.field().is_some_and(|f| f.udf) {
            out.insert("udf".into(), Value::Bool(true));
        }
        if let Some(items) = self.items() {
            out.insert(
                "items".into(),
                Value::Array(items.iter().map(Filter::to_value).collect()),
            );
        }
        Value::Object(out)
    }

    /// A list of filters as the `filter` array of a `QueryModel`.
    pub fn list_to_value(filters: &[Filter]) -> Value {
        Value::Array(filters.iter().map(Filter::to_value).collect())
    }
}

impl From<&Filter> for Value {
    fn from(filter: &Filter) -> Value {
        filter.to_value()
    }
}

impl From<Filter> for Value {
    fn from(filter: Filter) -> Value {
        filter.to_value()
    }
}

impl Serialize for Filter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Filter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Filter, D::Error> {
        let value = Value::deserialize(d)?;
        Filter::parse(&value).map_err(serde::de::Error::custom)
    }
}

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
    use super::*;
    use serde_json::json;

    fn problem(v: Value) -> Problem {
        match Filter::parse(&v) {
            Err(e) => e.problem,
            Ok(f) => panic!("expected an error for {v}, got {f:?}"),
        }
    }

    #[test]
    fn every_operator_has_one_spelling_that_parses_back_in_any_case() {
        let spellings: Vec<&str> = Op::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(
            spellings,
            [
                "eq",
                "noteq",
                "gt",
                "gte",
                "lt",
                "lte",
                "beginsWith",
                "endsWith",
                "contains",
                "exist",
                "notExist",
                "in",
                "notIn"
            ]
        );
        for op in Op::ALL {
            assert_eq!(Op::parse(op.as_str()), Some(op));
            assert_eq!(Op::parse(&op.as_str().to_uppercase()), Some(op));
            assert_eq!(serde_json::to_value(op).unwrap(), json!(op.as_str()));
            assert_eq!(
                serde_json::from_value::<Op>(json!(op.as_str())).unwrap(),
                op
            );
        }
        for group in Group::ALL {
            assert_eq!(Group::parse(&group.as_str().to_uppercase()), Some(group));
            assert_eq!(Op::parse(group.as_str()), None);
        }
        assert_eq!(Op::parse("ne"), None);
        assert!(serde_json::from_value::<Op>(json!("ne")).is_err());
    }

    #[test]
    fn builders_write_autotask_json() {
        assert_eq!(
            Filter::eq("status", 5).to_value(),
            json!({"op": "eq", "field": "status", "value": 5})
        );
        assert_eq!(
            Filter::noteq("status", 5).to_value().to_string(),
            r#"{"op":"noteq","field":"status","value":5}"#,
            "op, field, value in that order"
        );
        assert_eq!(
            Filter::not_exist("assignedResourceID").to_value(),
            json!({"op": "notExist", "field": "assignedResourceID"})
        );
        assert_eq!(
            Filter::is_in("queueID", [5, 8]).to_value(),
            json!({"op": "in", "field": "queueID", "value": [5, 8]})
        );
        assert_eq!(
            Filter::eq(Field::udf("Customer Ref"), "ACME-1").to_value(),
            json!({"op": "eq", "field": "Customer Ref", "value": "ACME-1", "udf": true})
        );
        assert_eq!(
            Filter::contains("title", "printer").udf(),
            Filter::contains(Field::udf("title"), "printer")
        );
        assert_eq!(
            Filter::or([Filter::eq("status", 1), Filter::gte("priority", 2)]).to_value(),
            json!({"op": "or", "items": [
                {"op": "eq", "field": "status", "value": 1},
                {"op": "gte", "field": "priority", "value": 2}]})
        );
        assert_eq!(
            Filter::list_to_value(&[Filter::exist("id")]),
            json!([{"op": "exist", "field": "id"}])
        );
        assert_eq!(Scalar::float(f64::NAN), None);
        assert_eq!(
            Filter::gt("hoursWorked", Scalar::float(1.5).unwrap()).to_value()["value"],
            json!(1.5)
        );
    }

    #[test]
    fn every_operator_round_trips_through_serde() {
        let mut all: Vec<Filter> = Op::ALL
            .into_iter()
            .map(|op| match op.operand() {
                Operand::None => Filter::presence(op, Field::named("title")).unwrap(),
                Operand::Scalar => Filter::compare(op, "title", "x").unwrap(),
                Operand::List => Filter::list(op, Field::udf("Level"), vec!["1".into()]).unwrap(),
            })
            .collect();
        assert_eq!(all.len(), 13);
        all.push(Filter::and([
            Filter::eq("id", 1),
            Filter::eq(Field::udf("u"), true),
        ]));
        all.push(Filter::or([
            Filter::and([Filter::lt("id", 9)]),
            Filter::gt("id", 2),
        ]));
        for filter in &all {
            let text = serde_json::to_string(filter).unwrap();
            let back: Filter = serde_json::from_str(&text).unwrap();
            assert_eq!(&back, filter, "{text}");
            assert_eq!(Filter::parse(&filter.to_value()).as_ref(), Ok(filter));
            assert_eq!(
                filter.op().map(Op::as_str).unwrap_or_else(|| filter.tag()),
                filter.to_value()["op"].as_str().unwrap()
            );
        }
        let list: Vec<Filter> = serde_json::from_value(json!([
            {"Op": "NOTEQ", "Field": "status", "Value": 5},
            {"op": "beginswith", "field": "title", "value": "Print"}
        ]))
        .unwrap();
        assert_eq!(
            list,
            vec![
                Filter::noteq("status", 5),
                Filter::begins_with("title", "Print")
            ],
            "keys and operators in any case, written back canonically"
        );
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

    #[test]
    fn fields_can_be_read_and_rewritten_and_or_conditions_counted() {
        let mut f = Filter::and([
            Filter::eq("STATUS", 1),
            Filter::or([Filter::exist("title"), Filter::is_in("queueID", [5])]),
        ]);
        let names: Vec<&str> = f.fields().iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["STATUS", "title", "queueID"]);
        f.for_each_field_mut(&mut |field| field.name = field.name.to_lowercase());
        assert_eq!(f.fields()[0].name, "status");
        assert_eq!(f.or_conditions(), 2);
        assert_eq!(Filter::eq("id", 1).or_conditions(), 0);
        assert_eq!(f.items().map(<[Filter]>::len), Some(2));
        assert_eq!(Filter::eq("id", 1).value(), Some(&Scalar::from(1)));
        assert_eq!(
            Filter::is_in("id", [1, 2]).values(),
            Some(&[Scalar::from(1), Scalar::from(2)][..])
        );
    }

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
