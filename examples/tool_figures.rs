//! Figures for the MCP tools over an in-process client ↔ server pair (tokio duplex) against an
//! in-process sandbox: the size of `tools/list`, tool-call latency through the whole stack
//! (argument validation, client, sandbox, shaping with picklist labels), and how many
//! Autotask requests each call costs. Prints the numbers; asserts nothing about speed.
//!
//! `cargo run --release --example tool_figures`

use std::sync::Arc;
use std::time::{Duration, Instant};

use autotask_mcp::autotask::AutotaskClient;
use autotask_mcp::config::{AutotaskConfig, Credentials};
use autotask_mcp::sandbox::{Sandbox, SandboxOptions};
use autotask_mcp::server::{AutotaskServer, ServerState};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let sandbox = Sandbox::start(SandboxOptions::default()).await?;
    let c = sandbox.credentials();
    let config = AutotaskConfig::with_defaults(
        Credentials::new(&c.username, &c.secret, &c.integration_code),
        Some(sandbox.base_url()),
    );
    let state = Arc::new(ServerState::new(
        AutotaskClient::new(config)?,
        vec![5, 16],
        false,
    ));
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = AutotaskServer::new(state).serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let client = ().serve(client_io).await?;

    let tools = client.list_all_tools().await?;
    let bytes: usize = tools
        .iter()
        .map(|t| serde_json::to_string(t).map(|s| s.len()).unwrap_or(0))
        .sum();
    println!(
        "tools/list: {} tools, {bytes} bytes of JSON (~{} tokens at 4 bytes/token)",
        tools.len(),
        bytes / 4
    );

    let cases: [(&str, Value); 4] = [
        ("get-ticket", json!({"id": 10_001})),
        (
            "search-tickets",
            json!({"openOnly": true, "maxRecords": 50}),
        ),
        (
            "search-companies",
            json!({"companyType": "Customer", "maxRecords": 20}),
        ),
        ("get-ticket (junk id)", json!({"id": -1})),
    ];
    for (name, args) in cases {
        let tool = name.split(' ').next().unwrap_or(name).to_string();
        let call = || {
            let mut p = CallToolRequestParams::new(tool.clone());
            if let Value::Object(m) = &args {
                p = p.with_arguments(m.clone());
            }
            client.call_tool(p)
        };
        call().await?; // warm-up: picklists cached, connection open
        let before = sandbox.stats().total();
        let runs = 200;
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            call().await?;
            times.push(started.elapsed());
        }
        times.sort();
        let requests = (sandbox.stats().total() - before) as f64 / runs as f64;
        println!(
            "{name:<22} p50 {:>8.2?}  p99 {:>8.2?}  Autotask requests per call {requests:.1}",
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
    }
    client.cancel().await?;
    Ok(())
}
