//! Issue 14, timeline and people, end to end over MCP against the sandbox: one call gives a
//! ticket with its notes, time, attachments and status history in time order, who and when
//! on each, within the size budget (the newest kept whole: a unit test in `timeline.rs`); `search-resources` finds staff by
//! name and e-mail with roles and queues; `who-am-i` names the API user's resource and the
//! impersonated one; a name where a resource id goes is refused, naming search-resources.

use serde_json::json;

use crate::common::assert_every;
use crate::mcp_support::start;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_timeline_merges_its_children_in_time_order() {
    let h = start(&[], &[], false).await;
    let before = h.requests();
    let t = h.ok("get-ticket-timeline", json!({"id": 10001})).await;
    let requests = h.requests() - before;
    assert_eq!(t["ticket"]["id"], 10001);
    assert!(
        t["ticket"].get("company").is_some(),
        "names: {}",
        t["ticket"]
    );
    let entries = t["entries"].as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"attachment") && kinds.contains(&"history"),
        "{kinds:?}"
    );
    let notes = h
        .rest_query(
            "TicketNotes",
            json!([{"op": "eq", "field": "ticketID", "value": 10001}]),
        )
        .await;
    let times = h
        .rest_query(
            "TimeEntries",
            json!([{"op": "eq", "field": "ticketID", "value": 10001}]),
        )
        .await;
    let history = h
        .rest_query(
            "TicketHistory",
            json!([{"op": "eq", "field": "ticketID", "value": 10001}]),
        )
        .await;
    let actions: Vec<&str> = history
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.first(), Some(&"Created"), "{history:?}");
    assert_eq!(t["counts"]["TicketNotes"], json!(notes.len()));
    assert_eq!(t["counts"]["TimeEntries"], json!(times.len()));
    assert_eq!(t["counts"]["TicketHistory"], json!(history.len()));
    assert_eq!(entries.len(), notes.len() + times.len() + 2 + history.len());
    let at: Vec<&str> = entries.iter().map(|e| e["at"].as_str().unwrap()).collect();
    let mut sorted = at.clone();
    sorted.sort();
    assert_eq!(at, sorted, "oldest first");
    assert_every(entries, "timeline entries say who", |e| {
        e.get("who").is_some()
    });
    // Cold: the ticket and its four children, plus the tenant's metadata and the names once.
    assert!(requests <= 20, "{requests} requests");
    // Warm: the ticket and its four children only (one read each, sent together).
    let before = h.requests();
    let again = h.ok("get-ticket-timeline", json!({"id": 10001})).await;
    assert_eq!(again["entries"], t["entries"]);
    let warm = h.requests() - before;
    assert_eq!(
        warm, 5,
        "a warm timeline reads the ticket and its four children"
    );
    println!(
        "get-ticket-timeline: {} bytes, {requests} requests cold, {warm} warm",
        t.to_string().len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resources_are_found_by_name_and_email_and_who_am_i_names_both_users() {
    let h = start(
        &[],
        &[("AUTOTASK_IMPERSONATION_RESOURCE_ID", "29682887")],
        false,
    )
    .await;
    let found = h
        .ok("search-resources", json!({"name": "aiko tanaka"}))
        .await;
    assert_eq!(found["count"], 1, "{found}");
    let aiko = &found["resources"][0];
    assert_eq!(aiko["name"], "Aiko Tanaka");
    assert!(!aiko["roles"].as_array().unwrap().is_empty(), "{aiko}");
    assert!(!aiko["queues"].as_array().unwrap().is_empty(), "{aiko}");
    assert!(aiko["queues"][0].is_string(), "queue labels: {aiko}");
    println!("search-resources: {} bytes", found.to_string().len());
    let by_mail = h
        .ok("search-resources", json!({"email": "aiko.tanaka@"}))
        .await;
    assert_eq!(by_mail["resources"][0]["id"], aiko["id"]);

    let me = h.ok("who-am-i", json!({})).await;
    assert_eq!(me["apiUser"]["id"], 29_682_885, "{me}");
    assert_eq!(me["actingAs"]["id"], 29_682_887, "{me}");
    assert!(me.to_string().len() < 1_000);
    let creds = h.sandbox.credentials();
    assert!(
        !me.to_string().contains(&creds.username),
        "the user name is never shown"
    );
    println!("who-am-i: {} bytes", me.to_string().len());

    let err = h
        .err(
            "update-ticket",
            json!({"id": 10001, "assignedResourceID": "Aiko Tanaka", "assignedResourceRoleID": 1}),
        )
        .await;
    assert!(err.contains("search-resources"), "{err}");
}
