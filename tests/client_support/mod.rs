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

/// The three credential values, to look for in outputs.
pub fn secret_values(sandbox: &Sandbox) -> [String; 3] {
    let c = sandbox.credentials();
    [c.username, c.secret, c.integration_code]
}

/// A filter that matches every row.
pub fn all_rows() -> serde_json::Value {
    serde_json::json!({"filter": [{"op": "exist", "field": "id"}]})
}
