//! Server figures in one run, against sandboxes in this process: tool-call latency (p50/p99)
//! of the MCP server for five everyday calls, beside the sandbox's own latency for the same
//! REST requests, so the server's overhead over its backend is visible; Autotask requests per
//! tool call; start-up time to a ready `tools/list`; peak memory (VmHWM).
//!
//! Two servers are measured: the library in this process over an in-memory duplex pipe (the
//! server's cost without process or pipe overhead), and the real `autotask-mcp` binary spawned
//! over stdio (what an MCP client sees). Prints figures, asserts nothing about speed.
//! Run with `cargo bench --bench server` (about a minute on 2 cores).

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;

use autotask_mcp::autotask::AutotaskClient;
use autotask_mcp::config::{AutotaskConfig, Credentials};
use autotask_mcp::sandbox::{Sandbox, SandboxOptions};
use autotask_mcp::server::{AutotaskServer, ServerState};
use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use support::memory_kib;
use tokio::process::Command;

#[path = "support/results.rs"]
mod results;
use results::Results;

type Client = RunningService<RoleClient, ()>;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50 and p99 of `samples`.
fn summary(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    (percentile(&samples, 0.50), percentile(&samples, 0.99))
}

/// One measured tool call and the REST request it mainly sends.
struct Case {
    label: &'static str,
    tool: &'static str,
    runs: usize,
    /// Arguments for run `i`.
    args: fn(usize) -> Value,
    /// The equivalent REST request for run `i`: method, path under `V1.0/`, body.
    rest: fn(usize, &Value) -> (reqwest::Method, String, Option<Value>),
}

fn ticket_id(i: usize) -> u64 {
    10001 + (i as u64 * 7919) % 1200
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            label: "get-ticket",
            tool: "get-ticket",
            runs: 300,
            args: |i| json!({"id": ticket_id(i)}),
            rest: |i, _| {
                (
                    reqwest::Method::GET,
                    format!("Tickets/{}", ticket_id(i)),
                    None,
                )
            },
        },
        Case {
            label: "search-tickets (open, 50)",
            tool: "search-tickets",
            runs: 200,
            args: |_| json!({"openOnly": true, "maxRecords": 50}),
            rest: |_, _| {
                (
                    reqwest::Method::POST,
                    "Tickets/query".into(),
                    Some(
                        json!({"filter": [{"op": "noteq", "field": "status", "value": 5},
                        {"op": "noteq", "field": "status", "value": 16}], "maxRecords": 50}),
                    ),
                )
            },
        },
        Case {
            label: "query-entity (500 rows)",
            tool: "query-entity",
            runs: 60,
            args: |_| {
                json!({"entity": "Tickets", "query": {"filter": [{"op": "exist", "field": "id"}]},
                    "maxRecords": 500})
            },
            rest: |_, _| {
                (
                    reqwest::Method::POST,
                    "Tickets/query".into(),
                    Some(json!({"filter": [{"op": "exist", "field": "id"}], "maxRecords": 500})),
                )
            },
        },
        Case {
            label: "describe-entity-fields",
            tool: "describe-entity-fields",
            runs: 100,
            args: |_| json!({"entity": "Tickets"}),
            rest: |_, _| {
                (
                    reqwest::Method::GET,
                    "Tickets/entityInformation/fields".into(),
                    None,
                )
            },
        },
        Case {
            label: "create-ticket-note",
            tool: "create-ticket-note",
            runs: 200,
            args: |i| {
                json!({"ticketID": ticket_id(i), "title": "Bench note",
                    "description": "Checked the printer queue; restarted the spooler.",
                    "confirm": "CREATE_TICKET_NOTE"})
            },
            rest: |i, note| {
                (
                    reqwest::Method::POST,
                    format!("Tickets/{}/Notes", ticket_id(i)),
                    Some(json!({"ticketID": ticket_id(i), "title": "Bench note",
                        "description": "Checked the printer queue; restarted the spooler.",
                        "noteType": note["noteType"], "publish": note["publish"]})),
                )
            },
        },
    ]
}

/// Direct REST access to a sandbox, timed to the last byte.
struct Rest {
    http: reqwest::Client,
    base: String,
    creds: autotask_mcp::sandbox::SandboxCredentials,
}

impl Rest {
    fn new(sandbox: &Sandbox) -> Result<Rest, String> {
        Ok(Rest {
            http: reqwest::Client::builder()
                .build()
                .map_err(|e| format!("cannot build the client: {e}"))?,
            base: format!("{}V1.0/", sandbox.base_url()),
            creds: sandbox.credentials(),
        })
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(Duration, Value), String> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("ApiIntegrationCode", &self.creds.integration_code)
            .header("UserName", &self.creds.username)
            .header("Secret", &self.creds.secret);
        if let Some(body) = body {
            req = req.json(body);
        }
        let started = Instant::now();
        let resp = req.send().await.map_err(|e| format!("{path}: {e}"))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| format!("{path}: {e}"))?;
        let elapsed = started.elapsed();
        if !status.is_success() {
            return Err(format!(
                "{path}: HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
            ));
        }
        let value = serde_json::from_slice(&bytes).map_err(|e| format!("{path}: {e}"))?;
        Ok((elapsed, value))
    }
}

async fn call(client: &Client, tool: &str, args: Value) -> Result<(Duration, Value), String> {
    let mut params = CallToolRequestParams::new(tool.to_string());
    if let Value::Object(map) = args {
        params = params.with_arguments(map);
    }
    let started = Instant::now();
    let result = client
        .call_tool(params)
        .await
        .map_err(|e| format!("{tool}: {e}"))?;
    let elapsed = started.elapsed();
    if result.is_error == Some(true) {
        return Err(format!("{tool} failed: {:?}", result.content));
    }
    Ok((elapsed, result.structured_content.unwrap_or(Value::Null)))
}

/// Per case: server p50/p99, sandbox p50/p99, Autotask requests per call.
struct Row {
    label: &'static str,
    runs: usize,
    server: (Duration, Duration),
    sandbox: (Duration, Duration),
    requests_per_call: f64,
}

/// Measures every case through `client` (a server backed by `sandbox`) and the same REST
/// requests directly against `sandbox`, interleaved run by run so both see the same load.
async fn measure(client: &Client, sandbox: &Sandbox, rest: &Rest) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for case in cases() {
        // Warm-up: connections, zone, picklist caches; also gives a note's picklist codes.
        let (_, warm) = call(client, case.tool, (case.args)(0)).await?;
        let note = match warm["id"].as_i64() {
            Some(id) if case.tool == "create-ticket-note" => rest
                .send(reqwest::Method::GET, &format!("TicketNotes/{id}"), None)
                .await?
                .1["item"]
                .clone(),
            _ => Value::Null,
        };
        for i in 0..5 {
            let (method, path, body) = (case.rest)(i, &note);
            rest.send(method, &path, body.as_ref()).await?;
        }
        let mut server = Vec::with_capacity(case.runs);
        let mut direct = Vec::with_capacity(case.runs);
        let mut requests = 0usize;
        for i in 0..case.runs {
            let before = sandbox.stats().total();
            let (d, _) = call(client, case.tool, (case.args)(i)).await?;
            requests += sandbox.stats().total() - before;
            server.push(d);
            let (method, path, body) = (case.rest)(i, &note);
            direct.push(rest.send(method, &path, body.as_ref()).await?.0);
        }
        rows.push(Row {
            label: case.label,
            runs: case.runs,
            server: summary(server),
            sandbox: summary(direct),
            requests_per_call: requests as f64 / case.runs as f64,
        });
    }
    Ok(rows)
}

fn print_rows(results: &mut Results, group: &str, title: &str, rows: &[Row]) {
    for r in rows {
        results.add(group, r.label, "n", r.runs as f64);
        results.add(group, r.label, "p50_ms", ms(r.server.0));
        results.add(group, r.label, "p99_ms", ms(r.server.1));
        results.add(group, r.label, "sandbox_p50_ms", ms(r.sandbox.0));
        results.add(group, r.label, "sandbox_p99_ms", ms(r.sandbox.1));
        results.add(group, r.label, "requests_per_call", r.requests_per_call);
    }
    println!("\n{title}");
    println!(
        "{:<27} {:>5} {:>10} {:>10} {:>11} {:>11} {:>8} {:>9}",
        "tool", "n", "p50 ms", "p99 ms", "sandbox p50", "sandbox p99", "ratio", "req/call"
    );
    for r in rows {
        let ratio = ms(r.server.0) / ms(r.sandbox.0).max(f64::EPSILON);
        println!(
            "{:<27} {:>5} {:>10.3} {:>10.3} {:>11.3} {:>11.3} {:>7.2}x {:>9.2}",
            r.label,
            r.runs,
            ms(r.server.0),
            ms(r.server.1),
            ms(r.sandbox.0),
            ms(r.sandbox.1),
            ratio,
            r.requests_per_call
        );
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn sandbox_options() -> SandboxOptions {
    SandboxOptions {
        // The benchmark sends far more than a tenant's hour; the budget is not what it measures.
        hourly_threshold: u64::MAX,
        ..SandboxOptions::default()
    }
}

/// The binary with a clean environment and quiet logs.
fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_autotask-mcp"));
    for (key, _) in std::env::vars() {
        if key.starts_with("AUTOTASK_") || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd.args(args).env("RUST_LOG", "warn");
    cmd
}

/// Spawns the binary, connects, lists the tools: returns the client, its pid and the time
/// from spawn to the `tools/list` answer.
async fn spawn(cmd: Command) -> Result<(Client, u32, Duration), String> {
    let started = Instant::now();
    let (transport, _) = TokioChildProcess::builder(cmd)
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot spawn autotask-mcp: {e}"))?;
    let pid = transport.id().ok_or("the child has no pid")?;
    let client = ().serve(transport).await.map_err(|e| e.to_string())?;
    let tools = client.list_all_tools().await.map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    let expected = autotask_mcp::tools::all().len();
    if tools.len() != expected {
        return Err(format!("expected {expected} tools, got {}", tools.len()));
    }
    Ok((client, pid, elapsed))
}

fn pointed_at(sandbox: &Sandbox) -> Command {
    let creds = sandbox.credentials();
    let mut cmd = command(&[]);
    cmd.env("AUTOTASK_API_URL", sandbox.base_url())
        .env("AUTOTASK_USERNAME", &creds.username)
        .env("AUTOTASK_SECRET", &creds.secret)
        .env("AUTOTASK_INTEGRATION_CODE", &creds.integration_code);
    cmd
}

async fn in_process(sandbox: &Sandbox, rest: &Rest, results: &mut Results) -> Result<(), String> {
    let creds = sandbox.credentials();
    let config = AutotaskConfig::with_defaults(
        Credentials::new(&creds.username, &creds.secret, &creds.integration_code),
        Some(sandbox.base_url()),
    );
    let started = Instant::now();
    let client = AutotaskClient::new(config).map_err(|e| e.to_string())?;
    let state = Arc::new(ServerState::new(client, vec![5, 16], false));
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = AutotaskServer::new(state).serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let client = ().serve(client_io).await.map_err(|e| e.to_string())?;
    let tools = client.list_all_tools().await.map_err(|e| e.to_string())?;
    let ready = started.elapsed();
    results.add("startup", "in-process", "ready_ms", ms(ready));
    println!(
        "in-process server: {} tools, state + initialize + tools/list in {:.3} ms",
        tools.len(),
        ms(ready)
    );
    let rows = measure(&client, sandbox, rest).await?;
    print_rows(
        results,
        "in_process",
        "in-process server over a duplex pipe (no process, no stdio) vs the same REST calls",
        &rows,
    );
    let _ = client.cancel().await;
    Ok(())
}

async fn spawned(sandbox: &Sandbox, rest: &Rest, results: &mut Results) -> Result<(), String> {
    // Start-up: spawn to a ready tools/list, five times each way.
    let mut own_sandbox = Vec::new();
    let mut tenant = Vec::new();
    for _ in 0..5 {
        let (client, _, d) = spawn(command(&["--sandbox"])).await?;
        own_sandbox.push(d);
        let _ = client.cancel().await;
        let (client, _, d) = spawn(pointed_at(sandbox)).await?;
        tenant.push(d);
        let _ = client.cancel().await;
    }
    let (o50, _) = summary(own_sandbox.clone());
    let (t50, _) = summary(tenant.clone());
    results.add("startup", "--sandbox", "median_ms", ms(o50));
    results.add("startup", "tenant-url", "median_ms", ms(t50));
    println!("\nstart-up of target autotask-mcp: spawn to the tools/list answer (5 runs)");
    println!(
        "  --sandbox (starts its emulator, seeds the tenant): median {:.1} ms, max {:.1} ms",
        ms(o50),
        ms(own_sandbox.iter().max().copied().unwrap_or_default())
    );
    println!(
        "  against a tenant URL (server only):                median {:.1} ms, max {:.1} ms",
        ms(t50),
        ms(tenant.iter().max().copied().unwrap_or_default())
    );

    // Latency and memory of the binary serving a tenant (the bench's sandbox).
    let (client, pid, _) = spawn(pointed_at(sandbox)).await?;
    let idle = memory_kib(&pid.to_string());
    let rows = measure(&client, sandbox, rest).await?;
    let busy = memory_kib(&pid.to_string());
    print_rows(
        results,
        "stdio",
        "autotask-mcp binary over stdio (spawned, pointed at the sandbox) vs the same REST calls",
        &rows,
    );
    let _ = client.cancel().await;

    // Memory of `--sandbox` (server + emulator + demo tenant in one process) after a workload.
    let (client, sandbox_pid, _) = spawn(command(&["--sandbox"])).await?;
    let sandbox_idle = memory_kib(&sandbox_pid.to_string());
    for i in 0..50 {
        call(&client, "get-ticket", json!({"id": ticket_id(i)})).await?;
    }
    call(
        &client,
        "query-entity",
        json!({"entity": "Tickets", "query": {"filter": []}, "maxRecords": 500}),
    )
    .await?;
    call(
        &client,
        "describe-entity-fields",
        json!({"entity": "Tickets"}),
    )
    .await?;
    let sandbox_busy = memory_kib(&sandbox_pid.to_string());
    let _ = client.cancel().await;

    println!("\nmemory of the autotask-mcp process (/proc/<pid>/status)");
    for (case, m) in [
        ("server-after-startup", idle),
        ("server-after-latency-run", busy),
        ("sandbox-after-startup", sandbox_idle),
        ("sandbox-after-workload", sandbox_busy),
    ] {
        if let Some((hwm, rss)) = m {
            results.add("memory", case, "vmhwm_mib", mib(hwm));
            results.add("memory", case, "vmrss_mib", mib(rss));
        }
    }
    let line = |what: &str, m: Option<(u64, u64)>| match m {
        Some((hwm, rss)) => println!(
            "  {what:<58} VmHWM {:>6.1} MiB  VmRSS {:>6.1} MiB",
            mib(hwm),
            mib(rss)
        ),
        None => println!("  {what:<58} (no /proc: not Linux?)"),
    };
    line("server only, after start-up", idle);
    line("server only, after the latency run above", busy);
    line("--sandbox, after start-up", sandbox_idle);
    line(
        "--sandbox, after 50 gets, a 500-row query, a describe",
        sandbox_busy,
    );
    Ok(())
}

async fn run() -> Result<(), String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let before = memory_kib("self");
    let sandbox = Sandbox::start(sandbox_options())
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let rest = Rest::new(&sandbox)?;
    println!(
        "server benchmark: sequential calls, one client; sandbox on loopback HTTP; {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut results = Results::new("server");
    in_process(&sandbox, &rest, &mut results).await?;
    let after = memory_kib("self");
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "bench process VmHWM (sandbox + in-process server + client): {:.1} MiB before, {:.1} MiB after",
            mib(b.0),
            mib(a.0)
        );
    }
    spawned(&sandbox, &rest, &mut results).await?;
    sandbox.shutdown().await;
    let path = results.write()?;
    println!("\nfigures as JSON: {}", path.display());
    Ok(())
}

fn main() {
    if support::skipped("server") {
        return;
    }
    support::block_on(run());
}
