//! Argument coercion for every parameter kind (`tools::args::validate`): the first byte picks
//! a real tool's parameter list (or, past the last tool, one parameter of every kind); the
//! rest is the `arguments` JSON. Oracle: coercion is idempotent (validated arguments validate
//! again to the same values).
//! Thin on purpose: the tools API changes under issue 9; adapt the calls marked below.
#![no_main]

use std::sync::OnceLock;

use autotask_mcp::tools::args::{Kind, ParamSpec, validate};
use autotask_mcp::tools::{self, ToolSpec};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

fn every_kind() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new("id", Kind::Id, "id"),
        ParamSpec::new("code", Kind::Code, "code"),
        ParamSpec::new(
            "status",
            Kind::Pick {
                entity: "Tickets",
                field: "status",
            },
            "status",
        ),
        ParamSpec::new("maxRecords", Kind::MaxRecords, "max"),
        ParamSpec::new("hours", Kind::Number, "hours"),
        ParamSpec::new("flag", Kind::Bool, "flag"),
        ParamSpec::new("title", Kind::Text(255), "title"),
        ParamSpec::new("when", Kind::DateTime, "when"),
        ParamSpec::new("query", Kind::Json, "query"),
        ParamSpec::new("confirm", Kind::Confirm, "confirm"),
        ParamSpec::new("required", Kind::Text(10), "required").required(),
    ]
}

fn specs() -> &'static (Vec<ToolSpec>, Vec<ParamSpec>) {
    static SPECS: OnceLock<(Vec<ToolSpec>, Vec<ParamSpec>)> = OnceLock::new();
    // tools API (issue 9): every tool with its parameter specs.
    SPECS.get_or_init(|| (tools::all(), every_kind()))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let Ok(Value::Object(raw)) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let (tools, kinds) = specs();
    let (name, params) = match tools.get(pick as usize) {
        Some(t) => (t.name, &t.params),
        None => ("every-kind", kinds),
    };
    // tools API (issue 9): coercion and validation.
    let Ok(args) = validate(name, params, Some(&raw)) else {
        return;
    };
    let coerced: Map<String, Value> = args
        .names()
        .filter_map(|n| Some((n.to_string(), args.value(n)?.clone())))
        .collect();
    let again = validate(name, params, Some(&coerced))
        .unwrap_or_else(|e| panic!("coerced arguments fail validation: {e}; {coerced:?}"));
    for n in args.names() {
        assert_eq!(
            again.value(n),
            args.value(n),
            "`{n}` changed on a second pass"
        );
    }
});
