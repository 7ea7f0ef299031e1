//! The sandbox as other programs see it: `autotask-mcp sandbox` prints one JSON line with the
//! URL and credentials and serves. (`codegen --check refresh` against a running sandbox is
//! tested in codegen/tests/refresh_against_sandbox.rs, where the codegen binary is at hand.)

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

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
