//! Property tests of filter building (proptest): random clause trees over an entity's
//! queryable fields, with operators and field names in any casing and values of each field's
//! type, go through `tools::filters::check_query` (what `query-entity` and `count-entity` run
//! on a model's filter) and then to the sandbox over HTTP, as Autotask would get them.
//! Properties: the checker accepts them; its output uses only the canonical operators and
//! the registry's field spelling, never `ne`; checking is idempotent; the filter builders'
//! clauses pass unchanged; and the Autotask emulator accepts every checked filter.

use autotask_mcp::registry::{self, DataType, EntityDef, FieldDef};
use autotask_mcp::tools::spec::param::Op;
use autotask_mcp::tools::spec::param::filter_clause;
use autotask_mcp::tools::spec::query::{self as filters, GROUPS, OPERATORS, check_query};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

use crate::common::Env;

const ENTITIES: &[&str] = &["Tickets", "Companies", "Contacts", "TimeEntries", "Tasks"];

fn entity(name: &str) -> &'static EntityDef {
    registry::find(name).expect("the entity is in the registry")
}

/// Fields the filter may name. Non-queryable fields are left out: `check_query` refuses
/// them (as Autotask does).
fn queryable(e: &'static EntityDef) -> Vec<&'static FieldDef> {
    e.fields.iter().filter(|f| f.is_queryable).collect()
}

/// A name in random ASCII casing.
fn any_case(name: &'static str) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<bool>(), name.len()).prop_map(move |upper| {
        name.chars()
            .zip(upper)
            .map(|(c, u)| {
                if u {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    })
}

fn value_of(t: DataType) -> BoxedStrategy<Value> {
    match t {
        DataType::Boolean => any::<bool>().prop_map(Value::from).boxed(),
        DataType::Integer | DataType::Long | DataType::Short => {
            (-5i64..200_000).prop_map(Value::from).boxed()
        }
        DataType::Double | DataType::Decimal => (-1e6f64..1e6).prop_map(Value::from).boxed(),
        DataType::DateTime => (2020u32..2030, 1u32..13, 1u32..29, 0u32..24)
            .prop_map(|(y, m, d, h)| json!(format!("{y}-{m:02}-{d:02}T{h:02}:00:00Z")))
            .boxed(),
        DataType::String => "[A-Za-z0-9 .@-]{0,20}".prop_map(Value::from).boxed(),
    }
}

fn leaf(fields: Vec<&'static FieldDef>) -> BoxedStrategy<Value> {
    proptest::sample::select(fields)
        .prop_flat_map(|f| {
            let ops: Vec<&'static str> = OPERATORS
                .iter()
                .copied()
                .filter(|op| {
                    f.data_type == DataType::String
                        || !matches!(*op, "beginsWith" | "endsWith" | "contains")
                })
                .collect();
            (
                proptest::sample::select(ops),
                any_case(f.name),
                proptest::collection::vec(value_of(f.data_type), 1..4),
            )
                .prop_flat_map(|(op, field, values)| {
                    (any_case(op), Just(field), Just(op), Just(values))
                })
        })
        .prop_map(|(op_text, field, op, values)| match op {
            "exist" | "notExist" => json!({"op": op_text, "field": field}),
            "in" | "notIn" => json!({"op": op_text, "field": field, "value": values}),
            _ => json!({"op": op_text, "field": field, "value": values[0]}),
        })
        .boxed()
}

fn clause(fields: Vec<&'static FieldDef>) -> BoxedStrategy<Value> {
    leaf(fields)
        .prop_recursive(3, 24, 4, |inner| {
            (
                proptest::sample::select(GROUPS.to_vec()).prop_flat_map(any_case),
                proptest::collection::vec(inner, 1..4),
            )
                .prop_map(|(op, items)| json!({"op": op, "items": items}))
        })
        .boxed()
}

fn query() -> impl Strategy<Value = (&'static str, Value)> {
    proptest::sample::select(ENTITIES.to_vec()).prop_flat_map(|name| {
        let fields = queryable(entity(name));
        (
            Just(name),
            proptest::collection::vec(clause(fields), 1..4),
            proptest::option::of(1i64..=500),
        )
            .prop_map(|(name, filter, max)| {
                let mut q = json!({"filter": filter});
                if let Some(max) = max {
                    q["maxRecords"] = json!(max);
                }
                (name, q)
            })
    })
}

/// Every `op` and `field` of a checked filter is canonical.
fn canonical(e: &EntityDef, clause: &Value) -> Result<(), String> {
    let op = clause["op"].as_str().ok_or("no op")?;
    if GROUPS.contains(&op) {
        for item in clause["items"].as_array().ok_or("no items")? {
            canonical(e, item)?;
        }
        return Ok(());
    }
    if !OPERATORS.contains(&op) {
        return Err(format!("operator {op}"));
    }
    let field = clause["field"].as_str().ok_or("no field")?;
    if !e.fields.iter().any(|f| f.name == field) {
        return Err(format!("field {field}"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checked_filters_are_canonical_idempotent_and_accepted_by_autotask() {
    let env = Env::start().await;
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config {
        cases: 200,
        ..Config::default()
    });
    let outcome = tokio::task::block_in_place(|| {
        runner.run(&query(), |(name, q)| {
            let e = entity(name);
            let checked = check_query(e, &q)
                .map_err(|err| TestCaseError::fail(format!("refused {q}: {err}")))?;
            for c in &checked.filter {
                canonical(e, c).map_err(|err| TestCaseError::fail(format!("{err} in {c}")))?;
            }
            let text = serde_json::to_string(&checked.filter).unwrap();
            prop_assert!(!text.contains("\"ne\""), "{}", text);
            let mut body = json!({"filter": checked.filter});
            if let Some(max) = checked.max {
                body["maxRecords"] = json!(max);
            }
            let again = check_query(e, &body)
                .map_err(|err| TestCaseError::fail(format!("refused its own output: {err}")))?;
            prop_assert_eq!(&again, &checked);
            let answer = handle.block_on(env.post(&format!("{name}/query/count"), body.clone()));
            prop_assert_eq!(answer.status, 200, "{} answered {}", body, answer.text);
            Ok(())
        })
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

proptest! {
    /// The builders' clauses are already canonical: checking passes them unchanged.
    #[test]
    fn built_clauses_pass_unchanged(
        field in proptest::sample::select(queryable(entity("Tickets"))),
        n in 0i64..100_000,
        text in "[a-z]{1,10}",
    ) {
        let e = entity("Tickets");
        for clause in [
            filters::eq(field.name, n),
            filters::noteq(field.name, n),
            filters::gte(field.name, n),
            filter_clause(&[field.name], Op::Before, &json!(n)),
            filter_clause(&[field.name], Op::Contains, &json!(text.clone())),
            filters::not_exist(field.name),
            filter_clause(&[field.name, "title"], Op::Contains, &json!(text.clone())),
            filters::match_all(),
        ] {
            let checked = check_query(e, &json!({"filter": [clause.clone()]}));
            prop_assert_eq!(checked.map(|c| c.filter).map_err(|e| e.to_string()), Ok(vec![clause]));
        }
    }
}
