//! Service calls over the sandbox's HTTP contract (issue 22): a technician's calls for a day
//! (found from the resource through `ServiceCallTicketResources` → `ServiceCallTickets` →
//! `ServiceCalls`), and scheduling a call for a ticket through the REST contract: the call
//! (`POST /ServiceCalls`), its ticket (`POST /ServiceCalls/{id}/Tickets`) and its technician
//! (`POST /ServiceCallTickets/{id}/Resources`), with the required fields, references and verbs
//! Autotask has; deleting a call takes its links with it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

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

fn ids(rows: &[Value], field: &str) -> Vec<i64> {
    let set: BTreeSet<i64> = rows.iter().filter_map(|r| r[field].as_i64()).collect();
    set.into_iter().collect()
}

fn at(offset_hours: i64) -> String {
    (anchor() + Duration::hours(offset_hours))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// A technician's service calls starting on the anchor's day, in three queries.
async fn calls_of(env: &Env, resource: i64) -> Vec<Value> {
    let people = query(
        env,
        "ServiceCallTicketResources",
        json!([{"op": "eq", "field": "resourceID", "value": resource}]),
    )
    .await;
    if people.is_empty() {
        return Vec::new();
    }
    let links = query(
        env,
        "ServiceCallTickets",
        json!([{"op": "in", "field": "id", "value": ids(&people, "serviceCallTicketID")}]),
    )
    .await;
    let day = anchor().date_naive();
    query(
        env,
        "ServiceCalls",
        json!([
            {"op": "in", "field": "id", "value": ids(&links, "serviceCallID")},
            {"op": "gte", "field": "startDateTime", "value": format!("{day}T00:00:00")},
            {"op": "lt", "field": "startDateTime", "value": format!("{}T00:00:00", day.succ_opt().unwrap())}
        ]),
    )
    .await
}

#[tokio::test]
async fn technicians_have_service_calls_today() {
    let env = Env::start().await;
    let mut busy = 0;
    for resource in 29682889..=29682900 {
        let calls = calls_of(&env, resource).await;
        if calls.is_empty() {
            continue;
        }
        busy += 1;
        for call in &calls {
            // Each call names its company, and its tickets are that company's.
            let links = items(
                &env.get(&format!("ServiceCalls/{}/Tickets", call["id"]))
                    .await
                    .body,
            );
            assert!(!links.is_empty());
            for link in links {
                let ticket = env
                    .item("Tickets", link["ticketID"].as_i64().unwrap())
                    .await;
                assert_eq!(ticket["companyID"], call["companyID"]);
            }
        }
    }
    assert!(busy >= 5, "{busy} technicians with calls today");
}

#[tokio::test]
async fn a_service_call_is_scheduled_for_a_ticket_through_the_rest_contract() {
    let env = Env::start().await;
    let ticket = env.item("Tickets", 11190).await;
    let company = ticket["companyID"].as_i64().unwrap();
    let technician = 29682893;
    let before = calls_of(&env, technician).await.len();

    // The call: company, start and end are required.
    let a = env
        .post(
            "ServiceCalls",
            json!({"companyID": company, "startDateTime": at(3)}),
        )
        .await;
    assert_eq!(a.status, 500);
    assert!(
        error_text(&a).contains("required field endDateTime"),
        "{}",
        a.text
    );
    let a = env
        .post(
            "ServiceCalls",
            json!({"companyID": company, "startDateTime": at(3), "endDateTime": at(5),
                   "duration": 2, "status": 2, "description": "Replace the toner"}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let call = a.body["itemId"].as_i64().unwrap();
    let created = env.item("ServiceCalls", call).await;
    assert!(created["createDateTime"].is_string());
    assert_eq!(
        created["creatorResourceID"],
        json!(autotask_mcp::sandbox::seed::API_USER_RESOURCE_ID)
    );

    // Its ticket, under the call only; the ticket must exist.
    assert_eq!(
        env.post(
            "ServiceCallTickets",
            json!({"serviceCallID": call, "ticketID": 11190})
        )
        .await
        .status,
        404
    );
    let a = env
        .post(
            &format!("ServiceCalls/{call}/Tickets"),
            json!({"ticketID": 99_999_999}),
        )
        .await;
    assert_eq!(a.status, 500);
    assert!(error_text(&a).contains("ticketID"), "{}", a.text);
    let a = env
        .post(
            &format!("ServiceCalls/{call}/Tickets"),
            json!({"ticketID": 11190}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let link = a.body["itemId"].as_i64().unwrap();
    assert_eq!(
        env.item("ServiceCallTickets", link).await["serviceCallID"],
        json!(call)
    );
    // Links are not updated, only created and deleted.
    assert_eq!(
        env.patch(
            &format!("ServiceCalls/{call}/Tickets"),
            json!({"id": link, "ticketID": 11191})
        )
        .await
        .status,
        405
    );

    // Its technician, under the link.
    let a = env
        .post(&format!("ServiceCallTickets/{link}/Resources"), json!({}))
        .await;
    assert_eq!(a.status, 500);
    assert!(
        error_text(&a).contains("required field resourceID"),
        "{}",
        a.text
    );
    let a = env
        .post(
            &format!("ServiceCallTickets/{link}/Resources"),
            json!({"resourceID": technician}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let person = a.body["itemId"].as_i64().unwrap();

    // The technician's day now has it.
    let calls = calls_of(&env, technician).await;
    assert_eq!(calls.len(), before + 1);
    assert!(calls.iter().any(|c| c["id"] == json!(call)));

    // Rescheduled by PATCH with the id in the body.
    let a = env
        .patch(
            "ServiceCalls",
            json!({"id": call, "startDateTime": at(4), "endDateTime": at(6)}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(
        env.item("ServiceCalls", call).await["startDateTime"],
        json!(format!("{}.000", at(4)))
    );

    // Deleted, with its ticket link and technician.
    let a = env.delete(&format!("ServiceCalls/{call}")).await;
    assert_eq!(a.status, 200, "{}", a.text);
    env.assert_missing("ServiceCalls", call).await;
    env.assert_missing("ServiceCallTickets", link).await;
    env.assert_missing("ServiceCallTicketResources", person)
        .await;
    assert_eq!(calls_of(&env, technician).await.len(), before);
}
