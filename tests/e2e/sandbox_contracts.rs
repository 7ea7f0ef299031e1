//! Contracts over the sandbox's HTTP contract (issue 22): the block hours bought, used and
//! left on a company's contracts, read through the child routes; contracts ending in the next
//! 30, 60 and 90 days; rates and services on their contracts; the children's verbs (created
//! and updated under `Contracts/{id}/…` only, never deleted) and required fields.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Env, error_text};
use autotask_mcp::sandbox::seed::anchor;
use chrono::Duration;
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

fn num(v: &Value, f: &str) -> f64 {
    v[f].as_f64().unwrap_or_else(|| panic!("{f} in {v}"))
}

fn day(offset: i64) -> String {
    (anchor() + Duration::days(offset))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

#[tokio::test]
async fn block_hours_bought_used_and_left_per_company() {
    let env = Env::start().await;
    let block_contracts = query(
        &env,
        "Contracts",
        json!([{"op": "eq", "field": "contractType", "value": 4}]),
    )
    .await;
    assert!(block_contracts.len() >= 8, "{}", block_contracts.len());
    let mut companies_with_use = 0;
    for contract in &block_contracts {
        let id = contract["id"].as_i64().unwrap();
        // The child route lists that contract's blocks and nothing else; the root query agrees.
        let listed = env.get(&format!("Contracts/{id}/Blocks")).await;
        assert_eq!(listed.status, 200, "{}", listed.text);
        let blocks = items(&listed.body);
        assert!(!blocks.is_empty(), "contract {id} has blocks");
        assert!(blocks.iter().all(|b| b["contractID"] == json!(id)));
        let queried = query(
            &env,
            "ContractBlocks",
            json!([{"op": "eq", "field": "contractID", "value": id}]),
        )
        .await;
        assert_eq!(queried, blocks);
        let bought: f64 = blocks.iter().map(|b| num(b, "hours")).sum();
        let used: f64 = blocks.iter().map(|b| num(b, "hoursApproved")).sum();
        assert!(bought - used > 0.0, "contract {id}: hours left");
        if used > 0.0 {
            companies_with_use += 1;
        }
        let factors = items(
            &env.get(&format!("Contracts/{id}/BlockHourFactors"))
                .await
                .body,
        );
        assert_eq!(factors.len(), 3, "a factor per technician role on {id}");
        let rates = items(&env.get(&format!("Contracts/{id}/Rates")).await.body);
        assert!(!rates.is_empty(), "rates on {id}");
    }
    assert!(
        companies_with_use >= 5,
        "{companies_with_use} contracts with hours used"
    );
    // A contract's used hours are its approved billable time, times each role's factor.
    let contract = block_contracts
        .iter()
        .find(|c| c["companyID"] == json!(1001))
        .unwrap();
    let id = contract["id"].as_i64().unwrap();
    let blocks = items(&env.get(&format!("Contracts/{id}/Blocks")).await.body);
    let used: f64 = blocks.iter().map(|b| num(b, "hoursApproved")).sum();
    let factors = items(
        &env.get(&format!("Contracts/{id}/BlockHourFactors"))
            .await
            .body,
    );
    let time = query(
        &env,
        "TimeEntries",
        json!([{"op": "eq", "field": "contractID", "value": id},
               {"op": "eq", "field": "isNonBillable", "value": false},
               {"op": "exist", "field": "billingApprovalDateTime"}]),
    )
    .await;
    assert!(!time.is_empty());
    let spent: f64 = time
        .iter()
        .map(|t| {
            let factor = factors
                .iter()
                .find(|f| f["roleID"] == t["roleID"])
                .map_or(1.0, |f| num(f, "blockHourMultiplier"));
            num(t, "hoursToBill") * factor
        })
        .sum();
    assert!(
        (spent - used).abs() < 0.01 * blocks.len() as f64,
        "{spent} vs {used}"
    );
}

#[tokio::test]
async fn contracts_ending_in_the_next_30_60_and_90_days() {
    let env = Env::start().await;
    let ending = |days: i64| {
        json!([
            {"op": "gte", "field": "endDate", "value": day(0)},
            {"op": "lte", "field": "endDate", "value": day(days)},
            {"op": "eq", "field": "status", "value": 1}
        ])
    };
    let in30 = query(&env, "Contracts", ending(30)).await;
    let in60 = query(&env, "Contracts", ending(60)).await;
    let in90 = query(&env, "Contracts", ending(90)).await;
    assert!(in30.len() >= 3, "{}", in30.len());
    assert!(in60.len() > in30.len() && in90.len() > in60.len());
    assert!(in90.len() >= 8);
    // Names and companies come with them.
    for c in &in90 {
        assert!(c["contractName"].as_str().is_some_and(|n| !n.is_empty()));
        let company = env
            .item("Companies", c["companyID"].as_i64().unwrap())
            .await;
        assert!(company["companyName"].is_string());
    }
    let expired = query(
        &env,
        "Contracts",
        json!([{"op": "lt", "field": "endDate", "value": day(0)}]),
    )
    .await;
    assert_eq!(expired.len(), 2);
}

#[tokio::test]
async fn recurring_contracts_bill_services_from_the_catalog() {
    let env = Env::start().await;
    let recurring = query(
        &env,
        "Contracts",
        json!([{"op": "eq", "field": "contractType", "value": 7}]),
    )
    .await;
    assert!(!recurring.is_empty());
    let id = recurring[0]["id"].as_i64().unwrap();
    let services = items(&env.get(&format!("Contracts/{id}/Services")).await.body);
    assert!(services.len() >= 2);
    for s in &services {
        let service = env.item("Services", s["serviceID"].as_i64().unwrap()).await;
        assert!(service["name"].is_string(), "{service}");
        assert!(num(s, "unitPrice") > 0.0);
    }
}

#[tokio::test]
async fn contract_children_are_written_under_their_contract_only() {
    let env = Env::start().await;
    let block = json!({"datePurchased": day(0), "startDate": day(0), "endDate": day(365),
                       "hours": 25, "hourlyRate": 90, "isPaid": false, "status": 1});
    // Root writes do not exist; the parent route creates, with the contract id from the URL.
    assert_eq!(env.post("ContractBlocks", block.clone()).await.status, 404);
    let a = env.post("Contracts/3001/Blocks", block.clone()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let id = a.body["itemId"].as_i64().unwrap();
    assert!(id > 3501);
    let created = env.item("ContractBlocks", id).await;
    assert_eq!(created["contractID"], json!(3001));
    assert_eq!(created["hours"], json!(25.0));
    let listed = items(&env.get("Contracts/3001/Blocks").await.body);
    assert!(listed.iter().any(|b| b["id"] == json!(id)));
    // Required fields (hours, hourlyRate, dates) are enforced.
    let mut missing = block.clone();
    missing.as_object_mut().unwrap().remove("hours");
    let a = env.post("Contracts/3001/Blocks", missing).await;
    assert_eq!(a.status, 500);
    assert!(
        error_text(&a).contains("required field hours"),
        "{}",
        a.text
    );
    // Updated under the contract; never deleted.
    let a = env
        .patch(
            "Contracts/3001/Blocks",
            json!({"id": id, "isPaid": true, "invoiceNumber": "INV-1"}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(env.item("ContractBlocks", id).await["isPaid"], json!(true));
    let a = env.delete(&format!("Contracts/3001/Blocks/{id}")).await;
    assert_eq!(a.status, 405, "{}", a.text);
    // A rate needs its role; an unknown role is refused.
    let a = env
        .post(
            "Contracts/3001/Rates",
            json!({"roleID": 424242, "contractHourlyRate": 99}),
        )
        .await;
    assert_eq!(a.status, 500);
    assert!(error_text(&a).contains("roleID"), "{}", a.text);
    let a = env
        .post(
            "Contracts/999999/Rates",
            json!({"roleID": 29683400, "contractHourlyRate": 99}),
        )
        .await;
    assert_eq!(a.status, 500, "a missing parent: {}", a.text);
    // A contract needs what Autotask requires.
    let a = env
        .post(
            "Contracts",
            json!({"companyID": 1001, "contractName": "New", "contractType": 1}),
        )
        .await;
    assert_eq!(a.status, 500);
    assert!(error_text(&a).contains("required field"), "{}", a.text);
    let a = env
        .post(
            "Contracts",
            json!({"companyID": 1001, "contractName": "New T&M", "contractType": 1, "status": 1,
                   "startDate": day(0), "endDate": day(365), "timeReportingRequiresStartAndStopTimes": 0}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
}
