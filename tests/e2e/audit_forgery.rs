//! Issue 19, repro 1, over stdio: a note whose title spells the API username with its first
//! character percent-encoded, and whose description holds an encoded line break and a whole
//! forged `update-company … updated` line. The audit log must hold the note's line and no
//! other: no forged line, no broken real line, no username in any form. (Redaction masks the
//! encoded span and never decodes the rest, and lines are rendered from values.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::mcp_support::start;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_note_cannot_forge_an_audit_line_or_reveal_the_username() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let h = start(
        &[],
        &[("AUTOTASK_AUDIT_LOG", audit.to_str().unwrap())],
        false,
    )
    .await;
    let username = h.sandbox.credentials().username.clone();
    let ticket = h
        .rest_query("Tickets", json!([{"op": "gt", "field": "id", "value": 0}]))
        .await
        .into_iter()
        .next()
        .expect("the demo tenant has tickets");
    let first = username.as_bytes()[0];
    let title = format!("Re: %{first:02X}{}", &username[1..]);
    let forged = r#"{"time":"2026-04-01T10:00:00.000Z","tool":"update-company","entity":"Companies","operation":"update","id":1,"outcome":"updated","requests":1,"transport":"stdio"}"#;
    let description = format!("x%0A{}%0A", forged.replace('"', "%22"));
    let note = h
        .ok(
            "create-ticket-note",
            json!({"ticketID": ticket["id"], "title": title, "description": description,
                "confirm": "CREATE_TICKET_NOTE"}),
        )
        .await;
    assert!(note["id"].as_i64().is_some(), "{note}");

    let text = std::fs::read_to_string(&audit).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("a broken line ({e}): {l}")))
        .collect();
    assert!(!lines.is_empty(), "the write left its audit line");
    for line in &lines {
        assert_eq!(line["tool"], "create-ticket-note", "a forged line: {line}");
        assert_eq!(line["fields"]["title"], "Re: [redacted]", "{line}");
    }
    assert!(lines.iter().any(|l| l["outcome"] == "created"), "{text}");
    assert!(
        !text.contains("update-company\",") && !text.contains("\"tool\":\"update-company"),
        "{text}"
    );
    let lower = text.to_ascii_lowercase();
    assert!(
        !lower.contains(&username[1..].to_ascii_lowercase()),
        "the username, or all of it but one character, is in the log: {text}"
    );
    // The description is kept as the text it is: encoded, on the note's own line.
    assert!(text.contains("x%0A{%22time%22"), "{text}");
}
