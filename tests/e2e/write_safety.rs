//! End to end over stdio against the sandbox, the writes a service-desk lead can sign off
//! (issue 13): a write without its token is a preview of the exact request, checked against
//! the tenant, that sends nothing; with the token the same checks run first; the allow-list
//! hides and refuses other entities, child routes included; every attempt with a token leaves
//! one audit line (created, invalid, refused, rejected, unknown), without secrets, and a
//! write that cannot be logged is not sent; an idempotency key makes a retry answer the first
//! result; likely duplicate contacts and companies are reported. The sandbox's request log
//! proves what was and was not sent.

use std::time::Duration;

use crate::mcp_support::{Harness, command, start};
use autotask_mcp::sandbox::{FaultResponse, FaultRule};
use autotask_mcp::tools::{Inventory, WritePolicy};
use serde_json::{Value, json};

/// The outcome lines of the audit log, after checking it is write-ahead: every write that
/// reached Autotask has its attempt line (`sending`) before its outcome line, with the same
/// attempt id, and every attempt line gets its outcome. No file yet means no lines; any other
/// read error fails.
fn audit_lines(path: &std::path::Path) -> Vec<Value> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    };
    let all: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for (i, line) in all.iter().enumerate() {
        let sent = matches!(
            line["outcome"].as_str(),
            Some("created" | "updated" | "deleted" | "rejected" | "unknown")
        );
        if sent {
            assert!(
                all[..i]
                    .iter()
                    .any(|l| l["outcome"] == "sending" && l["attempt"] == line["attempt"]),
                "a sent write without its attempt line before it: {line}"
            );
        }
        if line["outcome"] == "sending" {
            assert!(
                all[i + 1..]
                    .iter()
                    .any(|l| l["attempt"] == line["attempt"] && l["outcome"] != "sending"),
                "an attempt line without its outcome: {line}"
            );
        }
    }
    all.into_iter()
        .filter(|l| l["outcome"] != "sending")
        .collect()
}

async fn customer(h: &Harness) -> Value {
    h.rest_query(
        "Companies",
        json!([{"op": "gt", "field": "id", "value": 1000}]),
    )
    .await[0]
        .clone()
}

/// The first staff resource and a role it does not have (neither as a role nor at the desk).
async fn resource_and_foreign_role(h: &Harness) -> (i64, i64) {
    let desk = h
        .rest_query(
            "ResourceServiceDeskRoles",
            json!([{"op": "exist", "field": "id"}]),
        )
        .await;
    let resource = desk[0]["resourceID"].as_i64().unwrap();
    let mut own: Vec<i64> = h
        .rest_query(
            "ResourceRoles",
            json!([{"op": "eq", "field": "resourceID", "value": resource}]),
        )
        .await
        .iter()
        .chain(desk.iter().filter(|r| r["resourceID"] == resource))
        .filter_map(|r| r["roleID"].as_i64())
        .collect();
    own.sort_unstable();
    let roles = h
        .rest_query("Roles", json!([{"op": "exist", "field": "id"}]))
        .await;
    let foreign = roles
        .iter()
        .filter_map(|r| r["id"].as_i64())
        .find(|id| !own.contains(id))
        .expect("a role the resource does not have");
    (resource, foreign)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_then_confirm_checks_against_the_tenant_and_leaves_an_audit_line() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let audit = logs.join("audit.jsonl");
    let h = start(
        &[],
        &[("AUTOTASK_AUDIT_LOG", audit.to_str().unwrap())],
        false,
    )
    .await;
    let company = customer(&h).await;
    let cid = company["id"].as_i64().unwrap();
    let long = "Smoke from the printer. ".repeat(20);
    let args = json!({"title": "Printer on fire", "companyID": cid, "description": long,
        "queueID": "Client Portal", "issueType": "Hardware", "subIssueType": "Printer"});

    // Preview: the exact request with codes, their labels, the company's name; nothing sent.
    let preview = h.ok("create-ticket", args.clone()).await;
    assert_eq!(preview["operation"], "preview");
    assert_eq!(preview["sent"], false);
    assert_eq!(
        preview["request"],
        json!({"method": "POST", "path": "Tickets", "body": {
            "title": "Printer on fire", "companyID": cid, "description": long,
            "queueID": 5, "issueType": 1, "subIssueType": 12, "status": 1, "priority": 2}})
    );
    assert_eq!(
        preview["labels"],
        json!({"queueID": "Client Portal", "issueType": "Hardware", "subIssueType": "Printer",
            "status": "New", "priority": "Medium"})
    );
    assert_eq!(preview["refers"]["companyID"], company["companyName"]);
    assert_eq!(preview["confirm"], "CREATE_TICKET");
    assert!(preview.get("problems").is_none(), "{preview}");
    assert!(preview["next"].as_str().unwrap().starts_with("NOT SENT"));
    assert_eq!(h.writes(), 0, "the preview wrote");
    assert!(
        audit_lines(&audit).is_empty(),
        "a preview is not an attempt"
    );

    // Confirm: the same request, sent once; one audit line counting the requests it cost.
    let mut confirmed = args.clone();
    confirmed["confirm"] = json!("CREATE_TICKET");
    let before = h.requests();
    let created = h.ok("create-ticket", confirmed).await;
    let cost = h.requests() - before;
    assert_eq!(created["operation"], "created");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(h.writes(), 1);
    assert_eq!(
        h.rest_get(&format!("Tickets/{id}")).await["subIssueType"],
        12
    );
    let lines = audit_lines(&audit);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert_eq!(
        (
            &line["tool"],
            &line["entity"],
            &line["operation"],
            &line["outcome"],
            &line["id"]
        ),
        (
            &json!("create-ticket"),
            &json!("Tickets"),
            &json!("create"),
            &json!("created"),
            &json!(id)
        )
    );
    assert_eq!(line["requests"], cost as u64, "{line}");
    assert_eq!(line["transport"], "stdio");
    assert!(line.get("caller").is_none());
    assert_eq!(line["fields"]["queueID"], 5);
    let shortened = line["fields"]["description"].as_str().unwrap();
    assert!(
        shortened.ends_with(&format!("… ({} characters)", long.len())),
        "{shortened}"
    );

    // Problems: a company that does not exist, a sub-issue type of another issue type, a
    // resource without that service-desk role. Previewed, then refused with the token.
    let (resource, foreign) = resource_and_foreign_role(&h).await;
    let bad = json!({"title": "Bad", "companyID": 999_999, "issueType": "Software",
        "subIssueType": 12, "assignedResourceID": resource, "assignedResourceRoleID": foreign});
    let preview = h.ok("create-ticket", bad.clone()).await;
    let problems = preview["problems"].to_string();
    for expected in [
        "`companyID` is 999999, but there is no Company",
        "`subIssueType` 12 (Printer) belongs to issueType 1, not to issueType 2",
        &format!("resource {resource} does not have the service-desk role {foreign}"),
    ] {
        assert!(
            problems.contains(expected),
            "{expected} missing from {problems}"
        );
    }
    assert!(preview["next"].as_str().unwrap().contains("will not send"));
    let mut bad_confirmed = bad.clone();
    bad_confirmed["confirm"] = json!("CREATE_TICKET");
    let err = h.err("create-ticket", bad_confirmed).await;
    assert!(
        err.contains("no Company") && err.contains("Nothing was sent"),
        "{err}"
    );
    assert_eq!(h.writes(), 1, "a payload that failed the review was sent");

    // A time entry under a role the resource does not have.
    let ticket = h
        .rest_query("Tickets", json!([{"op": "exist", "field": "id"}]))
        .await[0]["id"]
        .clone();
    let err = h
        .err(
            "create-time-entry",
            json!({"ticketID": ticket, "resourceID": resource, "roleID": foreign,
                "hoursWorked": 1, "confirm": "CREATE_TIME_ENTRY"}),
        )
        .await;
    assert!(
        err.contains(&format!(
            "resource {resource} does not have the role {foreign}"
        )),
        "{err}"
    );
    assert_eq!(h.writes(), 1);

    // An update's preview shows the values it replaces.
    let preview = h
        .ok("update-ticket", json!({"id": id, "status": "Complete"}))
        .await;
    assert_eq!(
        preview["request"],
        json!({"method": "PATCH", "path": "Tickets", "body": {"id": id, "status": 5}})
    );
    assert_eq!(preview["current"], json!({"status": "New"}));
    assert_eq!(preview["labels"], json!({"status": "Complete"}));

    // Rejected by Autotask: its message in the answer and the line.
    h.sandbox.faults().push(FaultRule::new(
        Some("PATCH"),
        "/Tickets",
        1,
        FaultResponse::Status {
            status: 500,
            headers: vec![],
            body: "{\"errors\":[\"The ticket is locked by another user.\"]}".into(),
        },
    ));
    let err = h
        .err(
            "update-ticket",
            json!({"id": id, "status": "Complete", "confirm": "UPDATE_TICKET"}),
        )
        .await;
    assert!(err.contains("locked by another user"), "{err}");

    let lines = audit_lines(&audit);
    let outcomes: Vec<&str> = lines
        .iter()
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["created", "invalid", "invalid", "rejected"]);
    assert!(lines[1]["message"].as_str().unwrap().contains("no Company"));
    assert!(
        lines[3]["message"]
            .as_str()
            .unwrap()
            .contains("locked by another user")
    );
    assert_eq!(lines[3]["id"], id);
    let text = std::fs::read_to_string(&audit).unwrap();
    let creds = h.sandbox.credentials();
    for secret in [&creds.username, &creds.secret, &creds.integration_code] {
        assert!(
            !text.contains(secret.as_str()),
            "a credential is in the audit log"
        );
    }

    // A write that cannot be logged is not sent; a preview still works.
    std::fs::remove_dir_all(&logs).unwrap();
    let writes = h.writes();
    let err = h
        .err(
            "create-ticket",
            json!({"title": "Unlogged", "companyID": cid, "confirm": "CREATE_TICKET"}),
        )
        .await;
    assert!(
        err.contains("AUTOTASK_AUDIT_LOG") && err.contains("Nothing was sent"),
        "{err}"
    );
    assert_eq!(
        h.writes(),
        writes,
        "a write that could not be logged was sent"
    );
    h.ok(
        "create-ticket",
        json!({"title": "Unlogged", "companyID": cid}),
    )
    .await;
    h.client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_allow_list_hides_and_refuses_other_entities_and_stderr_gets_the_audit_lines() {
    let mut h = start(
        &[],
        &[
            ("AUTOTASK_WRITE_ENTITIES", "tickets,TicketNote"),
            ("AUTOTASK_AUDIT_LOG", "-"),
        ],
        true,
    )
    .await;
    // tools/list is the inventory under the policy (its write tools are pinned in
    // src/tools/tests.rs): no create-company, the generic writes stay.
    let listed: Vec<String> = h
        .client
        .list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    let policy = WritePolicy::only(&["Tickets", "TicketNotes"]).unwrap();
    let expected: Vec<String> = Inventory::with_policy(false, &policy)
        .list()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(listed, expected);
    assert!(
        !listed.iter().any(|n| n == "create-company")
            && listed.iter().any(|n| n == "create-entity")
    );
    let instructions = h.client.peer_info().unwrap().instructions.clone().unwrap();
    assert!(
        instructions.contains(
            "Writes are allowed only for these entities (AUTOTASK_WRITE_ENTITIES): TicketNotes, Tickets."
        ),
        "{instructions}"
    );
    let company = customer(&h).await;
    let cid = company["id"].as_i64().unwrap();
    let ticket = h
        .rest_query("Tickets", json!([{"op": "exist", "field": "id"}]))
        .await[0]["id"]
        .as_i64()
        .unwrap();
    let entry = h
        .rest_query("TimeEntries", json!([{"op": "exist", "field": "id"}]))
        .await[0]["id"]
        .as_i64()
        .unwrap();

    // Other entities are refused before any request, as roots and as child routes, with or
    // without the token.
    let before = h.requests();
    for (tool, args) in [
        (
            "create-entity",
            json!({"entity": "Companies", "fields": {"companyName": "X"}}),
        ),
        (
            "create-entity",
            json!({"entity": "Contacts", "parentEntity": "Companies", "parentId": cid,
                "fields": {"firstName": "A", "lastName": "B"}, "confirm": "CREATE_ENTITY"}),
        ),
        (
            "update-entity",
            json!({"entity": "Company", "fields": {"id": cid, "phone": "1"}, "confirm": "UPDATE_ENTITY"}),
        ),
        (
            "delete-entity",
            json!({"entity": "TimeEntries", "id": entry, "confirm": "DELETE_ENTITY"}),
        ),
    ] {
        let err = h.err(tool, args).await;
        assert!(
            err.contains("AUTOTASK_WRITE_ENTITIES allows writes to TicketNotes, Tickets only")
                && err.contains("Nothing was sent"),
            "{tool}: {err}"
        );
    }
    assert_eq!(h.requests(), before, "a refused entity cost requests");
    let err = h
        .client
        .call_tool(
            rmcp::model::CallToolRequestParams::new("create-company")
                .with_arguments(json!({"companyName": "X"}).as_object().unwrap().clone()),
        )
        .await
        .expect_err("a write outside the allow-list is refused")
        .to_string();
    assert!(err.contains("tool not found"), "{err}");

    // An allowed child route works, under its parent.
    let made = h
        .ok(
            "create-entity",
            json!({"entity": "Notes", "parentEntity": "Tickets", "parentId": ticket,
                "fields": {"description": "Allowed", "noteType": 1, "publish": 1},
                "confirm": "CREATE_ENTITY"}),
        )
        .await;
    assert_eq!(made["sentTo"], format!("Tickets/{ticket}/Notes"));
    assert_eq!(h.writes(), 1);

    let stderr = h.stderr.take().unwrap();
    h.client.cancel().await.unwrap();
    let logs = tokio::time::timeout(Duration::from_secs(60), stderr)
        .await
        .unwrap()
        .unwrap();
    let lines: Vec<Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["target"] == "autotask_mcp::audit")
        .collect();
    // The note's attempt line came first (write-ahead), then its outcome.
    assert_eq!(
        lines
            .iter()
            .filter(|l| l["outcome"] == "sending")
            .map(|l| l["entity"].clone())
            .collect::<Vec<_>>(),
        [json!("TicketNotes")],
        "{logs}"
    );
    let outcomes: Vec<(&str, &str)> = lines
        .iter()
        .filter(|l| l["outcome"] != "sending")
        .map(|l| {
            (
                l["entity"].as_str().unwrap(),
                l["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("Contacts", "refused"),
            ("Companies", "refused"),
            ("TimeEntries", "refused"),
            ("TicketNotes", "created")
        ],
        "the preview (no token) leaves no line: {logs}"
    );
    assert_eq!(lines[3]["parent"], format!("Tickets/{ticket}"));
    assert_eq!(lines[3]["level"], "INFO");
    assert_eq!(lines[0]["requests"], 0);
}

/// The first line of what the binary says when it fails to start with `var` = `value`.
async fn start_up_error(var: &str, value: &str) -> String {
    let out = command(&["--sandbox"])
        .env(var, value)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{var}={value}");
    let err = String::from_utf8(out.stderr).unwrap();
    err.lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("no error line: {err}"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_log_that_cannot_be_written_stops_the_server_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing").join("audit.jsonl");
    let err = start_up_error("AUTOTASK_AUDIT_LOG", missing.to_str().unwrap()).await;
    assert!(
        err.starts_with("error: AUTOTASK_AUDIT_LOG: cannot append to"),
        "{err}"
    );
    let err = start_up_error("AUTOTASK_WRITE_ENTITIES", "Tickets,Tikcet").await;
    assert!(
        err.contains("AUTOTASK_WRITE_ENTITIES: unknown entity `Tikcet`"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_keys_and_likely_duplicates_prevent_second_records() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let h = start(
        &[],
        &[
            ("AUTOTASK_AUDIT_LOG", audit.to_str().unwrap()),
            // Long enough for a loaded machine, short enough to wait for once.
            ("AUTOTASK_REQUEST_TIMEOUT_SECS", "5"),
        ],
        false,
    )
    .await;
    let company = customer(&h).await;
    let cid = company["id"].as_i64().unwrap();
    let route = format!("Companies/{cid}/Contacts");
    let posts = || h.sandbox.stats().count(Some("POST"), &route);
    let wile = json!({"companyID": cid, "firstName": "Wile", "lastName": "Coyote",
        "emailAddress": "wile@acme.example", "idempotencyKey": "contact-wile-1",
        "confirm": "CREATE_CONTACT"});

    // The same key and arguments twice: one POST, the first answer twice.
    let first = h.ok("create-contact", wile.clone()).await;
    let again = h.ok("create-contact", wile.clone()).await;
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["replayed"], true);
    assert_eq!(posts(), 1);
    // The same key with other arguments is refused.
    let mut other = wile.clone();
    other["firstName"] = json!("Road");
    let err = h.err("create-contact", other).await;
    assert!(err.contains("already used with other arguments"), "{err}");
    assert_eq!(posts(), 1);

    // Without a key, the same person is a likely duplicate: in the preview and the result.
    let mut unkeyed = wile.clone();
    unkeyed.as_object_mut().unwrap().remove("idempotencyKey");
    unkeyed.as_object_mut().unwrap().remove("confirm");
    let preview = h.ok("create-contact", unkeyed.clone()).await;
    assert_eq!(
        preview["likelyDuplicates"][0]["id"], first["id"],
        "{preview}"
    );
    assert_eq!(posts(), 1);
    unkeyed["confirm"] = json!("CREATE_CONTACT");
    let second = h.ok("create-contact", unkeyed).await;
    assert_ne!(second["id"], first["id"]);
    assert_eq!(second["likelyDuplicates"][0]["id"], first["id"]);
    assert_eq!(posts(), 2);
    // A company with an existing name.
    let preview = h
        .ok(
            "create-company",
            json!({"companyName": company["companyName"], "companyType": "Prospect",
                "ownerResourceID": 29682885, "phone": "555-0100"}),
        )
        .await;
    assert_eq!(preview["likelyDuplicates"][0]["id"], cid, "{preview}");

    // A timeout: the outcome is unknown, the line says so, and the key blocks a resend.
    h.sandbox.faults().push(
        FaultRule::new(Some("POST"), &route, 1, FaultResponse::Normal)
            .with_delay(Duration::from_secs(10)),
    );
    let slow = json!({"companyID": cid, "firstName": "Road", "lastName": "Runner",
        "idempotencyKey": "contact-road-1", "confirm": "CREATE_CONTACT"});
    let err = h.err("create-contact", slow.clone()).await;
    assert!(err.contains("outcome unknown"), "{err}");
    assert_eq!(posts(), 3);
    let err = h.err("create-contact", slow).await;
    assert!(
        err.contains("unknown outcome") && err.contains("Nothing was sent"),
        "{err}"
    );
    assert_eq!(posts(), 3, "a retry after an unknown outcome was sent");

    let lines = audit_lines(&audit);
    let outcomes: Vec<&str> = lines
        .iter()
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        [
            "created", "replayed", "refused", "created", "unknown", "refused"
        ]
    );
    assert_eq!(lines[1]["requests"], 0);
    assert_eq!(lines[1]["idempotencyKey"], "contact-wile-1");
    assert!(
        lines[4]["message"]
            .as_str()
            .unwrap()
            .contains("outcome unknown")
    );
    h.client.cancel().await.unwrap();
}
