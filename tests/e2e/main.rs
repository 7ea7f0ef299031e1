//! The end-to-end tests, in one binary (one link instead of one per file): the real binary
//! and server over MCP clients, the REST client and the sandbox's HTTP contract. Tests that
//! install a process-wide log subscriber stay in their own binaries (`tests/http_logging.rs`,
//! `tests/client_redaction.rs`).

// Clippy's allow-unwrap-in-tests (clippy.toml) covers `#[test]` functions only, not the helper
// functions of an integration test crate: tests may unwrap and expect everywhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../client_support/mod.rs"]
mod client_support;
#[path = "../common/mod.rs"]
mod common;
#[path = "../http_support/mod.rs"]
mod http_support;
#[path = "../mcp_support/mod.rs"]
mod mcp_support;
#[path = "../oauth_support/mod.rs"]
mod oauth_support;

mod audit_forgery;
mod audit_stderr_sink;
mod audit_verify_cli;
mod cache_single_flight;
mod client_budget;
mod client_connections;
mod client_paging;
mod client_reads_retry;
mod client_writes;
mod client_zone;
mod error_advice;
mod filter_layer;
mod filters_props;
mod gateway_tenants;
mod grouped_counts;
mod hardening_client;
mod hardening_transport;
mod http_load;
mod http_sandbox;
mod http_shutdown;
mod http_transport;
mod mcp_attachments;
mod mcp_guards;
mod mcp_stdio;
mod mcp_timeline_people;
mod mcp_tools;
mod mcp_udfs_prompts;
mod module_layers;
mod oauth_signin;
mod paging_progress;
mod registered_text;
mod registry_facts;
mod result_sizes;
mod sandbox_assets_billing;
mod sandbox_cli_refresh;
mod sandbox_contracts;
mod sandbox_permissions;
mod sandbox_queries;
mod sandbox_route_walk;
mod sandbox_routing;
mod sandbox_service_calls;
mod sandbox_throttle_faults;
mod sandbox_ticket_history;
mod sandbox_writes;
mod ticket_assignment;
mod tools_snapshot;
mod write_impersonation;
mod write_safety;
