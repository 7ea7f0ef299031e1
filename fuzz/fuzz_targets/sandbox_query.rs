//! The sandbox's query evaluator: a `QueryModel` (any JSON) against one entity of the seeded
//! demo tenant, parsed, counted, paged and projected. The first byte picks the entity; the
//! rest is the JSON body. Oracle: the first page holds at most `maxRecords` records, and
//! `hasMore` is true exactly when more records match than the page holds.
#![no_main]

use autotask_mcp::registry;
use autotask_mcp::sandbox::fuzzing::Tenant;
use libfuzzer_sys::fuzz_target;

/// The entities the demo tenant fills, first; any other of the registry after.
const SEEDED: &[&str] = &[
    "Tickets",
    "Companies",
    "Contacts",
    "TimeEntries",
    "Tasks",
    "Projects",
    "TicketNotes",
    "Resources",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(body) else {
        return;
    };
    let entity = match SEEDED.get(pick as usize) {
        Some(name) => *name,
        None => registry::entities()[pick as usize % registry::entities().len()].name,
    };
    if let Ok(outcome) = Tenant::demo().query(entity, &body) {
        assert!(outcome.page <= outcome.max_records, "{outcome:?}");
        assert!(outcome.page <= outcome.count, "{outcome:?}");
        assert_eq!(
            outcome.has_more,
            outcome.count > outcome.page,
            "{outcome:?}"
        );
    }
});
