//! The operators of the filter language, each spelt in exactly one place: the thirteen
//! comparisons (`Op`, with what each takes as its value) and the two groups (`Group`).

use std::fmt;

use serde::{Serialize, Serializer};

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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::json;

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
}
