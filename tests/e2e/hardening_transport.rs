//! Issue 11, items 1 to 5: what a hostile client or a slow log reader found in the transports.
//! Connections that never complete a request are closed; a stalled stderr neither stalls tool
//! calls nor keeps SIGTERM from ending the process; malformed JSON-RPC gets JSON-RPC errors
//! over HTTP and stdio; duplicate Host/Origin headers are refused and the two Host checks
//! agree.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::process::Child;

use crate::http_support::{TOKEN, plain_client};
use autotask_mcp::transport::health::HealthSource;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `autotask-mcp --sandbox --transport http` on a free port, stderr piped to the caller.
async fn spawn_http(env: &[(&str, &str)]) -> (Child, String) {
    let port = free_port();
    let mut cmd = crate::mcp_support::command(&["--sandbox", "--transport", "http"]);
    cmd.env("AUTOTASK_HTTP_TOKEN", TOKEN)
        .env("PORT", port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = plain_client();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(resp) = http.get(format!("{base}/health")).send().await
            && resp.status() == 200
        {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (child, base)
}

async fn post_mcp(base: &str, body: &str) -> reqwest::Response {
    plain_client()
        .post(format!("{base}/mcp"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

/// `autotask_mcp_log_lines_dropped_total` from /metrics.
async fn dropped_lines(base: &str) -> u64 {
    let metrics = tokio::time::timeout(
        Duration::from_secs(30),
        plain_client()
            .get(format!("{base}/metrics"))
            .bearer_auth(TOKEN)
            .send(),
    )
    .await
    .expect("/metrics answers")
    .unwrap()
    .text()
    .await
    .unwrap();
    metrics
        .lines()
        .find(|l| l.starts_with("autotask_mcp_log_lines_dropped_total "))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no dropped-lines counter in {metrics}"))
}

fn sigterm(child: &Child) {
    let pid = child.id().expect("the child is running");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -TERM {pid}");
}

/// Item 2: `RUST_LOG=trace` and stderr on a pipe nobody reads. Tool calls keep being answered
/// (lines are dropped and counted in /metrics instead of blocking), and SIGTERM ends the
/// process within the drain time (request timeout 2 s + 5 s) although the log writer is stuck.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_log_reader_neither_stalls_calls_nor_holds_sigterm() {
    let (mut child, base) = spawn_http(&[
        ("RUST_LOG", "trace"),
        ("AUTOTASK_HTTP_REQUEST_TIMEOUT_SECS", "2"),
    ])
    .await;
    // Held open and never read: the pipe (64 KiB) fills within the first calls.
    let stderr = child.stderr.take().unwrap();
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "search-tickets", "arguments": {"maxRecords": 20}}})
    .to_string();
    // Calls until the queue (4,096 lines) has overflowed: every call is answered meanwhile.
    let mut dropped = 0;
    for round in 0..20 {
        for i in 0..25 {
            let resp = tokio::time::timeout(Duration::from_secs(30), post_mcp(&base, &call))
                .await
                .unwrap_or_else(|_| panic!("call {i} of round {round} hung: logging blocked"));
            assert_eq!(resp.status(), 200, "call {i}");
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["result"]["isError"], json!(false), "call {i}: {body}");
        }
        dropped = dropped_lines(&base).await;
        if dropped > 0 {
            break;
        }
    }
    assert!(dropped > 0, "lines were dropped, and counted: {dropped}");

    let started = Instant::now();
    sigterm(&child);
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("SIGTERM ends the process within the drain time")
        .unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "exit took {:?}",
        started.elapsed()
    );
    drop(stderr);
}

/// Opens a connection to `base`, sends `prefix`, and returns how long the server took to
/// close it (`None`: still open after `wait`).
async fn closed_after(base: &str, prefix: &[u8], wait: Duration) -> Option<Duration> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let started = Instant::now();
    if !prefix.is_empty() {
        stream.write_all(prefix).await.unwrap();
    }
    let mut buf = vec![0u8; 4096];
    tokio::time::timeout(wait, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return started.elapsed(),
                // An HTTP/2 server sends its SETTINGS (or an HTTP/1 server a 408): read on.
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

/// Item 1: whatever a client sends short of a request (nothing, one byte, half an HTTP/2
/// preface, a full h2c preface), the connection is closed after the header read timeout
/// (the request timeout, 1 s here, when it is under 30 s), not kept open for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_without_a_request_are_closed() {
    let mut http = crate::http_support::http_config();
    http.request_timeout = Duration::from_secs(1);
    let server = crate::http_support::start(http, HealthSource::liveness_only()).await;
    let prefixes: [&[u8]; 4] = [
        b"",
        b"P",
        b"PRI * HTTP/2.0",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    ];
    let closes = futures::future::join_all(
        prefixes
            .iter()
            .map(|p| closed_after(&server.base, p, Duration::from_secs(20))),
    )
    .await;
    for (prefix, closed) in prefixes.iter().zip(closes) {
        let label = String::from_utf8_lossy(prefix);
        let after = closed.unwrap_or_else(|| panic!("`{label}`: still open after 20 s"));
        assert!(
            after >= Duration::from_millis(900),
            "`{label}`: closed too early ({after:?})"
        );
    }
    server.stop().await;
}

/// Item 1: a silent connection does not hold shutdown for the drain time (request timeout
/// 60 s + 5 s here): the server stops at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_does_not_hold_shutdown() {
    let server = crate::http_support::start_default().await;
    let addr = server.base.trim_start_matches("http://").to_string();
    let silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let h2c = {
        use tokio::io::AsyncWriteExt;
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await.unwrap();
        s
    };
    // Both are accepted before the shutdown.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    server.shutdown.cancel();
    let stopped = tokio::time::timeout(Duration::from_secs(30), server.task).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "the server stops despite silent connections"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopped after {:?}",
        started.elapsed()
    );
    drop((silent, h2c));
}
