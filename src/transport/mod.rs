//! Transports: how MCP clients reach the server. `stdio` serves one client on stdin/stdout;
//! `http` serves many over MCP streamable HTTP (with its `auth`, `oauth` (signing in),
//! `gateway` (per-request tenants), `origin` and `health` parts). This module also owns process start-up shared by both: logging to stderr (never
//! stdout) and building the `ServerState` from the configuration, starting the in-process
//! sandbox in sandbox mode.

pub mod auth;
pub mod connection;
pub mod gateway;
pub mod health;
pub mod http;
pub mod jsonrpc;
pub mod mcp_gate;
pub mod oauth;
pub mod origin;
pub mod stdio;

use std::sync::Arc;
use std::time::Duration;

use crate::autotask::AutotaskClient;
use crate::config::access::DEFAULT_RESOURCE_TTL_SECS;
use crate::config::{AutotaskConfig, Config, Credentials, LogFormat, Transport};
use crate::server::ServerState;
use crate::server::tenants::TenantPool;

/// Sends `tracing` output to stderr, filtered by `RUST_LOG` (default `info`). stdout stays
/// free for JSON-RPC. Safe to call twice (the second call does nothing). See `crate::logging`.
pub fn init_logging(format: LogFormat) {
    crate::logging::init(format);
}

/// What keeps a server process's backing services alive (the sandbox, in sandbox mode).
pub struct Backend {
    pub state: Arc<ServerState>,
    /// Held so the sandbox keeps serving for the life of the process.
    pub sandbox: Option<crate::sandbox::Sandbox>,
}

/// Builds the shared state: the Autotask client for the configured tenant, or for an
/// in-process sandbox started here.
pub async fn backend(config: &Config) -> Result<Backend, String> {
    let (autotask, sandbox) = if config.sandbox {
        let sandbox = crate::sandbox::Sandbox::start(crate::sandbox::SandboxOptions {
            seed: config.sandbox_seed,
            ..Default::default()
        })
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
        // The sandbox's credentials are random per process and never logged, so the loopback
        // URL below does not let another local user write behind a read-only server.
        let creds = sandbox.credentials();
        let autotask = AutotaskConfig {
            credentials: Credentials::new(&creds.username, &creds.secret, &creds.integration_code),
            api_url: Some(sandbox.base_url()),
            ..config.autotask.clone()
        };
        tracing::info!(url = %sandbox.base_url(), "sandbox started (demo tenant)");
        (autotask, Some(sandbox))
    } else {
        (config.autotask.clone(), None)
    };
    let settings = crate::tools::Settings::from_config(config, &autotask.credentials)?;
    let technician_ttl = config
        .http
        .oauth
        .as_ref()
        .map_or(Duration::from_secs(DEFAULT_RESOURCE_TTL_SECS), |o| {
            o.resource_ttl
        });
    let state = match &config.http.gateway {
        Some(gateway) if config.transport == Transport::Http => ServerState::gateway(
            TenantPool::new(gateway, autotask, settings.clone(), technician_ttl),
            &settings,
        ),
        _ => {
            let client = AutotaskClient::new(autotask).map_err(|e| e.to_string())?;
            ServerState::signed_in_ttl(client, settings, technician_ttl)
        }
    };
    tracing::info!(
        tools = state.inventory.len(),
        read_only = config.read_only,
        sandbox = config.sandbox,
        gateway = config.http.gateway.is_some(),
        signing_in = config.http.oauth.is_some(),
        "server ready"
    );
    Ok(Backend {
        state: Arc::new(state),
        sandbox,
    })
}
