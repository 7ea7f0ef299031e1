//! Sandbox over real HTTP: creates, PATCH and PUT with the id in the body, child writes under
//! the parent route only, deletes where allowed, validation (required fields, picklists,
//! references, lengths, business rules), stamps and impersonation, immediate visibility.

use crate::common::{Env, assert_refused, error_text, items_of};
use serde_json::{Value, json};

fn new_ticket() -> Value {
    json!({"companyID": 1001, "title": "Sandbox test ticket", "status": 1, "priority": 2, "queueID": 29683482})
}

#[tokio::test]
async fn a_created_ticket_is_stamped_and_immediately_visible() {
    let env = Env::start().await;
    let a = env.post("Tickets", new_ticket()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let id = a.body["itemId"].as_i64().unwrap();
    assert_eq!(a.body, json!({"itemId": id}));
    assert!(id > 11200, "ids ascend after the seeded ones: {id}");
    let found = env
        .post(
            "Tickets/query",
            json!({"filter": [{"op": "eq", "field": "title", "value": "sandbox TEST ticket"}]}),
        )
        .await;
    assert_eq!(common_ids(&found.body), vec![id]);
    let t = env.item("Tickets", id).await;
    let number = t["ticketNumber"].as_str().unwrap();
    assert!(
        number.len() == "T20261125.0001".len() && number.starts_with('T'),
        "{number}"
    );
    assert!(t["createDate"].is_string());
    assert_eq!(
        t["creatorResourceID"],
        json!(autotask_mcp::sandbox::seed::API_USER_RESOURCE_ID)
    );
    assert_eq!(t["impersonatorCreatorResourceID"], Value::Null);
    assert!(t["lastActivityDate"].is_string());
    let second = env.post("Tickets", new_ticket()).await.body["itemId"]
        .as_i64()
        .unwrap();
    let n2 = env.item("Tickets", second).await["ticketNumber"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(n2, number);
}

fn common_ids(body: &Value) -> Vec<i64> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn validation_errors_are_autotask_500s() {
    let env = Env::start().await;
    let mut missing = new_ticket();
    missing.as_object_mut().unwrap().remove("title");
    let a = env.post("Tickets", missing).await;
    assert_eq!(a.status, 500);
    assert!(
        error_text(&a).contains("required field title"),
        "{}",
        a.text
    );
    let mut bad_status = new_ticket();
    bad_status["status"] = json!(99);
    let a = env.post("Tickets", bad_status).await;
    assert_eq!(a.status, 500);
    assert!(error_text(&a).contains("status"), "{}", a.text);
    let mut bad_company = new_ticket();
    bad_company["companyID"] = json!(424242);
    let a = env.post("Tickets", bad_company).await;
    assert_eq!(a.status, 500);
    assert!(error_text(&a).contains("424242"), "{}", a.text);
    let mut too_long = new_ticket();
    too_long["title"] = json!("x".repeat(256));
    let a = env.post("Tickets", too_long).await;
    assert_eq!(a.status, 500);
    assert!(
        error_text(&a).starts_with("String value exceeds maximum length (field:title)"),
        "{}",
        a.text
    );
    let mut half_assigned = new_ticket();
    half_assigned["assignedResourceID"] = json!(29682889);
    let a = env.post("Tickets", half_assigned).await;
    assert_eq!(a.status, 500);
    assert_eq!(
        error_text(&a),
        "When assigning a Resource, you must assign both a assignedResourceID and assignedResourceRoleID."
    );
    // Sub-issue types depend on the issue type.
    let mut wrong_sub = new_ticket();
    wrong_sub["issueType"] = json!(1);
    wrong_sub["subIssueType"] = json!(41);
    assert_refused(
        &env.post("Tickets", wrong_sub).await,
        "Invalid picklist value 41 for field subIssueType of the Ticket Entity for issueType 1.",
    );
    let mut right_sub = new_ticket();
    right_sub["issueType"] = json!(4);
    right_sub["subIssueType"] = json!(41);
    let a = env.post("Tickets", right_sub).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let not_json = env
        .http
        .post(env.url("Tickets"))
        .header("ApiIntegrationCode", &env.creds.integration_code)
        .header("UserName", &env.creds.username)
        .header("Secret", &env.creds.secret)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_refused(
        &crate::common::answer(not_json).await,
        "The request body is not valid JSON",
    );
}

#[tokio::test]
async fn a_valid_assignment_needs_a_service_desk_role_of_that_resource() {
    let env = Env::start().await;
    let pairs = items_of(
        &env.post(
            "ResourceServiceDeskRoles/query",
            json!({"filter": [{"op": "exist", "field": "id"}]}),
        )
        .await,
    );
    let pair = &pairs[0];
    let (resource, role) = (pair["resourceID"].clone(), pair["roleID"].clone());
    assert!(resource.is_i64() && role.is_i64(), "{pair}");
    let mut ok = new_ticket();
    ok["assignedResourceID"] = resource.clone();
    ok["assignedResourceRoleID"] = role.clone();
    let a = env.post("Tickets", ok).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let stored = env
        .item("Tickets", a.body["itemId"].as_i64().unwrap())
        .await;
    assert_eq!(
        (
            &stored["assignedResourceID"],
            &stored["assignedResourceRoleID"]
        ),
        (&resource, &role)
    );
    // A service desk role that exists (another resource holds it) but not for this resource.
    let held: Vec<&Value> = pairs
        .iter()
        .filter(|p| p["resourceID"] == resource)
        .map(|p| &p["roleID"])
        .collect();
    let other_role = pairs
        .iter()
        .map(|p| &p["roleID"])
        .find(|r| !held.contains(r))
        .expect("a service desk role this resource does not hold")
        .clone();
    let mut wrong_role = new_ticket();
    wrong_role["assignedResourceID"] = resource.clone();
    wrong_role["assignedResourceRoleID"] = other_role.clone();
    let refused = env.post("Tickets", wrong_role).await;
    assert_eq!(refused.status, 500, "{}", refused.text);
    assert_eq!(
        error_text(&refused),
        format!(
            "The resource {resource} does not have the service desk role {other_role}: assign a resource and role pair listed in ResourceServiceDeskRoles."
        )
    );
    // A resource without a role is refused for that reason.
    let mut half = new_ticket();
    half["assignedResourceID"] = resource;
    let refused = env.post("Tickets", half).await;
    assert_eq!(refused.status, 500, "{}", refused.text);
    assert!(
        error_text(&refused).contains("you must assign both"),
        "{}",
        refused.text
    );
}

#[tokio::test]
async fn patch_is_partial_put_is_full_and_read_only_fields_are_ignored() {
    let env = Env::start().await;
    let before = env.item("Tickets", 10001).await;
    let a = env.patch("Tickets", json!({"id": 10001, "Title": "Renamed", "ticketNumber": "HACKED", "createDate": "2000-01-01T00:00:00"})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body, json!({"itemId": 10001}));
    let after = env.item("Tickets", 10001).await;
    assert_eq!(after["title"], json!("Renamed"));
    assert_eq!(after["ticketNumber"], before["ticketNumber"]);
    assert_eq!(after["createDate"], before["createDate"]);
    assert_eq!(after["companyID"], before["companyID"]);
    assert_eq!(after["description"], before["description"]);
    // PUT replaces: writable fields left out become null.
    let a = env.put("Tickets", json!({"id": 10001, "companyID": 1002, "title": "Replaced", "status": 8, "priority": 1})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let replaced = env.item("Tickets", 10001).await;
    assert_eq!(replaced["description"], Value::Null);
    assert_eq!(replaced["companyID"], json!(1002));
    assert_eq!(replaced["ticketNumber"], before["ticketNumber"]);
    // PUT without a required field fails; PATCH without an id fails; a missing id fails.
    assert_refused(
        &env.put("Tickets", json!({"id": 10001, "title": "x"})).await,
        "Value does not exist for the required field",
    );
    assert_refused(
        &env.patch("Tickets", json!({"title": "x"})).await,
        "The id of the entity to update is missing from the body.",
    );
    assert_refused(
        &env.patch("Tickets", json!({"id": 1, "title": "x"})).await,
        "The Ticket with id 1 does not exist.",
    );
    // Completing stamps completedDate.
    let a = env
        .patch("Tickets", json!({"id": 10001, "status": 5}))
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(env.item("Tickets", 10001).await["completedDate"].is_string());
}

#[tokio::test]
async fn child_writes_go_through_the_parent_route() {
    let env = Env::start().await;
    let note = json!({"title": "Called user", "description": "Left a voicemail", "noteType": 1, "publish": 1});
    assert_eq!(env.post("TicketNotes", note.clone()).await.status, 404);
    let a = env.post("Tickets/10002/Notes", note.clone()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let id = a.body["itemId"].as_i64().unwrap();
    let stored = env.item("TicketNotes", id).await;
    assert_eq!(
        stored["ticketID"],
        json!(10002),
        "the foreign key comes from the URL"
    );
    let child = env.get(&format!("Tickets/10002/Notes/{id}")).await;
    assert_eq!(child.body["item"]["id"], json!(id));
    let elsewhere = env.get(&format!("Tickets/10003/Notes/{id}")).await;
    assert_eq!(elsewhere.body, json!({"item": null}));
    let patched = env
        .patch(
            "Tickets/10002/Notes",
            json!({"id": id, "description": "Spoke to the user"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(
        env.item("TicketNotes", id).await["description"],
        json!("Spoke to the user")
    );
    assert_refused(
        &env.patch("Tickets/10003/Notes", json!({"id": id, "description": "x"}))
            .await,
        "No matching records found",
    );
    assert_refused(
        &env.post("Tickets/999999/Notes", note.clone()).await,
        "Unable to find the parent Ticket with id 999999.",
    );
    let mut bad_publish = note.clone();
    bad_publish["publish"] = json!(9);
    assert_refused(
        &env.post("Tickets/10002/Notes", bad_publish).await,
        "Invalid picklist value 9 for field publish",
    );
    // Contacts: root is read-only, writes under the company.
    let contact = json!({"firstName": "Ada", "lastName": "Lovelace", "isActive": 1});
    assert_eq!(env.post("Contacts", contact.clone()).await.status, 404);
    let c = env.post("Companies/1005/Contacts", contact).await;
    assert_eq!(c.status, 200, "{}", c.text);
    let cid = c.body["itemId"].as_i64().unwrap();
    assert_eq!(env.item("Contacts", cid).await["companyID"], json!(1005));
    assert_eq!(
        env.delete(&format!("Companies/1005/Contacts/{cid}"))
            .await
            .status,
        200
    );
    env.assert_missing("Contacts", cid).await;
    // Tasks live under projects.
    let t = env
        .post(
            "Projects/5001/Tasks",
            json!({"title": "Extra task", "status": 1, "taskType": 1}),
        )
        .await;
    assert_eq!(t.status, 200, "{}", t.text);
}

#[tokio::test]
async fn time_entries_are_created_at_the_root_validated_and_deletable() {
    let env = Env::start().await;
    let pair = items_of(
        &env.post("ResourceServiceDeskRoles/query", json!({"maxRecords": 1}))
            .await,
    )[0]
    .clone();
    let entry = |hours: f64| {
        json!({"resourceID": pair["resourceID"], "roleID": pair["roleID"], "ticketID": 10005,
        "dateWorked": "2026-11-24", "hoursWorked": hours, "summaryNotes": "Fixed it"})
    };
    assert_eq!(
        env.post("Tickets/10005/TimeEntries", entry(1.0))
            .await
            .status,
        404
    );
    for bad in [0.0, 24.5, -1.0] {
        assert_refused(
            &env.post("TimeEntries", entry(bad)).await,
            "hoursWorked must be greater than 0 and less than or equal to 24",
        );
    }
    let a = env.post("TimeEntries", entry(1.5)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let id = a.body["itemId"].as_i64().unwrap();
    let stored = env.item("TimeEntries", id).await;
    assert_eq!(stored["dateWorked"], json!("2026-11-24T00:00:00.000"));
    assert_eq!(stored["hoursToBill"], json!(1.5));
    let from_times = env.post("TimeEntries", json!({"resourceID": pair["resourceID"], "roleID": pair["roleID"], "ticketID": 10005,
        "dateWorked": "2026-11-24T00:00:00Z", "startDateTime": "2026-11-24T09:00:00Z", "endDateTime": "2026-11-24T10:30:00+00:00"})).await;
    assert_eq!(from_times.status, 200, "{}", from_times.text);
    let fid = from_times.body["itemId"].as_i64().unwrap();
    assert_eq!(
        env.item("TimeEntries", fid).await["hoursWorked"],
        json!(1.5)
    );
    let d = env.delete(&format!("TimeEntries/{id}")).await;
    assert_eq!(d.status, 200, "{}", d.text);
    assert_eq!(d.body, json!({"itemId": id}));
    env.assert_missing("TimeEntries", id).await;
    let again = env.delete(&format!("TimeEntries/{id}")).await;
    assert_refused(&again, "No matching records found");
}

#[tokio::test]
async fn impersonation_sets_the_creator_fields() {
    let env = Env::start().await;
    let resp = env
        .authed(reqwest::Method::POST, &env.url("Tickets/10002/Notes"))
        .header("ImpersonationResourceId", "29682889")
        .json(&json!({"description": "As a tech", "noteType": 1, "publish": 1}))
        .send()
        .await
        .unwrap();
    let a = crate::common::answer(resp).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let note = env
        .item("TicketNotes", a.body["itemId"].as_i64().unwrap())
        .await;
    assert_eq!(note["creatorResourceID"], json!(29682889));
    assert_eq!(
        note["impersonatorCreatorResourceID"],
        json!(autotask_mcp::sandbox::seed::API_USER_RESOURCE_ID)
    );
    let unknown = env
        .authed(reqwest::Method::POST, &env.url("Tickets/10002/Notes"))
        .header("ImpersonationResourceId", "1")
        .json(&json!({"description": "x", "noteType": 1, "publish": 1}))
        .send()
        .await
        .unwrap();
    assert_refused(
        &crate::common::answer(unknown).await,
        "ImpersonationResourceId 1 is not a resource of this tenant.",
    );
}

#[tokio::test]
async fn udfs_are_written_and_validated() {
    let env = Env::start().await;
    let a = env
        .patch(
            "Companies",
            json!({"id": 1001, "userDefinedFields": [{"name": "CustomerRanking", "value": "2"}]}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let c = env.item("Companies", 1001).await;
    let ranking = c["userDefinedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == json!("CustomerRanking"))
        .unwrap()
        .clone();
    assert_eq!(ranking["value"], json!("2"));
    let bad = env.patch("Companies", json!({"id": 1001, "userDefinedFields": [{"name": "CustomerRanking", "value": "Platinum"}]})).await;
    assert_refused(
        &bad,
        "Invalid value 'Platinum' for the user-defined field CustomerRanking",
    );
    let unknown = env
        .patch(
            "Companies",
            json!({"id": 1001, "userDefinedFields": [{"name": "Nope", "value": "x"}]}),
        )
        .await;
    assert_refused(
        &unknown,
        "Unable to find Nope in the Company Entity user-defined fields.",
    );
}

#[tokio::test]
async fn entities_without_seed_data_are_writable_from_the_registry_alone() {
    let env = Env::start().await;
    let a = env
        .post(
            "Appointments",
            json!({"title": "Site visit", "resourceID": 29682889,
        "startDateTime": "2026-11-26T09:00:00", "endDateTime": "2026-11-26T10:00:00"}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let id = a.body["itemId"].as_i64().unwrap();
    assert_eq!(
        env.item("Appointments", id).await["title"],
        json!("Site visit")
    );
    assert_eq!(env.delete(&format!("Appointments/{id}")).await.status, 200);
}

#[tokio::test]
async fn attachment_data_comes_back_only_from_the_parent_scoped_get() {
    let env = Env::start().await;
    let a = env
        .post(
            "Tickets/10010/Attachments",
            json!({"id": 0, "attachmentType": "FILE_ATTACHMENT", "fullPath": "notes.txt", "publish": 1,
                   "title": "Notes", "data": "aGVsbG8gd29ybGQ="}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let id = a.body["itemId"].as_i64().unwrap();
    let scoped = env.get(&format!("Tickets/10010/Attachments/{id}")).await;
    assert_eq!(scoped.status, 200, "{}", scoped.text);
    assert_eq!(scoped.body["item"]["id"], json!(id), "{}", scoped.text);
    assert_eq!(scoped.body["item"]["data"], json!("aGVsbG8gd29ybGQ="));
    assert_eq!(scoped.body["item"]["ticketID"], json!(10010));
    // Every other read finds the record, with its metadata, but no `data`.
    let root = env.item("TicketAttachments", id).await;
    assert_eq!(root["title"], json!("Notes"), "{root}");
    assert_eq!(root["data"], Value::Null, "{root}");
    let listed = items_of(&env.get("Tickets/10010/Attachments").await);
    let ours = listed
        .iter()
        .find(|i| i["id"] == json!(id))
        .unwrap_or_else(|| panic!("the new attachment is listed: {listed:?}"));
    assert_eq!(ours["title"], json!("Notes"));
    assert_eq!(ours["data"], Value::Null, "{ours}");
    assert!(
        listed.iter().all(|i| i["data"].is_null()),
        "no listed attachment carries data: {listed:?}"
    );
    let queried = items_of(
        &env.post(
            "TicketAttachments/query",
            json!({"filter": [{"op": "eq", "field": "id", "value": id}]}),
        )
        .await,
    );
    assert_eq!(queried.len(), 1, "{queried:?}");
    assert_eq!(queried[0]["id"], json!(id));
    assert_eq!(queried[0]["title"], json!("Notes"));
    assert_eq!(queried[0]["data"], Value::Null, "{}", queried[0]);
}
