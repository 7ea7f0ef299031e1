//! The typed filter tree: the [`Filter`] enum (one variant per operator, and the groups), its
//! builders, readers and its serialisation. Parsing lives in `strict` (for clients) and
//! `lenient` (Autotask's own reading).

use serde::{Serialize, Serializer};

use super::ops::{Group, Op};
use super::values::{Field, Scalar};
use serde_json::{Map, Value};

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

    pub(super) fn presence(op: Op, field: Field) -> Option<Filter> {
        match op {
            Op::Exist => Some(Filter::Exist { field }),
            Op::NotExist => Some(Filter::NotExist { field }),
            _ => None,
        }
    }

    pub(super) fn list(op: Op, field: Field, values: Vec<Scalar>) -> Option<Filter> {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::super::ops::Operand;
    use super::*;
    use serde_json::json;

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
}
