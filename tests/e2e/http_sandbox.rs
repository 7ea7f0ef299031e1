//! The real MCP server (`AutotaskServer`, all its tools) over the HTTP transport, against the
//! in-process sandbox: tools/list and tools/calls through rmcp's HTTP client, /health on the
//! sandbox, and /metrics counting the calls.

use std::sync::Arc;

use crate::http_support::*;
use autotask_mcp::sandbox::{Sandbox, SandboxOptions};
use autotask_mcp::server::ServerState;
use autotask_mcp::transport::health::HealthSource;
use rmcp::model::CallToolRequestParams;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_server_answers_over_http_against_the_sandbox() {
    let sandbox = Sandbox::start(SandboxOptions::default()).await.unwrap();
    let creds = sandbox.credentials();
    let autotask = sandbox_client(&sandbox);
    let state = Arc::new(ServerState::new(autotask.clone(), vec![5], false));
    let health = HealthSource::with_client(autotask, "sandbox");
    let server = serve_real(state, health).await;
    let base = server.base.clone();

    let client = client(&format!("{base}/mcp"), TOKEN).await;
    let info = client.peer_info().expect("initialize result");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("autotask-mcp")
    );
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    for expected in [
        "search-tickets",
        "get-ticket",
        "create-ticket",
        "count-entity",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }

    let search = client
        .call_tool(
            CallToolRequestParams::new("search-tickets")
                .with_arguments(args(serde_json::json!({"maxRecords": 3}))),
        )
        .await
        .unwrap();
    assert_ne!(search.is_error, Some(true), "{}", text_of(&search));
    let structured = search.structured_content.clone().unwrap_or_default();
    let rows = structured
        .get("rows")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    assert!(!rows.is_empty() && rows.len() <= 3, "{structured}");
    assert_eq!(structured["columns"][0], "id", "{structured}");
    let id = rows[0][0].as_i64().expect("ticket id");

    let ticket = client
        .call_tool(
            CallToolRequestParams::new("get-ticket")
                .with_arguments(args(serde_json::json!({ "id": id }))),
        )
        .await
        .unwrap();
    assert_ne!(ticket.is_error, Some(true), "{}", text_of(&ticket));
    let body = serde_json::to_string(&ticket.structured_content).unwrap();
    assert!(body.contains(&id.to_string()), "{body}");
    // A tool error travels as a result, not as an HTTP failure.
    let missing = client
        .call_tool(
            CallToolRequestParams::new("get-ticket")
                .with_arguments(args(serde_json::json!({ "id": "not a number" }))),
        )
        .await
        .unwrap();
    assert_eq!(missing.is_error, Some(true));
    client.cancel().await.unwrap();

    let http = plain_client();
    let health: serde_json::Value = http
        .get(format!("{base}/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["autotask"]["target"], "sandbox");
    assert_eq!(health["autotask"]["budget"]["limit"], 10_000);
    let metrics = http
        .get(format!("{base}/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"autotask_mcp_tool_calls_total{tool="search-tickets",outcome="ok"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"tool="get-ticket",outcome="tool_error""#));
    assert!(metrics.contains(r#"autotask_mcp_autotask_requests_total{method="#));
    assert!(metrics.contains("autotask_mcp_autotask_budget_limit_requests 10000"));
    for secret in [
        creds.secret.as_str(),
        creds.integration_code.as_str(),
        TOKEN,
    ] {
        assert!(!metrics.contains(secret) && !health.to_string().contains(secret));
    }

    server.stop().await;
    sandbox.shutdown().await;
}
