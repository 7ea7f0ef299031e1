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
//! Files: `ops` (the operators, spelt once), `values` (fields and values), `tree` (the
//! `Filter` enum, its builders, readers and serialisation), `problem` (what can be wrong with a
//! hand-written filter), `strict` (the strict parse, and `Deserialize`), `lenient` (Autotask's
//! reading). This file only declares them.
//!
//! This module is the bottom layer: it uses only std, serde and serde_json.
mod lenient;
mod ops;
mod problem;
mod strict;
mod tree;
mod values;

pub use lenient::{Lenient, NotAnObject};
pub use ops::{Group, Op, Operand};
pub use problem::{FilterError, MAX_DEPTH, MAX_LIST, Problem};
pub use tree::Filter;
pub use values::{Field, Scalar};
