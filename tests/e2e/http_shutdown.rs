//! Graceful shutdown and request timeouts of the HTTP transport, over real HTTP.

use std::time::Duration;

use crate::http_support::*;
use autotask_mcp::transport::health::HealthSource;
use rmcp::model::CallToolRequestParams;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_in_flight_calls_finish_and_refuses_new_connections() {
    let server = start_default().await;
    let client = client(&server.mcp_url(), TOKEN).await;
    let call = tokio::spawn(async move {
        let result = client
            .call_tool(
                CallToolRequestParams::new("slow")
                    .with_arguments(args(serde_json::json!({"ms": 1500}))),
            )
            .await;
        let _ = client.cancel().await;
        result
    });
    // Wait until the handler is running, then ask the server to stop.
    wait_for_slow(1500).await;
    server.shutdown.cancel();
    let base = server.base.clone();
    // The in-flight call completes with its real answer.
    let result = tokio::time::timeout(Duration::from_secs(60), call)
        .await
        .expect("in-flight call finishes")
        .expect("client task did not panic")
        .expect("in-flight call succeeds during shutdown");
    assert_eq!(text_of(&result), "done");
    // The server stops on its own once nothing is in flight.
    let stopped = tokio::time::timeout(Duration::from_secs(60), server.task)
        .await
        .expect("server stops after draining");
    assert!(matches!(stopped, Ok(Ok(()))));
    // And no longer accepts connections.
    let after = plain_client().get(format!("{base}/health")).send().await;
    assert!(after.is_err(), "the listener is closed after shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_the_timeout_gets_503_and_does_not_hold_shutdown() {
    let mut http = http_config();
    http.request_timeout = Duration::from_secs(1);
    let server = start(http, HealthSource::liveness_only()).await;
    let resp = plain_client()
        .post(server.mcp_url())
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(
            r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"slow","arguments":{"ms":30000}}}"#,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_turns_503_draining_once_shutdown_starts() {
    let health = HealthSource::liveness_only();
    let server = start(http_config(), health.clone()).await;
    // Keep a connection busy so the server is still draining when /health is asked.
    let client = client(&server.mcp_url(), TOKEN).await;
    let call = tokio::spawn(async move {
        let r = client
            .call_tool(
                CallToolRequestParams::new("slow")
                    .with_arguments(args(serde_json::json!({"ms": 1001}))),
            )
            .await;
        let _ = client.cancel().await;
        r
    });
    wait_for_slow(1001).await;
    server.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(30), async {
        while !health.is_draining() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the health source is told about the drain");
    let report = health.report().await;
    assert_eq!(report.status, "draining");
    assert!(call.await.unwrap().is_ok());
    let stopped = tokio::time::timeout(Duration::from_secs(60), server.task).await;
    assert!(matches!(stopped, Ok(Ok(Ok(())))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_trickling_headers_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut http = http_config();
    // The header read timeout is the request timeout when that is under 30 s.
    http.request_timeout = Duration::from_secs(1);
    let server = start(http, HealthSource::liveness_only()).await;
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    // Headers that never end.
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 1024];
    let read = tokio::time::timeout(Duration::from_secs(60), stream.read(&mut buf))
        .await
        .expect("the server closes a connection whose headers never complete");
    // Closed (0 bytes or reset), possibly after a 408 answer; never a 200.
    if let Ok(n) = read {
        let text = String::from_utf8_lossy(&buf[..n]);
        assert!(!text.contains(" 200 "), "{text}");
    }
    server.stop().await;
}
