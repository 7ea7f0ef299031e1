//! `/health`: liveness, Autotask reachability and the tenant's budget state, without any
//! secret, plus the tiny HTTP probe behind `autotask-mcp healthcheck` (scratch images have no
//! curl).
//!
//! Reachability is checked with `GET ThresholdInformation`, which also gives the budget. That
//! call counts against the tenant's hourly budget, so the answer is cached (60 s by default)
//! and concurrent probes share one refresh: with probes every 10 s a replica spends at most
//! 60 requests an hour on health, out of the tenant's 10,000. A probe never waits long for
//! Autotask: when the refresh takes more than [`PROBE_WAIT`], `/health` answers with the
//! previous result (or `reachable: null` before the first one) and the refresh finishes in
//! the background, so a slow Autotask cannot make liveness probes time out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use moka::ops::compute::Op;
use serde::Serialize;

use crate::autotask::budget::BudgetUsage;
use crate::autotask::{AutotaskClient, Threshold};

/// How long a reachability answer is reused.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(60);
/// How long one reachability check may take before it counts as unreachable.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a `/health` request waits for a running refresh before answering without it.
pub const PROBE_WAIT: Duration = Duration::from_secs(2);

/// The Autotask part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutotaskHealth {
    /// `tenant` or `sandbox`.
    pub target: &'static str,
    /// `null` until the first check has finished.
    pub reachable: Option<bool>,
    /// Seconds since the check that produced this answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked_secs_ago: Option<u64>,
    /// Why Autotask is unreachable (the client's redacted error text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Used, limit, remaining, percent and `state` (`ok`, `warn` past the warn percent,
    /// `refuse` past the refuse percent: optional reads are refused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetUsage>,
}

/// The whole `/health` answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthReport {
    /// `ok`, `degraded` (Autotask unreachable: the process is alive and says so in tool
    /// results) or `draining` (shutting down).
    pub status: &'static str,
    pub version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autotask: Option<AutotaskHealth>,
}

#[derive(Clone)]
struct Checked {
    at: Instant,
    result: Result<Threshold, String>,
}

struct Inner {
    client: Option<(AutotaskClient, &'static str)>,
    ttl: Duration,
    /// The latest check, under the one key `()` of a cache of one entry. A single value
    /// without a time-to-live: a stale answer is still served while its refresh runs (or
    /// when the refresh is slow), so expiry must not drop it; freshness is read from `at`.
    /// Refreshes go through the key's compute lock, so concurrent probes share one check.
    latest: moka::future::Cache<(), Checked>,
    draining: AtomicBool,
}

/// Where `/health` gets its facts. Cheap to clone.
#[derive(Clone)]
pub struct HealthSource {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for HealthSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthSource")
            .field("target", &self.inner.client.as_ref().map(|(_, t)| *t))
            .finish()
    }
}

impl HealthSource {
    /// Liveness only (no Autotask client, e.g. in tests).
    pub fn liveness_only() -> HealthSource {
        HealthSource::build(None)
    }

    /// Reports on `client`; `target` is `tenant` or `sandbox`. The budget levels use the
    /// client's own percentages (`AUTOTASK_BUDGET_WARN_PERCENT` / `_REFUSE_PERCENT`).
    pub fn with_client(client: AutotaskClient, target: &'static str) -> HealthSource {
        HealthSource::build(Some((client, target)))
    }

    fn build(client: Option<(AutotaskClient, &'static str)>) -> HealthSource {
        HealthSource {
            inner: Arc::new(Inner {
                client,
                ttl: DEFAULT_CACHE_TTL,
                latest: moka::future::Cache::new(1),
                draining: AtomicBool::new(false),
            }),
        }
    }

    /// Marks the process as shutting down: `/health` answers 503 `draining` from now on, so
    /// load balancers stop sending new requests.
    pub fn set_draining(&self) {
        self.inner.draining.store(true, Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.inner.draining.load(Ordering::SeqCst)
    }

    /// The latest check: the cached one while fresh; otherwise a refresh awaited for at most
    /// [`PROBE_WAIT`], falling back to the stale answer (`None` before the first check
    /// completes). The refresh runs on its own task, so it finishes (and is cached) even when
    /// no probe waits for it; refreshes queue on the key's compute lock and each one finding
    /// the answer fresh leaves it be, so probes arriving meanwhile cost no second check.
    async fn checked(&self, client: &AutotaskClient) -> Option<Checked> {
        let cached = self.inner.latest.get(&()).await;
        let ttl = self.inner.ttl;
        if let Some(c) = &cached
            && c.at.elapsed() < ttl
        {
            return cached;
        }
        let latest = self.inner.latest.clone();
        let client = client.clone();
        let refresh = tokio::spawn(async move {
            latest
                .entry(())
                .and_compute_with(|current| async move {
                    match current {
                        Some(c) if c.value().at.elapsed() < ttl => Op::Nop,
                        _ => Op::Put(check(&client).await),
                    }
                })
                .await
                .into_entry()
                .map(|entry| entry.into_value())
        });
        match tokio::time::timeout(PROBE_WAIT, refresh).await {
            Ok(Ok(Some(checked))) => Some(checked),
            _ => cached,
        }
    }

    /// The current report.
    pub async fn report(&self) -> HealthReport {
        let autotask = match &self.inner.client {
            None => None,
            Some((client, target)) => {
                let checked = self.checked(client).await;
                let checked_secs_ago = checked.as_ref().map(|c| c.at.elapsed().as_secs());
                Some(match checked.map(|c| c.result) {
                    None => AutotaskHealth {
                        target,
                        reachable: None,
                        checked_secs_ago,
                        error: None,
                        budget: None,
                    },
                    Some(Ok(t)) => AutotaskHealth {
                        target,
                        reachable: Some(true),
                        checked_secs_ago,
                        error: None,
                        budget: Some(client.budget_percents().of(&t)),
                    },
                    Some(Err(reason)) => AutotaskHealth {
                        target,
                        reachable: Some(false),
                        checked_secs_ago,
                        error: Some(reason),
                        budget: None,
                    },
                })
            }
        };
        let status = if self.is_draining() {
            "draining"
        } else if autotask
            .as_ref()
            .is_some_and(|a| a.reachable == Some(false))
        {
            "degraded"
        } else {
            "ok"
        };
        HealthReport {
            status,
            version: env!("CARGO_PKG_VERSION"),
            autotask,
        }
    }
}

/// One reachability check (`GET ThresholdInformation`), bounded by [`CHECK_TIMEOUT`].
async fn check(client: &AutotaskClient) -> Checked {
    // The client records the budget metrics itself when ThresholdInformation answers.
    let result = match tokio::time::timeout(CHECK_TIMEOUT, client.threshold()).await {
        Ok(Ok(t)) => Ok(t),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "no answer from Autotask within {} s",
            CHECK_TIMEOUT.as_secs()
        )),
    };
    if let Err(reason) = &result {
        tracing::warn!(reason = %reason, "health check: Autotask is not reachable");
    }
    Checked {
        at: Instant::now(),
        result,
    }
}

/// Flags of `autotask-mcp healthcheck` (the Docker `HEALTHCHECK`): the same variables the
/// server reads, so the probe finds the server wherever it listens.
#[derive(Debug, Clone, clap::Args)]
pub struct HealthcheckArgs {
    /// Where the server listens (a wildcard bind is probed on loopback).
    #[arg(long, env = "AUTOTASK_HTTP_HOST", default_value = "127.0.0.1")]
    pub http_host: String,
    /// The server's port.
    #[arg(long, env = "PORT", default_value_t = 3000)]
    pub port: u16,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 5)]
    pub timeout_secs: u64,
}

/// Runs the probe; prints one line on stderr and returns the process exit code
/// (0 healthy, 1 not).
pub async fn run_healthcheck(args: HealthcheckArgs) -> std::process::ExitCode {
    match probe(
        &args.http_host,
        args.port,
        Duration::from_secs(args.timeout_secs.max(1)),
    )
    .await
    {
        Ok(()) => {
            eprintln!("healthy: /health answered 200 on port {}", args.port);
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("unhealthy: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `autotask-mcp healthcheck`: GETs `http://{host}:{port}/health` with reqwest and succeeds
/// on status 200. `host` is where the server listens; a wildcard bind (`0.0.0.0`, `::`) is
/// probed on loopback.
pub async fn probe(host: &str, port: u16, timeout: Duration) -> Result<(), String> {
    let target = match host.trim() {
        "" | "0.0.0.0" | "localhost" => "127.0.0.1".to_string(),
        "::" | "[::]" | "::1" | "[::1]" => "[::1]".to_string(),
        other if other.contains(':') && !other.starts_with('[') => format!("[{other}]"),
        other => other.to_string(),
    };
    let url = format!("http://{target}:{port}/health");
    // reqwest is built without a default TLS provider; plain HTTP needs none, but building a
    // client does.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("autotask-mcp-healthcheck")
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let response = client
        .get(&url)
        // The Host check allows loopback names whatever address the probe uses.
        .header(reqwest::header::HOST, format!("localhost:{port}"))
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                format!(
                    "no answer from {target}:{port} within {} s",
                    timeout.as_secs()
                )
            } else {
                format!("cannot connect to {url}: {}", e.without_url())
            }
        })?;
    match response.status().as_u16() {
        200 => Ok(()),
        status => Err(format!("/health answered HTTP {status}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn liveness_only_reports_ok_then_draining() {
        let h = HealthSource::liveness_only();
        let r = h.report().await;
        assert_eq!(r.status, "ok");
        assert!(r.autotask.is_none());
        h.set_draining();
        assert_eq!(h.report().await.status, "draining");
    }
}
