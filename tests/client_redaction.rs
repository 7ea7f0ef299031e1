//! No credential appears in any error (Display or Debug) or log line, even when Autotask (the
//! sandbox here) echoes the username, secret or integration code back in a body.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client_support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use autotask_mcp::autotask::{AutotaskClient, AutotaskError, ReadIntent};
use autotask_mcp::config::Credentials;
use autotask_mcp::sandbox::{FaultResponse, FaultRule, Sandbox};
use client_support::{
    ESCAPABLE_CREDENTIALS, all_rows, assert_no_credential, client, config, echoing_escaped_body,
    sandbox, secret_values,
};
use serde_json::json;

/// Every log line of this test binary, at TRACE.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        // `try_init` also routes `log` records (reqwest, hyper-util) into the subscriber, as
        // the server does.
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .try_init()
            .unwrap();
        logs
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_clean(text: &str, secrets: &[String], what: &str) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{what} leaks a credential: {text}"
        );
        assert!(
            !text
                .to_ascii_lowercase()
                .contains(&secret.to_ascii_lowercase()),
            "{what} leaks a credential (other case): {text}"
        );
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        assert!(
            !text.contains(&encoded),
            "{what} leaks an encoded credential: {text}"
        );
    }
}

fn assert_error_clean(err: &AutotaskError, secrets: &[String]) {
    assert_clean(&err.to_string(), secrets, "Display");
    assert_clean(&format!("{err:?}"), secrets, "Debug");
    assert_clean(&format!("{err:#?}"), secrets, "pretty Debug");
}

/// Bodies that echo all three credentials, in every shape Autotask answers errors in.
fn echoing_faults(sandbox: &Sandbox) -> Vec<FaultResponse> {
    let [user, secret, code] = secret_values(sandbox);
    let echo = format!("user {user} secret {secret} code {code}");
    let encoded: String = url::form_urlencoded::byte_serialize(echo.as_bytes()).collect();
    vec![
        FaultResponse::Status {
            status: 500,
            headers: vec![],
            body: json!({"errors": [echo.clone(), {"message": echo}]}).to_string(),
        },
        FaultResponse::Status {
            status: 500,
            headers: vec![],
            body: json!({"Message": echo}).to_string(),
        },
        FaultResponse::Status {
            status: 400,
            headers: vec![],
            body: format!("plain text: {echo}"),
        },
        FaultResponse::Status {
            status: 404,
            headers: vec![],
            body: format!("<html><body>{echo}</body></html>"),
        },
        FaultResponse::Status {
            status: 503,
            headers: vec![],
            body: format!("busy {encoded} {}", echo.to_uppercase()),
        },
        FaultResponse::Status {
            status: 200,
            headers: vec![],
            body: format!("{{\"items\": [\"{echo}"),
        },
    ]
}

#[tokio::test]
async fn errors_never_contain_credentials_even_when_echoed() {
    let sandbox = sandbox().await;
    let secrets = secret_values(&sandbox);
    let client = client(&sandbox);
    let mut errors = Vec::new();
    for fault in echoing_faults(&sandbox) {
        // Reads (retried up to 3 times for the 503), writes (outcome unknown), counts.
        sandbox.faults().push(FaultRule::new(
            Some("POST"),
            "/v1.0/tickets/query",
            3,
            fault.clone(),
        ));
        errors.push(
            client
                .query("Tickets", &all_rows(), 5, ReadIntent::Explicit)
                .await
                .unwrap_err(),
        );
        sandbox.faults().clear();
        sandbox.faults().push(FaultRule::new(
            Some("POST"),
            "/v1.0/tickets",
            1,
            fault.clone(),
        ));
        errors.push(
            client
                .create(
                    "Tickets",
                    &json!({"companyID": 0, "title": "x", "status": 1, "priority": 2}),
                )
                .await
                .unwrap_err(),
        );
        sandbox.faults().clear();
        sandbox
            .faults()
            .push(FaultRule::new(Some("PATCH"), "/v1.0/tickets", 1, fault));
        errors.push(
            client
                .update(
                    "Tickets",
                    &json!({"id": 1, "title": "x"}),
                    autotask_mcp::autotask::UpdateMethod::Patch,
                )
                .await
                .unwrap_err(),
        );
        sandbox.faults().clear();
    }
    assert_eq!(errors.len(), 18);
    for err in &errors {
        assert_error_clean(err, &secrets);
    }
    // The messages are still useful: the non-secret words survive.
    assert!(
        errors[0]
            .messages()
            .iter()
            .any(|m| m.contains("user [redacted] secret [redacted]")),
        "{:?}",
        errors[0]
    );
}

/// Answers the next requests to `method path` with `status` and `body`, makes the call that
/// sends it (a query for `…/query`, a create for `POST`, an update for `PATCH`) and returns its
/// error.
async fn failed_call(
    sandbox: &Sandbox,
    client: &AutotaskClient,
    method: &str,
    path: &str,
    status: u16,
    body: &str,
) -> AutotaskError {
    sandbox.faults().push(FaultRule::new(
        Some(method),
        path,
        3,
        FaultResponse::Status {
            status,
            headers: vec![],
            body: body.to_string(),
        },
    ));
    let result = match method {
        "PATCH" => client
            .update(
                "Tickets",
                &json!({"id": 1, "title": "x"}),
                autotask_mcp::autotask::UpdateMethod::Patch,
            )
            .await
            .map(|_| ()),
        _ if path.ends_with("query") => client
            .query("Tickets", &all_rows(), 5, ReadIntent::Explicit)
            .await
            .map(|_| ()),
        _ => client
            .create(
                "Tickets",
                &json!({"companyID": 0, "title": "x", "status": 1, "priority": 2}),
            )
            .await
            .map(|_| ()),
    };
    sandbox.faults().clear();
    match result {
        Ok(()) => panic!("{method} {path} must fail with the injected {status}"),
        Err(e) => e,
    }
}

/// Long non-JSON bodies are cut to a few hundred characters for the error text; a credential
/// that straddles the cut must not survive as a fragment.
#[tokio::test]
async fn a_credential_straddling_the_truncation_point_does_not_leak_a_fragment() {
    let sandbox = sandbox().await;
    let secrets = secret_values(&sandbox);
    let client = client(&sandbox);
    for secret in &secrets {
        let body = format!("{}{secret} and more text after it", "x".repeat(290));
        for (method, path, status) in [
            ("POST", "/v1.0/tickets/query", 400),
            ("POST", "/v1.0/tickets", 502),
        ] {
            let err = failed_call(&sandbox, &client, method, path, status, &body).await;
            let text = format!("{err} {err:?}");
            let fragment: String = secret.chars().take(6).collect();
            assert!(
                !text.contains(&fragment),
                "a fragment of a credential leaked: {text}"
            );
        }
    }
}

#[tokio::test]
async fn zone_lookup_and_auth_failures_do_not_leak_credentials() {
    let sandbox = sandbox().await;
    let secrets = secret_values(&sandbox);
    let [user, _, _] = secret_values(&sandbox);
    // The zone lookup echoes the username it was asked about.
    sandbox.faults().push(FaultRule::new(
        Some("GET"),
        "zoneinformation",
        1,
        FaultResponse::Status {
            status: 500,
            headers: vec![],
            body: json!({"errors": [format!("Unknown user {user}")]}).to_string(),
        },
    ));
    let err = client(&sandbox).zone_base().await.unwrap_err();
    assert_error_clean(&err, &secrets);

    // Wrong secret, wrong integration code: whatever the sandbox answers, nothing leaks.
    let c = sandbox.credentials();
    for creds in [
        Credentials::new(&c.username, "WRONG-SECRET-abcdef", &c.integration_code),
        Credentials::new(&c.username, &c.secret, "WRONG-CODE-123456"),
    ] {
        let values: Vec<String> = creds.values().iter().map(|s| s.to_string()).collect();
        let mut config = config(&sandbox);
        config.credentials = creds;
        let client = AutotaskClient::new(config).unwrap();
        let err = client
            .count("Tickets", &all_rows(), ReadIntent::Explicit)
            .await
            .unwrap_err();
        assert_error_clean(&err, &values);
    }

    // An unreachable zone-lookup host: the username travels in its query string, and the
    // transport error must not repeat it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut config = config(&sandbox);
    config.zone_lookup_url = format!("http://127.0.0.1:{port}/ATServicesRest/");
    let err = AutotaskClient::new(config)
        .unwrap()
        .zone_base()
        .await
        .unwrap_err();
    assert!(matches!(err, AutotaskError::Transport { .. }), "{err}");
    assert_error_clean(&err, &secrets);
}

#[tokio::test]
async fn trace_logs_never_contain_credentials() {
    let logs = captured_logs();
    let sandbox = sandbox().await;
    let secrets = secret_values(&sandbox);
    let client = client(&sandbox);
    for fault in echoing_faults(&sandbox) {
        sandbox.faults().push(FaultRule::new(
            Some("POST"),
            "/v1.0/tickets/query",
            3,
            fault,
        ));
        let _ = client
            .query("Tickets", &all_rows(), 5, ReadIntent::Explicit)
            .await;
        sandbox.faults().clear();
    }
    client
        .query("Tickets", &all_rows(), 600, ReadIntent::Explicit)
        .await
        .unwrap();
    let _ = client
        .create(
            "Tickets",
            &json!({"companyID": 0, "title": "logged", "status": 1, "priority": 2}),
        )
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).to_string();
    assert!(
        text.contains("autotask request"),
        "the requests were logged: {text}"
    );
    assert!(
        text.contains("zoneInformation"),
        "the zone lookup was logged"
    );
    assert!(text.contains("Tickets/query/next"), "the paging was logged");
    assert_clean(&text, &secrets, "the trace log");
}

#[tokio::test]
async fn the_budget_warning_is_logged_once_without_credentials() {
    let logs = captured_logs();
    let sandbox = sandbox().await;
    sandbox.set_request_count(7_777);
    let secrets = secret_values(&sandbox);
    let client = client(&sandbox);
    for _ in 0..3 {
        client
            .count("Companies", &all_rows(), ReadIntent::Background)
            .await
            .unwrap();
    }
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).to_string();
    let warnings: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("has used 77"))
        .collect();
    assert_eq!(
        warnings.len(),
        1,
        "one warning per level reached: {warnings:?}"
    );
    assert!(
        warnings[0].contains("of 10000 Autotask API requests this hour"),
        "{}",
        warnings[0]
    );
    assert_clean(&text, &secrets, "the log");
}

/// Issue 11, item 6: a body that echoes the credentials JSON-escaped (`\u002B` for `+`, as
/// .NET's serializer writes by default, or every character escaped) is decoded when the
/// messages are read; the credentials must not come back to life there. Reads, writes with a
/// business error and writes with an unknown outcome; errors (Display, Debug, messages) and
/// every log line at TRACE.
#[tokio::test]
async fn credentials_echoed_json_escaped_are_redacted_after_decoding() {
    let logs = captured_logs();
    let sandbox = sandbox().await;
    let [user, secret, code] = ESCAPABLE_CREDENTIALS;
    let mut config = config(&sandbox);
    config.credentials = Credentials::new(user, secret, code);
    // Pinned: the sandbox does not know this user, and the faults answer before its checks.
    config.api_url = Some(sandbox.base_url());
    let client = AutotaskClient::new(config).unwrap();
    let mut errors = Vec::new();
    for form in 0..3 {
        let body = echoing_escaped_body(&ESCAPABLE_CREDENTIALS, form);
        for (method, path, status) in [
            ("POST", "/v1.0/tickets/query", 500),
            ("POST", "/v1.0/tickets", 500),
            ("PATCH", "/v1.0/tickets", 502),
        ] {
            errors.push(failed_call(&sandbox, &client, method, path, status, &body).await);
        }
    }
    assert_eq!(errors.len(), 9);
    for err in &errors {
        let text = format!("{err} | {err:?} | {:?}", err.messages());
        assert_no_credential(&text, &ESCAPABLE_CREDENTIALS, "the error");
    }
    // The words around the credentials survive, so the message still says what happened.
    assert!(
        errors[0]
            .messages()
            .iter()
            .any(|m| m.contains("secret [redacted] code [redacted] was refused")),
        "{:?}",
        errors[0]
    );
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).to_string();
    assert_no_credential(&text, &ESCAPABLE_CREDENTIALS, "the trace log");
}
