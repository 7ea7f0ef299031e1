//! The tenant's budget: at most 3 requests in flight per entity endpoint, and a governor over
//! `ThresholdInformation` (read at most once a minute) that warns from 75 % and refuses
//! background reads from 90 %, never writes or explicit reads.

use std::time::Duration;

use crate::client_support::{all_rows, client, sandbox};
use autotask_mcp::autotask::{AutotaskError, BudgetLevel, ReadIntent};
use autotask_mcp::sandbox::{FaultResponse, FaultRule};

#[tokio::test]
async fn three_in_flight_per_endpoint_holds_under_20_concurrent_calls() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let page = client
        .query("Tickets", &all_rows(), 20, ReadIntent::Explicit)
        .await
        .unwrap();
    let ids: Vec<i64> = page
        .items
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    // Each get is held 150 ms by the sandbox, so 20 at once would overlap if allowed.
    sandbox.faults().push(
        FaultRule::new(Some("GET"), "/v1.0/tickets/", 20, FaultResponse::Normal)
            .with_delay(Duration::from_millis(150)),
    );
    let calls = ids
        .iter()
        .map(|id| client.get("Tickets", *id, ReadIntent::Explicit));
    let results = futures::future::join_all(calls).await;
    for (id, result) in ids.iter().zip(results) {
        assert_eq!(result.unwrap().unwrap()["id"].as_i64(), Some(*id));
    }
    let max = sandbox.stats().max_in_flight("Tickets");
    assert!(max <= 3, "{max} ticket requests were in flight at once");
    assert!(
        max >= 2,
        "the calls did run concurrently (max in flight {max})"
    );
    // No request was refused by the sandbox's own thread limit (nothing had to be retried).
    assert_eq!(sandbox.stats().count(Some("GET"), "/v1.0/tickets/"), 20);
}

#[tokio::test]
async fn writes_respect_the_in_flight_limit_too() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    sandbox.faults().push(
        FaultRule::new(Some("POST"), "/v1.0/tickets", 8, FaultResponse::Normal)
            .with_delay(Duration::from_millis(150)),
    );
    let body = serde_json::json!({"companyID": 0, "title": "load", "status": 1, "priority": 2});
    let calls = (0..8).map(|_| client.create("Tickets", &body));
    for result in futures::future::join_all(calls).await {
        assert!(result.unwrap() > 0);
    }
    assert!(sandbox.stats().max_in_flight("Tickets") <= 3);
    assert_eq!(sandbox.stats().count(Some("POST"), "/v1.0/tickets"), 8);
}

#[tokio::test]
async fn the_governor_refuses_background_reads_at_90_percent() {
    let sandbox = sandbox().await;
    sandbox.set_request_count(9_000);
    let client = client(&sandbox);
    let err = client
        .query("Tickets", &all_rows(), 5, ReadIntent::Background)
        .await
        .unwrap_err();
    match &err {
        AutotaskError::BudgetExhausted {
            used,
            limit,
            percent,
        } => {
            assert!(
                *used >= 9_000 && *limit == 10_000 && *percent >= 90,
                "{err}"
            );
        }
        other => panic!("expected a budget refusal, got {other}"),
    }
    assert_eq!(
        sandbox.stats().count(None, "/v1.0/tickets"),
        0,
        "nothing was sent"
    );
    // The agent's explicit reads and its writes still go through.
    let page = client
        .query("Tickets", &all_rows(), 5, ReadIntent::Explicit)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 5);
    let body =
        serde_json::json!({"companyID": 0, "title": "still allowed", "status": 1, "priority": 2});
    assert!(client.create("Tickets", &body).await.unwrap() > 0);
    let usage = client.budget_state().usage.expect("the budget was read");
    assert_eq!(usage.level, BudgetLevel::Refuse);
    assert_eq!(usage.limit, 10_000);
    assert!(usage.percent >= 90.0, "{usage:?}");
    // ThresholdInformation was read once, not once per call.
    assert_eq!(
        sandbox.stats().count(Some("GET"), "thresholdinformation"),
        1
    );
}

#[tokio::test]
async fn the_governor_warns_from_75_percent_but_admits_background_reads() {
    let sandbox = sandbox().await;
    sandbox.set_request_count(7_600);
    let client = client(&sandbox);
    let page = client
        .query("Companies", &all_rows(), 3, ReadIntent::Background)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    let state = client.budget_state();
    assert_eq!(state.level(), BudgetLevel::Warn);
    assert_eq!(
        serde_json::to_value(&state).unwrap()["usage"]["state"],
        "warn"
    );
}

#[tokio::test]
async fn a_healthy_budget_is_read_at_most_once_a_minute() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    assert_eq!(
        client.budget_state().usage,
        None,
        "unknown before the first read"
    );
    for _ in 0..5 {
        client
            .count("Companies", &all_rows(), ReadIntent::Background)
            .await
            .unwrap();
    }
    assert_eq!(
        sandbox.stats().count(Some("GET"), "thresholdinformation"),
        1
    );
    let usage = client.budget_state().usage.expect("the budget was read");
    assert_eq!(usage.level, BudgetLevel::Ok);
    assert_eq!(usage.limit, 10_000);
    // The sandbox counted the threshold read and the five counts; the state adds the
    // requests sent since its last read.
    assert!(usage.used >= 5, "{usage:?}");
    // An explicit threshold() call reads it again and refreshes the state.
    let threshold = client.threshold().await.unwrap();
    assert_eq!(threshold.external_request_threshold, 10_000);
    assert_eq!(
        client.budget_state().usage.map(|u| u.used),
        Some(threshold.current_timeframe_request_count)
    );
}

#[tokio::test]
async fn queries_counts_gets_and_child_routes_of_one_entity_share_the_limit() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let page = client
        .query("Tickets", &all_rows(), 6, ReadIntent::Explicit)
        .await
        .unwrap();
    let ids: Vec<i64> = page
        .items
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    // Every request from here on is held 100 ms by the sandbox.
    sandbox.faults().push(
        FaultRule::new(None, "/v1.0/", 100, FaultResponse::Normal)
            .with_delay(Duration::from_millis(100)),
    );
    let query = all_rows();
    assert_eq!(ids.len(), 6, "six tickets to read");
    // Each call answers what went wrong, if anything, so a failure says which and why.
    type Outcome = Result<(), String>;
    let mut calls: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = Outcome> + '_>>> =
        Vec::new();
    let client = &client;
    let query = &query;
    for &id in &ids {
        calls.push(Box::pin(async move {
            client
                .get("Tickets", id, ReadIntent::Explicit)
                .await
                .map(drop)
                .map_err(|e| format!("get Tickets/{id}: {e}"))
        }));
        calls.push(Box::pin(async {
            client
                .count("Tickets", query, ReadIntent::Explicit)
                .await
                .map(drop)
                .map_err(|e| format!("count Tickets: {e}"))
        }));
        calls.push(Box::pin(async {
            client
                .query("TicketNotes", query, 5, ReadIntent::Explicit)
                .await
                .map(drop)
                .map_err(|e| format!("query TicketNotes: {e}"))
        }));
        let notes = format!("Tickets/{id}/Notes");
        calls.push(Box::pin(async move {
            client
                .list(&notes, 50, ReadIntent::Explicit)
                .await
                .map(drop)
                .map_err(|e| format!("list {notes}: {e}"))
        }));
    }
    let failed: Vec<String> = futures::future::join_all(calls)
        .await
        .into_iter()
        .filter_map(Result::err)
        .collect();
    assert_eq!(failed, Vec::<String>::new(), "every call succeeds");
    for entity in ["Tickets", "TicketNotes"] {
        let max = sandbox.stats().max_in_flight(entity);
        assert!((1..=3).contains(&max), "{entity}: {max} in flight at once");
    }
    // Nothing was refused by the sandbox's thread limit, so nothing was sent twice.
    assert_eq!(sandbox.stats().count(Some("GET"), "/notes"), ids.len());
    assert_eq!(
        sandbox
            .stats()
            .count(Some("POST"), "/v1.0/ticketnotes/query"),
        ids.len()
    );
}
