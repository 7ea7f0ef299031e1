//! Zone detection: one `zoneInformation` lookup, cached; a 401 on a zone-relative call looks
//! the zone up exactly once more and retries once; a pinned zone is never looked up.

use crate::client_support::{all_rows, client, config, sandbox};
use autotask_mcp::autotask::{AutotaskClient, AutotaskError, ReadIntent};
use autotask_mcp::config::Credentials;
use autotask_mcp::sandbox::{FaultResponse, FaultRule};

fn unauthorized() -> FaultResponse {
    FaultResponse::Status {
        status: 401,
        headers: vec![],
        body: r#"{"Message":"Authorization has been denied for this request."}"#.into(),
    }
}

fn lookups(sandbox: &autotask_mcp::sandbox::Sandbox) -> usize {
    sandbox.stats().count(Some("GET"), "zoneinformation")
}

#[tokio::test]
async fn the_zone_is_detected_once_and_cached() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    assert_eq!(client.zone_base().await.unwrap(), sandbox.base_url());
    for _ in 0..3 {
        client
            .count("Companies", &all_rows(), ReadIntent::Explicit)
            .await
            .unwrap();
    }
    assert_eq!(lookups(&sandbox), 1);
    assert_eq!(client.zone_lookups(), 1);
}

#[tokio::test]
async fn concurrent_first_calls_share_one_lookup() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let query = all_rows();
    let calls = (0..8).map(|_| client.count("Companies", &query, ReadIntent::Explicit));
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(lookups(&sandbox), 1);
}

#[tokio::test]
async fn a_401_triggers_exactly_one_zone_relookup_and_the_call_succeeds() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    client
        .count("Companies", &all_rows(), ReadIntent::Explicit)
        .await
        .unwrap();
    let before = lookups(&sandbox);
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/tickets/query",
        1,
        unauthorized(),
    ));
    let page = client
        .query("Tickets", &all_rows(), 3, ReadIntent::Explicit)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(lookups(&sandbox), before + 1);
    assert_eq!(
        sandbox.stats().count(Some("POST"), "/v1.0/tickets/query"),
        2
    );
}

#[tokio::test]
async fn a_persistent_401_is_reported_after_one_relookup_not_looped() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    client
        .count("Companies", &all_rows(), ReadIntent::Explicit)
        .await
        .unwrap();
    let before = lookups(&sandbox);
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/tickets/query",
        5,
        unauthorized(),
    ));
    let err = client
        .query("Tickets", &all_rows(), 3, ReadIntent::Explicit)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(err.to_string().contains("AUTOTASK_SECRET"), "{err}");
    assert_eq!(lookups(&sandbox), before + 1);
    assert_eq!(
        sandbox.stats().count(Some("POST"), "/v1.0/tickets/query"),
        2
    );
}

#[tokio::test]
async fn a_wrong_secret_is_a_clear_401() {
    let sandbox = sandbox().await;
    let c = sandbox.credentials();
    let mut config = config(&sandbox);
    config.credentials = Credentials::new(&c.username, "not-the-secret", &c.integration_code);
    let client = AutotaskClient::new(config).unwrap();
    let err = client
        .count("Companies", &all_rows(), ReadIntent::Explicit)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401), "{err}");
    assert!(
        err.to_string()
            .contains("AUTOTASK_USERNAME and AUTOTASK_SECRET"),
        "{err}"
    );
    // The first 401 looked the zone up once more and found it unchanged: the next 401s cost
    // one request each, without a lookup or a retry.
    let looked_up = lookups(&sandbox);
    assert_eq!(looked_up, 2, "the first lookup and one re-lookup");
    let sent = sandbox
        .stats()
        .count(Some("POST"), "/v1.0/companies/query/count");
    for _ in 0..3 {
        let err = client
            .count("Companies", &all_rows(), ReadIntent::Explicit)
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(401), "{err}");
    }
    assert_eq!(lookups(&sandbox), looked_up);
    assert_eq!(
        sandbox
            .stats()
            .count(Some("POST"), "/v1.0/companies/query/count"),
        sent + 3
    );
}

#[tokio::test]
async fn an_unknown_user_fails_zone_detection_naming_the_variable() {
    let sandbox = sandbox().await;
    let c = sandbox.credentials();
    let mut config = config(&sandbox);
    config.credentials = Credentials::new("nobody@example.com", &c.secret, &c.integration_code);
    let client = AutotaskClient::new(config).unwrap();
    let err = client.zone_base().await.unwrap_err();
    assert_eq!(err.status(), Some(500), "{err}");
    assert!(err.to_string().contains("AUTOTASK_USERNAME"), "{err}");
    assert!(
        !err.to_string().contains("nobody@example.com"),
        "the username is redacted: {err}"
    );
}

#[tokio::test]
async fn a_pinned_zone_is_never_looked_up_even_after_a_401() {
    let sandbox = sandbox().await;
    let mut config = config(&sandbox);
    // Pinned with V1.0 and without the trailing slash: normalised by the config layer.
    config.api_url = Some(
        autotask_mcp::config::normalize_base_url(&format!("{}V1.0", sandbox.base_url())).unwrap(),
    );
    let client = AutotaskClient::new(config).unwrap();
    client
        .count("Companies", &all_rows(), ReadIntent::Explicit)
        .await
        .unwrap();
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/tickets/query",
        1,
        unauthorized(),
    ));
    let err = client
        .query("Tickets", &all_rows(), 3, ReadIntent::Explicit)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(lookups(&sandbox), 0);
}

#[tokio::test]
async fn a_write_that_gets_a_401_is_not_resent_but_the_zone_is_looked_up_again() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    client
        .count("Companies", &all_rows(), ReadIntent::Explicit)
        .await
        .unwrap();
    let before = lookups(&sandbox);
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/tickets",
        1,
        unauthorized(),
    ));
    let body = serde_json::json!({"companyID": 0, "title": "x", "status": 1, "priority": 2});
    let err = client.create("Tickets", &body).await.unwrap_err();
    assert!(
        matches!(err, AutotaskError::Api { status: 401, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    assert_eq!(sandbox.stats().count(Some("POST"), "/v1.0/tickets"), 1);
    assert_eq!(lookups(&sandbox), before + 1);
}

#[tokio::test]
async fn a_tenant_that_moved_zones_is_followed_after_one_401() {
    // Two sandboxes with the same seed and credentials (one tenant) play the old and the new
    // zone; the old one also answers zone lookups.
    let old_zone = sandbox().await;
    let new_zone = crate::client_support::sandbox_with(autotask_mcp::sandbox::SandboxOptions {
        credentials: Some(old_zone.credentials()),
        ..Default::default()
    })
    .await;
    let client = client(&old_zone);
    client
        .count("Companies", &all_rows(), ReadIntent::Explicit)
        .await
        .unwrap();
    // The tenant moves: the old zone rejects it, and zone detection names the new zone.
    old_zone
        .faults()
        .push(FaultRule::new(None, "/v1.0/tickets", 1, unauthorized()));
    old_zone.faults().push(FaultRule::new(
        Some("GET"),
        "zoneinformation",
        1,
        FaultResponse::Status {
            status: 200,
            headers: vec![],
            body: serde_json::json!({"zoneName": "Moved", "url": new_zone.base_url(), "ci": 1})
                .to_string(),
        },
    ));
    let page = client
        .query("Tickets", &all_rows(), 3, ReadIntent::Explicit)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(client.zone_base().await.unwrap(), new_zone.base_url());
    assert_eq!(
        old_zone.stats().count(Some("POST"), "/v1.0/tickets/query"),
        1
    );
    assert_eq!(
        new_zone.stats().count(Some("POST"), "/v1.0/tickets/query"),
        1
    );
    // From now on everything goes to the new zone.
    client
        .count("Companies", &all_rows(), ReadIntent::Explicit)
        .await
        .unwrap();
    assert_eq!(
        new_zone
            .stats()
            .count(Some("POST"), "/v1.0/companies/query/count"),
        1
    );
    assert_eq!(lookups(&old_zone), 2);
    assert_eq!(lookups(&new_zone), 0);
}
