//! The tenant caches load once for concurrent callers (issue 18, item 6): two cold calls started
//! together cost the tenant one request, not one each, and the call that waited counts a cache
//! hit and no request of its own.
//!
//! "Together" is `tokio::join!`: it polls the first call until it waits on the network (its
//! read is in flight and cannot finish before it is polled again), then the second, so both
//! miss the cache before either can fill it; no timing is involved. A cache that loads per
//! caller sends two requests here every time.

use std::collections::BTreeSet;
use std::sync::Arc;

use autotask_mcp::autotask::scope::{CallScope, within};
use autotask_mcp::autotask::{AutotaskClient, ReadIntent};
use autotask_mcp::completions::Completer;
use autotask_mcp::registry;
use autotask_mcp::sandbox::Sandbox;
use autotask_mcp::tools::facts::naming::name_fields;
use autotask_mcp::tools::tenant::names::{DEFAULT_TTL as NAMES_TTL, NameCache};
use autotask_mcp::tools::tenant::picklists::{DEFAULT_TTL as PICKLISTS_TTL, PicklistCache};
use autotask_mcp::tools::{Context, Settings};
use serde_json::{Value, json};

use crate::client_support::{all_rows, client, sandbox};
use crate::mcp_support::{items, start};

/// A client whose zone and budget are already known, and a sandbox that has seen nothing
/// since, so only the cache's reads count.
async fn warm() -> (Sandbox, AutotaskClient) {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    client
        .query("Companies", &all_rows(), 1, ReadIntent::Explicit)
        .await
        .unwrap();
    client.threshold().await.unwrap();
    sandbox.stats().reset();
    (sandbox, client)
}

fn field_reads(sandbox: &Sandbox, entity: &str, what: &str) -> usize {
    sandbox
        .stats()
        .count(Some("GET"), &format!("/{entity}/entityinformation/{what}"))
}

/// `in` queries and searches of `entity` (counts excluded).
fn queries(sandbox: &Sandbox, entity: &str) -> usize {
    let stats = sandbox.stats();
    let path = format!("/v1.0/{entity}/query");
    stats.count(Some("POST"), &path) - stats.count(Some("POST"), &format!("{path}/count"))
}

#[tokio::test]
async fn two_cold_picklist_reads_send_one_request() {
    let (sandbox, client) = warm().await;
    let cache = PicklistCache::new(client, PICKLISTS_TTL);
    let (first, second) = (CallScope::new(None), CallScope::new(None));
    let (a, b) = tokio::join!(
        within(first.clone(), cache.get("Tickets", ReadIntent::Background)),
        within(second.clone(), cache.get("Tickets", ReadIntent::Explicit)),
    );
    assert_eq!(field_reads(&sandbox, "tickets", "fields"), 1);
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(Arc::ptr_eq(&a, &b), "both calls get the one read's lists");
    assert!(
        a.field("status").is_some_and(|s| !s.values.is_empty()),
        "the lists hold the ticket statuses"
    );
    assert_eq!(first.requests(), 1, "the first call read the lists");
    assert_eq!(first.cache_hits(), 0);
    assert_eq!(second.requests(), 0, "the second call waited for that read");
    assert_eq!(second.cache_hits(), 1);

    // The same for the UDF definitions, which are cached apart from the picklists.
    let (a, b) = tokio::join!(
        cache.udfs("Tickets", ReadIntent::Background),
        cache.udfs("Tickets", ReadIntent::Background),
    );
    assert_eq!(field_reads(&sandbox, "tickets", "userdefinedfields"), 1);
    assert!(Arc::ptr_eq(&a.unwrap(), &b.unwrap()));

    // A later call within the time-to-live: no request, one cache hit.
    let later = CallScope::new(None);
    within(later.clone(), cache.get("Tickets", ReadIntent::Explicit))
        .await
        .unwrap();
    assert_eq!(field_reads(&sandbox, "tickets", "fields"), 1);
    assert_eq!((later.requests(), later.cache_hits()), (0, 1));
}

#[tokio::test]
async fn a_failed_picklist_read_is_shared_but_not_cached() {
    use autotask_mcp::sandbox::{FaultResponse, FaultRule};
    let (sandbox, client) = warm().await;
    let cache = PicklistCache::new(client, PICKLISTS_TTL);
    // Every retry of the one read fails (reads are retried on 5xx).
    sandbox.faults().push(FaultRule::new(
        Some("GET"),
        "/entityInformation/fields",
        100,
        FaultResponse::Empty { status: 400 },
    ));
    let (a, b) = tokio::join!(
        cache.get("Companies", ReadIntent::Background),
        cache.get("Companies", ReadIntent::Background),
    );
    assert!(a.is_err() && b.is_err(), "{a:?} {b:?}");
    let failed = field_reads(&sandbox, "companies", "fields");
    assert_eq!(failed, 1, "the waiting call shares the failed read");
    sandbox.faults().clear();
    let lists = cache
        .get("Companies", ReadIntent::Background)
        .await
        .unwrap();
    assert!(!lists.names().is_empty());
    assert_eq!(
        field_reads(&sandbox, "companies", "fields"),
        failed + 1,
        "the failure was not cached: the next call reads again"
    );
}

/// Two pages of tickets naming the same companies, contacts and resources, looked up together.
#[tokio::test]
async fn two_pages_naming_the_same_records_send_one_query_per_entity() {
    let (sandbox, client) = warm().await;
    let tickets = registry::find("Tickets").unwrap();
    let page = client
        .query("Tickets", &all_rows(), 20, ReadIntent::Explicit)
        .await
        .unwrap()
        .items;
    assert_eq!(page.len(), 20);
    let reversed: Vec<Value> = page.iter().rev().cloned().collect();
    sandbox.stats().reset();

    let names = NameCache::new(client.clone(), NAMES_TTL);
    let (first, second) = (CallScope::new(None), CallScope::new(None));
    let ((a, a_note), (b, b_note)) = tokio::join!(
        within(first.clone(), names.for_records(tickets, &page)),
        within(second.clone(), names.for_records(tickets, &reversed)),
    );
    assert_eq!((a_note, b_note), (None, None));
    assert_eq!(a, b, "both pages get the same names");
    let companies = &a["Companies"];
    let wanted: BTreeSet<i64> = page
        .iter()
        .filter_map(|t| t["companyID"].as_i64())
        .collect();
    assert!(!wanted.is_empty());
    for id in &wanted {
        let row = client
            .get("Companies", *id, ReadIntent::Explicit)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            companies.get(id).map(String::as_str),
            row["companyName"].as_str()
        );
    }
    assert_eq!(
        queries(&sandbox, "Companies"),
        1,
        "one `in` query for both pages"
    );
    let named: Vec<&str> = a
        .keys()
        .copied()
        .filter(|e| name_fields(e).is_some())
        .collect();
    assert!(named.len() >= 2, "tickets name more than companies: {a:?}");
    for entity in &named {
        assert_eq!(
            queries(&sandbox, entity),
            1,
            "{entity}: one `in` query for both pages"
        );
    }
    assert_eq!(first.requests(), named.len() as u64);
    assert_eq!(second.requests(), 0, "the second page waited for the first");
    assert!(second.cache_hits() >= wanted.len() as u64);
}

#[tokio::test]
async fn two_completions_of_one_prefix_send_one_query() {
    let (sandbox, client) = warm().await;
    let companies = client
        .query("Companies", &all_rows(), 5, ReadIntent::Explicit)
        .await
        .unwrap()
        .items;
    let name = companies[1]["companyName"].as_str().unwrap().to_string();
    let prefix: String = name.chars().take(2).collect();
    sandbox.stats().reset();

    let ctx = Context::new(client, Settings::new(Vec::new(), true));
    let completer = Completer::default();
    let (a, b) = tokio::join!(
        completer.companies(&ctx, &prefix),
        completer.companies(&ctx, &prefix),
    );
    assert!(a.iter().any(|(_, n)| *n == name), "{a:?} lacks {name}");
    assert_eq!(a, b);
    assert_eq!(queries(&sandbox, "companies"), 1);
    // The same prefix again within the minute: no request.
    assert_eq!(completer.companies(&ctx, &prefix).await, a);
    assert_eq!(queries(&sandbox, "companies"), 1);
}

/// Through the real server: calls that arrive together share the picklist read. (Whether two
/// calls overlap depends on the server's scheduling; the tests above prove the waiting
/// itself. This one proves the server keeps one cache for all its calls.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tool_calls_read_the_ticket_picklists_once() {
    let h = start(&[], &[], false).await;
    // Warm the client (zone lookup, budget probe) with a call that needs no ticket picklist.
    h.ok("get-company", json!({"id": 0})).await;
    assert_eq!(field_reads(&h.sandbox, "tickets", "fields"), 0, "cold");
    let args = json!({"status": "New", "maxRecords": 3});
    let calls = (0..6).map(|_| h.ok("search-tickets", args.clone()));
    let results = futures::future::join_all(calls).await;
    for r in &results {
        let rows = items(r);
        assert!(!rows.is_empty(), "{r}");
    }
    assert_eq!(field_reads(&h.sandbox, "tickets", "fields"), 1);
}

#[tokio::test]
async fn names_and_completions_of_an_unreachable_tenant_stay_empty() {
    // A port nothing listens on: the caches give up with an error and keep nothing.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let sandbox = sandbox().await;
    let mut config = crate::client_support::config(&sandbox);
    config.api_url = Some(format!("http://127.0.0.1:{port}/ATServicesRest/"));
    config.max_read_attempts = 1;
    let client = AutotaskClient::new(config).unwrap();
    let ctx = Context::new(client.clone(), Settings::new(Vec::new(), true));
    assert!(Completer::default().companies(&ctx, "a").await.is_empty());
    let tickets = registry::find("Tickets").unwrap();
    let names = NameCache::new(client, NAMES_TTL);
    let (found, note) = names
        .for_records(tickets, &[json!({"id": 1, "companyID": 0})])
        .await;
    assert!(found.is_empty(), "{found:?}");
    assert!(note.is_some_and(|n| n.contains("Companies")));
}

#[tokio::test]
async fn concurrent_health_probes_share_one_threshold_read() {
    use autotask_mcp::transport::health::HealthSource;
    let (sandbox, client) = warm().await;
    let health = HealthSource::with_client(client, "sandbox");
    let (a, b) = tokio::join!(health.report(), health.report());
    for report in [&a, &b] {
        let autotask = report.autotask.as_ref().unwrap();
        assert_eq!(autotask.reachable, Some(true), "{report:?}");
        assert_eq!(autotask.budget.as_ref().map(|b| b.limit), Some(10_000));
    }
    assert_eq!(
        sandbox.stats().count(Some("GET"), "thresholdinformation"),
        1
    );
    // Fresh for a minute: the next probe reads nothing.
    health.report().await;
    assert_eq!(
        sandbox.stats().count(Some("GET"), "thresholdinformation"),
        1
    );
}
