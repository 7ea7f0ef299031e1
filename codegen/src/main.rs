//! `cargo run -p codegen -- <command>`: keeps the entity-metadata snapshot in `schema/` in step
//! with its sources.
//!
//! * `import-swagger FILE`: build or update the snapshot from the published REST contract.
//! * `refresh`: read `entityInformation` and `entityInformation/fields` of every entity from a
//!   live tenant (or the sandbox), credentials from the `AUTOTASK_*` variables.
//!
//! Both apply `schema/curated.json` on top, and both take `--check`: exit 1 when the snapshot
//! differs from what the source would produce, writing nothing.

mod refresh;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use codegen::model::EntitySnapshot;

#[derive(Parser)]
#[command(
    name = "codegen",
    version,
    about = "Autotask entity-metadata snapshot tool"
)]
struct Cli {
    /// The snapshot directory.
    #[arg(long, global = true, default_value_os_t = default_schema_dir())]
    schema_dir: PathBuf,
    /// Compare only: exit 1 when the snapshot differs from what the source would produce.
    #[arg(long, global = true)]
    check: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build or update the snapshot from the published REST contract (Swagger 2.0 JSON).
    ImportSwagger {
        /// Path of the swagger document, e.g. autotask-rest-swagger-v1.json.
        file: PathBuf,
    },
    /// Rewrite the snapshot's metadata from a live tenant's entityInformation endpoints.
    Refresh(refresh::RefreshArgs),
}

fn default_schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("schema")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let entities: Vec<EntitySnapshot> = match &cli.command {
        Command::ImportSwagger { file } => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read swagger file {}: {e}", file.display()))?;
            let curated = codegen::load_curated(&cli.schema_dir).map_err(|e| e.to_string())?;
            codegen::import_with_curated(&text, &curated).map_err(|e| e.to_string())?
        }
        Command::Refresh(args) => {
            let existing = codegen::snapshot::load(&cli.schema_dir).map_err(|e| e.to_string())?;
            let curated = codegen::load_curated(&cli.schema_dir).map_err(|e| e.to_string())?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the async runtime: {e}"))?;
            let mut fresh = runtime.block_on(refresh::refresh(args, &existing))?;
            curated.apply(&mut fresh).map_err(|e| e.to_string())?;
            fresh
        }
    };
    let differences =
        codegen::snapshot::diff(&cli.schema_dir, &entities).map_err(|e| e.to_string())?;
    if cli.check {
        if differences.is_empty() {
            eprintln!("snapshot is up to date ({} entities)", entities.len());
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "snapshot differs from its source in {} file(s):",
            differences.len()
        );
        for line in &differences {
            eprintln!("  {line}");
        }
        return Ok(ExitCode::from(1));
    }
    codegen::snapshot::write(&cli.schema_dir, &entities).map_err(|e| e.to_string())?;
    eprintln!(
        "wrote {} entities to {} ({} file(s) changed)",
        entities.len(),
        codegen::snapshot::entities_dir(&cli.schema_dir).display(),
        differences.len()
    );
    Ok(ExitCode::SUCCESS)
}
