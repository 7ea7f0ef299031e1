//! Argument coercion for every parameter kind (`tools::params::validate`): the first byte
//! picks a real tool's parameter list (or, past the last tool, one parameter of every kind);
//! the rest is the `arguments` JSON. Oracle: coercion is idempotent (validated arguments
//! validate again to the same values).
#![no_main]

use std::sync::OnceLock;

use autotask_mcp::tools::spec::param::{Param, validate};
use autotask_mcp::tools::spec::kind::{ID, Kind};
use autotask_mcp::tools::{self, ToolDef};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

fn every_kind() -> Vec<Param> {
    vec![
        Param::own("id", ID, ""),
        Param::own("code", Kind::Int { min: 0, max: i32::MAX as i64 }, ""),
        Param::own("signed", Kind::Int { min: -100, max: 100 }, ""),
        Param::own(
            "status",
            Kind::Pick {
                entity: "Tickets",
                field: "status",
            },
            "",
        ),
        Param::own("maxRecords", Kind::Int { min: 1, max: 100_000 }, ""),
        Param::own("hours", Kind::Number, ""),
        Param::own("flag", Kind::Bool, ""),
        Param::own("active", Kind::Flag, ""),
        Param::own("title", Kind::Text { max: 255 }, ""),
        Param::own("when", Kind::DateTime, ""),
        Param::own("query", Kind::Json, ""),
        Param::own("fields", Kind::Names, ""),
        Param::own("confirm", Kind::Confirm { tool: "create-ticket" }, ""),
        Param::own("required", Kind::Text { max: 10 }, "").required(),
    ]
}

fn specs() -> &'static (Vec<ToolDef>, Vec<Param>) {
    static SPECS: OnceLock<(Vec<ToolDef>, Vec<Param>)> = OnceLock::new();
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
    let Ok(args) = validate(name, params, Some(&raw)) else {
        return;
    };
    let coerced: Map<String, Value> = args.values.clone();
    let again = validate(name, params, Some(&coerced))
        .unwrap_or_else(|e| panic!("coerced arguments fail validation: {e}; {coerced:?}"));
    assert_eq!(again.values, args.values, "coercion is not idempotent");
    assert_eq!(again.labels, args.labels, "labels changed on a second pass");
});
