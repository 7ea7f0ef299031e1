//! Pins a sample of the generated code (Tickets and its child TicketNotes): a change to the
//! generator shows up here as a reviewable diff. Refresh with `EXPECTORATE=overwrite cargo test`.

use std::path::Path;

fn sample() -> Vec<codegen::model::EntitySnapshot> {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
    let all = codegen::snapshot::load(&schema).unwrap_or_else(|e| panic!("{e}"));
    all.into_iter()
        .filter(|e| e.name == "Tickets" || e.name == "TicketNotes")
        .collect()
}

#[test]
fn generated_structs_are_pinned() {
    let code = codegen::generate::structs(&sample()).unwrap_or_else(|e| panic!("{e}"));
    assert!(code.starts_with("// @generated"));
    expectorate::assert_contents("tests/snapshots/entities.sample.rs", &code);
}

#[test]
fn generated_registry_is_pinned() {
    let code = codegen::generate::registry(&sample()).unwrap_or_else(|e| panic!("{e}"));
    assert!(code.starts_with("// @generated"));
    expectorate::assert_contents("tests/snapshots/registry.sample.rs", &code);
}

#[test]
fn generated_schemas_are_pinned() {
    let code = codegen::generate::schemas(&sample()).unwrap_or_else(|e| panic!("{e}"));
    expectorate::assert_contents("tests/snapshots/schemas.sample.rs", &code);
    let tickets = sample()
        .into_iter()
        .find(|e| e.name == "Tickets")
        .unwrap_or_else(|| panic!("Tickets"));
    let pretty = serde_json::to_string_pretty(&codegen::generate::create_schema(&tickets))
        .unwrap_or_default();
    expectorate::assert_contents("tests/snapshots/tickets.create-schema.json", &pretty);
}
