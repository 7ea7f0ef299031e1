//! The HTTP transport over real HTTP on loopback: authentication, DNS-rebinding protection,
//! body limit, health, metrics, 405 for GET/DELETE, and a full MCP exchange through rmcp's
//! HTTP client.

use std::time::Duration;

use crate::http_support::*;
use autotask_mcp::autotask::AutotaskClient;
use autotask_mcp::config::{AutotaskConfig, Credentials};
use autotask_mcp::transport::health::HealthSource;
use rmcp::model::CallToolRequestParams;

async fn post_tools_list(
    base: &str,
    auth: Option<&str>,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = plain_client()
        .post(format!("{base}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(TOOLS_LIST);
    if let Some(token) = auth {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn requests_without_the_right_token_get_401_with_a_bearer_challenge() {
    let server = start_default().await;
    for auth in [None, Some(WRONG_TOKEN), Some("")] {
        let resp = post_tools_list(&server.base, auth, &[]).await;
        assert_eq!(resp.status(), 401, "auth {auth:?}");
        let challenge = resp
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        let body = resp.text().await.unwrap();
        assert!(body.contains("AUTOTASK_HTTP_TOKEN"), "{body}");
        assert!(!body.contains(TOKEN));
    }
    // A non-Bearer scheme is no token at all.
    let resp = plain_client()
        .get(format!("{}/metrics", server.base))
        .header("authorization", format!("Basic {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    // The right token passes.
    let resp = post_tools_list(&server.base, Some(TOKEN), &[]).await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["result"]["tools"][0]["name"], "echo", "{body}");
    server.stop().await;
}

#[tokio::test]
async fn health_answers_without_a_token_and_reveals_nothing() {
    let server = start_default().await;
    let resp = plain_client()
        .get(format!("{}/health", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert!(!body.to_string().contains(TOKEN));
    server.stop().await;
}

#[tokio::test]
async fn foreign_origins_and_hosts_get_403_even_with_the_token() {
    let server = start_default().await;
    let resp = post_tools_list(
        &server.base,
        Some(TOKEN),
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("AUTOTASK_HTTP_ALLOWED_ORIGINS")
    );
    // Without the token too: the origin check comes first.
    let resp = post_tools_list(&server.base, None, &[("origin", "https://evil.example")]).await;
    assert_eq!(resp.status(), 403);
    // A rebinding attack arrives with the attacker's host name.
    let resp = post_tools_list(&server.base, Some(TOKEN), &[("host", "evil.example")]).await;
    assert_eq!(resp.status(), 403);
    // Loopback and configured origins pass.
    for origin in ["http://localhost:5173", "https://chat.example.com"] {
        let resp = post_tools_list(&server.base, Some(TOKEN), &[("origin", origin)]).await;
        assert_eq!(resp.status(), 200, "{origin}");
    }
    // /metrics is protected the same way.
    let resp = plain_client()
        .get(format!("{}/metrics", server.base))
        .bearer_auth(TOKEN)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    server.stop().await;
}

/// POSTs `mib` MiB to /mcp with `Transfer-Encoding: chunked` over a raw socket and returns
/// the status code of the answer.
async fn chunked_post(base: &str, mib: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..mib {
        // The server may answer and stop reading early: a failed write is expected then.
        if stream.write_all(b"100000\r\n").await.is_err()
            || stream.write_all(&chunk).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(60), stream.read(&mut answer))
        .await
        .unwrap()
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&answer[..n]).to_string();
    text.split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_specific_bind_address_is_an_allowed_host() {
    let mut http = http_config();
    http.host = "192.0.2.10".into();
    let server = start(http, HealthSource::liveness_only()).await;
    let port = server.base.rsplit(':').next().unwrap().to_string();
    let bound = format!("192.0.2.10:{port}");
    let resp = post_tools_list(&server.base, Some(TOKEN), &[("host", bound.as_str())]).await;
    assert_eq!(resp.status(), 200);
    let resp = post_tools_list(&server.base, Some(TOKEN), &[("host", "192.0.2.11")]).await;
    assert_eq!(resp.status(), 403);
    server.stop().await;
}

#[tokio::test]
async fn a_20_mib_body_gets_413() {
    let server = start_default().await;
    let padding = "x".repeat(20 * 1024 * 1024);
    let body = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"echo","arguments":{{"text":"{padding}"}}}}}}"#
    );
    let resp = plain_client()
        .post(format!("{}/mcp", server.base))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body)
        .send()
        .await;
    match resp {
        Ok(resp) => assert_eq!(resp.status(), 413),
        Err(e) => panic!("expected a 413 answer, got a transport error: {e}"),
    }
    // Chunked (no Content-Length): the limit holds while the body streams in.
    let status = chunked_post(&server.base, 20).await;
    assert_eq!(status, "413", "chunked 20 MiB");
    server.stop().await;
}

#[tokio::test]
async fn get_and_delete_on_mcp_are_405_in_stateless_mode() {
    let server = start_default().await;
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let resp = plain_client()
            .request(method.clone(), format!("{}/mcp", server.base))
            .bearer_auth(TOKEN)
            .header("accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 405, "{method}");
        assert_eq!(
            resp.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some("POST")
        );
    }
    let resp = plain_client()
        .get(format!("{}/nowhere", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    server.stop().await;
}

#[tokio::test]
async fn full_mcp_exchange_through_the_rmcp_http_client() {
    let server = start_default().await;
    let client = client(&server.mcp_url(), TOKEN).await;
    let info = client.peer_info().expect("server info after initialize");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("http-test-server")
    );
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(names, ["echo", "hold", "slow"]);
    let result = client
        .call_tool(
            CallToolRequestParams::new("echo").with_arguments(args(serde_json::json!({
                "text": "héllo över http"
            }))),
        )
        .await
        .unwrap();
    assert_eq!(text_of(&result), "héllo över http");
    assert_ne!(result.is_error, Some(true));
    // An unknown tool is a protocol error, not a transport failure.
    let err = client
        .call_tool(CallToolRequestParams::new("nope"))
        .await
        .err();
    assert!(err.is_some());
    client.cancel().await.unwrap();
    server.stop().await;
}

#[tokio::test]
async fn the_rmcp_client_with_a_wrong_token_cannot_connect() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = start_default().await;
    let transport = rmcp::transport::StreamableHttpClientTransport::from_config(
        rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(
            server.mcp_url(),
        )
        .auth_header(WRONG_TOKEN),
    );
    let connected = rmcp::ServiceExt::serve((), transport).await;
    assert!(connected.is_err());
    server.stop().await;
}

#[tokio::test]
async fn metrics_need_the_token_and_speak_prometheus_text() {
    let server = start_default().await;
    let resp = plain_client()
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let client = client(&server.mcp_url(), TOKEN).await;
    client
        .call_tool(
            CallToolRequestParams::new("echo")
                .with_arguments(args(serde_json::json!({"text": "count me"}))),
        )
        .await
        .unwrap();
    client.cancel().await.unwrap();
    let resp = plain_client()
        .get(format!("{}/metrics", server.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = resp.text().await.unwrap();
    assert!(
        text.contains("# TYPE autotask_mcp_tool_calls_total counter"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with(r#"autotask_mcp_tool_calls_total{tool="echo",outcome="ok"}"#)),
        "{text}"
    );
    assert!(text.contains("# TYPE autotask_mcp_tool_call_duration_seconds histogram"));
    assert!(
        text.lines().any(
            |l| l.starts_with(r#"autotask_mcp_http_requests_total{route="/mcp",status="200"}"#)
        ),
        "{text}"
    );
    assert!(text.contains(r#"autotask_mcp_http_requests_total{route="/metrics",status="401"}"#));
    assert!(!text.contains(TOKEN));
    server.stop().await;
}

/// A stand-in for Autotask answering `ThresholdInformation` (and counting the calls).
async fn fake_autotask(
    delay: Duration,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let app = axum::Router::new().route(
        "/ATServicesRest/V1.0/ThresholdInformation",
        axum::routing::get(move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
                axum::Json(serde_json::json!({
                    "externalRequestThreshold": 10000,
                    "requestThresholdTimeframe": 60,
                    "currentTimeframeRequestCount": 8000
                }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/ATServicesRest/"), calls)
}

#[tokio::test]
async fn health_reports_reachability_and_budget_from_a_cached_check() {
    let (base, calls) = fake_autotask(Duration::ZERO).await;
    let secret = "health-secret-value-xyz";
    let credentials = Credentials::new("api-user@example.com", secret, "INTEGRATION-CODE-XYZ");
    let autotask =
        AutotaskClient::new(AutotaskConfig::with_defaults(credentials, Some(base))).unwrap();
    let health = HealthSource::with_client(autotask, "tenant");
    let server = start(http_config(), health).await;
    let mut last = serde_json::Value::Null;
    for _ in 0..5 {
        let resp = plain_client()
            .get(format!("{}/health", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let text = resp.text().await.unwrap();
        for leaked in [
            secret,
            "api-user@example.com",
            "INTEGRATION-CODE-XYZ",
            TOKEN,
        ] {
            assert!(!text.contains(leaked), "{leaked} in {text}");
        }
        last = serde_json::from_str(&text).unwrap();
    }
    assert_eq!(last["status"], "ok");
    assert_eq!(last["autotask"]["target"], "tenant");
    assert_eq!(last["autotask"]["reachable"], true);
    assert_eq!(last["autotask"]["budget"]["used"], 8000);
    assert_eq!(last["autotask"]["budget"]["percent"], 80.0);
    assert_eq!(last["autotask"]["budget"]["remaining"], 2000);
    assert_eq!(last["autotask"]["budget"]["state"], "warn");
    // Five probes, one Autotask request: the answer is cached.
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    server.stop().await;
}

#[tokio::test]
async fn a_slow_autotask_does_not_hold_up_health() {
    // Autotask takes longer than the check timeout: /health must answer without waiting.
    let (base, calls) = fake_autotask(Duration::from_secs(300)).await;
    let credentials = Credentials::new("api-user@example.com", "s3cr3t-value", "CODE-123");
    let autotask =
        AutotaskClient::new(AutotaskConfig::with_defaults(credentials, Some(base))).unwrap();
    let health = HealthSource::with_client(autotask, "tenant");
    let server = start(http_config(), health).await;
    for _ in 0..3 {
        let resp = plain_client()
            .get(format!("{}/health", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["status"], "ok", "{body}");
        assert!(body["autotask"]["reachable"].is_null(), "{body}");
    }
    // The three probes shared one refresh.
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    server.stop().await;
}

#[tokio::test]
async fn health_says_degraded_when_autotask_is_unreachable() {
    // A port nothing listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let credentials = Credentials::new("api-user@example.com", "s3cr3t-value", "CODE-123");
    let autotask = AutotaskClient::new(AutotaskConfig::with_defaults(
        credentials,
        Some(format!("http://127.0.0.1:{port}/ATServicesRest/")),
    ))
    .unwrap();
    let health = HealthSource::with_client(autotask, "tenant");
    let server = start(http_config(), health).await;
    // The client retries the read with backoff, so the first probes may see no result yet.
    let mut text = String::new();
    let mut body = serde_json::Value::Null;
    for _ in 0..300 {
        let resp = plain_client()
            .get(format!("{}/health", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "liveness holds while Autotask is down");
        text = resp.text().await.unwrap();
        body = serde_json::from_str(&text).unwrap();
        if !body["autotask"]["reachable"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(body["autotask"]["reachable"], false);
    assert!(
        body["autotask"]["error"]
            .as_str()
            .is_some_and(|e| !e.is_empty())
    );
    assert!(!text.contains("s3cr3t-value") && !text.contains("CODE-123"));
    server.stop().await;
}

#[tokio::test]
async fn the_server_refuses_to_start_without_a_long_token() {
    use autotask_mcp::transport::http::serve;
    for token in [None, Some("too-short")] {
        let mut http = http_config();
        http.token = token.map(|t| secrecy::SecretString::from(t.to_string()));
        let result = serve(
            &http,
            || Ok(TestServer),
            HealthSource::liveness_only(),
            tokio_util::sync::CancellationToken::new(),
        )
        .await;
        let err = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.starts_with("AUTOTASK_HTTP_TOKEN"), "{err}");
    }
    let mut http = http_config();
    http.allowed_origins = vec!["chat.example.com".into()];
    let err = serve(
        &http,
        || Ok(TestServer),
        HealthSource::liveness_only(),
        tokio_util::sync::CancellationToken::new(),
    )
    .await
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(err.starts_with("AUTOTASK_HTTP_ALLOWED_ORIGINS"), "{err}");
}

#[tokio::test]
async fn the_healthcheck_probe_finds_a_wildcard_bound_server_on_loopback() {
    use autotask_mcp::transport::health::probe;
    let server = start_default().await;
    let port: u16 = server.base.rsplit(':').next().unwrap().parse().unwrap();
    for host in ["0.0.0.0", "127.0.0.1", "localhost"] {
        let result = probe(host, port, Duration::from_secs(30)).await;
        assert_eq!(result, Ok(()), "{host}");
    }
    server.stop().await;
    let err = probe("127.0.0.1", port, Duration::from_secs(30))
        .await
        .err();
    assert!(err.is_some_and(|e| e.contains("cannot connect")));
}

#[tokio::test]
async fn a_2026_07_28_client_works_through_the_same_endpoint() {
    use rmcp::model::ProtocolVersion;
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    use rmcp::{ClientLifecycleMode, ClientServiceExt};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = start_default().await;
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(server.mcp_url()).auth_header(TOKEN),
    );
    let client = ()
        .serve_with_lifecycle(
            transport,
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        )
        .await
        .expect("server/discover over HTTP");
    assert_eq!(
        client.peer_info().map(|i| i.protocol_version.clone()),
        Some(ProtocolVersion::V_2026_07_28)
    );
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(names, ["echo", "hold", "slow"]);
    let result = client
        .call_tool(
            CallToolRequestParams::new("echo")
                .with_arguments(args(serde_json::json!({"text": "modern"}))),
        )
        .await
        .unwrap();
    assert_eq!(text_of(&result), "modern");
    client.cancel().await.unwrap();
    server.stop().await;
}
