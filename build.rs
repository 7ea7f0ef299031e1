//! Generates the entity registry, its typed handles (`registry::tickets::TITLE`) and the typed
//! structs of the entities the tools read (`TYPED_STRUCTS`) from the metadata snapshot in
//! `schema/entities/` (see `codegen::generate`, `codegen::handles`). Only a change under
//! `schema/` or to this file re-runs it; edits under `src/` do not.

use std::path::{Path, PathBuf};

/// The collections that get a typed struct in `crate::entities` (`Tickets` → `Ticket`): the
/// ones whose wire shape the tests pin by round-tripping captured answers (the tools take
/// their own typed inputs, so the structs are compiled for tests only). The other entities are
/// reached through the registry and JSON values; a struct for each of the 231 would only cost
/// compile time. Add a collection here to get its struct.
const TYPED_STRUCTS: &[&str] = &[
    "Companies",
    "Contacts",
    "TicketNotes",
    "Tickets",
    "TimeEntries",
];

fn main() {
    if let Err(message) = run() {
        // A build script reports failure by exiting non-zero; the message names the bad file.
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?;
    let schema_dir = Path::new(&manifest).join("schema");
    println!("cargo::rerun-if-changed=build.rs");
    println!(
        "cargo::rerun-if-changed={}",
        schema_dir.join("entities").display()
    );
    let entities = codegen::snapshot::load(&schema_dir).map_err(|e| e.to_string())?;
    for entity in &entities {
        let file =
            codegen::snapshot::entities_dir(&schema_dir).join(format!("{}.json", entity.name));
        println!("cargo::rerun-if-changed={}", file.display());
    }
    let typed: Vec<_> = entities
        .iter()
        .filter(|e| TYPED_STRUCTS.contains(&e.name.as_str()))
        .cloned()
        .collect();
    if let Some(missing) = TYPED_STRUCTS
        .iter()
        .find(|name| !typed.iter().any(|e| e.name == **name))
    {
        return Err(format!(
            "build.rs TYPED_STRUCTS names `{missing}`, which schema/entities/ does not have"
        ));
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let write = |name: &str, text: String| {
        std::fs::write(out.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))
    };
    write(
        "registry.rs",
        codegen::generate::registry(&entities).map_err(|e| e.to_string())?,
    )?;
    write(
        "handles.rs",
        codegen::handles::generate(&entities).map_err(|e| e.to_string())?,
    )?;
    write(
        "entities.rs",
        codegen::generate::structs(&typed).map_err(|e| e.to_string())?,
    )?;
    Ok(())
}
