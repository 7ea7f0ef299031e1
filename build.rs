//! Generates the entity registry, the typed entity structs and the input JSON Schemas from the
//! metadata snapshot in `schema/entities/` (see `codegen::generate`). Only a change under
//! `schema/` re-runs it; edits under `src/` do not.

use std::path::{Path, PathBuf};

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
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let write = |name: &str, text: String| {
        std::fs::write(out.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))
    };
    write(
        "registry.rs",
        codegen::generate::registry(&entities).map_err(|e| e.to_string())?,
    )?;
    write(
        "entities.rs",
        codegen::generate::structs(&entities).map_err(|e| e.to_string())?,
    )?;
    write(
        "schemas.rs",
        codegen::generate::schemas(&entities).map_err(|e| e.to_string())?,
    )?;
    Ok(())
}
