//! The bearer token never reaches the logs: every log line of a full HTTP session (server,
//! rmcp and hyper at TRACE level, JSON format) is captured and searched for the token and for
//! the wrong tokens clients presented.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_support;

use std::sync::{Arc, Mutex};

use autotask_mcp::config::LogFormat;
use autotask_mcp::logging;
use http_support::*;
use rmcp::model::CallToolRequestParams;
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
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(line);
        assert!(parsed.is_ok(), "not a JSON line: {line}");
    }
    for secret in [TOKEN, WRONG_TOKEN, "Bearer "] {
        assert!(
            !logs.contains(secret),
            "`{secret}` appears in the logs: {}",
            logs.lines()
                .find(|l| l.contains(secret))
                .unwrap_or_default()
        );
    }
}
