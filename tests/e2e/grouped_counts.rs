//! `count-entity` with `groupBy` over the MCP client against the sandbox: counts per value that
//! add up to the total and agree with Autotask's own counts, labels for picklist codes, names
//! for references, the cheaper of the two methods (a count per picklist value, or pages of id
//! and field), the cost said, and bad group fields refused before anything is sent.

use crate::mcp_support::start;
use serde_json::{Value, json};

fn groups(v: &Value) -> Vec<Value> {
    v["groups"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no groups: {v}"))
}

fn sum(v: &Value) -> u64 {
    groups(v)
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .sum::<u64>()
        + v["otherGroups"]["count"].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_per_status_add_up_with_labels_in_few_requests() {
    let h = start(&[], &[], false).await;
    // Warm the picklists so the requests counted are the grouping's own.
    h.ok("describe-entity-fields", json!({"entity": "Tickets"}))
        .await;
    let before = h.requests();
    let out = h
        .ok(
            "count-entity",
            json!({"entity": "Tickets", "query": {"filter": []}, "groupBy": "status"}),
        )
        .await;
    let spent = h.requests() - before;
    let total = out["count"].as_u64().unwrap();
    assert_eq!(total, 1200);
    assert_eq!(sum(&out), total, "{out}");
    assert_eq!(out["groupBy"], "status");
    // 1,200 tickets fill 3 pages, fewer than the status values: one count + 3 pages.
    assert!(
        out["cost"].as_str().unwrap().contains("3 pages"),
        "{}",
        out["cost"]
    );
    assert_eq!(spent, 4, "one total count and three pages");
    let gs = groups(&out);
    assert!(gs.len() >= 3, "{out}");
    for g in &gs {
        let code = g["value"].as_i64().unwrap();
        assert!(g["label"].as_str().is_some_and(|l| !l.is_empty()), "{g}");
        let truth = h
            .rest_count(
                "Tickets",
                json!([{"op": "eq", "field": "status", "value": code}]),
            )
            .await;
        assert_eq!(g["count"].as_u64().unwrap(), truth, "status {code}");
    }
    // Sorted by count, largest first.
    let counts: Vec<u64> = gs.iter().map(|g| g["count"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_tickets_per_company_carry_company_names() {
    let h = start(&[], &[], false).await;
    let open = json!([{"op": "noteq", "field": "status", "value": 5}]);
    let out = h
        .ok(
            "count-entity",
            json!({"entity": "Tickets", "query": {"filter": open}, "groupBy": "companyid"}),
        )
        .await;
    assert_eq!(out["groupBy"], "companyID");
    assert_eq!(sum(&out), out["count"].as_u64().unwrap());
    assert_eq!(
        out["count"].as_u64().unwrap(),
        h.rest_count("Tickets", open.clone()).await
    );
    let top = &groups(&out)[0];
    let id = top["value"].as_i64().unwrap();
    let company = h.rest_get(&format!("Companies/{id}")).await;
    assert_eq!(top["name"], company["companyName"], "{top}");
    let mine = h
        .rest_count(
            "Tickets",
            json!([{"op": "noteq", "field": "status", "value": 5},
                   {"op": "eq", "field": "companyID", "value": id}]),
        )
        .await;
    assert_eq!(top["count"].as_u64().unwrap(), mine);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_picklist_over_many_rows_is_counted_value_by_value() {
    let h = start(&[], &[], false).await;
    // Warm the picklists so the requests counted are the grouping's own.
    h.ok("describe-entity-fields", json!({"entity": "Tickets"}))
        .await;
    let before = h.requests();
    let out = h
        .ok(
            "count-entity",
            json!({"entity": "Tickets", "query": {"filter": []}, "groupBy": "serviceLevelAgreementID"}),
        )
        .await;
    let spent = h.requests() - before;
    let cost = out["cost"].as_str().unwrap();
    let values = cost
        .strip_prefix("a count per serviceLevelAgreementID value: ")
        .and_then(|c| c.strip_suffix(" requests"))
        .unwrap_or_else(|| panic!("not counted per value: {cost}"))
        .parse::<usize>()
        .unwrap();
    assert!(values < 3, "{values} values should be fewer than 3 pages");
    assert_eq!(spent, 1 + values, "one total count and one per value");
    assert_eq!(sum(&out), 1200);
    for g in groups(&out) {
        assert!(g["label"].is_string(), "{g}");
        if let Some(code) = g["value"].as_i64() {
            let truth = h
                .rest_count(
                    "Tickets",
                    json!([{"op": "eq", "field": "serviceLevelAgreementID", "value": code}]),
                )
                .await;
            assert_eq!(g["count"].as_u64().unwrap(), truth, "SLA {code}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_group_fields_are_refused_before_sending() {
    let h = start(&[], &[], false).await;
    let before = h.requests();
    let err = h
        .err(
            "count-entity",
            json!({"entity": "Tickets", "query": {"filter": []}, "groupBy": "stauts"}),
        )
        .await;
    assert!(err.contains("groupBy"), "{err}");
    assert!(err.contains("status"), "suggests the field: {err}");
    assert_eq!(h.requests(), before, "nothing sent");
}
