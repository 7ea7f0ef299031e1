//! Shared set-up of the client integration tests: an in-process sandbox on an ephemeral port
//! and a client whose zone detection goes through it, with millisecond backoff delays.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use autotask_mcp::autotask::AutotaskClient;
use autotask_mcp::config::{AutotaskConfig, Credentials};
use autotask_mcp::sandbox::{Sandbox, SandboxOptions};

/// A sandbox with the default options (seed 42, thread limit 3, 10,000 requests an hour).
pub async fn sandbox() -> Sandbox {
    sandbox_with(SandboxOptions::default()).await
}

pub async fn sandbox_with(options: SandboxOptions) -> Sandbox {
    Sandbox::start(options).await.expect("the sandbox starts")
}

/// The sandbox's credentials.
pub fn credentials(sandbox: &Sandbox) -> Credentials {
    let c = sandbox.credentials();
    Credentials::new(&c.username, &c.secret, &c.integration_code)
}

/// A client configuration that detects the zone through the sandbox and backs off in
/// milliseconds (the defaults stay realistic: 1 s doubling).
pub fn config(sandbox: &Sandbox) -> AutotaskConfig {
    let mut config = AutotaskConfig::with_defaults(credentials(sandbox), None);
    config.zone_lookup_url = sandbox.base_url();
    config.retry_base_delay = Duration::from_millis(5);
    config.retry_max_delay = Duration::from_millis(40);
    config
}

pub fn client(sandbox: &Sandbox) -> AutotaskClient {
    AutotaskClient::new(config(sandbox)).expect("the client builds")
}

/// How long the timeout tests let a request run: short, but far above what any answer of the
/// in-process sandbox takes, so only a request the sandbox holds on purpose times out.
pub const SHORT_TIMEOUT: Duration = Duration::from_secs(3);

/// How long the sandbox holds the request a timeout test wants to time out: far beyond any
/// timeout, so the outcome never depends on the machine's speed.
pub const HELD: Duration = Duration::from_secs(600);

/// A client that gives up on a request after [`SHORT_TIMEOUT`], pointed at the sandbox's API
/// directly (no zone detection: its first request is the test's own).
pub fn impatient_client(sandbox: &Sandbox) -> AutotaskClient {
    let mut config = config(sandbox);
    config.api_url = Some(sandbox.base_url());
    config.request_timeout = SHORT_TIMEOUT;
    AutotaskClient::new(config).expect("the client builds")
}

/// The three credential values, to look for in outputs.
pub fn secret_values(sandbox: &Sandbox) -> [String; 3] {
    let c = sandbox.credentials();
    [c.username, c.secret, c.integration_code]
}

/// A filter that matches every row.
pub fn all_rows() -> serde_json::Value {
    serde_json::json!({"filter": [{"op": "exist", "field": "id"}]})
}

/// Credentials with the characters serializers escape (`+`, `<`, `&`, `"`), for redaction
/// tests. ASCII only: anything else cannot be sent in an HTTP header.
pub const ESCAPABLE_CREDENTIALS: [&str; 3] = ["api+user@example.com", "S3cr+t/V<l\"u&e", "CODE+27"];

/// The forms a server may echo a credential in inside a JSON string: .NET's default escaping
/// (`+`, `<`, `>`, `&`, `'` and `"` as `\u002B`…), every character escaped (upper- and lower-
/// case hex digits).
pub fn escaped_forms(value: &str) -> Vec<String> {
    let all = |upper: bool| -> String {
        value
            .encode_utf16()
            .map(|u| {
                if upper {
                    format!("\\u{u:04X}")
                } else {
                    format!("\\u{u:04x}")
                }
            })
            .collect()
    };
    let dotnet: String = value
        .chars()
        .map(|c| match c {
            '+' | '<' | '>' | '&' | '\'' | '"' => format!("\\u{:04X}", c as u32),
            c => c.to_string(),
        })
        .collect();
    vec![dotnet, all(true), all(false)]
}

/// Asserts `text` holds no credential: plain, in another case, percent-encoded or escaped.
pub fn assert_no_credential(text: &str, secrets: &[&str], what: &str) {
    let lower = text.to_ascii_lowercase();
    for secret in secrets {
        assert!(!text.contains(secret), "{what} leaks {secret}: {text}");
        assert!(
            !lower.contains(&secret.to_ascii_lowercase()),
            "{what} leaks {secret} (other case): {text}"
        );
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        assert!(
            !text.contains(&encoded),
            "{what} leaks {secret} percent-encoded: {text}"
        );
        for form in escaped_forms(secret) {
            assert!(
                !text.contains(&form),
                "{what} leaks {secret} escaped: {text}"
            );
        }
    }
}

/// An `{"errors": [...]}` body echoing the three credentials in one escaped form (`form` is
/// an index into [`escaped_forms`]).
pub fn echoing_escaped_body(secrets: &[&str], form: usize) -> String {
    let parts: Vec<String> = secrets
        .iter()
        .map(|s| escaped_forms(s).swap_remove(form))
        .collect();
    format!(
        r#"{{"errors":["user {} secret {} code {} was refused"]}}"#,
        parts[0], parts[1], parts[2]
    )
}
