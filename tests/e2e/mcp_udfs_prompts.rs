//! Issue 14, user-defined fields and prompts, end to end over MCP against the sandbox: records
//! show list UDFs by label; a UDF filter by name finds exactly the records Autotask's own
//! `udf: true` filter finds; writes take UDFs by name (labels become codes) and an unknown
//! name is refused with the valid names, nothing sent. The prompts are listed and filled in,
//! and completions return company names (cached per keystroke), queue labels and entity
//! names.

use rmcp::model::{GetPromptRequestParams, ReadResourceRequestParams};
use serde_json::{Value, json};

use crate::common::assert_every;
use crate::mcp_support::{items, start};

fn udf(record: &Value, name: &str) -> Value {
    record["userDefinedFields"]
        .as_array()
        .and_then(|a| a.iter().find(|u| u["name"] == name))
        .map(|u| u["value"].clone())
        .unwrap_or_else(|| panic!("no UDF {name} in {record}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udfs_are_read_filtered_and_written_by_name() {
    let h = start(&[], &[], false).await;

    // Read: a list UDF shows its label, not its code.
    let raw = h.rest_get("Tickets/10001").await;
    let code = udf(&raw, "Escalation Level");
    let t = h.ok("get-ticket", json!({"id": 10001})).await;
    let shown = &t["userDefinedFields"]["Escalation Level"];
    assert_eq!(shown, &json!(format!("L{}", code.as_str().unwrap())), "{t}");

    // Filter by name and label: the same tickets as Autotask's udf filter on the code.
    let found = h
        .ok(
            "search-tickets",
            json!({"userDefinedFields": {"escalation level": "L3"}, "maxRecords": 500}),
        )
        .await;
    let clause = json!({"op": "eq", "field": "Escalation Level", "udf": true, "value": "3"});
    assert!(
        found["filter"].as_array().unwrap().contains(&clause),
        "{}",
        found["filter"]
    );
    let expected = h
        .rest_query(
            "Tickets",
            json!([{"op": "eq", "field": "Escalation Level", "udf": true, "value": "3"}]),
        )
        .await;
    assert!(!expected.is_empty());
    let ids: Vec<Value> = items(&found).iter().map(|r| r["id"].clone()).collect();
    let want: Vec<Value> = expected.iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, want);
    println!("search-tickets by UDF: {} bytes", found.to_string().len());

    let golden = h
        .ok(
            "search-companies",
            json!({"userDefinedFields": {"CustomerRanking": "Golden"}, "maxRecords": 500}),
        )
        .await;
    let golden_count = h
        .rest_count(
            "Companies",
            json!([{"op": "eq", "field": "CustomerRanking", "udf": true, "value": "1"}]),
        )
        .await;
    assert_eq!(golden["count"], json!(golden_count));
    assert!(golden_count > 0);

    // An unknown UDF name: refused with the valid names, nothing sent.
    let writes = h.writes();
    let err = h
        .err(
            "update-ticket",
            json!({"id": 10001, "userDefinedFields": {"Customer Reference": "x"}, "confirm": "UPDATE_TICKET"}),
        )
        .await;
    assert!(err.contains("Customer Ref, Escalation Level"), "{err}");
    assert!(err.contains("Nothing was sent"), "{err}");
    let err = h
        .err(
            "search-tickets",
            json!({"userDefinedFields": {"Nope": "1"}}),
        )
        .await;
    assert!(err.contains("Customer Ref"), "{err}");
    assert_eq!(h.writes(), writes);

    // Write by name: the label goes out as its code.
    let done = h
        .ok(
            "update-ticket",
            json!({"id": 10001, "userDefinedFields": {"Customer Ref": "ACME-9", "Escalation Level": "L2"},
                "confirm": "UPDATE_TICKET"}),
        )
        .await;
    assert_eq!(done["operation"], "updated", "{done}");
    let raw = h.rest_get("Tickets/10001").await;
    assert_eq!(udf(&raw, "Escalation Level"), json!("2"));
    assert_eq!(udf(&raw, "Customer Ref"), json!("ACME-9"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prompts_are_offered_and_arguments_complete() {
    let h = start(&[], &[], false).await;
    let prompts = h.client.list_all_prompts().await.unwrap();
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["triage-queue", "company-brief", "close-ticket"]);

    let mut args = serde_json::Map::new();
    args.insert("queue".into(), json!("Level I Support"));
    let prompt = h
        .client
        .get_prompt(GetPromptRequestParams::new("triage-queue").with_arguments(args))
        .await
        .unwrap();
    let text = serde_json::to_string(&prompt.messages).unwrap();
    assert!(text.contains("search-tickets") && text.contains("Level I Support"));
    assert!(
        h.client
            .get_prompt(GetPromptRequestParams::new("close-ticket"))
            .await
            .is_err(),
        "a missing required argument is an error"
    );

    // Company names by prefix: one request, then none for the same or a longer prefix.
    let companies = h
        .rest_query("Companies", json!([{"op": "exist", "field": "id"}]))
        .await;
    let first = companies[1]["companyName"].as_str().unwrap().to_string();
    let prefix: String = first.chars().take(3).collect();
    // Warm the client (zone lookup, budget probe) so only the completion's reads count.
    h.ok("get-company", json!({"id": 0})).await;
    let before = h.requests();
    let names = h
        .client
        .complete_prompt_simple("company-brief", "company", prefix.clone())
        .await
        .unwrap();
    assert!(names.contains(&first), "{names:?} lacks {first}");
    assert_every(&names, "completions start with the prefix", |n| {
        n.to_lowercase().starts_with(&prefix.to_lowercase())
    });
    assert_eq!(h.requests() - before, 1, "one request per keystroke");
    let longer: String = first.chars().take(4).collect();
    let again = h
        .client
        .complete_prompt_simple("company-brief", "company", longer.clone())
        .await
        .unwrap();
    assert!(again.contains(&first));
    assert_eq!(
        h.requests() - before,
        1,
        "a longer prefix of a complete list: no request"
    );

    let queues = h
        .client
        .complete_prompt_simple("triage-queue", "queue", "level")
        .await
        .unwrap();
    assert!(
        queues.contains(&"Level I Support".to_string()),
        "{queues:?}"
    );
    let statuses = h
        .client
        .complete_prompt_simple("close-ticket", "status", "comp")
        .await
        .unwrap();
    assert_eq!(statuses, ["Complete"]);
    let ids = h
        .client
        .complete_resource_simple("autotask://companies/{id}", "id", prefix)
        .await
        .unwrap();
    assert!(ids.contains(&companies[1]["id"].to_string()), "{ids:?}");

    // Entity names (no request) for the entity template, which reads the built-in metadata.
    let before = h.requests();
    let entities = h
        .client
        .complete_resource_simple("autotask://entities/{entity}", "entity", "ticketn")
        .await
        .unwrap();
    assert_every(&entities, "entity completions start with ticketn", |e| {
        e.to_lowercase().starts_with("ticketn")
    });
    assert!(
        entities.contains(&"TicketNotes".to_string()),
        "{entities:?}"
    );
    let outline = h
        .client
        .read_resource(ReadResourceRequestParams::new(
            "autotask://entities/TicketNotes",
        ))
        .await
        .unwrap();
    let text = serde_json::to_string(&outline.contents).unwrap();
    assert!(text.contains("Tickets/{id}/Notes"), "{text}");
    assert_eq!(
        h.requests(),
        before,
        "entity names and outlines need no request"
    );
}
