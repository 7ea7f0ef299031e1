//! End to end, error messages fit the error (issue 11, item 12): an authentication failure
//! (HTTP 500 for an unknown user or integration code, 401 for a wrong secret) names the
//! variables to check and never their values; a missing record says so and how to find one;
//! a validation error keeps the field/picklist advice; a write tool whose read before the
//! write fails (after retries) says nothing was sent. Composed messages never show `..`,
//! `?.` or a period doubled after a quote. Also: a huge filter is echoed summarised, and a
//! field Autotask cannot query is refused before anything is sent.

use crate::mcp_support::{Harness, start, text};
use autotask_mcp::sandbox::{FaultResponse, FaultRule};
use serde_json::{Value, json};

const FIELD_ADVICE: &str = "Check field names and picklist values";
const NOTHING_SENT: &str = "Nothing was sent";

/// An Autotask `{"errors": [...]}` answer with HTTP 500 for the next matching request.
fn autotask_500(h: &Harness, method: &str, path: &str, message: &str) {
    h.sandbox.faults().push(FaultRule::new(
        Some(method),
        path,
        1,
        FaultResponse::Status {
            status: 500,
            headers: vec![],
            body: json!({ "errors": [message] }).to_string(),
        },
    ));
}

async fn first_id(h: &Harness, entity: &str) -> i64 {
    h.rest_query(entity, json!([{"op": "exist", "field": "id"}]))
        .await[0]["id"]
        .as_i64()
        .unwrap()
}

/// The composition artifacts no message may show.
fn artifacts(message: &str) -> Vec<&'static str> {
    ["..", "?.", "!.", ".\".", "?\".", ".'.", ".`."]
        .into_iter()
        .filter(|a| message.contains(a))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn advice_fits_the_error_and_reads_before_a_write_say_nothing_was_sent() {
    let mut seen = Vec::new();

    // Wrong credentials: each names what is wrong and the variable to check, never a value.
    for (variable, wrong, says) in [
        (
            "AUTOTASK_USERNAME",
            "nobody.here@example.com",
            "does not know this API user",
        ),
        (
            "AUTOTASK_INTEGRATION_CODE",
            "WRONGINTEGRATIONCODE0000000",
            "rejected the integration code",
        ),
        ("AUTOTASK_SECRET", "not-the-secret-at-all", "the secret"),
    ] {
        let h = start(&[], &[(variable, wrong)], false).await;
        let creds = h.sandbox.credentials();
        for (tool, args) in [
            ("get-ticket", json!({"id": 1})),
            ("search-companies", json!({"nameContains": "a"})),
            (
                "create-ticket",
                json!({"companyID": 0, "title": "x", "confirm": "CREATE_TICKET"}),
            ),
        ] {
            let err = h.err(tool, args).await;
            assert!(
                err.contains(variable) && err.contains(says),
                "{variable} {tool}: {err}"
            );
            assert!(!err.contains(FIELD_ADVICE), "{variable} {tool}: {err}");
            for secret in [
                wrong,
                creds.username.as_str(),
                creds.secret.as_str(),
                creds.integration_code.as_str(),
            ] {
                assert!(!err.contains(secret), "{variable} {tool} leaked: {err}");
            }
            if tool == "create-ticket" {
                assert!(err.contains(NOTHING_SENT), "{err}");
            }
            seen.push(err);
        }
        assert_eq!(h.writes(), 0);
        h.client.cancel().await.unwrap();
    }

    let h = start(&[], &[], false).await;
    let ticket = first_id(&h, "Tickets").await;

    // A record that does not exist (reported by Autotask as HTTP 500): say so, and how to
    // find one; never the field advice.
    for (method, path, tool, args, message) in [
        (
            "PATCH",
            "Tickets",
            "update-ticket",
            json!({"id": ticket, "title": "renamed", "confirm": "UPDATE_TICKET"}),
            format!("No matching records found. The Ticket with id {ticket} does not exist."),
        ),
        (
            "POST",
            "Tickets/query",
            "search-tickets",
            json!({"titleContains": "printer"}),
            "Unable to find the parent Company with id 987654.".to_string(),
        ),
        (
            "GET",
            "Companies/0",
            "get-company",
            json!({"id": 0}),
            "No message. No matching records found. The logged in Resource may not have the required permissions to delete the data.".to_string(),
        ),
    ] {
        autotask_500(&h, method, path, &message);
        let err = h.err(tool, args).await;
        assert!(
            err.contains("No record with that id exists") && err.contains("search-"),
            "{tool}: {err}"
        );
        assert!(!err.contains(FIELD_ADVICE), "{tool}: {err}");
        seen.push(err);
    }

    // A validation error keeps the field and picklist advice.
    autotask_500(
        &h,
        "POST",
        "Tickets",
        "String value exceeds maximum length (field:description).",
    );
    let err = h
        .err(
            "create-ticket",
            json!({"companyID": 0, "title": "x", "confirm": "CREATE_TICKET"}),
        )
        .await;
    assert!(
        err.contains(FIELD_ADVICE) && err.contains("maximum length"),
        "{err}"
    );
    seen.push(err);

    // The read before a write fails after its retries: nothing was sent, and it says so, for
    // a create (the company check) and an update (the current record), previews included.
    let writes = h.writes();
    for (path, tool, args, response) in [
        (
            "Companies/0",
            "create-ticket",
            json!({"companyID": 0, "title": "x", "confirm": "CREATE_TICKET"}),
            FaultResponse::DropConnection,
        ),
        (
            "Companies/0",
            "create-ticket",
            json!({"companyID": 0, "title": "x"}),
            FaultResponse::DropConnection,
        ),
        (
            &format!("Tickets/{ticket}"),
            "update-ticket",
            json!({"id": ticket, "title": "y", "confirm": "UPDATE_TICKET"}),
            FaultResponse::Empty { status: 503 },
        ),
    ] {
        h.sandbox
            .faults()
            .push(FaultRule::new(Some("GET"), path, 3, response.clone()));
        let err = h.err(tool, args).await;
        assert!(
            err.contains(NOTHING_SENT) && err.contains("nothing was changed"),
            "{tool}: {err}"
        );
        if response == FaultResponse::DropConnection {
            assert!(err.contains("(3 attempts)"), "{tool}: {err}");
        }
        h.sandbox.faults().clear();
        seen.push(err);
    }
    assert_eq!(h.writes(), writes, "a failed read before a write sent it");

    for message in &seen {
        assert!(artifacts(message).is_empty(), "{message}");
    }
    h.client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn composed_messages_never_double_their_periods() {
    let h = start(&[], &[], false).await;
    let ticket = first_id(&h, "Tickets").await;
    let mut seen = Vec::new();
    // Autotask's messages end in every way a sentence can; each is joined to the advice.
    let endings = [
        "The value is not valid.",
        "Is the queue \"Level 1\" right?",
        "The field was \"title\".",
        "It said: \"not allowed.\"",
        "Denied!",
        "(field:description).",
        "no period at all",
        "   trailing space.   ",
    ];
    let calls: [(&str, &str, &str, Value); 4] = [
        ("POST", "Tickets/query", "search-tickets", json!({})),
        (
            "GET",
            &format!("Tickets/{ticket}"),
            "get-ticket",
            json!({"id": ticket}),
        ),
        (
            "POST",
            "Tickets/query/count",
            "count-entity",
            json!({"entity": "Tickets", "query": {"filter": []}}),
        ),
        (
            "PATCH",
            "Tickets",
            "update-ticket",
            json!({"id": ticket, "title": "z", "confirm": "UPDATE_TICKET"}),
        ),
    ];
    for (method, path, tool, args) in &calls {
        for ending in endings {
            autotask_500(&h, method, path, ending);
            seen.push(h.err(tool, args.clone()).await);
            h.sandbox.faults().clear();
        }
    }
    // Two messages at once, a 401, a 403 and a 404 with the ASP.NET shape.
    for (status, body) in [
        (500, json!({"errors": ["First.", "Second?"]}).to_string()),
        (401, json!({"errors": ["Unauthorized."]}).to_string()),
        (403, json!({"Message": "Forbidden."}).to_string()),
        (
            404,
            json!({"Message": "No HTTP resource was found."}).to_string(),
        ),
    ] {
        h.sandbox.faults().push(FaultRule::new(
            Some("POST"),
            "Tickets/query",
            1,
            FaultResponse::Status {
                status,
                headers: vec![],
                body,
            },
        ));
        seen.push(h.err("search-tickets", json!({})).await);
        h.sandbox.faults().clear();
    }
    // Messages the server composes itself: a question ("did you mean …?") then "Nothing was
    // sent.", a non-queryable field, an unknown label.
    for (tool, args) in [
        (
            "query-entity",
            json!({"entity": "Tickets", "query": {"filter": [{"op": "eq", "field": "stauts", "value": 1}]}}),
        ),
        (
            "count-entity",
            json!({"entity": "Tickets", "query": {"filter": [{"op": "eq", "field": "creatorType", "value": 1}]}}),
        ),
        ("search-tickets", json!({"status": "Nonexistent status."})),
    ] {
        seen.push(h.err(tool, args).await);
    }
    for message in &seen {
        let found = artifacts(message);
        assert!(found.is_empty(), "{found:?} in: {message}");
    }
    h.client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_filters_are_echoed_summarised_and_unqueryable_fields_refused() {
    let h = start(&[], &[], false).await;
    // A 3.5 MB `in` list: sent whole, echoed as its first values and a count.
    let long = "x".repeat(7_000);
    let values: Vec<Value> = (0..500).map(|i| json!(format!("{i}{long}"))).collect();
    let query = json!({"filter": [{"op": "in", "field": "title", "value": values}]});
    assert!(query.to_string().len() > 3_500_000);
    let result = h
        .call("query-entity", json!({"entity": "Tickets", "query": query}))
        .await;
    assert_ne!(result.is_error, Some(true), "{}", text(&result));
    let out = result.structured_content.clone().unwrap();
    let shown = &out["filter"][0];
    assert_eq!(shown["op"], "in");
    assert_eq!(shown["value"].as_array().unwrap().len(), 4, "{shown}");
    assert_eq!(shown["value"][3], "… 500 values");
    let bytes = text(&result).len();
    assert!(bytes <= 40_000, "the result is {bytes} bytes");
    assert!(
        out["notes"].to_string().contains("shown summarised"),
        "{}",
        out["notes"]
    );

    // A field Autotask cannot query is refused here, naming it; nothing is sent.
    let before = h.requests();
    for tool in ["query-entity", "count-entity"] {
        let err = h
            .err(
                tool,
                json!({"entity": "Tickets", "query": {"filter": [{"op": "eq", "field": "creatorType", "value": 1}]}}),
            )
            .await;
        assert!(
            err.contains("creatorType") && err.contains("can't be filtered on"),
            "{err}"
        );
        assert!(err.contains(NOTHING_SENT), "{err}");
    }
    assert_eq!(h.requests(), before, "a refused filter reached the sandbox");
    h.client.cancel().await.unwrap();
}
