//! autotask-mcp: a Model Context Protocol server for Kaseya Autotask PSA, with a built-in
//! emulator of the Autotask REST API (the sandbox).
//!
//! Modules, one concern each:
//! * `registry` / `entities`: the generated entity metadata and typed structs;
//! * `config`: flags and environment → one validated `Config`;
//! * `approval`: human approval of writes (modes, one-time codes, a write in words);
//! * `audit`: the write-ahead, hash-chained audit log and `audit verify`;
//! * `caller`: who makes a tool call (transport, token fingerprint, acting resource);
//! * `filter`: the Autotask filter language as one typed enum (the bottom layer: std and serde only);
//! * `autotask`: the REST client (zones, auth, retries, paging, budget);
//! * `budget_usage`: the hourly API budget's percentages and usage figure (a leaf);
//! * `sandbox`: the in-process Autotask emulator and its demo tenant;
//! * `tools` / `server`: the MCP tools and the rmcp `ServerHandler`;
//! * `transport`: stdio and streamable HTTP;
//! * `metrics`: counters for `/metrics`;
//! * `logging`: the `tracing` subscriber (stderr, text or JSON);
//! * `conformance` (feature `conformance-fixtures`): the MCP conformance suite's fixtures.

pub mod approval;
pub mod audit;
pub mod autotask;
pub mod budget_usage;
pub mod caller;
pub mod completions;
pub mod config;
#[cfg(feature = "conformance-fixtures")]
pub mod conformance;
pub mod filter;
pub mod logging;
pub mod metrics;
pub mod prompts;
pub mod registry;
pub mod sandbox;
pub mod server;
pub mod tools;
pub mod transport;

#[cfg(test)]
#[allow(clippy::all, missing_docs)]
pub mod entities;
