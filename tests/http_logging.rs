//! The bearer token never reaches the logs: every log line of full HTTP sessions (the test
//! handler, then the real server with its tools against the sandbox; transport, tools, client,
//! rmcp and hyper at TRACE level, JSON format) is captured and searched for the token, the
//! wrong tokens clients presented, and the Autotask credentials.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_support;

use std::sync::{Arc, Mutex};

use autotask_mcp::autotask::AutotaskClient;
use autotask_mcp::config::{AutotaskConfig, Credentials, LogFormat};
use autotask_mcp::logging;
use autotask_mcp::sandbox::{Sandbox, SandboxOptions};
use autotask_mcp::server::{AutotaskServer, ServerState};
use autotask_mcp::transport::health::HealthSource;
use autotask_mcp::transport::http::serve_on;
use http_support::*;
use rmcp::model::CallToolRequestParams;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_never_logged() {
    let captured = Captured::default();
    let subscriber = logging::subscriber(
        LogFormat::Json,
        EnvFilter::new("trace"),
        captured.clone(),
        false,
    );
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let server = start_default().await;
    // A full MCP exchange with the right token.
    let client = client(&server.mcp_url(), TOKEN).await;
    client.list_all_tools().await.unwrap();
    let result = client
        .call_tool(
            CallToolRequestParams::new("echo")
                .with_arguments(args(serde_json::json!({"text": "log me"}))),
        )
        .await
        .unwrap();
    assert_eq!(text_of(&result), "log me");
    client.cancel().await.unwrap();
    // Refused requests: a wrong token, a foreign origin with the right token, metrics.
    let http = plain_client();
    let wrong = http
        .post(server.mcp_url())
        .bearer_auth(WRONG_TOKEN)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(TOOLS_LIST)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let foreign = http
        .post(server.mcp_url())
        .bearer_auth(TOKEN)
        .header("origin", "https://evil.example")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(TOOLS_LIST)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    let metrics = http
        .get(format!("{}/metrics", server.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    server.stop().await;

    // The real server and its tools, against the sandbox, over the same transport.
    let sandbox = Sandbox::start(SandboxOptions::default()).await.unwrap();
    let creds = sandbox.credentials();
    let autotask = AutotaskClient::new(AutotaskConfig::with_defaults(
        Credentials::new(&creds.username, &creds.secret, &creds.integration_code),
        Some(sandbox.base_url()),
    ))
    .unwrap();
    let state = Arc::new(ServerState::new(autotask.clone(), vec![5], false));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let stop = CancellationToken::new();
    let token = stop.clone();
    let real = tokio::spawn(async move {
        serve_on(
            listener,
            &http_config(),
            move || Ok(AutotaskServer::new(state.clone())),
            HealthSource::with_client(autotask, "sandbox"),
            token,
        )
        .await
    });
    let client = http_support::client(&format!("{base}/mcp"), TOKEN).await;
    for (tool, arguments) in [
        ("search-tickets", serde_json::json!({"maxRecords": 2})),
        ("get-ticket", serde_json::json!({"id": "not a number"})),
        ("get-threshold-information", serde_json::json!({})),
    ] {
        client
            .call_tool(CallToolRequestParams::new(tool).with_arguments(args(arguments)))
            .await
            .unwrap();
    }
    client.cancel().await.unwrap();
    let health = plain_client()
        .get(format!("{base}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    stop.cancel();
    assert!(matches!(real.await, Ok(Ok(()))));
    sandbox.shutdown().await;

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).to_string();
    // The capture worked: the access log and the refusals are there, as JSON lines.
    assert!(
        logs.contains("MCP streamable HTTP transport listening"),
        "{logs}"
    );
    assert!(logs.contains("refused a request without a valid bearer token"));
    assert!(logs.contains("Host or Origin not allowed"));
    assert!(logs.contains(r#""route":"/mcp""#));
    let server_lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains(r#""target":"autotask_mcp"#))
        .collect();
    assert!(server_lines.len() >= 5, "{server_lines:?}");
    for line in &server_lines {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(line) {
            panic!("not a JSON line ({e}): {line}");
        }
    }
    assert!(
        logs.contains("search-tickets"),
        "the real server's calls were captured"
    );
    for secret in [
        TOKEN,
        WRONG_TOKEN,
        "Bearer ",
        creds.secret.as_str(),
        creds.integration_code.as_str(),
    ] {
        assert!(
            !logs.contains(secret),
            "`{secret}` appears in the logs: {}",
            logs.lines()
                .find(|l| l.contains(secret))
                .unwrap_or_default()
        );
    }
}
