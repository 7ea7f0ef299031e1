//! Sandbox latency over real HTTP (loopback, one client, sequential requests, time to the last
//! byte): get-by-id and a 500-row query page, p50 and p99. Later benchmarks compare against these figures to show the
//! sandbox is not their bottleneck. Run with `cargo bench --bench sandbox`.

#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use autotask_mcp::sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};

#[path = "support/results.rs"]
mod results;
use results::Results;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(results: &mut Results, name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    results.add("sandbox", name, "n", samples.len() as f64);
    results.add("sandbox", name, "p50_ms", ms(percentile(&samples, 0.50)));
    results.add("sandbox", name, "p99_ms", ms(percentile(&samples, 0.99)));
    results.add(
        "sandbox",
        name,
        "max_ms",
        ms(samples.last().copied().unwrap_or_default()),
    );
    println!(
        "{name:<28} n={:<5} p50={:>8.3} ms  p99={:>8.3} ms  max={:>8.3} ms",
        samples.len(),
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.99)),
        ms(samples.last().copied().unwrap_or_default()),
    );
}

async fn run() -> Result<(), String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let options = SandboxOptions {
        hourly_threshold: u64::MAX,
        ..SandboxOptions::default()
    };
    let sandbox = Sandbox::start(options)
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let creds = sandbox.credentials();
    let base = format!("{}V1.0/", sandbox.base_url());
    let http = reqwest::Client::builder()
        .build()
        .map_err(|e| format!("cannot build the client: {e}"))?;
    let request = |method: reqwest::Method, url: String| {
        http.request(method, url)
            .header("ApiIntegrationCode", &creds.integration_code)
            .header("UserName", &creds.username)
            .header("Secret", &creds.secret)
    };

    async fn timed(req: reqwest::RequestBuilder) -> Result<(Duration, Value), String> {
        let started = Instant::now();
        let resp = req
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        let status = resp.status();
        // Time to the last byte; the client's JSON parsing is not the sandbox's latency.
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| format!("reading failed: {e}"))?;
        let elapsed = started.elapsed();
        let body: Value = serde_json::from_slice(&bytes).map_err(|e| format!("bad body: {e}"))?;
        if !status.is_success() {
            return Err(format!("HTTP {status}: {body}"));
        }
        Ok((elapsed, body))
    }

    // Warm up connections and caches.
    for i in 0..50 {
        timed(request(
            reqwest::Method::GET,
            format!("{base}Tickets/{}", 10001 + i),
        ))
        .await?;
    }

    let mut get_by_id = Vec::new();
    for i in 0..2000u64 {
        let id = 10001 + (i * 7919) % 1200;
        let (d, body) = timed(request(reqwest::Method::GET, format!("{base}Tickets/{id}"))).await?;
        if body["item"]["id"] != json!(id) {
            return Err(format!("ticket {id} came back wrong"));
        }
        get_by_id.push(d);
    }

    let mut page = Vec::new();
    let query = json!({"filter": [{"op": "exist", "field": "id"}]});
    for _ in 0..200 {
        let (d, body) =
            timed(request(reqwest::Method::POST, format!("{base}Tickets/query")).json(&query))
                .await?;
        if body["pageDetails"]["count"] != json!(500) {
            return Err("a page did not hold 500 rows".into());
        }
        page.push(d);
    }

    let mut filtered = Vec::new();
    let open = json!({"filter": [{"op": "noteq", "field": "status", "value": 5},
        {"op": "contains", "field": "title", "value": "printer"}]});
    for _ in 0..200 {
        let (d, _) =
            timed(request(reqwest::Method::POST, format!("{base}Tickets/query")).json(&open))
                .await?;
        filtered.push(d);
    }

    println!("sandbox latency over loopback HTTP (sequential, one client)");
    let mut results = Results::new("sandbox");
    report(&mut results, "GET Tickets/{id}", get_by_id);
    report(&mut results, "POST Tickets/query (500 rows)", page);
    report(&mut results, "POST Tickets/query (filtered)", filtered);
    sandbox.shutdown().await;
    let path = results.write()?;
    println!("figures as JSON: {}", path.display());
    Ok(())
}

fn main() {
    support::block_on(run());
}
