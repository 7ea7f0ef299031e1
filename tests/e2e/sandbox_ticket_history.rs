//! Ticket history over the sandbox's HTTP contract (issue 21 item 3): a create adds one
//! `Created` row, a change of status, queue or primary resource (resource + role) one `Edited`
//! row each, with who (`resourceID`: the impersonated resource, else the API user) and when;
//! untracked changes add none. TicketHistory is queried one ticket at a time (a single
//! `ticketID eq` filter), as Autotask requires; every seeded ticket has its `Created` row.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Env, error_text};
use autotask_mcp::sandbox::seed::API_USER_RESOURCE_ID;
use reqwest::Method;
use serde_json::{Value, json};

async fn history(env: &Env, ticket: i64) -> Vec<Value> {
    let a = env
        .post(
            "TicketHistory/query",
            json!({"filter": [{"op": "eq", "field": "ticketID", "value": ticket}]}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.body["items"].as_array().unwrap().clone()
}

async fn full_name(env: &Env, resource: i64) -> String {
    let r = env.item("Resources", resource).await;
    format!(
        "{} {}",
        r["firstName"].as_str().unwrap(),
        r["lastName"].as_str().unwrap()
    )
}

#[tokio::test]
async fn creation_and_reassignment_are_recorded_with_who_and_when() {
    let env = Env::start().await;
    let a = env
        .post(
            "Tickets",
            json!({"companyID": 1001, "title": "History test", "status": 1, "priority": 2,
                   "queueID": 29683482, "assignedResourceID": 29682889, "assignedResourceRoleID": 29683400}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let id = a.body["itemId"].as_i64().unwrap();
    let rows = history(&env, id).await;
    assert_eq!(
        rows.len(),
        1,
        "a create is one row, initial values untracked: {rows:?}"
    );
    assert_eq!(rows[0]["action"], "Created");
    assert_eq!(rows[0]["detail"], "Ticket Created");
    assert_eq!(rows[0]["resourceID"], json!(API_USER_RESOURCE_ID));
    let created = env.item("Tickets", id).await["createDate"].clone();
    assert_eq!(rows[0]["date"], created);

    // An impersonated technician reassigns the ticket, moves its queue and starts work.
    let l2 = 29682895;
    let l2_role = 29683401;
    let by = 29682890;
    let patch = env
        .authed(Method::PATCH, &env.url("Tickets"))
        .header("ImpersonationResourceId", by.to_string())
        .json(
            &json!({"id": id, "assignedResourceID": l2, "assignedResourceRoleID": l2_role,
                      "queueID": 29682969, "status": 8}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 200);
    let rows = history(&env, id).await;
    let new: Vec<&Value> = rows.iter().skip(1).collect();
    let details: Vec<&str> = new.iter().map(|r| r["detail"].as_str().unwrap()).collect();
    let from = full_name(&env, 29682889).await;
    let to = full_name(&env, l2).await;
    let role = |id: i64| {
        let env = &env;
        async move {
            env.item("Roles", id).await["name"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    assert_eq!(
        details,
        [
            "Status changed from New to In Progress".to_string(),
            "Queue changed from Triage to Level II Support".to_string(),
            format!(
                "Primary Resource changed from {from} ({}) to {to} ({})",
                role(29683400).await,
                role(l2_role).await
            ),
        ]
    );
    assert!(new.iter().all(|r| r["action"] == "Edited"), "{new:?}");
    assert!(new.iter().all(|r| r["resourceID"] == json!(by)), "{new:?}");
    let edited = env.item("Tickets", id).await["lastActivityDate"].clone();
    assert!(
        new.iter().all(|r| r["date"] == edited),
        "{new:?} at {edited}"
    );
    let ids: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

    // Unassigning is a change too; a change Autotask does not track here adds nothing.
    let a = env
        .patch(
            "Tickets",
            json!({"id": id, "assignedResourceID": null, "assignedResourceRoleID": null, "title": "Renamed"}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let rows = history(&env, id).await;
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert_eq!(
        rows[4]["detail"],
        json!(format!(
            "Primary Resource changed from {to} ({}) to none",
            role(l2_role).await
        ))
    );
    assert_eq!(rows[4]["resourceID"], json!(API_USER_RESOURCE_ID));
    let a = env
        .patch("Tickets", json!({"id": id, "title": "Again"}))
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(history(&env, id).await.len(), 5);
}

#[tokio::test]
async fn history_is_read_one_ticket_at_a_time() {
    let env = Env::start().await;
    for filter in [
        json!([]),
        json!([{"op": "in", "field": "ticketID", "value": [10001, 10002]}]),
        json!([{"op": "gt", "field": "ticketID", "value": 10001}]),
        json!([{"op": "eq", "field": "ticketID", "value": 10001}, {"op": "exist", "field": "ticketID"}]),
    ] {
        let a = env
            .post("TicketHistory/query", json!({ "filter": filter }))
            .await;
        assert_eq!(a.status, 500, "{filter}: {}", a.text);
        assert!(error_text(&a).contains("one ticket"), "{}", a.text);
    }
    let a = env
        .post(
            "TicketHistory/query",
            json!({"filter": [{"op": "eq", "field": "action", "value": "Created"}]}),
        )
        .await;
    assert_eq!(a.status, 500);
    assert!(error_text(&a).contains("cannot be queried"), "{}", a.text);
    let a = env
        .post(
            "TicketHistory/query/count",
            json!({"filter": [{"op": "eq", "field": "ticketID", "value": 10001}]}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.body["queryCount"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn seeded_tickets_carry_their_history() {
    let env = Env::start().await;
    for ticket in [10001, 10600, 11200] {
        let t = env.item("Tickets", ticket).await;
        let rows = history(&env, ticket).await;
        assert_eq!(rows[0]["action"], "Created", "{ticket}: {rows:?}");
        assert_eq!(rows[0]["date"], t["createDate"]);
        assert_eq!(rows[0]["resourceID"], t["creatorResourceID"]);
        let assigned = !t["assignedResourceID"].is_null();
        let assignment = rows.iter().find(|r| {
            r["detail"]
                .as_str()
                .unwrap()
                .starts_with("Primary Resource changed from none to ")
        });
        assert_eq!(assignment.is_some(), assigned, "{ticket}: {rows:?}");
        let status_rows = rows
            .iter()
            .filter(|r| r["detail"].as_str().unwrap().starts_with("Status changed"))
            .count();
        assert_eq!(
            status_rows,
            usize::from(t["status"] != json!(1)),
            "{rows:?}"
        );
        let dates: Vec<&str> = rows.iter().map(|r| r["date"].as_str().unwrap()).collect();
        assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
    }
}
