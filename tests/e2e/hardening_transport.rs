//! Issue 11, items 1 to 5: what a hostile client or a slow log reader found in the transports.
//! Connections that never complete a request are closed; a stalled stderr neither stalls tool
//! calls nor keeps SIGTERM from ending the process; malformed JSON-RPC gets JSON-RPC errors
//! over HTTP and stdio; duplicate Host/Origin headers are refused and the two Host checks
//! agree.

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
        s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            .await
            .unwrap();
        s
    };
    // Both are accepted before the shutdown: the server accepts connections in the order they
    // were made, so once a later one is answered, those two are being served.
    let later = plain_client()
        .get(format!("{}/health", server.base))
        .send()
        .await
        .expect("a later connection is served");
    assert_eq!(later.status(), 200);
    let started = Instant::now();
    server.shutdown.cancel();
    let stopped = tokio::time::timeout(Duration::from_secs(30), server.task).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "the server stops despite silent connections"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "stopped after {:?} (the drain would take 65 s)",
        started.elapsed()
    );
    drop((silent, h2c));
}

/// The first 300 characters of a JSON value, for assertion messages.
fn short(v: &Value) -> String {
    v.to_string().chars().take(300).collect()
}

/// POSTs raw bytes to /mcp with the token; returns the status and the body as JSON.
async fn post_raw(base: &str, body: Vec<u8>) -> (u16, Value) {
    let resp = plain_client()
        .post(format!("{base}/mcp"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or_else(|_| {
        panic!(
            "HTTP {status}: not a JSON-RPC answer: {}",
            &text[..text.len().min(300)]
        )
    });
    (status, json)
}

/// Item 4 over HTTP: malformed JSON, a batch, `null` and garbage after a BOM get a JSON-RPC
/// error (HTTP 400, no id) instead of rmcp's 415 in plain text; a BOM before a valid message
/// is ignored; a 3 MB method name gets "method not found" with the name cut.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_rpc_over_http_gets_json_rpc_errors() {
    let server = crate::http_support::start_default().await;
    for (body, code) in [
        (b"{\"jsonrpc\": \"2.0\", \"id\": 1,".to_vec(), -32700),
        (
            b"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]".to_vec(),
            -32600,
        ),
        (b"null".to_vec(), -32600),
        (b"\xEF\xBB\xBFnot json".to_vec(), -32700),
    ] {
        let shown = String::from_utf8_lossy(&body).to_string();
        let (status, answer) = post_raw(&server.base, body).await;
        assert_eq!(status, 400, "{shown}: {}", short(&answer));
        assert_eq!(answer["jsonrpc"], "2.0", "{shown}: {answer}");
        assert_eq!(answer["id"], Value::Null, "{shown}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{shown}: {answer}");
    }
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(crate::http_support::TOOLS_LIST.as_bytes());
    let (status, answer) = post_raw(&server.base, bom).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["result"]["tools"][0]["name"], "echo", "{answer}");

    let method = "x".repeat(3 * 1024 * 1024);
    let body = json!({"jsonrpc": "2.0", "id": 9, "method": method}).to_string();
    let (status, answer) = post_raw(&server.base, body.into_bytes()).await;
    assert_eq!(status, 200, "{}", short(&answer));
    assert_eq!(answer["id"], 9);
    assert_eq!(answer["error"]["code"], -32601);
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.len() < 200,
        "the name is cut: {} bytes",
        message.len()
    );
    assert!(message.contains("3145728 characters"), "{message}");
    server.stop().await;
}

/// Item 7 over HTTP: an answer over `AUTOTASK_MAX_RESULT_BYTES` (64 KiB here) is replaced by
/// a tool error naming the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_over_the_result_cap_is_a_tool_error_over_http() {
    let mut http = crate::http_support::http_config();
    http.max_result_bytes = 64 * 1024;
    let server = crate::http_support::start(http, HealthSource::liveness_only()).await;
    let call = json!({"jsonrpc": "2.0", "id": "big", "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": "z".repeat(100_000)}}});
    let (status, answer) = post_raw(&server.base, call.to_string().into_bytes()).await;
    assert_eq!(status, 200);
    assert_eq!(answer["id"], "big");
    assert_eq!(answer["result"]["isError"], true, "{}", short(&answer));
    let text = answer["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(text.contains("AUTOTASK_MAX_RESULT_BYTES"), "{text}");
    let small = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": "fits"}}});
    let (_, answer) = post_raw(&server.base, small.to_string().into_bytes()).await;
    assert_eq!(answer["result"]["content"][0]["text"], "fits");
    server.stop().await;
}

/// Item 3, by design: every call reserves the result cap of a bytes-in-flight budget while it
/// runs. With a budget of two caps, eight concurrent calls never run more than two at once
/// (the others wait, and all are answered).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_in_flight_are_bounded_by_the_answer_bytes_budget() {
    use std::sync::atomic::Ordering;
    let mut http = crate::http_support::http_config();
    http.max_result_bytes = 64 * 1024;
    http.max_bytes_in_flight = 128 * 1024;
    let server = crate::http_support::start(http, HealthSource::liveness_only()).await;
    let calls = (0..8).map(|i| {
        let base = server.base.clone();
        async move {
            let call = json!({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                "params": {"name": "hold", "arguments": {"ms": 200}}});
            post_raw(&base, call.to_string().into_bytes()).await
        }
    });
    for (status, answer) in futures::future::join_all(calls).await {
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["result"]["content"][0]["text"], "held", "{answer}");
    }
    let most = crate::http_support::HOLD_MAX.load(Ordering::SeqCst);
    assert!((1..=2).contains(&most), "{most} calls ran at once");
    server.stop().await;
}

/// Item 4 over stdio: a line that is not JSON, a batch, `null`, a line over 16 MiB and a 4 MB
/// method name each get a JSON-RPC error (the over-long line's with its id, read as it was
/// skipped), and the session goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_over_long_lines_over_stdio_get_answers() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let mut child = crate::mcp_support::command(&["--sandbox"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "1"}}});
    let long_text = "a".repeat(17 * 1024 * 1024);
    let lines: Vec<String> = vec![
        init.to_string(),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
        r#"{"jsonrpc": "2.0", "id": 2,"#.to_string(),
        r#"[{"jsonrpc":"2.0","id":3,"method":"ping"}]"#.to_string(),
        "null".to_string(),
        json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
            "params": {"name": "get-version", "arguments": {"note": long_text}}})
        .to_string(),
        json!({"jsonrpc": "2.0", "id": 6, "method": "m".repeat(4 * 1024 * 1024)}).to_string(),
        json!({"jsonrpc": "2.0", "id": 7, "method": "ping"}).to_string(),
    ];
    let writer = tokio::spawn(async move {
        for line in lines {
            stdin.write_all(line.as_bytes()).await.unwrap();
            stdin.write_all(b"\n").await.unwrap();
        }
        stdin
    });
    let mut answers = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(120), async {
        // initialize, three id-less errors, the over-long line, the method name, the ping.
        while answers.len() < 7 {
            let line = stdout
                .next_line()
                .await
                .unwrap()
                .expect("stdout stays open");
            answers.push(serde_json::from_str::<Value>(&line).unwrap());
        }
    })
    .await;
    let shown: Vec<String> = answers.iter().map(short).collect();
    assert!(read.is_ok(), "some lines got no answer: {shown:?}");
    let by_id = |id: i64| {
        answers
            .iter()
            .find(|a| a["id"] == id)
            .unwrap_or_else(|| panic!("no answer for id {id}: {shown:?}"))
    };
    // Errors are written as they are found, so they may overtake one another.
    let mut null_codes: Vec<i64> = answers
        .iter()
        .filter(|a| a["id"].is_null())
        .filter_map(|a| a["error"]["code"].as_i64())
        .collect();
    null_codes.sort_unstable();
    assert_eq!(null_codes, [-32700, -32600, -32600]);
    let over = by_id(5);
    assert_eq!(over["error"]["code"], -32600, "{over}");
    assert!(
        over["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("over the limit of 16777216 bytes"),
        "{over}"
    );
    let method = by_id(6);
    assert_eq!(method["error"]["code"], -32601);
    assert!(method.to_string().len() < 300, "{}", short(method));
    assert!(by_id(7)["result"].is_object(), "the session goes on");
    drop(writer.await.unwrap());
}

/// A raw HTTP/1.1 POST of `tools/list` with these extra header lines; returns the status and
/// the body.
async fn raw_post(base: &str, headers: &[&str]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let body = crate::http_support::TOOLS_LIST;
    let mut head = format!(
        "POST /mcp HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}

/// Item 5: two `Host` or two `Origin` headers are refused (400) rather than the first one
/// used; and for tricky Host and Origin values our check and rmcp's agree: every request is
/// either served or refused by ours with a JSON-RPC body, never by rmcp's plain-text 403.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_hosts_and_origins_are_refused_and_the_host_checks_agree() {
    let server = crate::http_support::start_default().await;
    let port = server.base.rsplit(':').next().unwrap().to_string();
    let local = format!("Host: localhost:{port}");
    for headers in [
        vec![local.as_str(), "Host: evil.example"],
        vec!["Host: evil.example", local.as_str()],
        vec![
            local.as_str(),
            "Origin: http://localhost:5173",
            "Origin: https://evil.example",
        ],
    ] {
        let (status, body) = raw_post(&server.base, &headers).await;
        assert_eq!(status, 400, "{headers:?}: {body}");
        assert!(body.contains("more than one"), "{headers:?}: {body}");
    }
    let hosts = [
        format!("Host: localhost.:{port}"),
        "Host: localhost.".to_string(),
        format!("Host: LOCALHOST:{port}"),
        format!("Host: 127.0.0.1.:{port}"),
        format!("Host: [::1]:{port}"),
        format!("Host: 2130706433:{port}"),
    ];
    let origins = [
        "Origin: http://localhost.:5173",
        "Origin: http://2130706433:5173",
        "Origin: HTTP://LOCALHOST:5173",
        "Origin: http://127.1:5173",
        "Origin: http://[::1]:5173",
        "Origin: null",
    ];
    let mut cases: Vec<Vec<String>> = hosts.iter().map(|h| vec![h.clone()]).collect();
    cases.extend(origins.iter().map(|o| vec![local.clone(), o.to_string()]));
    for case in cases {
        let headers: Vec<&str> = case.iter().map(String::as_str).collect();
        let (status, body) = raw_post(&server.base, &headers).await;
        let json: Value = serde_json::from_str(&body)
            .unwrap_or_else(|_| panic!("{headers:?}: HTTP {status} in plain text: {body}"));
        match status {
            200 => assert!(json["result"]["tools"].is_array(), "{headers:?}: {body}"),
            403 => assert_eq!(json["error"]["code"], -32600, "{headers:?}: {body}"),
            other => panic!("{headers:?}: HTTP {other}: {body}"),
        }
    }
    server.stop().await;
}
