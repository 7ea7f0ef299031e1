//! Assigning a ticket with a resource only: the resource's default service-desk role is
//! filled in (as Autotask's own screens do) and the answer says so; a resource without a
//! service-desk role is refused before anything is written.

use crate::mcp_support::{Harness, start};
use serde_json::json;

/// The id of the resource with this first name.
async fn resource(h: &Harness, first_name: &str) -> i64 {
    h.rest_query(
        "Resources",
        json!([{"op": "eq", "field": "firstName", "value": first_name}]),
    )
    .await[0]["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_alone_gets_its_default_service_desk_role() {
    let h = start(&[], &[], false).await;
    let resource = resource(&h, "Hana").await;
    let desk = h
        .rest_query(
            "ResourceServiceDeskRoles",
            json!([{"op": "eq", "field": "resourceID", "value": resource}]),
        )
        .await;
    assert!(
        desk.len() >= 2,
        "Hana holds two service-desk roles: {desk:?}"
    );
    let default = desk.iter().find(|r| r["isDefault"] == true).unwrap()["roleID"]
        .as_i64()
        .unwrap();
    let out = h
        .ok(
            "update-ticket",
            json!({"id": 10007, "assignedResourceID": resource, "confirm": "UPDATE_TICKET"}),
        )
        .await;
    let stored = h.rest_get("Tickets/10007").await;
    assert_eq!(stored["assignedResourceID"], resource);
    assert_eq!(stored["assignedResourceRoleID"], default);
    assert!(
        out.to_string().contains("default service-desk role"),
        "the answer says the role was filled in: {out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_without_a_service_desk_role_is_refused_before_writing() {
    let h = start(&[], &[], false).await;
    let resource = resource(&h, "Dana").await;
    let writes = h.writes();
    let err = h
        .err(
            "update-ticket",
            json!({"id": 10007, "assignedResourceID": resource, "confirm": "UPDATE_TICKET"}),
        )
        .await;
    assert!(err.contains("no active service-desk role"), "{err}");
    assert!(err.contains("Nothing was sent"), "{err}");
    assert_eq!(h.writes(), writes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_logged_without_a_role_goes_under_the_default_service_desk_role() {
    let h = start(&[], &[], false).await;
    let resource = resource(&h, "Hana").await;
    let default = h
        .rest_query(
            "ResourceServiceDeskRoles",
            json!([{"op": "eq", "field": "resourceID", "value": resource},
                   {"op": "eq", "field": "isDefault", "value": true}]),
        )
        .await[0]["roleID"]
        .as_i64()
        .unwrap();
    let out = h
        .ok(
            "create-time-entry",
            json!({"ticketID": 10007, "resourceID": resource, "hoursWorked": 0.5,
                   "summaryNotes": "Checked the backups", "confirm": "CREATE_TIME_ENTRY"}),
        )
        .await;
    let id = out["id"].as_i64().unwrap_or_else(|| panic!("{out}"));
    let stored = h.rest_get(&format!("TimeEntries/{id}")).await;
    assert_eq!(stored["roleID"], default);
    assert!(
        out.to_string().contains("default service-desk role"),
        "{out}"
    );
}
