//! A tenant whose API user's security level cannot reach some entities (issue 21 item 8):
//! every data route of a refused entity (root and parent-scoped; reads and writes) answers
//! Autotask's permission error with the configured status, its `entityInformation` shows no
//! access, its field metadata still answers, and every other entity is served as usual.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Env, error_text};
use autotask_mcp::sandbox::{PERMISSION_DENIED, Sandbox, SandboxOptions};
use serde_json::json;

#[tokio::test]
async fn a_restricted_security_level_cannot_read_resource_roles() {
    let env = Env::with(SandboxOptions::restricted_security_level()).await;
    let refused = [
        env.post(
            "ResourceRoles/query",
            json!({"filter": [{"op": "exist", "field": "id"}]}),
        )
        .await,
        env.get("ResourceRoles/query?search=%7B%7D").await,
        env.post("ResourceRoles/query/count", json!({})).await,
        env.get("ResourceRoles/1").await,
        env.get("Resources/29682889/Roles").await,
    ];
    for a in &refused {
        assert_eq!(a.status, 403, "{}", a.text);
        assert_eq!(error_text(a), PERMISSION_DENIED);
    }
    let info = env.get("ResourceRoles/entityInformation").await;
    assert_eq!(info.status, 200, "{}", info.text);
    for key in [
        "userAccessForQuery",
        "userAccessForCreate",
        "userAccessForUpdate",
        "userAccessForDelete",
    ] {
        assert_eq!(info.body["info"][key], json!(0), "{key}: {}", info.text);
    }
    let fields = env.get("ResourceRoles/entityInformation/fields").await;
    assert_eq!(fields.status, 200);
    assert!(!fields.body["fields"].as_array().unwrap().is_empty());
    let all = env.get("EntityInformation").await;
    let listed = all.body["entityDescriptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["info"]["name"] == "ResourceRole")
        .unwrap();
    assert_eq!(listed["info"]["userAccessForQuery"], json!(0));

    // The people themselves, and every other entity, are served.
    let people = env
        .post(
            "Resources/query",
            json!({"filter": [{"op": "eq", "field": "isActive", "value": true}]}),
        )
        .await;
    assert_eq!(people.status, 200, "{}", people.text);
    assert!(people.body["items"].as_array().unwrap().len() >= 15);
    let desk = env
        .post(
            "ResourceServiceDeskRoles/query",
            json!({"filter": [{"op": "eq", "field": "resourceID", "value": 29682889}]}),
        )
        .await;
    assert_eq!(desk.status, 200, "{}", desk.text);
    let info = env.get("Resources/entityInformation").await;
    assert_eq!(info.body["info"]["userAccessForQuery"], json!(1));
}

#[tokio::test]
async fn refused_entities_and_the_status_are_configurable() {
    let env = Env::with(SandboxOptions {
        refused_entities: vec!["contracts".into(), "ContractBlocks".into()],
        permission_denied_status: 500,
        ..SandboxOptions::default()
    })
    .await;
    for a in [
        env.post("Contracts/query", json!({})).await,
        env.get("Contracts/3001").await,
        env.patch("Contracts", json!({"id": 3001, "contractName": "x"}))
            .await,
        env.get("Contracts/3001/Blocks").await,
        env.post("ContractBlocks/query", json!({})).await,
    ] {
        assert_eq!(a.status, 500, "{}", a.text);
        assert_eq!(error_text(&a), PERMISSION_DENIED);
    }
    let tickets = env.post("Tickets/query/count", json!({})).await;
    assert_eq!(tickets.status, 200);
}

#[tokio::test]
async fn an_unknown_refused_entity_is_an_error_at_start() {
    let err = Sandbox::start(SandboxOptions {
        refused_entities: vec!["ResourceRolez".into()],
        ..SandboxOptions::default()
    })
    .await
    .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("`ResourceRolez`"), "{err}");
    let err = Sandbox::start(SandboxOptions {
        permission_denied_status: 404,
        ..SandboxOptions::default()
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("403 or 500"), "{err}");
}
