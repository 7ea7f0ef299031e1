//! Load over real HTTP: 50 concurrent rmcp clients making 100 tool calls each, through a
//! concurrency limit smaller than the client count (requests wait for a slot, none fail).

use std::time::{Duration, Instant};

use crate::http_support::*;
use autotask_mcp::transport::health::HealthSource;
use rmcp::model::CallToolRequestParams;

const CLIENTS: usize = 50;
const CALLS: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_clients_make_a_hundred_calls_each_without_an_error() {
    let mut http = http_config();
    http.max_concurrency = 16;
    let server = start(http, HealthSource::liveness_only()).await;
    let url = server.mcp_url();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let client = client(&url, TOKEN).await;
            let mut ok = 0usize;
            let mut failures = Vec::new();
            for i in 0..CALLS {
                let text = format!("client {c} call {i}");
                let result = client
                    .call_tool(
                        CallToolRequestParams::new("echo")
                            .with_arguments(args(serde_json::json!({ "text": text }))),
                    )
                    .await;
                match result {
                    Ok(r) if text_of(&r) == text && r.is_error != Some(true) => ok += 1,
                    Ok(r) => failures.push(format!("wrong answer {:?}", text_of(&r))),
                    Err(e) => failures.push(e.to_string()),
                }
            }
            let _ = client.cancel().await;
            (ok, failures)
        }));
    }
    let all = tokio::time::timeout(Duration::from_secs(600), futures::future::join_all(tasks))
        .await
        .expect("the load finishes within 10 minutes");
    let mut ok = 0;
    let mut failures = Vec::new();
    for r in all {
        let (n, f) = r.expect("client task did not panic");
        ok += n;
        failures.extend(f);
    }
    let elapsed = started.elapsed();
    println!(
        "{} calls from {CLIENTS} clients in {:.1} s ({:.0} calls/s, debug build)",
        CLIENTS * CALLS,
        elapsed.as_secs_f64(),
        (CLIENTS * CALLS) as f64 / elapsed.as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} failures, first: {:?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(ok, CLIENTS * CALLS);
    server.stop().await;
}
