//! Graceful shutdown and request timeouts of the HTTP transport, over real HTTP.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::http_support::*;
use autotask_mcp::autotask::AutotaskClient;
use autotask_mcp::config::{AutotaskConfig, Credentials};
use autotask_mcp::transport::health::HealthSource;
use rmcp::model::CallToolRequestParams;
use tokio::sync::{Notify, mpsc};

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
    // The in-flight call completes with its real answer (it sleeps 1.5 s; the drain would
    // allow 65 s).
    let result = tokio::time::timeout(Duration::from_secs(20), call)
        .await
        .expect("in-flight call finishes")
        .expect("client task did not panic")
        .expect("in-flight call succeeds during shutdown");
    assert_eq!(text_of(&result), "done");
    // The server stops on its own once nothing is in flight, long before the 65 s drain.
    let stopped = tokio::time::timeout(Duration::from_secs(20), server.task)
        .await
        .expect("server stops after draining");
    assert!(matches!(stopped, Ok(Ok(()))), "{stopped:?}");
    // And no longer accepts connections.
    let after = plain_client().get(format!("{base}/health")).send().await;
    assert!(after.is_err(), "the listener is closed after shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_the_timeout_gets_503_and_does_not_hold_shutdown() {
    let mut http = http_config();
    http.request_timeout = Duration::from_secs(1);
    // What shutdown would wait for a request still running: the timeout plus a 5 s margin.
    let drain_cap = http.request_timeout + Duration::from_secs(5);
    let server = start(http, HealthSource::liveness_only()).await;
    let asked = Instant::now();
    let resp = plain_client()
        .post(server.mcp_url())
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(
            r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"slow","arguments":{"ms":30000}}}"#,
        )
        // A 1 s timeout answers within a few seconds; the call itself would take 30 s.
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("the server answers before the call ends");
    let waited = asked.elapsed();
    assert_eq!(resp.status(), 503, "{waited:?}");
    assert!(
        waited >= Duration::from_secs(1),
        "answered early: {waited:?}"
    );
    // The 503 is the timeout's: the call had reached the handler, which still runs.
    assert!(SLOW_STARTED.lock().unwrap().contains(&30000));
    // Shutdown does not wait for the abandoned call: the server stops before the drain cap.
    let stopping = Instant::now();
    server.shutdown.cancel();
    let stopped = tokio::time::timeout(drain_cap + Duration::from_secs(10), server.task)
        .await
        .expect("the server stops");
    assert!(matches!(stopped, Ok(Ok(()))), "{stopped:?}");
    assert!(
        stopping.elapsed() < drain_cap,
        "shutdown waited {:?}, as long as the drain cap: the timed-out call held it",
        stopping.elapsed()
    );
}

/// A stand-in for Autotask whose `ThresholdInformation` answers wait for the test: each call
/// is reported on the channel when it arrives, and answered once the `Notify` is notified.
async fn held_autotask() -> (String, mpsc::UnboundedReceiver<()>, Arc<Notify>) {
    let (arrived, arrivals) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    let released = release.clone();
    let app = axum::Router::new().route(
        "/ATServicesRest/V1.0/ThresholdInformation",
        axum::routing::get(move || {
            let (arrived, released) = (arrived.clone(), released.clone());
            async move {
                let _ = arrived.send(());
                released.notified().await;
                axum::Json(serde_json::json!({
                    "externalRequestThreshold": 10000,
                    "requestThresholdTimeframe": 60,
                    "currentTimeframeRequestCount": 100
                }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/ATServicesRest/"), arrivals, release)
}

/// A `GET /health` in flight when shutdown begins is answered `503 draining` (the listener
/// is closed by then, so a probe can only be one already accepted). The probe is held inside
/// the handler by a stand-in Autotask until the server has started draining.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_turns_503_draining_once_shutdown_starts() {
    let (autotask_url, mut arrivals, release) = held_autotask().await;
    let autotask = AutotaskClient::new(AutotaskConfig::with_defaults(
        Credentials::new("api-user@example.com", "health-secret", "CODE-1"),
        Some(autotask_url),
    ))
    .unwrap();
    let health = HealthSource::with_client(autotask, "tenant");
    let server = start(http_config(), health.clone()).await;
    let probe = tokio::spawn(
        plain_client()
            .get(format!("{}/health", server.base))
            .timeout(Duration::from_secs(30))
            .send(),
    );
    // The probe is in the handler, waiting for Autotask's answer.
    tokio::time::timeout(Duration::from_secs(30), arrivals.recv())
        .await
        .expect("the probe reaches Autotask")
        .expect("the stand-in Autotask runs");
    server.shutdown.cancel();
    // The server's own signal that the drain began (the handler waits at most 2 s for
    // Autotask, so this must come within that: it takes microseconds).
    tokio::time::timeout(Duration::from_secs(10), async {
        while !health.is_draining() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .expect("the server starts draining");
    release.notify_waiters();
    let resp = probe
        .await
        .unwrap()
        .expect("the in-flight probe is answered");
    assert_eq!(resp.status(), 503);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "draining", "{body}");
    assert_eq!(body["autotask"]["reachable"], true, "{body}");
    // Nothing else in flight: the server stops.
    let stopped = tokio::time::timeout(Duration::from_secs(20), server.task).await;
    assert!(matches!(stopped, Ok(Ok(Ok(())))), "{stopped:?}");
}

/// A client sending its headers one byte every 100 ms, never finishing them, is cut off
/// after the header read timeout (1 s here) counted from its first byte: the trickle does not
/// keep the connection open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_trickling_headers_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut http = http_config();
    // The header read timeout is the request timeout when that is under 30 s.
    http.request_timeout = Duration::from_secs(1);
    let server = start(http, HealthSource::liveness_only()).await;
    let addr = server.base.trim_start_matches("http://").to_string();
    let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let started = Instant::now();
    writer
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Trickle: ")
        .await
        .unwrap();
    // The trickle itself: a slow client's pace, not a synchronisation.
    let trickle = tokio::spawn(async move {
        let mut sent = 0usize;
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tick.tick().await;
            if writer.write_all(b"a").await.is_err() {
                return sent;
            }
            sent += 1;
        }
    });
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect("a 1 s header timeout closes the trickling connection within 5 s");
    trickle.abort();
    let text = String::from_utf8_lossy(&answer);
    assert!(!text.contains(" 200 "), "{text}");
    // Cut off by the timeout, not refused at once.
    assert!(
        closed >= Duration::from_millis(900),
        "closed after {closed:?}"
    );
    server.stop().await;
}
