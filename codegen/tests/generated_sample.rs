//! Pins a sample of the generated code (Tickets and its child TicketNotes): a change to the
//! generator shows up here as a reviewable diff. Refresh with `EXPECTORATE=overwrite cargo test`.

// Clippy's allow-unwrap-in-tests (clippy.toml) covers `#[test]` functions only, not the helper
// functions of an integration test crate: tests may unwrap and expect everywhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

fn sample() -> Vec<codegen::model::EntitySnapshot> {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
    let all = codegen::snapshot::load(&schema).unwrap();
    let sample: Vec<_> = all
        .into_iter()
        .filter(|e| e.name == "Tickets" || e.name == "TicketNotes")
        .collect();
    assert_eq!(
        sample.len(),
        2,
        "Tickets and TicketNotes are in the snapshot"
    );
    sample
}

#[test]
fn generated_structs_are_pinned() {
    let code = codegen::generate::structs(&sample()).unwrap();
    assert!(code.starts_with("// @generated"));
    expectorate::assert_contents("tests/snapshots/entities.sample.rs", &code);
}

#[test]
fn generated_registry_is_pinned() {
    let code = codegen::generate::registry(&sample()).unwrap();
    assert!(code.starts_with("// @generated"));
    expectorate::assert_contents("tests/snapshots/registry.sample.rs", &code);
}

#[test]
fn generated_handles_are_pinned() {
    let code = codegen::handles::generate(&sample()).unwrap();
    assert!(code.starts_with("// @generated"));
    assert!(code.contains("pub mod ticket_notes {"), "{code}");
    assert!(
        code.contains("pub const ASSIGNED_RESOURCE_ID: Field = ENTITY.field_at("),
        "{code}"
    );
    expectorate::assert_contents("tests/snapshots/handles.sample.rs", &code);
}
