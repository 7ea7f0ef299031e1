//! Paging: `nextPageUrl` is followed by POST with the same body up to the caller's cap, and a
//! `nextPageUrl` on another origin is refused without sending anything there.

use std::collections::BTreeSet;

use crate::client_support::{all_rows, client, sandbox};
use autotask_mcp::autotask::{AutotaskError, ReadIntent};
use autotask_mcp::sandbox::{FaultResponse, FaultRule};
use serde_json::json;

fn ids(items: &[serde_json::Value]) -> Vec<i64> {
    items.iter().map(|t| t["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn paging_by_post_collects_all_1200_tickets() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let result = client
        .query("Tickets", &all_rows(), 5_000, ReadIntent::Explicit)
        .await
        .unwrap();
    assert!(!result.has_more);
    let ids = ids(&result.items);
    assert_eq!(ids.len(), 1_200);
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ascending and distinct"
    );
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 1_200);
    // 500 + 500 + 200: the first page and two next pages, all by POST.
    assert_eq!(
        sandbox.stats().count(Some("POST"), "/v1.0/tickets/query"),
        3
    );
    assert_eq!(
        sandbox
            .stats()
            .count(Some("POST"), "/v1.0/tickets/query/next"),
        2
    );
    assert_eq!(sandbox.stats().count(Some("GET"), "/v1.0/tickets/query"), 0);
}

#[tokio::test]
async fn the_cap_stops_paging_and_says_more_exist() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let small = client
        .query("Tickets", &all_rows(), 10, ReadIntent::Explicit)
        .await
        .unwrap();
    assert_eq!(small.items.len(), 10);
    assert!(small.has_more);
    assert_eq!(
        sandbox.stats().count(Some("POST"), "/v1.0/tickets/query"),
        1,
        "one small page"
    );

    let capped = client
        .query("Tickets", &all_rows(), 700, ReadIntent::Explicit)
        .await
        .unwrap();
    assert_eq!(capped.items.len(), 700);
    assert!(capped.has_more);
    let all = client
        .query("Tickets", &all_rows(), 1_200, ReadIntent::Explicit)
        .await
        .unwrap();
    assert_eq!(all.items.len(), 1_200);
    assert!(!all.has_more);
    // A caller's own maxRecords is kept: pages of 200.
    let mut query = all_rows();
    query["MaxRecords"] = json!(200);
    let before = sandbox.stats().count(Some("POST"), "/v1.0/tickets/query");
    let paged = client
        .query("Tickets", &query, 1_000, ReadIntent::Explicit)
        .await
        .unwrap();
    assert_eq!(paged.items.len(), 1_000);
    assert_eq!(
        sandbox.stats().count(Some("POST"), "/v1.0/tickets/query") - before,
        5
    );
}

#[tokio::test]
async fn a_foreign_origin_next_page_url_is_refused() {
    let sandbox = sandbox().await;
    // A second sandbox plays the foreign host: it must receive nothing.
    let foreign = crate::client_support::sandbox().await;
    let client = client(&sandbox);
    let next = format!(
        "{}V1.0/Tickets/query/next?paging=%7B%7D",
        foreign.base_url()
    );
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/tickets/query",
        1,
        FaultResponse::Status {
            status: 200,
            headers: vec![],
            body: json!({"items": [{"id": 1}], "pageDetails": {"count": 1, "requestCount": 500, "prevPageUrl": null, "nextPageUrl": next}}).to_string(),
        },
    ));
    let err = client
        .query("Tickets", &all_rows(), 5_000, ReadIntent::Explicit)
        .await
        .unwrap_err();
    assert!(matches!(err, AutotaskError::Refused { .. }), "{err}");
    assert!(
        err.to_string().contains("credentials are not sent there"),
        "{err}"
    );
    assert_eq!(
        foreign.stats().total(),
        0,
        "nothing was sent to the foreign origin"
    );
}

#[tokio::test]
async fn child_lists_are_read_by_get() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let tickets = client
        .query("Tickets", &all_rows(), 50, ReadIntent::Explicit)
        .await
        .unwrap();
    let mut seen_notes = 0;
    for ticket in &tickets.items {
        let id = ticket["id"].as_i64().unwrap();
        let notes = client
            .list(&format!("Tickets/{id}/Notes"), 1_000, ReadIntent::Explicit)
            .await
            .unwrap();
        assert!(!notes.has_more);
        assert!(
            notes
                .items
                .iter()
                .all(|n| n["ticketID"].as_i64() == Some(id))
        );
        seen_notes += notes.items.len();
    }
    assert!(
        seen_notes > 0,
        "the demo tenant has notes on its first tickets"
    );
    assert_eq!(sandbox.stats().count(Some("GET"), "/notes"), 50);
}
