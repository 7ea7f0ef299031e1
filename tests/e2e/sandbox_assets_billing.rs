//! Configuration items, billing and ticket picklists over the sandbox's HTTP contract
//! (issue 22): a company's items with warranties running out and the open tickets on one item;
//! products, types and categories behind the items; time not yet billed per company for a
//! period, in hours and (through the contract's or the role's rate) amount; posted billing
//! items, of which only `webServiceDate` can be updated; issue and sub-issue types, the
//! sub-issue list depending on the issue type.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use crate::common::{Env, error_text};
use autotask_mcp::sandbox::seed::anchor;
use chrono::{Datelike, Duration, TimeZone, Utc};
use serde_json::{Value, json};

fn items(body: &Value) -> Vec<Value> {
    body["items"].as_array().unwrap().clone()
}

async fn query(env: &Env, entity: &str, filter: Value) -> Vec<Value> {
    let a = env
        .post(&format!("{entity}/query"), json!({ "filter": filter }))
        .await;
    assert_eq!(a.status, 200, "{entity}: {}", a.text);
    items(&a.body)
}

fn day(offset: i64) -> String {
    (anchor() + Duration::days(offset))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

#[tokio::test]
async fn warranties_running_out_and_open_tickets_on_an_item() {
    let env = Env::start().await;
    let expiring = query(
        &env,
        "ConfigurationItems",
        json!([{"op": "eq", "field": "companyID", "value": 1001},
               {"op": "gte", "field": "warrantyExpirationDate", "value": day(0)},
               {"op": "lte", "field": "warrantyExpirationDate", "value": day(90)}]),
    )
    .await;
    assert!(expiring.len() >= 3, "{}", expiring.len());
    for ci in &expiring {
        assert!(ci["referenceTitle"].is_string());
        assert!(ci["installDate"].is_string());
        let kind = ci["configurationItemType"].as_i64().unwrap();
        let t = env.item("ConfigurationItemTypes", kind).await;
        assert!(t["name"].is_string(), "type {kind}");
        let c = env
            .item(
                "ConfigurationItemCategories",
                ci["configurationItemCategoryID"].as_i64().unwrap(),
            )
            .await;
        assert!(c["name"].is_string());
        let p = env
            .item("Products", ci["productID"].as_i64().unwrap())
            .await;
        assert!(p["name"].is_string());
    }
    // The items with open tickets, and one item's open tickets.
    let open = query(
        &env,
        "Tickets",
        json!([{"op": "exist", "field": "configurationItemID"},
               {"op": "noteq", "field": "status", "value": 5}]),
    )
    .await;
    assert!(open.len() >= 10, "{}", open.len());
    let mut per_item: BTreeMap<i64, usize> = BTreeMap::new();
    for t in &open {
        *per_item
            .entry(t["configurationItemID"].as_i64().unwrap())
            .or_default() += 1;
    }
    let (item, n) = per_item.iter().max_by_key(|(_, n)| **n).unwrap();
    let on_item = query(
        &env,
        "Tickets",
        json!([{"op": "eq", "field": "configurationItemID", "value": item},
               {"op": "noteq", "field": "status", "value": 5}]),
    )
    .await;
    assert_eq!(on_item.len(), *n);
    let ci = env.item("ConfigurationItems", *item).await;
    assert!(on_item.iter().all(|t| t["companyID"] == ci["companyID"]));
}

#[tokio::test]
async fn time_not_yet_billed_per_company_in_hours_and_amount() {
    let env = Env::start().await;
    let now = anchor();
    let last_month = Utc
        .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .unwrap()
        - Duration::days(1);
    let from = Utc
        .with_ymd_and_hms(last_month.year(), last_month.month(), 1, 0, 0, 0)
        .unwrap();
    let waiting = query(
        &env,
        "TimeEntries",
        json!([{"op": "gte", "field": "dateWorked", "value": from.format("%Y-%m-%dT%H:%M:%S").to_string()},
               {"op": "notExist", "field": "billingApprovalDateTime"},
               {"op": "eq", "field": "isNonBillable", "value": false}]),
    )
    .await;
    assert!(waiting.len() >= 50, "{}", waiting.len());
    // Per company: hours, and the amount at the contract's rate for the role, else the role's.
    let mut hours: BTreeMap<i64, f64> = BTreeMap::new();
    let mut amount: BTreeMap<i64, f64> = BTreeMap::new();
    let roles = query(&env, "Roles", json!([{"op": "exist", "field": "id"}])).await;
    let rates = query(
        &env,
        "ContractRates",
        json!([{"op": "exist", "field": "id"}]),
    )
    .await;
    for t in &waiting {
        let company = if let Some(ticket) = t["ticketID"].as_i64() {
            env.item("Tickets", ticket).await["companyID"]
                .as_i64()
                .unwrap()
        } else {
            let task = env.item("Tasks", t["taskID"].as_i64().unwrap()).await;
            env.item("Projects", task["projectID"].as_i64().unwrap())
                .await["companyID"]
                .as_i64()
                .unwrap()
        };
        let h = t["hoursToBill"].as_f64().unwrap();
        let rate = rates
            .iter()
            .find(|r| r["contractID"] == t["contractID"] && r["roleID"] == t["roleID"])
            .or_else(|| roles.iter().find(|r| r["id"] == t["roleID"]))
            .and_then(|r| {
                r["contractHourlyRate"]
                    .as_f64()
                    .or(r["hourlyRate"].as_f64())
            })
            .unwrap();
        *hours.entry(company).or_default() += h;
        *amount.entry(company).or_default() += h * rate;
    }
    assert!(
        hours.len() >= 20,
        "{} companies with unbilled time",
        hours.len()
    );
    assert!(amount.values().all(|a| *a > 0.0));
    // Last month's approved time is posted: billing items with amounts, some not invoiced yet.
    let posted = query(
        &env,
        "BillingItems",
        json!([{"op": "gte", "field": "itemDate", "value": from.format("%Y-%m-%dT%H:%M:%S").to_string()}]),
    )
    .await;
    assert!(!posted.is_empty());
    let not_invoiced: Vec<&Value> = posted.iter().filter(|b| b["invoiceID"].is_null()).collect();
    assert!(!not_invoiced.is_empty());
    for b in &posted {
        let t = env
            .item("TimeEntries", b["timeEntryID"].as_i64().unwrap())
            .await;
        assert!(t["billingApprovalDateTime"].is_string());
        let q = b["quantity"].as_f64().unwrap();
        let total = b["totalAmount"].as_f64().unwrap();
        if b["nonBillable"] == json!(0) {
            assert!(
                (total - q * b["rate"].as_f64().unwrap()).abs() < 0.01,
                "{b}"
            );
        } else {
            assert_eq!(total, 0.0);
        }
    }
}

#[tokio::test]
async fn billing_items_are_read_and_only_their_web_service_date_is_updated() {
    let env = Env::start().await;
    let item = env.item("BillingItems", 50001).await;
    assert!(item["totalAmount"].is_number());
    // No create, no delete.
    assert_eq!(
        env.post("BillingItems", json!({"companyID": 1001}))
            .await
            .status,
        405
    );
    assert_eq!(env.delete("BillingItems/50001").await.status, 405);
    // PATCH: webServiceDate is written, read-only fields are ignored.
    let a = env
        .patch(
            "BillingItems",
            json!({"id": 50001, "webServiceDate": day(0), "totalAmount": 1.0, "invoiceID": null}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let after = env.item("BillingItems", 50001).await;
    assert_eq!(after["webServiceDate"], json!(format!("{}.000", day(0))));
    assert_eq!(after["totalAmount"], item["totalAmount"]);
    assert_eq!(after["invoiceID"], item["invoiceID"]);
    // The line item descriptions cannot be queried.
    let a = env
        .post(
            "BillingItems/query",
            json!({"filter": [{"op": "contains", "field": "lineItemFullDescription", "value": "x"}]}),
        )
        .await;
    assert_eq!(a.status, 500);
    assert!(error_text(&a).contains("cannot be queried"), "{}", a.text);
}

#[tokio::test]
async fn sub_issue_types_depend_on_the_issue_type() {
    let env = Env::start().await;
    let meta = env.get("Tickets/entityInformation/fields").await;
    assert_eq!(meta.status, 200, "{}", meta.text);
    let fields = meta.body["fields"].as_array().unwrap().clone();
    let field = |name: &str| fields.iter().find(|f| f["name"] == name).unwrap().clone();
    let issue = field("issueType");
    let sub = field("subIssueType");
    assert_eq!(sub["picklistParentValueField"], json!("issueType"));
    let issues: Vec<String> = issue["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap().to_string())
        .collect();
    let subs = sub["picklistValues"].as_array().unwrap();
    assert!(!subs.is_empty());
    assert!(
        subs.iter()
            .all(|v| issues.contains(&v["parentValue"].as_str().unwrap().to_string()))
    );
    // Every issue type has its own sub-issue types.
    for parent in &issues {
        assert!(
            subs.iter().any(|v| v["parentValue"] == json!(parent)),
            "{parent}"
        );
    }
    // A ticket takes a sub-issue type of its issue type, and refuses one of another.
    let of = |parent: &str| {
        subs.iter()
            .find(|v| v["parentValue"] == json!(parent))
            .and_then(|v| v["value"].as_str())
            .unwrap()
            .parse::<i64>()
            .unwrap()
    };
    let (a_type, b_type) = (&issues[0], &issues[1]);
    let ok = env
        .patch(
            "Tickets",
            json!({"id": 10010, "issueType": a_type.parse::<i64>().unwrap(), "subIssueType": of(a_type)}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let t = env.item("Tickets", 10010).await;
    assert_eq!(t["subIssueType"], json!(of(a_type)));
    let bad = env
        .patch(
            "Tickets",
            json!({"id": 10010, "issueType": a_type.parse::<i64>().unwrap(), "subIssueType": of(b_type)}),
        )
        .await;
    assert_eq!(bad.status, 500);
    assert!(error_text(&bad).contains("subIssueType"), "{}", bad.text);
    assert_eq!(
        env.item("Tickets", 10010).await["subIssueType"],
        json!(of(a_type))
    );
}
