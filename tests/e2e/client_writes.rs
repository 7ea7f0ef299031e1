//! Writes are sent exactly once: a 500, a timeout, a dropped connection or a 5xx without
//! Autotask's error shape is reported (as a business error or "outcome unknown"), never
//! repeated.

use std::time::Duration;

use crate::client_support::{HELD, all_rows, client, config, impatient_client, sandbox};
use autotask_mcp::autotask::{AutotaskClient, AutotaskError, ReadIntent, UpdateMethod};
use autotask_mcp::sandbox::{FaultResponse, FaultRule, Sandbox};
use serde_json::{Value, json};

async fn ticket_body(client: &AutotaskClient) -> Value {
    let companies = client
        .query("Companies", &all_rows(), 1, ReadIntent::Explicit)
        .await
        .unwrap();
    let company_id = companies.items[0]["id"].as_i64().unwrap();
    json!({"companyID": company_id, "title": "Printer on fire", "status": 1, "priority": 2})
}

fn ticket_posts(sandbox: &Sandbox) -> usize {
    // POST /V1.0/Tickets exactly (queries are POST …/Tickets/query).
    sandbox.stats().count(Some("POST"), "/v1.0/tickets")
        - sandbox.stats().count(Some("POST"), "/v1.0/tickets/query")
}

#[tokio::test]
async fn a_create_that_gets_a_business_500_is_sent_once_and_keeps_the_messages() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let body = ticket_body(&client).await;
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/tickets",
        1,
        FaultResponse::Status {
            status: 500,
            headers: vec![],
            body: r#"{"errors":["When assigning a Resource, you must assign both a assignedResourceID and assignedResourceRoleID."]}"#.into(),
        },
    ));
    let err = client.create("Tickets", &body).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert!(
        err.messages()[0].contains("assignedResourceRoleID"),
        "{err}"
    );
    assert_eq!(ticket_posts(&sandbox), 1, "a create is never repeated");
}

#[tokio::test]
async fn a_create_that_times_out_is_sent_once_and_reported_as_outcome_unknown() {
    let sandbox = sandbox().await;
    let body = ticket_body(&client(&sandbox)).await;
    let impatient = impatient_client(&sandbox);
    sandbox.faults().push(
        FaultRule::new(Some("POST"), "/v1.0/tickets", 1, FaultResponse::Normal).with_delay(HELD),
    );
    let err = impatient.create("Tickets", &body).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    let text = err.to_string();
    assert!(text.starts_with("outcome unknown"), "{text}");
    assert!(text.contains("check"), "{text}");
    assert_eq!(ticket_posts(&sandbox), 1, "a create is never repeated");
    // The client stays usable: the next create goes through.
    let id = impatient.create("Tickets", &body).await.unwrap();
    assert!(id > 0);
    assert_eq!(ticket_posts(&sandbox), 2);
}

#[tokio::test]
async fn a_create_whose_connection_drops_or_that_gets_a_gateway_error_is_not_repeated() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let body = ticket_body(&client).await;
    let faults = [
        FaultResponse::DropConnection,
        FaultResponse::Status {
            status: 503,
            headers: vec![],
            body: String::new(),
        },
        FaultResponse::Html { status: 502 },
        FaultResponse::Status {
            status: 500,
            headers: vec![],
            body: r#"{"Message":"An error has occurred."}"#.into(),
        },
        FaultResponse::TruncatedJson { status: 200 },
    ];
    for (i, fault) in faults.into_iter().enumerate() {
        sandbox.faults().push(FaultRule::new(
            Some("POST"),
            "/v1.0/tickets",
            1,
            fault.clone(),
        ));
        let err = client.create("Tickets", &body).await.unwrap_err();
        assert!(err.is_outcome_unknown(), "{fault:?}: {err}");
        assert_eq!(ticket_posts(&sandbox), i + 1, "{fault:?} was repeated");
    }
}

#[tokio::test]
async fn a_rate_limited_write_is_not_repeated_and_says_when_to_retry() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let body = ticket_body(&client).await;
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/tickets",
        1,
        FaultResponse::Status {
            status: 429,
            headers: vec![("Retry-After".into(), "1".into())],
            body: r#"{"errors":["busy"]}"#.into(),
        },
    ));
    let err = client.create("Tickets", &body).await.unwrap_err();
    assert_eq!(
        err,
        AutotaskError::RateLimited {
            retry_after: Duration::from_secs(1)
        }
    );
    assert_eq!(ticket_posts(&sandbox), 1);
}

#[tokio::test]
async fn updates_and_deletes_are_sent_once_too() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let body = ticket_body(&client).await;
    let id = client.create("Tickets", &body).await.unwrap();
    sandbox.faults().push(FaultRule::new(
        Some("PATCH"),
        "/v1.0/tickets",
        1,
        FaultResponse::Status {
            status: 504,
            headers: vec![],
            body: String::new(),
        },
    ));
    let err = client
        .update(
            "Tickets",
            &json!({"id": id, "title": "renamed"}),
            UpdateMethod::Patch,
        )
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(sandbox.stats().count(Some("PATCH"), "/v1.0/tickets"), 1);
    // Without a fault the update applies and answers the id.
    let updated = client
        .update(
            "Tickets",
            &json!({"id": id, "title": "renamed"}),
            UpdateMethod::Patch,
        )
        .await
        .unwrap();
    assert_eq!(updated, id);
    let ticket = client
        .get("Tickets", id, ReadIntent::Explicit)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ticket["title"], "renamed");

    let entries = client
        .query("TimeEntries", &all_rows(), 1, ReadIntent::Explicit)
        .await
        .unwrap();
    let entry = entries.items[0]["id"].as_i64().unwrap();
    sandbox.faults().push(FaultRule::new(
        Some("DELETE"),
        "/v1.0/timeentries",
        1,
        FaultResponse::DropConnection,
    ));
    let err = client.delete("TimeEntries", entry).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(
        sandbox.stats().count(Some("DELETE"), "/v1.0/timeentries"),
        1
    );
}

#[tokio::test]
async fn a_write_to_an_unreachable_server_says_nothing_was_sent() {
    let sandbox = sandbox().await;
    let mut config = config(&sandbox);
    // A port nobody listens on: the connection is refused before anything is sent.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    config.api_url = Some(format!("http://127.0.0.1:{port}/ATServicesRest/"));
    let client = AutotaskClient::new(config).unwrap();
    let err = client
        .create("Tickets", &json!({"title": "x"}))
        .await
        .unwrap_err();
    assert!(matches!(err, AutotaskError::Transport { .. }), "{err}");
    assert!(err.to_string().contains("nothing was changed"), "{err}");
}

#[tokio::test]
async fn writes_carry_the_impersonated_resource() {
    let sandbox = sandbox().await;
    let plain = client(&sandbox);
    let resources = plain
        .query("Resources", &all_rows(), 20, ReadIntent::Explicit)
        .await
        .unwrap();
    let resource = resources.items.last().unwrap()["id"].as_i64().unwrap();
    let mut config = config(&sandbox);
    config.impersonation_resource_id = Some(resource);
    let acting = AutotaskClient::new(config).unwrap();
    let body = ticket_body(&acting).await;
    let id = acting.create("Tickets", &body).await.unwrap();
    let ticket = acting
        .get("Tickets", id, ReadIntent::Explicit)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ticket["creatorResourceID"].as_i64(), Some(resource));
    // Without impersonation the creator is the API user, not that resource.
    let id = plain.create("Tickets", &body).await.unwrap();
    let ticket = plain
        .get("Tickets", id, ReadIntent::Explicit)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(ticket["creatorResourceID"].as_i64(), Some(resource));
}
