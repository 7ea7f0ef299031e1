//! Figures for the Autotask client against an in-process sandbox: paging 1,200 tickets by
//! POST, 20 concurrent gets under the 3-in-flight limit, and the per-request cost of the
//! client over loopback. Prints the numbers; asserts nothing about speed.
//!
//! `cargo run --release --example client_figures`

use std::time::{Duration, Instant};

use autotask_mcp::autotask::{AutotaskClient, ReadIntent};
use autotask_mcp::config::{AutotaskConfig, Credentials};
use autotask_mcp::sandbox::{FaultResponse, FaultRule, Sandbox, SandboxOptions};
use serde_json::json;

type BoxError = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let sandbox = Sandbox::start(SandboxOptions::default()).await?;
    let c = sandbox.credentials();
    let mut config = AutotaskConfig::with_defaults(
        Credentials::new(&c.username, &c.secret, &c.integration_code),
        None,
    );
    config.zone_lookup_url = sandbox.base_url();
    let client = AutotaskClient::new(config)?;
    let all = json!({"filter": [{"op": "exist", "field": "id"}]});

    // Warm-up: zone detection, budget read, connection.
    client.count("Tickets", &all, ReadIntent::Explicit).await?;

    let runs = 5;
    let started = Instant::now();
    let mut rows = 0;
    for _ in 0..runs {
        rows = client
            .query("Tickets", &all, 5_000, ReadIntent::Explicit)
            .await?
            .items
            .len();
    }
    let per = started.elapsed() / runs;
    println!(
        "paging {rows} tickets (3 POST pages): {:.1} ms per full read",
        ms(per)
    );

    let ids: Vec<i64> = client
        .query("Tickets", &all, 200, ReadIntent::Explicit)
        .await?
        .items
        .iter()
        .filter_map(|t| t["id"].as_i64())
        .collect();
    let started = Instant::now();
    for id in &ids {
        client.get("Tickets", *id, ReadIntent::Explicit).await?;
    }
    let per = started.elapsed() / ids.len() as u32;
    println!(
        "sequential GET by id: {:.2} ms per request ({} requests)",
        ms(per),
        ids.len()
    );

    let delay = Duration::from_millis(50);
    sandbox.faults().push(
        FaultRule::new(Some("GET"), "/v1.0/tickets/", 20, FaultResponse::Normal).with_delay(delay),
    );
    let started = Instant::now();
    let calls = ids
        .iter()
        .take(20)
        .map(|id| client.get("Tickets", *id, ReadIntent::Explicit));
    for result in futures::future::join_all(calls).await {
        result?;
    }
    let took = started.elapsed();
    println!(
        "20 concurrent GETs held {} ms each by the sandbox: {:.0} ms in all (ideal with 3 in flight: {} ms), max in flight {}",
        delay.as_millis(),
        ms(took),
        (20_u128).div_ceil(3) * delay.as_millis(),
        sandbox.stats().max_in_flight("Tickets")
    );
    println!("requests the sandbox received: {}", sandbox.stats().total());
    sandbox.shutdown().await;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}
