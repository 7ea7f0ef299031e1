//! End to end, the process: `--sandbox` works with no credentials; stdout carries JSON-RPC
//! only even at `RUST_LOG=trace`; the credentials never show on stderr at trace level; the
//! 2026-07-28 stateless lifecycle works as well as the 2025-11-25 handshake; a configuration
//! error is one `error:` line and exit code 2.

use std::process::Stdio;
use std::time::Duration;

use crate::mcp_support::{command, start, text};
use rmcp::model::{CallToolRequestParams, ProtocolVersion};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientLifecycleMode, ClientServiceExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

const WAIT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_mode_needs_no_credentials_and_stdout_is_json_rpc_only() {
    let mut child = command(&["--sandbox"])
        .env("RUST_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stderr = child.stderr.take().unwrap();
    let drain = tokio::spawn(async move {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s).await;
        s
    });
    let requests = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "search-tickets", "arguments": {"openOnly": true, "maxRecords": 3}}}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "get-ticket", "arguments": {"id": "not a number"}}}),
    ];
    for r in &requests {
        stdin.write_all(format!("{r}\n").as_bytes()).await.unwrap();
    }
    stdin.flush().await.unwrap();
    let mut answers = std::collections::BTreeMap::new();
    while answers.len() < 4 {
        let line = tokio::time::timeout(WAIT, stdout.next_line())
            .await
            .unwrap()
            .unwrap()
            .expect("stdout open");
        let msg: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
        assert_eq!(msg["jsonrpc"], "2.0", "{line}");
        if let Some(id) = msg["id"].as_i64() {
            answers.insert(id, msg);
        }
    }
    assert_eq!(answers[&1]["result"]["serverInfo"]["name"], "autotask-mcp");
    assert_eq!(answers[&1]["result"]["protocolVersion"], "2025-11-25");
    assert_eq!(answers[&2]["result"]["tools"].as_array().unwrap().len(), 35);
    let found = &answers[&3]["result"];
    assert_ne!(found["isError"], true, "{found}");
    assert_eq!(found["structuredContent"]["count"], 3);
    assert_eq!(answers[&4]["result"]["isError"], true);
    drop(stdin);
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(
        status.success(),
        "exits cleanly when stdin closes: {status}"
    );
    let logs = drain.await.unwrap();
    assert!(
        logs.contains("TRACE") || logs.contains("DEBUG"),
        "trace logging went to stderr"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_never_reach_stderr_at_trace_level() {
    let mut h = start(&[], &[("RUST_LOG", "trace")], true).await;
    let creds = h.sandbox.credentials();
    h.ok("search-tickets", json!({"maxRecords": 2})).await;
    h.ok("describe-entity-fields", json!({"entity": "TicketNotes"}))
        .await;
    h.err("get-ticket", json!({"id": 999_999_999})).await;
    let company = h
        .rest_query(
            "Companies",
            json!([{"op": "gt", "field": "id", "value": 0}]),
        )
        .await[0]["id"]
        .clone();
    h.ok(
        "create-ticket",
        json!({"title": "Trace me", "companyID": company, "confirm": "CREATE_TICKET"}),
    )
    .await;
    h.err(
        "create-entity",
        json!({"entity": "Tickets", "fields": {"title": 5}, "confirm": "CREATE_ENTITY"}),
    )
    .await;
    let stderr = h.stderr.take().unwrap();
    h.client.cancel().await.unwrap();
    let logs = tokio::time::timeout(WAIT, stderr).await.unwrap().unwrap();
    assert!(logs.lines().count() > 20, "trace logging is on: {logs}");
    assert!(logs.contains("hyper"), "the HTTP layer is traced too");
    for secret in [&creds.secret, &creds.username, &creds.integration_code] {
        assert!(!secret.is_empty());
        assert!(
            !logs.contains(secret.as_str()),
            "a credential leaked to stderr"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_2026_07_28_stateless_lifecycle_works() {
    let (transport, _) = TokioChildProcess::builder(command(&["--sandbox"]))
        .spawn()
        .unwrap();
    let client = ()
        .serve_with_lifecycle(
            transport,
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        )
        .await
        .expect("server/discover");
    let info = client.peer_info().unwrap();
    assert_eq!(info.protocol_version, ProtocolVersion::V_2026_07_28);
    assert_eq!(info.server_info.as_ref().unwrap().name, "autotask-mcp");
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 35);
    let mut params = CallToolRequestParams::new("search-companies");
    params = params.with_arguments(
        json!({"companyType": "Customer", "maxRecords": 2})
            .as_object()
            .unwrap()
            .clone(),
    );
    let result = client.call_tool(params).await.unwrap();
    assert_ne!(result.is_error, Some(true), "{}", text(&result));
    assert_eq!(result.structured_content.unwrap()["count"], 2);
    let mut params = CallToolRequestParams::new("create-ticket");
    params = params.with_arguments(
        json!({"title": "x", "companyID": 1})
            .as_object()
            .unwrap()
            .clone(),
    );
    let preview = client.call_tool(params).await.unwrap();
    assert_ne!(preview.is_error, Some(true), "{}", text(&preview));
    let said = text(&preview);
    assert!(
        said.contains("CREATE_TICKET") && said.contains("NOT SENT"),
        "{said}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_error_is_one_line_and_exit_code_2() {
    let out = command(&[]).stdin(Stdio::null()).output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: AUTOTASK_USERNAME is not set"),
        "{err}"
    );
    assert!(err.contains("--sandbox"), "{err}");
}
