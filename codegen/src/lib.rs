//! The Autotask entity-metadata model shared by the snapshot tool (`cargo run -p codegen`) and
//! the build script of `autotask-mcp`: snapshot files, import from the REST contract, curated
//! facts, and the Rust code generator (registry data, typed handles, structs).

pub mod curated;
pub mod generate;
pub mod handles;
pub mod model;
pub mod names;
pub mod snapshot;
pub mod swagger;

/// Errors of the metadata tooling; each names the file or value at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Io(String),
    #[error("{0}")]
    Input(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Import from the swagger text, then apply the curated facts.
pub fn import_with_curated(
    swagger_text: &str,
    curated: &curated::Curated,
) -> Result<Vec<model::EntitySnapshot>> {
    let mut entities = swagger::import(swagger_text)?;
    curated.apply(&mut entities)?;
    Ok(entities)
}

/// Loads `schema/curated.json` (an absent file means no curated facts).
pub fn load_curated(schema_dir: &std::path::Path) -> Result<curated::Curated> {
    let path = schema_dir.join("curated.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => curated::Curated::parse(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(curated::Curated::default()),
        Err(e) => Err(Error::Io(format!("cannot read {}: {e}", path.display()))),
    }
}
