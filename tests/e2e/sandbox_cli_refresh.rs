//! The sandbox as other programs see it: `autotask-mcp sandbox` prints one JSON line with the
//! URL and credentials, and `codegen refresh --check` pointed at a running sandbox reproduces
//! the checked-in snapshot (and does notice a snapshot that differs).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::Env;
use serde_json::Value;

#[tokio::test]
async fn the_sandbox_subcommand_prints_one_json_line_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_autotask-mcp"))
        .args(["sandbox", "--port", "0", "--seed", "7"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .unwrap();
    let result = async {
        let line = line.expect("a line on stdout");
        let info: Value = serde_json::from_str(line.trim()).expect("the line is JSON");
        let url = info["url"].as_str().unwrap().to_string();
        assert!(
            url.starts_with("http://127.0.0.1:") && url.ends_with("/ATServicesRest/"),
            "{url}"
        );
        for key in ["username", "secret", "integrationCode"] {
            assert!(info[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
        }
        let http = crate::common::client();
        let resp = http
            .get(format!("{url}V1.0/Tickets/query/count"))
            .header("UserName", info["username"].as_str().unwrap())
            .header("Secret", info["secret"].as_str().unwrap())
            .header(
                "ApiIntegrationCode",
                info["integrationCode"].as_str().unwrap(),
            )
            .send()
            .await
            .unwrap();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["queryCount"], serde_json::json!(1200));
    }
    .await;
    let _ = child.kill();
    let _ = child.wait();
    result
}

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

fn run_refresh(env: &Env, schema_dir: &Path) -> (bool, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    // The test process carries this package's build variables (OUT_DIR above all); passed on,
    // they would make the nested cargo rebuild codegen's dependencies, and the next
    // `cargo test` rebuild them back.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key == "OUT_DIR"
            || key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_MANIFEST_")
            || key.starts_with("CARGO_BIN_EXE_")
            || key.starts_with("CARGO_CRATE_")
        {
            command.env_remove(key.as_ref());
        }
    }
    let out = command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "-p", "codegen", "--quiet", "--", "--schema-dir"])
        .arg(schema_dir)
        .args(["--check", "refresh"])
        .env("AUTOTASK_API_URL", &env.base)
        .env("AUTOTASK_USERNAME", &env.creds.username)
        .env("AUTOTASK_SECRET", &env.creds.secret)
        .env("AUTOTASK_INTEGRATION_CODE", &env.creds.integration_code)
        .output()
        .expect("cargo runs codegen");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codegen_refresh_against_the_sandbox_reproduces_the_snapshot() {
    let env = Env::start().await;
    let tmp = tempfile::tempdir().unwrap();
    let schema: PathBuf = tmp.path().join("schema");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("schema"),
        &schema,
    );
    let (ok, stderr) = tokio::task::block_in_place(|| run_refresh(&env, &schema));
    assert!(ok, "refresh reported drift or failed:\n{stderr}");
    assert!(stderr.contains("up to date"), "{stderr}");
    // Every entity's metadata was read from the sandbox.
    let entities = autotask_mcp::registry::entities().len();
    assert_eq!(
        env.sandbox
            .stats()
            .count(Some("GET"), "/entityinformation/fields"),
        entities
    );

    // A snapshot that differs from what the sandbox serves is reported.
    let file = schema.join("entities").join("Tickets.json");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replacen("\"isQueryable\": true", "\"isQueryable\": false", 1),
    )
    .unwrap();
    let (ok, stderr) = tokio::task::block_in_place(|| run_refresh(&env, &schema));
    assert!(!ok, "drift must be reported: {stderr}");
    assert!(stderr.contains("Tickets.json"), "{stderr}");
}
