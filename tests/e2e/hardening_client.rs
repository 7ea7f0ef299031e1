//! Issue 11, items 6 to 8, end to end: what a bad upstream or a local user could get out of
//! the server. Escaped credentials in an upstream error body reach neither the tool result nor
//! the log; upstream bodies and results are capped; the in-process sandbox has random
//! credentials per process.

use serde_json::json;

use crate::client_support::{ESCAPABLE_CREDENTIALS, assert_no_credential, echoing_escaped_body};
use crate::mcp_support::{start, text};
use autotask_mcp::sandbox::{FaultResponse, FaultRule};

/// Item 6 through the real binary: the error body of `GET Tickets/{id}` echoes the three
/// credentials JSON-escaped; the tool result and the INFO log line "tool call failed" must
/// hold none of them, in any form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escaped_credentials_reach_neither_the_tool_result_nor_the_log() {
    let [user, secret, code] = ESCAPABLE_CREDENTIALS;
    let mut h = start(
        &[],
        &[
            ("RUST_LOG", "info"),
            ("AUTOTASK_USERNAME", user),
            ("AUTOTASK_SECRET", secret),
            ("AUTOTASK_INTEGRATION_CODE", code),
        ],
        true,
    )
    .await;
    let mut results = Vec::new();
    for form in 0..3 {
        h.sandbox.faults().push(FaultRule::new(
            Some("GET"),
            "/v1.0/tickets/",
            1,
            FaultResponse::Status {
                status: 500,
                headers: vec![],
                body: echoing_escaped_body(&ESCAPABLE_CREDENTIALS, form),
            },
        ));
        let result = h.call("get-ticket", json!({"id": 10001})).await;
        h.sandbox.faults().clear();
        assert_eq!(result.is_error, Some(true), "{}", text(&result));
        let shown = format!("{} {:?}", text(&result), result.structured_content);
        assert!(
            shown.contains("was refused"),
            "the message survives: {shown}"
        );
        results.push(shown);
    }
    for shown in &results {
        assert_no_credential(shown, &ESCAPABLE_CREDENTIALS, "the tool result");
    }
    let stderr = h.stderr.take().unwrap();
    h.client.cancel().await.unwrap();
    let logs = tokio::time::timeout(std::time::Duration::from_secs(120), stderr)
        .await
        .unwrap()
        .unwrap();
    assert!(
        logs.matches("tool call failed").count() >= 3,
        "the failures are logged at info: {logs}"
    );
    assert_no_credential(&logs, &ESCAPABLE_CREDENTIALS, "the log");
}

/// Item 8: `--sandbox --read-only` logs its loopback URL; a local user who knows the seed (the
/// default, 42) starts a sandbox of their own to learn its credentials and tries to write to
/// the demo data behind the read-only server. The in-process sandbox's credentials are random
/// per process, so the write is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_in_process_sandbox_refuses_credentials_guessed_from_the_seed() {
    use std::process::Stdio;
    use tokio::io::{AsyncBufReadExt, BufReader};

    let mut child = crate::mcp_support::command(&["--sandbox", "--read-only"])
        .env("RUST_LOG", "info")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("sandbox started")
                && let Some(start) = line.find("http://127.0.0.1:")
            {
                let url: String = line[start..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '"')
                    .collect();
                return url;
            }
        }
        panic!("the server never logged its sandbox URL");
    })
    .await
    .expect("the sandbox URL is logged at start-up");
    assert!(url.ends_with("/ATServicesRest/"), "{url}");

    let own = autotask_mcp::sandbox::Sandbox::start(Default::default())
        .await
        .unwrap();
    let guessed = own.credentials();
    let http = crate::common::client();
    let patch = http
        .patch(format!("{url}V1.0/Tickets"))
        .header("UserName", &guessed.username)
        .header("Secret", &guessed.secret)
        .header("ApiIntegrationCode", &guessed.integration_code)
        .json(&json!({"id": 10001, "title": "defaced behind a read-only server"}))
        .send()
        .await
        .unwrap();
    let status = patch.status().as_u16();
    assert!(
        matches!(status, 401 | 500),
        "the write must be refused, got {status}: {}",
        patch.text().await.unwrap_or_default()
    );
    assert_ne!(
        guessed,
        autotask_mcp::sandbox::Sandbox::start(Default::default())
            .await
            .unwrap()
            .credentials(),
        "two sandboxes with the same seed share no credentials"
    );
    drop(child);
}

/// Item 7: what is read from Autotask is capped (`AUTOTASK_MAX_RESPONSE_BYTES`, 1 MiB here):
/// a 2 MiB page, a 640 MB body streamed without a length, and an oversized answer to a write
/// each give an error naming the limit and how to narrow the request, without reading on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_over_the_response_cap_are_refused_without_being_read() {
    use autotask_mcp::autotask::{AutotaskClient, ReadIntent};
    use std::time::{Duration, Instant};

    let sandbox = crate::client_support::sandbox().await;
    let mut config = crate::client_support::config(&sandbox);
    config.max_response_bytes = 1024 * 1024;
    let client = AutotaskClient::new(config).unwrap();
    let page = json!({"items": [{"id": 1, "title": "x".repeat(2 * 1024 * 1024)}],
        "pageDetails": {"count": 1, "nextPageUrl": null}})
    .to_string();
    let faults = [
        FaultResponse::Status {
            status: 200,
            headers: vec![],
            body: page,
        },
        FaultResponse::Chunked {
            status: 200,
            chunk: "x".repeat(64 * 1024),
            count: 10_000,
        },
    ];
    for fault in faults {
        sandbox.faults().push(FaultRule::new(
            Some("POST"),
            "/v1.0/tickets/query",
            3,
            fault,
        ));
        let started = Instant::now();
        let result = client
            .query(
                "Tickets",
                &crate::client_support::all_rows(),
                5,
                ReadIntent::Explicit,
            )
            .await;
        sandbox.faults().clear();
        match result {
            Ok(r) => panic!("an answer over the cap was read: {} rows", r.items.len()),
            Err(e) => {
                let text = e.to_string();
                assert!(text.contains("AUTOTASK_MAX_RESPONSE_BYTES"), "{text}");
                assert!(text.contains("over 1048576 bytes"), "{text}");
                assert!(text.contains("maxRecords"), "{text}");
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the rest of the body is not read"
        );
    }
    // A write whose 2xx answer is over the cap: applied, and the error says so.
    sandbox.faults().push(FaultRule::new(
        Some("POST"),
        "/v1.0/tickets",
        1,
        FaultResponse::Chunked {
            status: 200,
            chunk: "y".repeat(64 * 1024),
            count: 100,
        },
    ));
    let body = json!({"companyID": 0, "title": "x", "status": 1, "priority": 2});
    match client.create("Tickets", &body).await {
        Ok(id) => panic!("an answer over the cap was read (id {id})"),
        Err(e) => assert!(e.to_string().contains("the change was applied"), "{e}"),
    }
}

/// Item 7: one result is capped too (`AUTOTASK_MAX_RESULT_BYTES`, 64 KiB here): a ticket with
/// a 300 KB description comes back as a tool error naming the limit, not as a 600 KB answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_over_the_result_cap_is_replaced_by_a_tool_error_over_stdio() {
    let h = start(&[], &[("AUTOTASK_MAX_RESULT_BYTES", "65536")], false).await;
    h.sandbox.faults().push(FaultRule::new(
        Some("GET"),
        "/v1.0/tickets/10001",
        1,
        FaultResponse::Status {
            status: 200,
            headers: vec![],
            body:
                json!({"item": {"id": 10001, "title": "big", "description": "d".repeat(300_000)}})
                    .to_string(),
        },
    ));
    let result = h.call("get-ticket", json!({"id": 10001})).await;
    assert_eq!(result.is_error, Some(true), "{}", text(&result));
    let shown = text(&result);
    assert!(shown.contains("AUTOTASK_MAX_RESULT_BYTES"), "{shown}");
    assert!(shown.len() < 1000, "{} bytes", shown.len());
    // The next call is served normally.
    let ok = h.call("get-ticket", json!({"id": 10002})).await;
    assert_ne!(ok.is_error, Some(true), "{}", text(&ok));
}
