//! `codegen --check refresh`, the real CLI (`CARGO_BIN_EXE_codegen`), pointed at a running
//! sandbox as an operator points it at a tenant: it reproduces the checked-in snapshot, reads
//! every entity's metadata from the sandbox, and notices a snapshot that differs.
//!
//! It lives here rather than in the end-to-end tests of `autotask-mcp` because only this
//! package's tests get this package's binary: from there it took a nested `cargo run`, which
//! rebuilt codegen's dependencies with their own feature set on every fresh clone.

// Clippy's allow-unwrap-in-tests (clippy.toml) covers `#[test]` functions only, not the helper
// functions of an integration test crate: tests may unwrap and expect everywhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use autotask_mcp::sandbox::{Sandbox, SandboxOptions};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs `codegen --schema-dir DIR --check refresh` against the sandbox: (exit 0, stderr).
fn run_refresh(sandbox: &Sandbox, schema_dir: &Path) -> (bool, String) {
    let creds = sandbox.credentials();
    let out = Command::new(env!("CARGO_BIN_EXE_codegen"))
        .arg("--schema-dir")
        .arg(schema_dir)
        .args(["--check", "refresh"])
        .env_remove("AUTOTASK_ZONE_LOOKUP_URL")
        .env("AUTOTASK_API_URL", sandbox.base_url())
        .env("AUTOTASK_USERNAME", &creds.username)
        .env("AUTOTASK_SECRET", &creds.secret)
        .env("AUTOTASK_INTEGRATION_CODE", &creds.integration_code)
        .output()
        .expect("codegen runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_against_the_sandbox_reproduces_the_snapshot_and_notices_drift() {
    let sandbox = Sandbox::start(SandboxOptions::default())
        .await
        .expect("sandbox starts");
    let tmp = tempfile::tempdir().unwrap();
    let schema: PathBuf = tmp.path().join("schema");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema"),
        &schema,
    );
    let (ok, stderr) = tokio::task::block_in_place(|| run_refresh(&sandbox, &schema));
    assert!(ok, "refresh reported drift or failed:\n{stderr}");
    assert!(stderr.contains("up to date"), "{stderr}");
    // Every entity's metadata was read from the sandbox.
    let entities = autotask_mcp::registry::entities().len();
    assert!(entities > 200, "{entities} entities");
    assert_eq!(
        sandbox
            .stats()
            .count(Some("GET"), "/entityinformation/fields"),
        entities
    );

    // A snapshot that differs from what the sandbox serves is reported.
    let file = schema.join("entities").join("Tickets.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let changed = text.replacen("\"isQueryable\": true", "\"isQueryable\": false", 1);
    assert_ne!(changed, text, "the edit changes the file");
    std::fs::write(&file, changed).unwrap();
    let (ok, stderr) = tokio::task::block_in_place(|| run_refresh(&sandbox, &schema));
    assert!(!ok, "drift must be reported: {stderr}");
    assert!(stderr.contains("Tickets.json"), "{stderr}");
}
