//! Reads are retried: 502/503/504 and dropped connections with backoff (at most 3 attempts),
//! 429 after `Retry-After` (or backoff); a long `Retry-After` becomes a rate-limited error at
//! once; a 500 with Autotask's errors is a business error and is not retried.

use std::time::{Duration, Instant};

use crate::client_support::{HELD, all_rows, client, impatient_client, sandbox};
use autotask_mcp::autotask::{AutotaskClient, AutotaskError, ReadIntent};
use autotask_mcp::sandbox::{FaultResponse, FaultRule};

fn status(status: u16) -> FaultResponse {
    FaultResponse::Status {
        status,
        headers: vec![],
        body: String::new(),
    }
}

fn too_many(retry_after: &str) -> FaultResponse {
    FaultResponse::Status {
        status: 429,
        headers: vec![("Retry-After".into(), retry_after.into())],
        body: r#"{"errors":["The API request threshold has been reached."]}"#.into(),
    }
}

async fn some_ticket_id(client: &AutotaskClient) -> i64 {
    let page = client
        .query("Tickets", &all_rows(), 1, ReadIntent::Explicit)
        .await
        .unwrap();
    page.items[0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_get_that_gets_two_503s_succeeds_on_the_third_try() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = some_ticket_id(&client).await;
    let path = format!("/v1.0/tickets/{id}");
    sandbox
        .faults()
        .push(FaultRule::new(Some("GET"), &path, 2, status(503)));
    let ticket = client
        .get("Tickets", id, ReadIntent::Explicit)
        .await
        .unwrap();
    assert_eq!(ticket.unwrap()["id"].as_i64(), Some(id));
    assert_eq!(sandbox.stats().count(Some("GET"), &path), 3);
}

#[tokio::test]
async fn a_read_gives_up_after_three_attempts() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = some_ticket_id(&client).await;
    let path = format!("/v1.0/tickets/{id}");
    sandbox
        .faults()
        .push(FaultRule::new(Some("GET"), &path, 5, status(502)));
    let err = client
        .get("Tickets", id, ReadIntent::Explicit)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502), "{err}");
    assert_eq!(sandbox.stats().count(Some("GET"), &path), 3);
}

#[tokio::test]
async fn queries_and_counts_are_retried_after_gateway_errors_and_dropped_connections() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/tickets/query/count",
        1,
        status(504),
    ));
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/tickets/query/count",
        1,
        FaultResponse::DropConnection,
    ));
    let count = client
        .count("Tickets", &all_rows(), ReadIntent::Explicit)
        .await
        .unwrap();
    assert_eq!(count, 1200);
    assert_eq!(
        sandbox
            .stats()
            .count(Some("POST"), "/v1.0/tickets/query/count"),
        3
    );
}

#[tokio::test]
async fn a_business_500_is_not_retried() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/tickets/query",
        1,
        FaultResponse::Status {
            status: 500,
            headers: vec![],
            body: r#"{"errors":["Unable to find projectID in the Ticket Entity"]}"#.into(),
        },
    ));
    let err = client
        .query("Tickets", &all_rows(), 10, ReadIntent::Explicit)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AutotaskError::Api {
            status: 500,
            messages: vec!["Unable to find projectID in the Ticket Entity".into()]
        }
    );
    assert_eq!(
        sandbox.stats().count(Some("POST"), "/v1.0/tickets/query"),
        1
    );
    // The sandbox's own validation error (an unknown field) is not retried either.
    let before = sandbox.stats().count(Some("POST"), "/v1.0/tickets/query");
    let bad = serde_json::json!({"filter": [{"op": "eq", "field": "noSuchField", "value": 1}]});
    let err = client
        .query("Tickets", &bad, 10, ReadIntent::Explicit)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500), "{err}");
    assert_eq!(
        sandbox.stats().count(Some("POST"), "/v1.0/tickets/query"),
        before + 1
    );
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    // Prime the zone and the budget, so the timing below covers the query alone.
    let _ = some_ticket_id(&client).await;
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/tickets/query",
        1,
        too_many("1"),
    ));
    let started = Instant::now();
    let page = client
        .query("Tickets", &all_rows(), 5, ReadIntent::Explicit)
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(page.items.len(), 5);
    // The backoff is 5-10 ms here: only the Retry-After explains a wait of about a second.
    assert!(
        waited >= Duration::from_millis(950),
        "waited only {waited:?}"
    );
    assert_eq!(
        sandbox.stats().count(Some("POST"), "/v1.0/tickets/query"),
        3
    );
}

#[tokio::test]
async fn a_429_without_retry_after_backs_off_and_succeeds() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/companies/query",
        2,
        FaultResponse::Status {
            status: 429,
            headers: vec![],
            body: String::new(),
        },
    ));
    let page = client
        .query("Companies", &all_rows(), 3, ReadIntent::Explicit)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(
        sandbox.stats().count(Some("POST"), "/v1.0/companies/query"),
        3
    );
}

#[tokio::test]
async fn a_long_retry_after_becomes_a_rate_limited_error_without_waiting() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let _ = some_ticket_id(&client).await;
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/companies/query",
        1,
        too_many("120"),
    ));
    let started = Instant::now();
    let err = client
        .query("Companies", &all_rows(), 3, ReadIntent::Explicit)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AutotaskError::RateLimited {
            retry_after: Duration::from_secs(120)
        }
    );
    assert!(err.to_string().contains("retry in 120 s"), "{err}");
    assert_eq!(
        sandbox.stats().count(Some("POST"), "/v1.0/companies/query"),
        1
    );
    // It returned instead of blocking: far less than the 120 s asked (generous bound for a
    // loaded machine).
    assert!(started.elapsed() < Duration::from_secs(60));
    // An HTTP-date Retry-After beyond the cap is refused the same way.
    let later = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(600));
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/companies/query",
        1,
        too_many(&later),
    ));
    let err = client
        .query("Companies", &all_rows(), 3, ReadIntent::Explicit)
        .await
        .unwrap_err();
    match err {
        AutotaskError::RateLimited { retry_after } => {
            assert!(retry_after > Duration::from_secs(500), "{retry_after:?}")
        }
        other => panic!("expected a rate-limited error, got {other}"),
    }
}

#[tokio::test]
async fn a_read_that_times_out_is_not_retried() {
    let sandbox = sandbox().await;
    let client = impatient_client(&sandbox);
    sandbox.faults().push(
        FaultRule::new(
            Some("POST"),
            "/v1.0/companies/query",
            1,
            FaultResponse::Normal,
        )
        .with_delay(HELD),
    );
    let err = client
        .query("Companies", &all_rows(), 3, ReadIntent::Explicit)
        .await
        .unwrap_err();
    assert!(matches!(err, AutotaskError::Transport { .. }), "{err}");
    assert!(
        err.to_string().contains("AUTOTASK_REQUEST_TIMEOUT_SECS"),
        "{err}"
    );
    assert_eq!(
        sandbox.stats().count(Some("POST"), "/v1.0/companies/query"),
        1
    );
}

#[tokio::test]
async fn a_thread_limit_refusal_is_retried_whatever_its_status() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/companies/query",
        1,
        FaultResponse::Status {
            status: 500,
            headers: vec![],
            body: r#"{"errors":["Itgenatr005: Thread Threshold Exceeded - The Autotask API thread threshold of 3 threads has been exceeded."]}"#.into(),
        },
    ));
    let page = client
        .query("Companies", &all_rows(), 3, ReadIntent::Explicit)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(
        sandbox.stats().count(Some("POST"), "/v1.0/companies/query"),
        2
    );
    // A write refused that way was not applied: a rate-limited error, not "outcome unknown".
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/tickets",
        1,
        FaultResponse::Status {
            status: 500,
            headers: vec![],
            body: r#"{"errors":["Itgenatr005: Thread Threshold Exceeded"]}"#.into(),
        },
    ));
    let body = serde_json::json!({"companyID": 0, "title": "x", "status": 1, "priority": 2});
    let err = client.create("Tickets", &body).await.unwrap_err();
    assert!(matches!(err, AutotaskError::RateLimited { .. }), "{err}");
    assert_eq!(sandbox.stats().count(Some("POST"), "/v1.0/tickets"), 1);
}

#[tokio::test]
async fn the_hourly_limit_429_with_retry_after_is_waited_then_reported() {
    let sandbox = crate::client_support::sandbox_with(autotask_mcp::sandbox::SandboxOptions {
        retry_after_secs: Some(1),
        ..Default::default()
    })
    .await;
    sandbox.set_request_count(10_000);
    let client = client(&sandbox);
    let started = Instant::now();
    let err = client
        .count("Companies", &all_rows(), ReadIntent::Explicit)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AutotaskError::RateLimited {
            retry_after: Duration::from_secs(1)
        }
    );
    // Three attempts, two waits of a second each.
    assert_eq!(
        sandbox
            .stats()
            .count(Some("POST"), "/v1.0/companies/query/count"),
        3
    );
    // The governor's budget read got a 429 too, and was not retried.
    assert_eq!(
        sandbox.stats().count(Some("GET"), "thresholdinformation"),
        1
    );
    assert!(
        started.elapsed() >= Duration::from_millis(1_900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn dropped_connections_on_every_attempt_end_in_a_transport_error() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let _ = some_ticket_id(&client).await;
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/companies/query",
        3,
        FaultResponse::DropConnection,
    ));
    let err = client
        .query("Companies", &all_rows(), 3, ReadIntent::Explicit)
        .await
        .unwrap_err();
    assert!(matches!(err, AutotaskError::Transport { .. }), "{err}");
    assert!(err.to_string().ends_with("(3 attempts)"), "{err}");
    assert_eq!(
        sandbox.stats().count(Some("POST"), "/v1.0/companies/query"),
        3
    );
}
