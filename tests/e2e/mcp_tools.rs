//! End to end: the real binary over stdio (rmcp client), pointed at a sandbox started here.
//! Every one of the 35 tools is called and its answer checked against the sandbox's own data
//! (read directly over REST), writes included; resources too. One server process for the file.

use crate::common::assert_every;
use crate::mcp_support::{Harness, items, start};
use rmcp::model::ReadResourceRequestParams;
use serde_json::{Value, json};

fn ids(v: &Value) -> Vec<i64> {
    items(v).iter().filter_map(|i| i["id"].as_i64()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tool_answers_from_the_tenant_data() {
    let h = start(&[], &[], false).await;
    let tools = h.client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 35);
    let info = h.client.peer_info().unwrap();
    let server = info.server_info.clone().unwrap();
    assert_eq!(server.name, "autotask-mcp");
    assert_eq!(server.version, env!("CARGO_PKG_VERSION"));

    generic_reads(&h).await;
    ticket_tools(&h).await;
    company_and_contact_tools(&h).await;
    project_and_time_tools(&h).await;
    generic_writes(&h).await;
    resources(&h).await;
    issue_14_tools(&h).await;
    budget(&h).await;
    // Every tool declares an outputSchema, and every one was checked against a real answer.
    let declared = h.tools_with_output_schema();
    assert_eq!(declared.len(), tools.len());
    assert_eq!(*h.validated.lock().unwrap(), declared);
    h.client.cancel().await.unwrap();
}

/// The timeline, attachment and people tools answer (their details: `mcp_attachments.rs`,
/// `mcp_timeline_people.rs`).
async fn issue_14_tools(h: &Harness) {
    let t = h.ok("get-ticket-timeline", json!({"id": 10001})).await;
    assert_eq!(t["ticket"]["id"], 10001);
    let listed = h
        .ok(
            "list-attachments",
            json!({"parentEntity": "Tickets", "parentId": 10001}),
        )
        .await;
    assert_eq!(listed["count"], 2);
    let first = &listed["rows"][0][0];
    let one = h
        .ok(
            "get-attachment",
            json!({"parentEntity": "Tickets", "parentId": 10001, "id": first}),
        )
        .await;
    assert_eq!(&one["id"], first);
    let preview = h
        .ok(
            "create-attachment",
            json!({"parentEntity": "Tickets", "parentId": 10001, "fileName": "a.txt", "text": "hi"}),
        )
        .await;
    assert_eq!(preview["operation"], "preview");
    let people = h.ok("search-resources", json!({"name": "Tanaka"})).await;
    assert_eq!(people["count"], 1);
    let me = h.ok("who-am-i", json!({})).await;
    assert_eq!(me["apiUser"]["id"], 29_682_885);
}

/// Near the hourly limit, the labels (a read the model did not ask for) are skipped; the rows
/// the model asked for still come back.
async fn budget(h: &Harness) {
    h.sandbox.set_request_count(9_600);
    let t = h.ok("get-threshold-information", json!({})).await;
    assert!(t["percentUsed"].as_f64().unwrap() >= 90.0, "{t}");
    let before = h
        .sandbox
        .stats()
        .count(Some("GET"), "Contracts/entityInformation/fields");
    let q = h
        .ok(
            "query-entity",
            json!({"entity": "Contracts", "query": {"filter": []}, "maxRecords": 3}),
        )
        .await;
    assert_eq!(q["count"], 3);
    assert!(
        q["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("picklist labels are missing")),
        "{q}"
    );
    // Without the tenant's labels, codes stay codes: never an invented label.
    assert_every(&items(&q), "codes without labels stay codes", |c| {
        c.get("contractType").is_none_or(Value::is_number)
    });
    assert_eq!(
        h.sandbox
            .stats()
            .count(Some("GET"), "Contracts/entityInformation/fields"),
        before
    );
    h.sandbox.set_request_count(0);
}

/// The tenant's label of ticket status `code`, read over REST.
async fn status_label(h: &Harness, code: i64) -> Value {
    let live = h
        .rest("GET", "Tickets/entityInformation/fields", None)
        .await;
    live["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "status")
        .and_then(|f| {
            f["picklistValues"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["value"].as_str() == Some(code.to_string().as_str()))
        })
        .map(|v| v["label"].clone())
        .unwrap_or_else(|| json!(code))
}

async fn generic_reads(h: &Harness) {
    let all = h.ok("list-known-entities", json!({})).await;
    assert!(all["count"].as_u64().unwrap() >= 200);
    let notes = h
        .ok("list-known-entities", json!({"nameContains": "ticketnote"}))
        .await;
    let tn = notes["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "TicketNotes")
        .unwrap();
    assert_eq!(tn["childOf"], json!(["Tickets/{id}/Notes"]));

    // describe-entity-fields: the tenant's live picklist, with labels.
    let described = h
        .ok("describe-entity-fields", json!({"entity": "tickets"}))
        .await;
    assert_eq!(described["entity"], "Tickets");
    let live = h
        .rest("GET", "Tickets/entityInformation/fields", None)
        .await;
    let live_status = live["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "status")
        .unwrap()
        .clone();
    let ours = described["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "status")
        .unwrap()
        .clone();
    let live_labels: Vec<(String, String)> = live_status["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["isActive"] != false)
        .map(|v| {
            (
                v["value"].as_str().unwrap().to_string(),
                v["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let our_labels: Vec<(String, String)> = ours["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["value"].as_str().unwrap().to_string(),
                v["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(our_labels, live_labels);
    assert!(our_labels.contains(&("5".into(), "Complete".into())));
    let sub = described["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "subIssueType")
        .unwrap();
    assert_eq!(sub["picklistParentValueField"], "issueType");
    assert!(sub["picklistValues"][0]["parentValue"].is_string());
    let err = h
        .err("describe-entity-fields", json!({"entity": "Tickts"}))
        .await;
    assert!(err.contains("did you mean Tickets"), "{err}");

    // query-entity: query as a JSON string or an object.
    let first = h
        .rest_query("Tickets", json!([{"op": "gte", "field": "id", "value": 0}]))
        .await[0]
        .clone();
    let id = first["id"].as_i64().unwrap();
    let q = h.ok("query-entity", json!({"entity": "Ticket", "query": format!("{{\"filter\":[{{\"op\":\"eq\",\"field\":\"id\",\"value\":{id}}}]}}")})).await;
    assert_eq!(ids(&q), vec![id]);
    assert_eq!(items(&q)[0]["title"], first["title"]);
    let q = h.ok("query-entity", json!({"entity": "Tickets", "query": {"filter": [{"op": "eq", "field": "status", "value": 5}], "includeFields": ["id", "status"]}, "maxRecords": 7})).await;
    assert_eq!(q["count"], 7);
    assert_every(&items(&q), "completed tickets, id and status only", |t| {
        t["status"] == "Complete" && t.get("title").is_none()
    });
    let err = h.err("query-entity", json!({"entity": "Tickets", "query": {"filter": [{"op": "ne", "field": "status", "value": 5}]}})).await;
    assert!(err.contains("noteq"), "{err}");
    // a child collection through parentEntity/parentId
    let note = h
        .rest_query(
            "TicketNotes",
            json!([{"op": "gte", "field": "id", "value": 0}]),
        )
        .await[0]
        .clone();
    let ticket_of_note = note["ticketID"].as_i64().unwrap();
    let q = h.ok("query-entity", json!({"entity": "Notes", "parentEntity": "Tickets", "parentId": ticket_of_note, "query": "{\"filter\":[]}"})).await;
    let expected = h
        .rest_count(
            "TicketNotes",
            json!([{"op": "eq", "field": "ticketID", "value": ticket_of_note}]),
        )
        .await;
    assert_eq!(q["count"].as_u64().unwrap(), expected.min(50));
    assert_every(&items(&q), "the notes of the parent ticket", |n| {
        n["ticketID"] == ticket_of_note
    });

    // count-entity
    let c = h.ok("count-entity", json!({"entity": "tickets", "query": {"filter": [{"op": "eq", "field": "status", "value": 5}]}})).await;
    assert_eq!(
        c["count"].as_u64().unwrap(),
        h.rest_count(
            "Tickets",
            json!([{"op": "eq", "field": "status", "value": 5}])
        )
        .await
    );
    let c = h
        .ok(
            "count-entity",
            json!({"entity": "Companies", "query": "{\"filter\":[]}"}),
        )
        .await;
    assert_eq!(
        c["count"].as_u64().unwrap(),
        h.rest_count(
            "Companies",
            json!([{"op": "gte", "field": "id", "value": 0}])
        )
        .await
    );

    // get-entity
    let own = h
        .ok("get-entity", json!({"entity": "Companies", "id": "0"}))
        .await;
    assert_eq!(
        own["companyName"],
        h.rest_get("Companies/0").await["companyName"]
    );
    let err = h
        .err(
            "get-entity",
            json!({"entity": "Companies", "id": 987654321}),
        )
        .await;
    assert!(err.contains("no record with id 987654321"), "{err}");

    let t = h.ok("get-threshold-information", json!({})).await;
    let live = h.rest("GET", "ThresholdInformation", None).await;
    assert_eq!(
        t["externalRequestThreshold"],
        live["externalRequestThreshold"]
    );
    assert!(t["currentTimeframeRequestCount"].as_u64().unwrap() > 0);
    let v = h.ok("get-version", json!({})).await;
    assert_eq!(v["server"]["name"], "autotask-mcp");
    assert!(!v["autotaskApi"].is_null());
}

async fn ticket_tools(h: &Harness) {
    // openOnly: no closed status comes back; the filter uses noteq, never ne.
    let open = h
        .ok(
            "search-tickets",
            json!({"openOnly": "true", "maxRecords": 500}),
        )
        .await;
    let closed = [status_label(h, 5).await, status_label(h, 16).await];
    assert_every(&items(&open), "open", |t| !closed.contains(&t["status"]));
    assert_eq!(
        open["filter"],
        json!([{"op": "noteq", "field": "status", "value": 5}, {"op": "noteq", "field": "status", "value": 16}])
    );
    let open_total = h.rest_count("Tickets", open["filter"].clone()).await;
    assert_eq!(
        open["hasMore"],
        json!(open_total > open["count"].as_u64().unwrap()),
        "{}",
        open["notes"]
    );

    let unassigned = h.ok("search-tickets", json!({"unassigned": true})).await;
    assert_every(&items(&unassigned), "unassigned", |t| {
        t.get("assignedResourceID").is_none()
    });
    assert_eq!(
        unassigned["filter"],
        json!([{"op": "notExist", "field": "assignedResourceID"}])
    );

    // exact ticket number of a completed ticket, even with openOnly
    let done = h
        .rest_query(
            "Tickets",
            json!([{"op": "eq", "field": "status", "value": 5}]),
        )
        .await[0]
        .clone();
    let found = h
        .ok(
            "search-tickets",
            json!({"ticketNumber": done["ticketNumber"], "openOnly": true}),
        )
        .await;
    assert_eq!(ids(&found), vec![done["id"].as_i64().unwrap()]);

    // labels for picklist filters, company filter, dates
    let company = done["companyID"].as_i64().unwrap();
    let by_label = h
        .ok(
            "search-tickets",
            json!({"status": "complete", "companyID": company.to_string()}),
        )
        .await;
    let expected = h.rest_count("Tickets", json!([{"op": "eq", "field": "companyID", "value": company}, {"op": "eq", "field": "status", "value": 5}])).await;
    assert_eq!(by_label["count"].as_u64().unwrap(), expected.min(50));
    assert_every(&items(&by_label), "by label", |t| {
        t["status"] == "Complete" && t["companyID"] == company
    });
    let err = h.err("search-tickets", json!({"status": "Nonsense"})).await;
    assert!(
        err.contains("Complete") && err.contains("not a value of Tickets.status"),
        "{err}"
    );
    let recent = h.ok("search-tickets", json!({"createdAfter": "2026-05-01", "createdBefore": "2026-06-01T00:00:00Z", "titleContains": "a", "maxRecords": 20})).await;
    assert_every(&items(&recent), "recent", |t| {
        let d = t["createDate"].as_str().unwrap();
        ("2026-05-01".."2026-06-01").contains(&d)
            && t["title"].as_str().unwrap().to_lowercase().contains('a')
    });
    let active = h
        .ok(
            "search-tickets",
            json!({"lastActivityAfter": "2026-01-01", "priority": 1, "maxRecords": 5}),
        )
        .await;
    assert_every(&items(&active), "active", |t| t["priority"] == "High");

    // get-ticket matches the record, with labels
    let tid = done["id"].as_i64().unwrap();
    let t = h.ok("get-ticket", json!({"id": tid})).await;
    assert_eq!(t["title"], done["title"]);
    assert_eq!(t["status"], "Complete");

    // writes, with their tokens
    let created = h.ok("create-ticket", json!({"title": "Printer on fire", "companyID": company, "description": "Smoke", "queueID": "Client Portal", "confirm": "CREATE_TICKET"})).await;
    let new_id = created["id"].as_i64().unwrap();
    let rec = h.rest_get(&format!("Tickets/{new_id}")).await;
    assert_eq!(rec["title"], "Printer on fire");
    assert_eq!(rec["status"], 1, "tenant default status");
    assert_eq!(rec["priority"], 2, "tenant default priority");
    assert_eq!(rec["queueID"], 5);

    h.ok("update-ticket", json!({"id": new_id.to_string(), "status": "Complete", "priority": 1, "confirm": "UPDATE_TICKET"})).await;
    let rec = h.rest_get(&format!("Tickets/{new_id}")).await;
    assert_eq!(
        (rec["status"].clone(), rec["priority"].clone()),
        (json!(5), json!(1))
    );
    assert_eq!(rec["title"], "Printer on fire", "PATCH keeps other fields");

    let posts_before = h
        .sandbox
        .stats()
        .count(Some("POST"), &format!("Tickets/{new_id}/Notes"));
    let note = h.ok("create-ticket-note", json!({"ticketID": new_id, "title": "Update", "description": "Extinguished.", "confirm": "CREATE_TICKET_NOTE"})).await;
    assert_eq!(note["sentTo"], format!("Tickets/{new_id}/Notes"));
    assert_eq!(
        h.sandbox
            .stats()
            .count(Some("POST"), &format!("Tickets/{new_id}/Notes")),
        posts_before + 1
    );
    let stored = h.rest_get(&format!("TicketNotes/{}", note["id"])).await;
    assert_eq!(stored["description"], "Extinguished.");
    assert_eq!(stored["ticketID"], new_id);
    assert_eq!(stored["publish"], 1, "tenant default publish");
}

async fn company_and_contact_tools(h: &Harness) {
    let some = h
        .rest_query(
            "Companies",
            json!([{"op": "gt", "field": "id", "value": 0}]),
        )
        .await[0]
        .clone();
    let name = some["companyName"].as_str().unwrap();
    let found = h
        .ok(
            "search-companies",
            json!({"nameContains": &name[..name.len().min(8)], "isActive": "true"}),
        )
        .await;
    assert!(ids(&found).contains(&some["id"].as_i64().unwrap()));
    assert_every(&items(&found), "found", |c| {
        c["companyName"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains(&name[..name.len().min(8)].to_lowercase())
    });
    let customers = h
        .ok(
            "search-companies",
            json!({"companyType": "Customer", "maxRecords": 100}),
        )
        .await;
    assert_every(&items(&customers), "customers", |c| {
        c["companyType"] == "Customer"
    });
    let got = h.ok("get-company", json!({"id": some["id"]})).await;
    assert_eq!(got["companyName"], some["companyName"]);

    let owner = some["ownerResourceID"].as_i64().unwrap_or(29682885);
    let created = h.ok("create-company", json!({"companyName": "Acme Rockets", "companyType": "Prospect", "ownerResourceID": owner, "phone": "555-0100", "city": "Springfield", "confirm": "CREATE_COMPANY"})).await;
    let cid = created["id"].as_i64().unwrap();
    let rec = h.rest_get(&format!("Companies/{cid}")).await;
    assert_eq!(
        (rec["companyName"].clone(), rec["companyType"].clone()),
        (json!("Acme Rockets"), json!(3))
    );
    h.ok(
        "update-company",
        json!({"id": cid, "phone": "555-0199", "isActive": "false", "confirm": "UPDATE_COMPANY"}),
    )
    .await;
    let rec = h.rest_get(&format!("Companies/{cid}")).await;
    assert_eq!(
        (rec["phone"].clone(), rec["isActive"].clone()),
        (json!("555-0199"), json!(false))
    );

    let contact = h
        .rest_query(
            "Contacts",
            json!([{"op": "gte", "field": "id", "value": 0}]),
        )
        .await[0]
        .clone();
    let company = contact["companyID"].as_i64().unwrap();
    let by_company = h.ok("search-contacts", json!({"companyID": company})).await;
    assert!(ids(&by_company).contains(&contact["id"].as_i64().unwrap()));
    assert_every(&items(&by_company), "by company", |c| {
        c["companyID"] == company
    });
    let last = contact["lastName"].as_str().unwrap();
    let by_name = h
        .ok(
            "search-contacts",
            json!({"nameContains": last, "isActive": true}),
        )
        .await;
    assert_every(&items(&by_name), "by name", |c| {
        [&c["firstName"], &c["lastName"], &c["emailAddress"]]
            .iter()
            .any(|f| {
                f.as_str()
                    .is_some_and(|s| s.to_lowercase().contains(&last.to_lowercase()))
            })
    });
    let got = h.ok("get-contact", json!({"id": contact["id"]})).await;
    assert_eq!(got["lastName"], contact["lastName"]);

    let posts = h
        .sandbox
        .stats()
        .count(Some("POST"), &format!("Companies/{cid}/Contacts"));
    let made = h.ok("create-contact", json!({"companyID": cid, "firstName": "Wile", "lastName": "Coyote", "emailAddress": "wile@acme.example", "confirm": "CREATE_CONTACT"})).await;
    assert_eq!(
        h.sandbox
            .stats()
            .count(Some("POST"), &format!("Companies/{cid}/Contacts")),
        posts + 1
    );
    let new_contact = made["id"].as_i64().unwrap();
    let rec = h.rest_get(&format!("Contacts/{new_contact}")).await;
    assert_eq!(
        (
            rec["lastName"].clone(),
            rec["isActive"].clone(),
            rec["companyID"].clone()
        ),
        (json!("Coyote"), json!(1), json!(cid))
    );
    // companyID looked up when not given
    let upd = h
        .ok(
            "update-contact",
            json!({"id": new_contact, "title": "Genius", "confirm": "UPDATE_CONTACT"}),
        )
        .await;
    assert_eq!(upd["sentTo"], format!("Companies/{cid}/Contacts"));
    assert_eq!(
        h.rest_get(&format!("Contacts/{new_contact}")).await["title"],
        "Genius"
    );
}

async fn project_and_time_tools(h: &Harness) {
    let project = h
        .rest_query(
            "Projects",
            json!([{"op": "gte", "field": "id", "value": 0}]),
        )
        .await[0]
        .clone();
    let pid = project["id"].as_i64().unwrap();
    let by_company = h
        .ok(
            "search-projects",
            json!({"companyID": project["companyID"]}),
        )
        .await;
    assert!(ids(&by_company).contains(&pid));
    assert_every(&items(&by_company), "by company", |p| {
        p["companyID"] == project["companyID"]
    });
    let by_status = h
        .ok(
            "search-projects",
            json!({"status": project["status"].as_i64().unwrap().to_string()}),
        )
        .await;
    let got = h.ok("get-project", json!({"id": pid})).await;
    assert_eq!(got["projectName"], project["projectName"]);
    assert!(ids(&by_status).contains(&pid) || by_status["hasMore"] == true);
    assert_every(&items(&by_status), "by status", |p| {
        p["status"] == got["status"]
    });

    let tasks = h.ok("search-tasks", json!({"projectID": pid})).await;
    let expected = h
        .rest_count(
            "Tasks",
            json!([{"op": "eq", "field": "projectID", "value": pid}]),
        )
        .await;
    assert_eq!(tasks["count"].as_u64().unwrap(), expected.min(50));
    assert_every(&items(&tasks), "tasks", |t| t["projectID"] == pid);
    let task = items(&tasks)[0].clone();
    let got = h.ok("get-task", json!({"id": task["id"]})).await;
    assert_eq!(got["title"], task["title"]);

    let entry = h
        .rest_query("TimeEntries", json!([{"op": "exist", "field": "ticketID"}]))
        .await[0]
        .clone();
    let ticket = entry["ticketID"].as_i64().unwrap();
    let found = h
        .ok("search-time-entries", json!({"ticketID": ticket}))
        .await;
    let expected = h
        .rest_count(
            "TimeEntries",
            json!([{"op": "eq", "field": "ticketID", "value": ticket}]),
        )
        .await;
    assert_eq!(found["count"].as_u64().unwrap(), expected.min(50));
    let found = h.ok("search-time-entries", json!({"resourceID": entry["resourceID"], "dateWorkedAfter": "2000-01-01", "dateWorkedBefore": "2100-01-01"})).await;
    assert_every(&items(&found), "found", |e| {
        e["resourceID"] == entry["resourceID"]
    });

    let posts = h.sandbox.stats().count(Some("POST"), "TimeEntries");
    let made = h.ok("create-time-entry", json!({"ticketID": ticket, "resourceID": entry["resourceID"], "roleID": entry["roleID"], "hoursWorked": "1.5", "summaryNotes": "Replaced toner", "dateWorked": "2026-06-01", "confirm": "CREATE_TIME_ENTRY"})).await;
    assert_eq!(made["sentTo"], "TimeEntries");
    assert_eq!(
        h.sandbox.stats().count(Some("POST"), "TimeEntries"),
        posts + 1
    );
    assert_eq!(
        h.sandbox
            .stats()
            .count(Some("POST"), &format!("Tickets/{ticket}/TimeEntries")),
        0
    );
    let rec = h.rest_get(&format!("TimeEntries/{}", made["id"])).await;
    assert_eq!(
        (rec["hoursWorked"].clone(), rec["ticketID"].clone()),
        (json!(1.5), json!(ticket))
    );
}

async fn generic_writes(h: &Harness) {
    let ticket = h
        .rest_query("Tickets", json!([{"op": "gte", "field": "id", "value": 0}]))
        .await[0]["id"]
        .as_i64()
        .unwrap();
    // a child entity is routed under its parent from the registry
    let made = h.ok("create-entity", json!({"entity": "TicketNotes", "fields": {"ticketID": ticket, "description": "Via generic", "noteType": 1, "publish": "1", "id": 0}, "confirm": "CREATE_ENTITY"})).await;
    assert_eq!(made["sentTo"], format!("Tickets/{ticket}/Notes"));
    assert!(made["notes"].to_string().contains("id"));
    let note_id = made["id"].as_i64().unwrap();
    assert_eq!(
        h.rest_get(&format!("TicketNotes/{note_id}")).await["description"],
        "Via generic"
    );
    // the parent id from parentId, fields as a JSON string
    let made = h.ok("create-entity", json!({"entity": "Notes", "parentEntity": "Tickets", "parentId": ticket, "fields": "{\"description\":\"Second\",\"noteType\":1,\"publish\":1}", "confirm": "CREATE_ENTITY"})).await;
    assert_eq!(
        h.rest_get(&format!("TicketNotes/{}", made["id"])).await["ticketID"],
        ticket
    );
    // update routed under the parent found by looking the record up
    let upd = h.ok("update-entity", json!({"entity": "ticketnotes", "fields": {"id": note_id, "description": "Edited"}, "confirm": "UPDATE_ENTITY"})).await;
    assert_eq!(upd["sentTo"], format!("Tickets/{ticket}/Notes"));
    assert_eq!(
        h.rest_get(&format!("TicketNotes/{note_id}")).await["description"],
        "Edited"
    );
    let err = h
        .err(
            "create-entity",
            json!({"entity": "Tickets", "fields": {"titel": "x"}, "confirm": "CREATE_ENTITY"}),
        )
        .await;
    assert!(err.contains("did you mean title"), "{err}");
    let err = h
        .err(
            "delete-entity",
            json!({"entity": "Tickets", "id": ticket, "confirm": "DELETE_ENTITY"}),
        )
        .await;
    assert!(err.contains("cannot be deleted"), "{err}");

    // delete a time entry (root delete)
    let entry = h
        .rest_query(
            "TimeEntries",
            json!([{"op": "gte", "field": "id", "value": 0}]),
        )
        .await[0]["id"]
        .as_i64()
        .unwrap();
    let del = h
        .ok(
            "delete-entity",
            json!({"entity": "TimeEntry", "id": entry, "confirm": "DELETE_ENTITY"}),
        )
        .await;
    assert_eq!(del["sentTo"], format!("TimeEntries/{entry}"));
    h.rest_missing(&format!("TimeEntries/{entry}")).await;
}

async fn resources(h: &Harness) {
    let list = h.client.list_all_resources().await.unwrap();
    let uris: Vec<&str> = list.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "autotask://threshold",
            "autotask://companies",
            "autotask://tickets",
            "autotask://contacts"
        ]
    );
    let templates = h.client.list_all_resource_templates().await.unwrap();
    let t: Vec<&str> = templates.iter().map(|r| r.uri_template.as_str()).collect();
    assert_eq!(
        t,
        [
            "autotask://companies/{id}",
            "autotask://tickets/{id}",
            "autotask://contacts/{id}",
            "autotask://entities/{entity}"
        ]
    );
    let read = |uri: String| async move {
        let r = h
            .client
            .read_resource(ReadResourceRequestParams::new(uri))
            .await
            .unwrap();
        match &r.contents[0] {
            rmcp::model::ResourceContents::TextResourceContents { text, .. } => {
                serde_json::from_str::<Value>(text).unwrap()
            }
            other => panic!("{other:?}"),
        }
    };
    let first = h
        .rest_query("Tickets", json!([{"op": "gte", "field": "id", "value": 0}]))
        .await[0]
        .clone();
    let one = read(format!("autotask://tickets/{}", first["id"])).await;
    assert_eq!(one["title"], first["title"]);
    let many = read("autotask://contacts".into()).await;
    assert_eq!(many["count"], 50);
    let company = read("autotask://companies/0".into()).await;
    assert_eq!(company["id"], 0);
    assert!(
        read("autotask://threshold".into()).await["externalRequestThreshold"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(read("autotask://companies".into()).await["count"], 50);
    assert!(
        h.client
            .read_resource(ReadResourceRequestParams::new(
                "autotask://tickets/999999999"
            ))
            .await
            .is_err()
    );
    assert!(
        h.client
            .read_resource(ReadResourceRequestParams::new("autotask://nope"))
            .await
            .is_err()
    );
}
