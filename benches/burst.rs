//! Memory under a burst (issue 11, item 3): the `autotask-mcp` binary serving HTTP, 200
//! concurrent calls from raw HTTP clients, resident memory of the server process sampled every
//! 10 ms. The deployment (`deploy/deployment.yaml`) limits the pod to 256 MiB. Prints figures,
//! asserts nothing.
//!
//! Set-ups: `search-tickets maxRecords=500` with the server pointed at a sandbox in this (the
//! benchmark's) process, so the figure is the server's own; the same with `--sandbox` (server
//! and emulator in one process); and two that do not depend on today's result shapes, the
//! sandbox answering every ticket query with a 4 MiB page (500 tickets with long
//! descriptions) and every ticket read with a 1.5 MiB record (3 MiB answers, close to the
//! default 4 MiB result cap), the latter also without the answer-bytes budget, to show what it
//! bounds.
//!
//! Run with `cargo bench --bench burst` (about a minute after the build).

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;

use autotask_mcp::sandbox::{FaultResponse, FaultRule, Sandbox, SandboxOptions};
use tokio::process::{Child, Command};

const CALLS: usize = 200;
const TOKEN: &str = "burst-bench-token-0123456789";
const MIB: f64 = 1024.0 * 1024.0;

/// `VmRSS` and `VmHWM` of a process, in bytes.
fn memory(pid: u32) -> Option<(u64, u64)> {
    support::memory_kib(&pid.to_string()).map(|(hwm, rss)| (rss * 1024, hwm * 1024))
}

fn free_port() -> Result<u16, String> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// The binary serving HTTP on `port`, with a clean environment and quiet logs.
fn command(port: u16, extra: &[(&str, String)], args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_autotask-mcp"));
    for (key, _) in std::env::vars() {
        if key.starts_with("AUTOTASK_") || key == "RUST_LOG" || key == "PORT" {
            cmd.env_remove(key);
        }
    }
    cmd.args(args)
        .env("RUST_LOG", "warn")
        .env("AUTOTASK_TRANSPORT", "http")
        .env("AUTOTASK_HTTP_TOKEN", TOKEN)
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd
}

async fn wait_healthy(http: &reqwest::Client, base: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(resp) = http.get(format!("{base}/health")).send().await
            && resp.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("{base}/health did not answer within 30 s"))
}

/// What one burst measured.
struct Burst {
    rss_before: u64,
    peak_sampled: u64,
    hwm: u64,
    rss_after: u64,
    ok: usize,
    failed: Vec<String>,
    bytes: u64,
    elapsed: Duration,
}

async fn burst(child: &Child, base: &str, call: &serde_json::Value) -> Result<Burst, String> {
    let pid = child.id().ok_or("the server has no pid")?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(600))
        .pool_max_idle_per_host(0)
        .build()
        .map_err(|e| e.to_string())?;
    wait_healthy(&http, base).await?;
    let body = call.to_string();
    // Warm-up: zone, picklists, connections.
    let warm = http
        .post(format!("{base}/mcp"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.clone())
        .send()
        .await
        .map_err(|e| format!("warm-up: {e}"))?;
    let warm_status = warm.status();
    let warm_body = warm.bytes().await.map_err(|e| e.to_string())?;
    let warm_json: serde_json::Value = serde_json::from_slice(&warm_body).unwrap_or_default();
    if !warm_status.is_success() || warm_json["result"]["isError"] != serde_json::json!(false) {
        return Err(format!(
            "warm-up call failed: {warm_status} {}",
            String::from_utf8_lossy(&warm_body[..warm_body.len().min(300)])
        ));
    }
    let (rss_before, _) = memory(pid).ok_or("no /proc (not Linux?)")?;
    let peak = Arc::new(AtomicU64::new(rss_before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                if let Some((rss, _)) = memory(pid) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let started = Instant::now();
    let calls = (0..CALLS).map(|_| {
        let http = http.clone();
        let body = body.clone();
        let url = format!("{base}/mcp");
        async move {
            let resp = http
                .post(url)
                .bearer_auth(TOKEN)
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .body(body)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = resp.status();
            let bytes = resp.bytes().await.map_err(|e| e.to_string())?;
            if !status.is_success() {
                return Err(format!(
                    "HTTP {status}: {}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
                ));
            }
            Ok(bytes.len() as u64)
        }
    });
    let results = futures::future::join_all(calls).await;
    let elapsed = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let (rss_after, hwm) = memory(pid).ok_or("no /proc")?;
    let mut ok = 0;
    let mut bytes = 0;
    let mut failed = Vec::new();
    for r in results {
        match r {
            Ok(n) => {
                ok += 1;
                bytes += n;
            }
            Err(e) => failed.push(e),
        }
    }
    Ok(Burst {
        rss_before,
        peak_sampled: peak.load(Ordering::Relaxed),
        hwm,
        rss_after,
        ok,
        failed,
        bytes,
        elapsed,
    })
}

fn print(what: &str, b: &Burst) {
    println!("\n{what}");
    println!(
        "  {} of {CALLS} calls answered in {:.1} s, {:.1} MiB of answers ({:.2} MiB each)",
        b.ok,
        b.elapsed.as_secs_f64(),
        b.bytes as f64 / MIB,
        b.bytes as f64 / MIB / b.ok.max(1) as f64
    );
    if let Some(first) = b.failed.first() {
        println!("  {} failed, first: {first}", b.failed.len());
    }
    println!(
        "  server resident memory: {:.1} MiB before, peak {:.1} MiB (VmHWM {:.1} MiB), {:.1} MiB after; deployment limit 256 MiB",
        b.rss_before as f64 / MIB,
        b.peak_sampled as f64 / MIB,
        b.hwm as f64 / MIB,
        b.rss_after as f64 / MIB
    );
}

fn tool_call(name: &str, arguments: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": name, "arguments": arguments}})
}

/// The server pointed at `sandbox`, serving HTTP on a free port, with `extra` variables.
fn pointed_at(sandbox: &Sandbox, extra: &[(&str, String)]) -> Result<(Child, String), String> {
    let creds = sandbox.credentials();
    let port = free_port()?;
    let mut env = vec![
        ("AUTOTASK_API_URL", sandbox.base_url()),
        ("AUTOTASK_USERNAME", creds.username.clone()),
        ("AUTOTASK_SECRET", creds.secret.clone()),
        ("AUTOTASK_INTEGRATION_CODE", creds.integration_code.clone()),
    ];
    env.extend(extra.iter().cloned());
    let child = command(port, &env, &[])
        .spawn()
        .map_err(|e| format!("cannot spawn autotask-mcp: {e}"))?;
    Ok((child, format!("http://127.0.0.1:{port}")))
}

/// A fault answering the next `times` requests to `path` with `body`.
fn big_answer(method: &str, path: &str, body: String) -> FaultRule {
    FaultRule::new(
        Some(method),
        path,
        CALLS + 1,
        FaultResponse::Status {
            status: 200,
            headers: vec![],
            body,
        },
    )
}

async fn run() -> Result<(), String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    println!(
        "burst benchmark: {CALLS} concurrent calls over HTTP; {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let sandbox = Sandbox::start(SandboxOptions {
        hourly_threshold: u64::MAX,
        ..SandboxOptions::default()
    })
    .await
    .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let search = tool_call("search-tickets", serde_json::json!({"maxRecords": 500}));

    let (child, base) = pointed_at(&sandbox, &[])?;
    let b = burst(&child, &base, &search).await?;
    print(
        "search-tickets maxRecords=500, server pointed at a sandbox in the benchmark process (server memory alone)",
        &b,
    );
    drop(child);

    let port = free_port()?;
    let child = command(port, &[], &["--sandbox"])
        .spawn()
        .map_err(|e| format!("cannot spawn autotask-mcp --sandbox: {e}"))?;
    let b = burst(&child, &format!("http://127.0.0.1:{port}"), &search).await?;
    print(
        "search-tickets maxRecords=500, autotask-mcp --sandbox (server + emulator + demo tenant in one process)",
        &b,
    );
    drop(child);

    // Every ticket query answered with 500 tickets of 8 KiB descriptions (4 MiB and more).
    let rows: Vec<serde_json::Value> = (0..500)
        .map(|i| {
            serde_json::json!({"id": 10001 + i, "ticketNumber": format!("T20260101.{i:04}"),
                "title": format!("Ticket {i}"), "status": 1, "priority": 2, "companyID": 0,
                "description": "d".repeat(8 * 1024)})
        })
        .collect();
    let page =
        serde_json::json!({"items": rows, "pageDetails": {"count": 500, "nextPageUrl": null}})
            .to_string();
    let page_mib = page.len() as f64 / MIB;
    sandbox
        .faults()
        .push(big_answer("POST", "/v1.0/tickets/query", page));
    let (child, base) = pointed_at(&sandbox, &[])?;
    let b = burst(&child, &base, &search).await?;
    print(
        &format!("search-tickets maxRecords=500, every Autotask page {page_mib:.1} MiB"),
        &b,
    );
    drop(child);
    sandbox.faults().clear();

    // Every read of ticket 10001 answered with a 1.5 MiB record: each answer carries it twice
    // (text and structured content), about 3 MiB, near the default 4 MiB result cap. Once with
    // the default answer-bytes budget, once with the budget out of the way, for comparison.
    let record = serde_json::json!({"item": {"id": 10001, "title": "big", "status": 1,
        "description": "r".repeat(3 * 512 * 1024)}})
    .to_string();
    let get = tool_call("get-ticket", serde_json::json!({"id": 10001}));
    for (label, extra) in [
        (
            "default budget, AUTOTASK_HTTP_MAX_BYTES_IN_FLIGHT=64 MiB",
            vec![],
        ),
        (
            "no budget (AUTOTASK_HTTP_MAX_BYTES_IN_FLIGHT=4 GiB), for comparison",
            vec![(
                "AUTOTASK_HTTP_MAX_BYTES_IN_FLIGHT",
                (4u64 << 30).to_string(),
            )],
        ),
    ] {
        sandbox
            .faults()
            .push(big_answer("GET", "/v1.0/tickets/10001", record.clone()));
        let (child, base) = pointed_at(&sandbox, &extra)?;
        let b = burst(&child, &base, &get).await?;
        print(
            &format!("get-ticket on a 1.5 MiB record (3 MiB answers), {label}"),
            &b,
        );
        drop(child);
        sandbox.faults().clear();
    }
    sandbox.shutdown().await;
    Ok(())
}

fn main() {
    if support::skipped("burst") {
        return;
    }
    support::block_on(run());
}
