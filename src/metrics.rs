//! Process metrics for `/metrics` (Prometheus text format): tool calls by name and outcome,
//! Autotask requests by status, latencies, 429s, budget usage. Recording is cheap and never
//! fails; the HTTP transport renders the text with [`render`].
//!
//! The metrics live in one process-wide registry (one per replica; Prometheus sums replicas).
//! Label values come from a bounded set: tool names are capped at [`MAX_TOOL_LABELS`] distinct
//! values (the rest count under `other`), HTTP methods are normalised, statuses are numbers.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The `Content-Type` of [`render`]'s output.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// Distinct tool names kept as label values; later names count as `other`.
pub const MAX_TOOL_LABELS: usize = 512;

/// Outcome of one tool call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolOutcome {
    Ok,
    /// The call's own problem (arguments, a missing record, Autotask's refusal).
    ToolError,
    Refused,
    /// A bug of this server, counted apart from the callers' mistakes.
    Internal,
}

impl ToolOutcome {
    fn as_str(self) -> &'static str {
        match self {
            ToolOutcome::Ok => "ok",
            ToolOutcome::ToolError => "tool_error",
            ToolOutcome::Refused => "refused",
            ToolOutcome::Internal => "internal_error",
        }
    }
}

type Labels2 = [(&'static str, String); 2];
type Labels1 = [(&'static str, String); 1];
type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// Latency buckets in seconds, 5 ms to about 2 minutes.
fn latency_histogram() -> Histogram {
    Histogram::new([
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
    ])
}

struct Metrics {
    registry: Registry,
    tool_calls: Family<Labels2, Counter>,
    tool_duration: HistogramFamily<Labels1>,
    tool_names: Mutex<HashSet<String>>,
    autotask_requests: Family<Labels2, Counter>,
    autotask_duration: HistogramFamily<Labels1>,
    autotask_rate_limited: Counter,
    budget_used: Gauge,
    budget_limit: Gauge,
    budget_ratio: Gauge<f64, AtomicU64>,
    http_requests: Family<Labels2, Counter>,
    http_duration: HistogramFamily<Labels1>,
    log_lines_dropped: Counter,
    results_too_large: Counter,
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let mut registry = Registry::with_prefix("autotask_mcp");
        let tool_calls = Family::<Labels2, Counter>::default();
        registry.register(
            "tool_calls",
            "MCP tool calls by tool and outcome (ok, tool_error, refused)",
            tool_calls.clone(),
        );
        let tool_duration: HistogramFamily<Labels1> =
            Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "tool_call_duration_seconds",
            "Duration of MCP tool calls by tool",
            tool_duration.clone(),
        );
        let autotask_requests = Family::<Labels2, Counter>::default();
        registry.register(
            "autotask_requests",
            "HTTP requests sent to Autotask by method and status (0 = no answer)",
            autotask_requests.clone(),
        );
        let autotask_duration: HistogramFamily<Labels1> =
            Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "autotask_request_duration_seconds",
            "Duration of HTTP requests to Autotask by method",
            autotask_duration.clone(),
        );
        let autotask_rate_limited = Counter::default();
        registry.register(
            "autotask_rate_limited",
            "Autotask answers with HTTP 429 (hourly budget or thread limit)",
            autotask_rate_limited.clone(),
        );
        let budget_used = Gauge::default();
        registry.register(
            "autotask_budget_used_requests",
            "Requests the tenant has used in the current hourly window (last known, shared by every integration of the tenant)",
            budget_used.clone(),
        );
        let budget_limit = Gauge::default();
        registry.register(
            "autotask_budget_limit_requests",
            "The tenant's hourly request threshold (last known)",
            budget_limit.clone(),
        );
        let budget_ratio = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "autotask_budget_usage_ratio",
            "Used / limit of the tenant's hourly budget (last known, 0 to 1)",
            budget_ratio.clone(),
        );
        let http_requests = Family::<Labels2, Counter>::default();
        registry.register(
            "http_requests",
            "Requests received by the HTTP transport by route and status",
            http_requests.clone(),
        );
        let http_duration: HistogramFamily<Labels1> =
            Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer requests received by the HTTP transport, by route",
            http_duration.clone(),
        );
        let log_lines_dropped = Counter::default();
        registry.register(
            "log_lines_dropped",
            "Log lines dropped because stderr did not keep up (logging never blocks a call)",
            log_lines_dropped.clone(),
        );
        let results_too_large = Counter::default();
        registry.register(
            "results_too_large",
            "Answers replaced by an error because they were over AUTOTASK_MAX_RESULT_BYTES",
            results_too_large.clone(),
        );
        Metrics {
            registry,
            log_lines_dropped,
            results_too_large,
            tool_calls,
            tool_duration,
            tool_names: Mutex::new(HashSet::new()),
            autotask_requests,
            autotask_duration,
            autotask_rate_limited,
            budget_used,
            budget_limit,
            budget_ratio,
            http_requests,
            http_duration,
        }
    })
}

/// The label value for a tool name: the name itself while fewer than [`MAX_TOOL_LABELS`]
/// names have been seen, `other` afterwards (a client cannot blow up the series count).
fn tool_label(seen: &Mutex<HashSet<String>>, cap: usize, tool: &str) -> String {
    let Ok(mut seen) = seen.lock() else {
        return "other".to_string();
    };
    if seen.contains(tool) {
        return tool.to_string();
    }
    if seen.len() < cap {
        seen.insert(tool.to_string());
        return tool.to_string();
    }
    "other".to_string()
}

fn method_label(method: &str) -> String {
    let upper = method.to_ascii_uppercase();
    match upper.as_str() {
        "GET" | "POST" | "PATCH" | "PUT" | "DELETE" | "HEAD" | "OPTIONS" => upper,
        _ => "OTHER".to_string(),
    }
}

/// Records one MCP tool call.
pub fn record_tool_call(tool: &str, outcome: ToolOutcome, elapsed: Duration) {
    let m = metrics();
    let tool = tool_label(&m.tool_names, MAX_TOOL_LABELS, tool);
    m.tool_calls
        .get_or_create(&[
            ("tool", tool.clone()),
            ("outcome", outcome.as_str().to_string()),
        ])
        .inc();
    m.tool_duration
        .get_or_create(&[("tool", tool)])
        .observe(elapsed.as_secs_f64());
}

/// Records one HTTP request to Autotask (`status` 0 when no answer arrived).
pub fn record_autotask_request(method: &str, status: u16, elapsed: Duration) {
    let m = metrics();
    let method = method_label(method);
    m.autotask_requests
        .get_or_create(&[("method", method.clone()), ("status", status.to_string())])
        .inc();
    m.autotask_duration
        .get_or_create(&[("method", method)])
        .observe(elapsed.as_secs_f64());
    if status == 429 {
        m.autotask_rate_limited.inc();
    }
}

/// Records the last known hourly budget usage: `used` requests of `limit`, `percent` of it
/// (called by the Autotask client on every `ThresholdInformation` answer).
pub fn record_budget(used: u64, limit: u64, percent: f64) {
    let m = metrics();
    m.budget_used.set(i64::try_from(used).unwrap_or(i64::MAX));
    m.budget_limit.set(i64::try_from(limit).unwrap_or(i64::MAX));
    m.budget_ratio.set(percent / 100.0);
}

/// Records one request served by the HTTP transport (`route` is one of a fixed set:
/// `/mcp`, `/health`, `/metrics`, `other`); `elapsed` is the time to the response head.
pub fn record_http_request(route: &'static str, status: u16, elapsed: Duration) {
    let m = metrics();
    m.http_requests
        .get_or_create(&[("route", route.to_string()), ("status", status.to_string())])
        .inc();
    m.http_duration
        .get_or_create(&[("route", route.to_string())])
        .observe(elapsed.as_secs_f64());
}

/// Records one answer replaced by an error for being over the result cap.
pub fn record_result_too_large() {
    metrics().results_too_large.inc();
}

/// Every metric in the Prometheus text format (version 0.0.4).
pub fn render() -> String {
    let m = metrics();
    // The logging queue counts its own drops; the counter follows it (never backwards).
    m.log_lines_dropped
        .inner()
        .fetch_max(crate::logging::dropped_lines(), Ordering::Relaxed);
    let mut out = String::new();
    // Writing into a String cannot fail; an error here would be a bug in the encoder, and the
    // scrape still gets what was written.
    if prometheus_text::encode(&mut out, &m.registry).is_err() {
        out.push_str("# encoding error\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_values_show_in_the_text_format() {
        record_tool_call(
            "metrics_unit_echo",
            ToolOutcome::Ok,
            Duration::from_millis(20),
        );
        record_tool_call(
            "metrics_unit_echo",
            ToolOutcome::ToolError,
            Duration::from_millis(20),
        );
        record_autotask_request("get", 429, Duration::from_millis(5));
        record_autotask_request("frobnicate", 200, Duration::from_millis(5));
        record_budget(2_500, 10_000, 25.0);
        record_http_request("/health", 200, Duration::from_millis(1));
        let text = render();
        assert!(
            text.contains(
                r#"autotask_mcp_tool_calls_total{tool="metrics_unit_echo",outcome="ok"} 1"#
            ),
            "{text}"
        );
        assert!(text.contains(
            r#"autotask_mcp_tool_calls_total{tool="metrics_unit_echo",outcome="tool_error"} 1"#
        ));
        assert!(
            text.contains(r#"autotask_mcp_autotask_requests_total{method="GET",status="429"}"#)
        );
        assert!(
            text.contains(r#"autotask_mcp_autotask_requests_total{method="OTHER",status="200"}"#)
        );
        assert!(text.contains("autotask_mcp_autotask_rate_limited_total"));
        assert!(text.contains("autotask_mcp_autotask_budget_limit_requests 10000"));
        assert!(text.contains("autotask_mcp_autotask_budget_usage_ratio 0.25"));
        assert!(text.contains(
            r#"autotask_mcp_tool_call_duration_seconds_bucket{le="0.025",tool="metrics_unit_echo"} 2"#
        ) || text.contains(
            r#"autotask_mcp_tool_call_duration_seconds_bucket{tool="metrics_unit_echo",le="0.025"} 2"#
        ), "{text}");
        assert!(text.contains("# TYPE autotask_mcp_tool_call_duration_seconds histogram"));
        assert!(text.contains(r#"autotask_mcp_http_requests_total{route="/health",status="200"}"#));
        assert!(
            text.contains(r#"autotask_mcp_http_request_duration_seconds_count{route="/health"}"#)
        );
    }

    #[test]
    fn tool_labels_are_bounded() {
        let seen = Mutex::new(HashSet::new());
        let labels: Vec<String> = (0..5)
            .map(|i| tool_label(&seen, 3, &format!("tool_{i}")))
            .collect();
        assert_eq!(labels, ["tool_0", "tool_1", "tool_2", "other", "other"]);
        assert_eq!(tool_label(&seen, 3, "tool_1"), "tool_1");
    }
}
