//! The query/filter JSON a model writes (`query-entity`, `count-entity`): checked and
//! normalised by `tools::filters::check_query`, then evaluated by the sandbox as Autotask
//! would. The first byte picks the entity; the rest is the `query` argument's JSON.
//! Oracle: normalising is idempotent (a checked query checks to itself).
#![no_main]

use autotask_mcp::registry;
use autotask_mcp::sandbox::fuzzing::Tenant;
use autotask_mcp::tools::spec::query::check_query;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

const ENTITIES: &[&str] = &["Tickets", "Companies", "Contacts", "TimeEntries", "Tasks"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let Ok(query) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let Some(entity) = registry::find(ENTITIES[pick as usize % ENTITIES.len()]) else {
        return;
    };
    let Ok(checked) = check_query(entity, &query) else {
        return;
    };
    let mut again = json!({"filter": checked.filter});
    if let Some(include) = &checked.include {
        again["includeFields"] = json!(include);
    }
    if let Some(max) = checked.max {
        again["maxRecords"] = json!(max);
    }
    let rechecked = check_query(entity, &again).expect("a checked query checks again");
    assert_eq!(rechecked, checked, "normalising is not idempotent");
    let _ = Tenant::demo().query(entity.name, &again);
});
