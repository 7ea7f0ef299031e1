//! Sandbox over real HTTP: the hourly threshold (429, optional Retry-After), latency tiers,
//! the per-(integration code, entity) thread limit with `Itgenatr005`, fault injection, and the
//! request statistics tests rely on.

use std::time::{Duration, Instant};

use crate::common::{Env, error_text};
use autotask_mcp::sandbox::{FaultResponse, FaultRule, SandboxOptions};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn the_hourly_threshold_refuses_with_429_and_counts_requests() {
    let env = Env::with(SandboxOptions {
        hourly_threshold: 100,
        ..SandboxOptions::default()
    })
    .await;
    env.sandbox.set_request_count(98);
    let t = env.get("ThresholdInformation").await;
    assert_eq!(t.body["externalRequestThreshold"], json!(100));
    assert_eq!(t.body["currentTimeframeRequestCount"], json!(99));
    assert_eq!(env.get("Tickets/10001").await.status, 200);
    let refused = env.get("Tickets/10001").await;
    assert_eq!(refused.status, 429);
    assert!(
        refused.headers.get("retry-after").is_none(),
        "no Retry-After unless configured"
    );
    assert!(!error_text(&refused).is_empty());
    // Zone lookup is not counted nor refused.
    let zone = env
        .http
        .get(format!("{}V1.0/zoneInformation", env.base))
        .query(&[("user", &env.creds.username)])
        .send()
        .await
        .unwrap();
    assert_eq!(zone.status().as_u16(), 200);
    env.sandbox.set_request_count(0);
    assert_eq!(env.get("Tickets/10001").await.status, 200);

    let env = Env::with(SandboxOptions {
        hourly_threshold: 10,
        retry_after_secs: Some(30),
        ..SandboxOptions::default()
    })
    .await;
    env.sandbox.set_request_count(10);
    let refused = env.get("Companies/0").await;
    assert_eq!(refused.status, 429);
    assert_eq!(
        refused
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("30")
    );
}

#[tokio::test]
async fn latency_tiers_slow_requests_down_past_half_the_threshold() {
    let env = Env::with(SandboxOptions {
        latency_tiers: true,
        hourly_threshold: 1000,
        ..SandboxOptions::default()
    })
    .await;
    env.sandbox.set_request_count(500);
    let started = Instant::now();
    assert_eq!(env.get("Companies/0").await.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    env.sandbox.set_request_count(800);
    let started = Instant::now();
    assert_eq!(env.get("Companies/0").await.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn more_than_three_concurrent_requests_per_entity_get_itgenatr005() {
    let env = Env::start().await;
    // Hold requests in flight long enough for all to overlap, even on a loaded machine.
    env.sandbox.faults().push(
        FaultRule::new(Some("GET"), "/Tickets/", 6, FaultResponse::Normal)
            .with_delay(Duration::from_secs(4)),
    );
    let paths: Vec<String> = (0..6).map(|i| format!("Tickets/{}", 10001 + i)).collect();
    let calls = paths.iter().map(|p| env.get(p));
    let answers = futures::future::join_all(calls).await;
    let ok = answers.iter().filter(|a| a.status == 200).count();
    let limited: Vec<_> = answers.iter().filter(|a| a.status == 429).collect();
    assert_eq!(ok + limited.len(), 6);
    assert!((1..=3).contains(&ok), "{ok} succeeded");
    assert!(!limited.is_empty());
    for a in &limited {
        assert!(error_text(a).contains("Itgenatr005"), "{}", a.text);
    }
    // Three held, plus at least one arriving over the limit (rejected ones leave at once).
    assert!(env.sandbox.stats().max_in_flight("tickets") >= 4);
    // Another entity, and another integration code, have their own slots.
    assert_eq!(env.get("Companies/0").await.status, 200);
    assert!(env.sandbox.stats().max_in_flight("Companies") >= 1);
}

#[tokio::test]
async fn the_thread_limit_status_is_configurable() {
    let env = Env::with(SandboxOptions {
        thread_limit: 1,
        thread_limit_status: 500,
        ..SandboxOptions::default()
    })
    .await;
    env.sandbox.faults().push(
        FaultRule::new(None, "/Companies/", 2, FaultResponse::Normal)
            .with_delay(Duration::from_secs(4)),
    );
    let (a, b) = tokio::join!(env.get("Companies/0"), env.get("Companies/1001"));
    let mut statuses = vec![a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, vec![200, 500]);
}

#[tokio::test]
async fn faults_script_the_next_matching_requests() {
    let env = Env::start().await;
    let faults = env.sandbox.faults();
    faults.push(FaultRule::new(
        Some("POST"),
        "/tickets/query",
        1,
        FaultResponse::Status {
            status: 429,
            headers: vec![("Retry-After".into(), "7".into())],
            body: r#"{"errors":["slow down"]}"#.into(),
        },
    ));
    let a = env.post("Tickets/query", json!({"maxRecords": 1})).await;
    assert_eq!(a.status, 429);
    assert_eq!(
        a.headers.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("7")
    );
    assert_eq!(error_text(&a), "slow down");
    // Used up: the next one is normal. A GET is not matched by a POST rule.
    faults.push(FaultRule::new(
        Some("POST"),
        "/Tickets/query",
        1,
        FaultResponse::Empty { status: 200 },
    ));
    assert_eq!(
        env.get_query("Tickets", &json!({"maxRecords": 1}))
            .await
            .status,
        200
    );
    let empty = env.post("Tickets/query", json!({"maxRecords": 1})).await;
    assert_eq!((empty.status, empty.text.as_str()), (200, ""));
    assert_eq!(
        env.post("Tickets/query", json!({"maxRecords": 1}))
            .await
            .body["pageDetails"]["count"],
        json!(1)
    );

    faults.push(FaultRule::new(
        None,
        "Companies/0",
        1,
        FaultResponse::TruncatedJson { status: 200 },
    ));
    let truncated = env.get("Companies/0").await;
    assert_eq!(truncated.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&truncated.text).is_err());
    assert!(truncated.text.starts_with('{'));

    faults.push(FaultRule::new(
        None,
        "Companies/0",
        1,
        FaultResponse::Html { status: 404 },
    ));
    let html = env.get("Companies/0").await;
    assert_eq!(html.status, 404);
    assert!(html.text.contains("<html"));
    assert!(
        html.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );

    faults.push(FaultRule::new(
        None,
        "Companies/0",
        1,
        FaultResponse::Status {
            status: 500,
            headers: vec![],
            body: "Internal Server Error".into(),
        },
    ));
    let not_json = env.get("Companies/0").await;
    assert_eq!(
        (not_json.status, not_json.text.as_str()),
        (500, "Internal Server Error")
    );

    faults.push(FaultRule::new(
        Some("GET"),
        "Companies/0",
        1,
        FaultResponse::DropConnection,
    ));
    let dropped = env
        .authed(Method::GET, &env.url("Companies/0"))
        .send()
        .await;
    let failed = match dropped {
        Err(_) => true,
        Ok(resp) => resp.bytes().await.is_err(),
    };
    assert!(failed, "a dropped connection is an error for the client");
    assert_eq!(
        env.get("Companies/0").await.status,
        200,
        "the sandbox keeps serving"
    );

    let delayed = Instant::now();
    faults.push(
        FaultRule::new(None, "Companies/0", 1, FaultResponse::Empty { status: 204 })
            .with_delay(Duration::from_millis(300)),
    );
    assert_eq!(env.get("Companies/0").await.status, 204);
    assert!(delayed.elapsed() >= Duration::from_millis(300));
    assert_eq!(faults.remaining(), 0);
}

#[tokio::test]
async fn stats_count_every_request_faulted_ones_included() {
    let env = Env::start().await;
    env.sandbox.faults().push(FaultRule::new(
        None,
        "Tickets/query",
        1,
        FaultResponse::Empty { status: 500 },
    ));
    env.post("Tickets/query", json!({})).await;
    env.post("tickets/QUERY", json!({})).await;
    env.get("Companies/0").await;
    env.call(Method::GET, "Nothing/here", None).await;
    let stats = env.sandbox.stats();
    assert_eq!(stats.total(), 4);
    assert_eq!(stats.count(Some("post"), "/TICKETS/query"), 2);
    assert_eq!(stats.count(None, "companies/0"), 1);
    assert_eq!(stats.count(Some("GET"), "tickets"), 0);
}

#[tokio::test]
async fn a_write_the_client_gave_up_on_still_happens() {
    let env = Env::start().await;
    env.sandbox.faults().push(
        FaultRule::new(Some("POST"), "/V1.0/Tickets", 1, FaultResponse::Normal)
            .with_delay(Duration::from_millis(4000)),
    );
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(1000))
        .build()
        .unwrap();
    let sent = impatient
        .post(env.url("Tickets"))
        .header("ApiIntegrationCode", &env.creds.integration_code)
        .header("UserName", &env.creds.username)
        .header("Secret", &env.creds.secret)
        .json(&json!({"companyID": 1001, "title": "Outcome unknown", "status": 1, "priority": 2}))
        .send()
        .await;
    let err = sent.expect_err("the client gives up before the held answer");
    assert!(err.is_timeout(), "{err}");
    // The sandbox finishes the write once its 4 s are over: poll for it (the sandbox announces
    // nothing), within a generous deadline.
    let query = json!({"filter": [{"op": "eq", "field": "title", "value": "Outcome unknown"}]});
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let found = loop {
        let a = env.post("Tickets/query/count", query.clone()).await;
        assert_eq!(a.status, 200, "{}", a.text);
        let found = a.body["queryCount"].as_i64().unwrap();
        if found > 0 || std::time::Instant::now() > deadline {
            break found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(found, 1, "the sandbox completed the write once");
    assert_eq!(
        env.sandbox.stats().count(Some("POST"), "/v1.0/tickets"),
        1 + env.sandbox.stats().count(Some("POST"), "/tickets/query")
    );
}
