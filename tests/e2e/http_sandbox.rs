//! The real MCP server (`AutotaskServer`, all its tools) over the HTTP transport, against the
//! in-process sandbox: tools/list and tools/calls through rmcp's HTTP client, /health on the
//! sandbox, and /metrics counting the calls.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use crate::http_support::*;
use autotask_mcp::autotask::AutotaskClient;
use autotask_mcp::config::{AutotaskConfig, Credentials};
use autotask_mcp::sandbox::{Sandbox, SandboxOptions};
use autotask_mcp::server::{AutotaskServer, ServerState};
use autotask_mcp::transport::health::HealthSource;
use autotask_mcp::transport::http::serve_on;
use rmcp::model::CallToolRequestParams;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_server_answers_over_http_against_the_sandbox() {
    let sandbox = Sandbox::start(SandboxOptions::default()).await.unwrap();
    let creds = sandbox.credentials();
    let autotask = AutotaskClient::new(AutotaskConfig::with_defaults(
        Credentials::new(&creds.username, &creds.secret, &creds.integration_code),
        Some(sandbox.base_url()),
    ))
    .unwrap();
    let state = Arc::new(ServerState::new(autotask.clone(), vec![5], false));
    let health = HealthSource::with_client(autotask, "sandbox");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    let server = tokio::spawn(async move {
        serve_on(
            listener,
            &http_config(),
            move || Ok(AutotaskServer::new(state.clone())),
            health,
            stop,
        )
        .await
    });

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
    let items = structured
        .get("items")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    assert!(!items.is_empty() && items.len() <= 3, "{structured}");
    let id = items[0]["id"].as_i64().expect("ticket id");

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

    shutdown.cancel();
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(60), server).await;
    assert!(matches!(stopped, Ok(Ok(Ok(())))));
    sandbox.shutdown().await;
}
