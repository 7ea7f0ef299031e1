//! JSON-RPC bytes into the real `AutotaskServer` over an in-memory duplex pipe (the stdio
//! framing: newline-delimited messages), against an in-process sandbox on loopback. When the
//! first byte is odd, a valid `initialize` + `notifications/initialized` goes first (so the
//! 2025-11-25 path is reached); otherwise the bytes are the whole session (2026-07-28
//! stateless requests, or junk). The harness waits for one answer per request in the input
//! (at most 300 ms of silence), then closes the pipe and waits for the server to stop. Oracle: no panic, the
//! server stops within 10 s of the pipe closing, and everything it writes is one JSON-RPC
//! message per line.
#![no_main]

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use autotask_mcp::autotask::AutotaskClient;
use autotask_mcp::config::{AutotaskConfig, Credentials};
use autotask_mcp::sandbox::{Sandbox, SandboxOptions};
use autotask_mcp::server::{AutotaskServer, ServerState};
use libfuzzer_sys::fuzz_target;
use rmcp::ServiceExt;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const INITIALIZE: &str = concat!(
    r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fuzz","version":"0"}}}"#,
    "\n",
    r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    "\n"
);

struct World {
    runtime: tokio::runtime::Runtime,
    state: Arc<ServerState>,
    _sandbox: Sandbox,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (sandbox, state) = runtime.block_on(async {
            let sandbox = Sandbox::start(SandboxOptions {
                hourly_threshold: u64::MAX,
                ..SandboxOptions::default()
            })
            .await
            .expect("sandbox starts");
            let creds = sandbox.credentials();
            let config = AutotaskConfig::with_defaults(
                Credentials::new(&creds.username, &creds.secret, &creds.integration_code),
                Some(sandbox.base_url()),
            );
            let client = AutotaskClient::new(config).expect("client");
            (
                sandbox,
                Arc::new(ServerState::new(client, vec![5, 16], false)),
            )
        });
        World {
            runtime,
            state,
            _sandbox: sandbox,
        }
    })
}

/// Lines of the input that are JSON-RPC requests (they have an id and a method).
fn requests(input: &str) -> usize {
    input
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .flat_map(|v| match v {
            serde_json::Value::Array(items) => items,
            other => vec![other],
        })
        .filter(|v| v.get("id").is_some() && v.get("method").is_some())
        .count()
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, body)) = data.split_first() else {
        return;
    };
    let mut input = String::new();
    if flags & 1 == 1 {
        input.push_str(INITIALIZE);
    }
    input.push_str(&String::from_utf8_lossy(body));
    if !input.ends_with('\n') {
        input.push('\n');
    }
    let expected = requests(&input);
    let world = world();
    world.runtime.block_on(async {
        let (server_io, client_io) = tokio::io::duplex(1 << 16);
        let server = AutotaskServer::new(Arc::clone(&world.state));
        let task = tokio::spawn(async move {
            if let Ok(running) = server.serve(server_io).await {
                let _ = running.waiting().await;
            }
        });
        let (read, mut write) = tokio::io::split(client_io);
        let writer = tokio::spawn(async move {
            let _ = write.write_all(input.as_bytes()).await;
            let _ = write.flush().await;
            write
        });
        let mut lines = BufReader::new(read).lines();
        let mut answered = 0;
        while answered < expected {
            // Answers come within milliseconds (the sandbox is in this process); a request
            // that gets none (cancelled, batched, junk) must not stall the fuzzer.
            match tokio::time::timeout(Duration::from_millis(300), lines.next_line()).await {
                Ok(Ok(Some(line))) => {
                    let message: serde_json::Value = serde_json::from_str(&line)
                        .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                    assert_eq!(message["jsonrpc"], "2.0", "{line}");
                    if message.get("id").is_some()
                        && (message.get("result").is_some() || message.get("error").is_some())
                    {
                        answered += 1;
                    }
                }
                _ => break,
            }
        }
        // Closing the client's end is stdin's EOF: the server must stop.
        if let Ok(write) = writer.await {
            drop(write);
        }
        drop(lines);
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("the server stops after the pipe closes")
            .expect("the server task does not panic");
    });
});
