//! The HTTP client proper: Autotask's auth headers, one HTTP exchange per attempt (thread
//! limit, metrics, logs without credentials), reads with retries and one zone re-lookup on a
//! 401, writes sent exactly once, and the public calls (query, count, get, list, create,
//! update, delete, metadata, thresholds).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue};
use secrecy::ExposeSecret;
use serde_json::Value;

pub use super::budget::Threshold;
use super::budget::{
    AttachmentBudget, BudgetLevel, BudgetPercents, BudgetState, EndpointLimiter, Governor,
    endpoint_key,
};
use super::error::{AutotaskError, ZONE_DETECTION_FAILED, redact};
use super::paging;
pub use super::paging::QueryResult;
use super::retry::{DEFAULT_RATE_LIMIT_WAIT, FailureKind, RetryPolicy, parse_retry_after};
use super::wire::{
    check_relative, error_messages, fields_of, has_autotask_errors, is_thread_limit, truncate,
};
use super::zone::{ZoneCache, parse_zone_information};
use crate::config::AutotaskConfig;

/// Whether the agent asked for a read itself, or the server reads on its own behalf (picklist
/// prefetch, name enrichment). Background reads are refused first when the budget runs low.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadIntent {
    Explicit,
    Background,
}

/// How an update is sent. Only PATCH (the fields sent change, the others keep their values):
/// no tool replaces a whole entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateMethod {
    Patch,
}

struct Inner {
    http: reqwest::Client,
    config: AutotaskConfig,
    zone: ZoneCache,
    limiter: EndpointLimiter,
    governor: Governor,
    attachments: AttachmentBudget,
    policy: RetryPolicy,
}

/// The Autotask client. Cheap to clone.
#[derive(Clone)]
pub struct AutotaskClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for AutotaskClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AutotaskClient")
    }
}

/// Where a request goes.
#[derive(Debug, Clone, Copy)]
enum Target<'a> {
    /// A path relative to `{zone}V1.0/`.
    Relative(&'a str),
    /// An absolute URL from Autotask (a `nextPageUrl`), already checked against the zone.
    Absolute(&'a str),
}

/// What kind of request one exchange is (decides headers and accounting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestKind {
    /// zoneInformation: no credentials, no thread limit, not counted against the budget.
    ZoneLookup,
    Read,
    /// The governor's `ThresholdInformation` read: one attempt, it must not hold up the call.
    BudgetProbe,
    Write,
}

/// An HTTP answer (any status).
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    body: String,
}

/// An exchange that got no (complete) answer.
enum SendFailure {
    /// The connection could not be opened: nothing was sent.
    NotSent(String),
    /// No answer within the request timeout.
    Timeout,
    /// The connection failed after the request may have been sent.
    Lost(String),
    /// Autotask answered with this status, but its body is over `AUTOTASK_MAX_RESPONSE_BYTES`
    /// (it was not read further).
    TooLarge { status: u16 },
}

impl AutotaskClient {
    pub fn new(config: AutotaskConfig) -> Result<Self, AutotaskError> {
        let creds = &config.credentials;
        for (variable, value) in [
            ("AUTOTASK_USERNAME", creds.username.expose_secret()),
            ("AUTOTASK_SECRET", creds.secret.expose_secret()),
            (
                "AUTOTASK_INTEGRATION_CODE",
                creds.integration_code.expose_secret(),
            ),
        ] {
            if HeaderValue::from_str(value).is_err() {
                return Err(AutotaskError::Refused {
                    reason: format!(
                        "{variable} contains characters that cannot be sent in an HTTP header (a line break or a control character?): copy the value again"
                    ),
                });
            }
        }
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_keepalive(Duration::from_secs(60))
            .user_agent(concat!("autotask-mcp/", env!("CARGO_PKG_VERSION")))
            // A redirect would carry the credential headers to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AutotaskError::Transport {
                reason: format!("cannot build the HTTP client: {}", describe(&e)),
            })?;
        let policy = RetryPolicy {
            max_attempts: config.max_read_attempts.max(1),
            base_delay: config.retry_base_delay,
            max_delay: config.retry_max_delay,
            max_wait: config.max_retry_wait,
        };
        Ok(AutotaskClient {
            inner: Arc::new(Inner {
                http,
                zone: ZoneCache::new(config.api_url.clone()),
                limiter: EndpointLimiter::new(config.threads_per_endpoint),
                governor: Governor::new(config.budget),
                attachments: AttachmentBudget::default(),
                policy,
                config,
            }),
        })
    }

    fn secrets(&self) -> [&str; 3] {
        self.inner.config.credentials.values()
    }

    /// Redacts the credentials from a text that may reach an error or a log.
    fn scrub(&self, text: &str) -> String {
        redact(text, &self.secrets())
    }

    /// The zone base (`…/ATServicesRest/`), detected once and cached.
    pub async fn zone_base(&self) -> Result<String, AutotaskError> {
        self.inner.zone.base(|| self.lookup_zone()).await
    }

    /// How many zone lookups this client has made (for diagnostics).
    pub fn zone_lookups(&self) -> u64 {
        self.inner.zone.lookups()
    }

    /// The last known API budget of the tenant (for tool warnings and diagnostics).
    pub fn budget_state(&self) -> BudgetState {
        self.inner.governor.state(Instant::now())
    }

    /// The warn and refuse percentages this client's budget levels use.
    pub fn budget_percents(&self) -> BudgetPercents {
        self.inner.governor.percents()
    }

    async fn lookup_zone(&self) -> Result<String, AutotaskError> {
        let username = self.inner.config.credentials.username.expose_secret();
        let user: String = url::form_urlencoded::byte_serialize(username.as_bytes()).collect();
        let url = format!(
            "{}V1.0/zoneInformation?user={user}",
            self.inner.config.zone_lookup_url
        );
        match self
            .read_attempts(
                Method::GET,
                &url,
                "zoneInformation",
                None,
                RequestKind::ZoneLookup,
            )
            .await
        {
            Ok(body) => {
                parse_zone_information(&body, &self.inner.config.zone_lookup_url).map_err(|e| {
                    match e {
                        AutotaskError::InvalidResponse { reason } => {
                            AutotaskError::InvalidResponse {
                                reason: self.scrub(&reason),
                            }
                        }
                        other => other,
                    }
                })
            }
            Err(AutotaskError::Api {
                status,
                mut messages,
            }) => {
                messages.push(format!(
                    "{ZONE_DETECTION_FAILED}; pinning the zone with AUTOTASK_API_URL skips it"
                ));
                Err(AutotaskError::Api { status, messages })
            }
            Err(AutotaskError::Transport { reason }) => Err(AutotaskError::Transport {
                reason: format!(
                    "zone detection failed ({reason}); check AUTOTASK_ZONE_LOOKUP_URL or pin the zone with AUTOTASK_API_URL"
                ),
            }),
            Err(other) => Err(other),
        }
    }

    /// `{zone}V1.0/{relative}` and the zone it was built on.
    async fn resolve(&self, target: Target<'_>) -> Result<(String, String), AutotaskError> {
        let zone = self.zone_base().await?;
        let url = match target {
            Target::Relative(relative) => format!("{zone}V1.0/{relative}"),
            Target::Absolute(url) => url.to_string(),
        };
        Ok((url, zone))
    }

    /// One HTTP exchange: thread-limit slot, headers, metrics, a log line without credentials.
    async fn exchange(
        &self,
        method: &Method,
        url: &str,
        log_path: &str,
        body: Option<&Value>,
        kind: RequestKind,
    ) -> Result<Answer, SendFailure> {
        let _permit = match (kind, endpoint_key(log_path)) {
            (RequestKind::ZoneLookup, _) | (_, None) => None,
            (_, Some(key)) => Some(
                self.inner
                    .limiter
                    .acquire(&key)
                    .await
                    .map_err(|e| SendFailure::NotSent(e.to_string()))?,
            ),
        };
        let mut req = self.inner.http.request(method.clone(), url);
        if kind != RequestKind::ZoneLookup {
            req = req.headers(self.auth_headers(kind == RequestKind::Write)?);
            self.inner.governor.note_request();
            super::scope::note_request();
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let started = Instant::now();
        let result = match req.send().await {
            Err(e) => Err(classify_send_error(&e, self)),
            Ok(resp) => {
                let status = resp.status().as_u16();
                let retry_after = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, SystemTime::now()));
                match read_body(resp, self.inner.config.max_response_bytes).await {
                    Ok(Some(body)) => Ok(Answer {
                        status,
                        retry_after,
                        body,
                    }),
                    Ok(None) => Err(SendFailure::TooLarge { status }),
                    Err(e) if e.is_timeout() => Err(SendFailure::Timeout),
                    Err(e) => Err(SendFailure::Lost(self.scrub(&describe(&e)))),
                }
            }
        };
        let elapsed = started.elapsed();
        let status = result.as_ref().map_or(0, |a| a.status);
        crate::metrics::record_autotask_request(method.as_str(), status, elapsed);
        tracing::debug!(
            method = %method,
            path = %self.scrub(log_path),
            status,
            elapsed_ms = elapsed.as_millis() as u64,
            "autotask request"
        );
        result
    }

    fn auth_headers(&self, write: bool) -> Result<HeaderMap, SendFailure> {
        let creds = &self.inner.config.credentials;
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("ApiIntegrationCode", creds.integration_code.expose_secret()),
            ("UserName", creds.username.expose_secret()),
            ("Secret", creds.secret.expose_secret()),
        ] {
            let mut value = HeaderValue::from_str(value).map_err(|_| {
                SendFailure::NotSent(format!(
                    "the {name} credential contains characters that cannot be sent in an HTTP header"
                ))
            })?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        let acting_as = super::scope::acting_as().or(self.inner.config.impersonation_resource_id);
        if write && let Some(id) = acting_as {
            headers.insert("ImpersonationResourceId", HeaderValue::from(id));
        }
        Ok(headers)
    }

    /// The error for an answer whose status is not a success.
    fn status_error(&self, answer: &Answer) -> AutotaskError {
        if answer.status == 429 || is_thread_limit(&answer.body) {
            return AutotaskError::RateLimited {
                retry_after: answer.retry_after.unwrap_or(DEFAULT_RATE_LIMIT_WAIT),
            };
        }
        AutotaskError::Api {
            status: answer.status,
            messages: self.messages_of(&answer.body),
        }
    }

    /// Autotask's messages from an error body, redacted before decoding (so a credential that
    /// crosses the cut of a long body cannot survive as a fragment) and after (JSON decoding
    /// turns `\u002B` and other escapes back into the credential's characters).
    fn messages_of(&self, body: &str) -> Vec<String> {
        error_messages(&self.scrub(body))
            .iter()
            .map(|m| self.scrub(m))
            .collect()
    }

    /// The error for an answer over `AUTOTASK_MAX_RESPONSE_BYTES`; `outcome` says what a write
    /// did, when the status told.
    fn too_large(&self, path: &str, outcome: Option<&str>) -> AutotaskError {
        let outcome = outcome.map(|o| format!(" ({o})")).unwrap_or_default();
        AutotaskError::InvalidResponse {
            reason: format!(
                "the answer to {} is over {} bytes (AUTOTASK_MAX_RESPONSE_BYTES){outcome}, so it was not read: ask for fewer rows (maxRecords) or fields (includeFields), or raise the limit",
                self.scrub(path),
                self.inner.config.max_response_bytes
            ),
        }
    }

    /// A read's attempts: retries 429 (within the wait cap), 502/503/504 and connection
    /// errors with backoff, up to `max_read_attempts`.
    async fn read_attempts(
        &self,
        method: Method,
        url: &str,
        log_path: &str,
        body: Option<&Value>,
        kind: RequestKind,
    ) -> Result<Value, AutotaskError> {
        let policy = match kind {
            RequestKind::BudgetProbe => RetryPolicy {
                max_attempts: 1,
                ..self.inner.policy
            },
            _ => self.inner.policy,
        };
        let mut backoff = policy.backoff();
        let mut attempts = 0_u32;
        loop {
            attempts += 1;
            let (failure, error) = match self.exchange(&method, url, log_path, body, kind).await {
                Ok(answer) if (200..300).contains(&answer.status) => {
                    return parse_json(&answer, log_path, self);
                }
                Ok(answer) => (
                    if is_thread_limit(&answer.body) {
                        FailureKind::RateLimited {
                            retry_after: answer.retry_after,
                        }
                    } else {
                        FailureKind::from_status(answer.status, answer.retry_after)
                    },
                    self.status_error(&answer),
                ),
                Err(SendFailure::NotSent(reason) | SendFailure::Lost(reason)) => {
                    (FailureKind::Connection, AutotaskError::Transport { reason })
                }
                Err(SendFailure::TooLarge { .. }) => {
                    return Err(self.too_large(log_path, None));
                }
                Err(SendFailure::Timeout) => (
                    FailureKind::Timeout,
                    AutotaskError::Transport {
                        reason: format!(
                            "no answer within {} s (AUTOTASK_REQUEST_TIMEOUT_SECS); Autotask may be slow or overloaded, try again later or narrow the request",
                            self.inner.config.request_timeout.as_secs_f64()
                        ),
                    },
                ),
            };
            if !policy.is_retryable(failure) {
                return Err(error);
            }
            let Some(wait) = policy.wait(failure, backoff.next()) else {
                return Err(match error {
                    AutotaskError::Transport { reason } => AutotaskError::Transport {
                        reason: format!("{reason} ({attempts} attempts)"),
                    },
                    other => other,
                });
            };
            tracing::debug!(
                method = %method,
                path = %self.scrub(log_path),
                wait_ms = wait.as_millis() as u64,
                "retrying autotask read: {error}"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// A read governed by the budget, with retries and one zone re-lookup when a
    /// zone-relative call answers 401.
    async fn read(
        &self,
        method: Method,
        target: Target<'_>,
        body: Option<&Value>,
        intent: ReadIntent,
    ) -> Result<Value, AutotaskError> {
        self.govern(intent).await?;
        self.read_ungoverned(method, target, body, RequestKind::Read)
            .await
    }

    /// A read without the governor (the governor's own `ThresholdInformation` read).
    async fn read_ungoverned(
        &self,
        method: Method,
        target: Target<'_>,
        body: Option<&Value>,
        kind: RequestKind,
    ) -> Result<Value, AutotaskError> {
        let log_path = log_path_of(target);
        let (url, zone) = self.resolve(target).await?;
        let result = self
            .read_attempts(method.clone(), &url, &log_path, body, kind)
            .await;
        match (result, target) {
            (Err(err @ AutotaskError::Api { status: 401, .. }), Target::Relative(relative)) => {
                let Some(new_zone) = self.inner.zone.relookup(&zone, || self.lookup_zone()).await
                else {
                    return Err(err);
                };
                let new_zone = new_zone?;
                tracing::debug!("401 from Autotask: zone looked up again, retrying once");
                let url = format!("{new_zone}V1.0/{relative}");
                self.read_attempts(method, &url, &log_path, body, kind)
                    .await
            }
            (result, _) => result,
        }
    }

    /// A write: sent exactly once, never retried. A lost answer is "outcome unknown".
    async fn write(
        &self,
        method: Method,
        relative: &str,
        body: Option<&Value>,
    ) -> Result<Value, AutotaskError> {
        check_relative(relative)?;
        let (url, zone) = self.resolve(Target::Relative(relative)).await?;
        let unknown = |reason: String| AutotaskError::OutcomeUnknown {
            method: method.to_string(),
            path: self.scrub(relative),
            reason,
        };
        let answer = match self
            .exchange(&method, &url, relative, body, RequestKind::Write)
            .await
        {
            Ok(answer) => answer,
            Err(SendFailure::NotSent(reason)) => {
                return Err(AutotaskError::Transport {
                    reason: format!("{reason}; the request was not sent, so nothing was changed"),
                });
            }
            Err(SendFailure::Timeout) => {
                return Err(unknown(format!(
                    "no answer came within {} s",
                    self.inner.config.request_timeout.as_secs_f64()
                )));
            }
            Err(SendFailure::Lost(reason)) => {
                return Err(unknown(format!(
                    "the connection failed before the answer ({reason})"
                )));
            }
            Err(SendFailure::TooLarge { status }) => {
                return Err(match status {
                    200..=299 => self.too_large(relative, Some("the change was applied")),
                    400..=499 => self.too_large(relative, Some("the change was refused")),
                    _ => unknown(format!(
                        "its HTTP {status} answer is over {} bytes (AUTOTASK_MAX_RESPONSE_BYTES)",
                        self.inner.config.max_response_bytes
                    )),
                });
            }
        };
        match answer.status {
            200..=299 => parse_json(&answer, relative, self).map_err(|_| {
                unknown(format!(
                    "Autotask answered HTTP {} with a body that cannot be read",
                    answer.status
                ))
            }),
            401 => {
                // Not applied. Look the zone up again so the next call reaches the right zone.
                if let Some(Err(e)) = self.inner.zone.relookup(&zone, || self.lookup_zone()).await {
                    tracing::debug!("zone re-lookup after a 401 failed: {e}");
                }
                Err(self.status_error(&answer))
            }
            // Refused by the thread limit or a business rule: not applied.
            _ if is_thread_limit(&answer.body) => Err(self.status_error(&answer)),
            500 if has_autotask_errors(&answer.body) => Err(self.status_error(&answer)),
            500..=599 => {
                let detail = self.messages_of(&answer.body).join("; ");
                Err(unknown(format!(
                    "Autotask answered HTTP {} without saying whether it applied the change ({detail})",
                    answer.status
                )))
            }
            _ => Err(self.status_error(&answer)),
        }
    }

    /// Reads `ThresholdInformation` at most once per interval (the caller that claims the
    /// refresh waits for it; concurrent callers use the last known state), then admits or
    /// refuses a read.
    async fn govern(&self, intent: ReadIntent) -> Result<(), AutotaskError> {
        let governor = &self.inner.governor;
        if governor.claim_refresh(Instant::now())
            && let Err(e) = self.fetch_threshold(RequestKind::BudgetProbe).await
        {
            tracing::debug!("could not read the API budget: {e}");
        }
        let result = governor.admit_read(intent == ReadIntent::Explicit, Instant::now());
        if let Err(e) = &result {
            tracing::warn!("background Autotask read skipped: {e}");
        }
        result
    }

    async fn fetch_threshold(&self, kind: RequestKind) -> Result<Threshold, AutotaskError> {
        let body = self
            .read_ungoverned(
                Method::GET,
                Target::Relative("ThresholdInformation"),
                None,
                kind,
            )
            .await?;
        let threshold: Threshold =
            serde_json::from_value(body).map_err(|e| AutotaskError::InvalidResponse {
                reason: self.scrub(&format!("ThresholdInformation: {e}")),
            })?;
        let (used, limit) = (
            threshold.current_timeframe_request_count,
            threshold.external_request_threshold,
        );
        // The one place the budget metrics are recorded: every ThresholdInformation answer
        // (the governor's, /health's and the tool's) passes here.
        let usage = self.budget_percents().of(&threshold);
        crate::metrics::record_budget(usage.used, usage.limit, usage.percent);
        let (level, newly) = self.inner.governor.record(used, limit, Instant::now());
        if newly {
            let what = match level {
                BudgetLevel::Refuse => "background reads are now skipped",
                _ => "requests may slow down",
            };
            tracing::warn!(
                used,
                limit,
                "the tenant has used {used} of {limit} Autotask API requests this hour: {what}"
            );
        }
        Ok(threshold)
    }

    /// `POST {path}/query`, following `nextPageUrl` (by POST with the same body) until
    /// `max_total` rows are collected.
    pub async fn query(
        &self,
        path: &str,
        query: &Value,
        max_total: usize,
        intent: ReadIntent,
    ) -> Result<QueryResult, AutotaskError> {
        check_relative(path)?;
        let body = paging::page_body(query, max_total);
        self.collect_pages(
            &format!("{path}/query"),
            Method::POST,
            Some(&body),
            max_total,
            intent,
        )
        .await
    }

    /// `GET {parent}/{parentId}/{segment}`: all children of one parent, over pages.
    pub async fn list(
        &self,
        path: &str,
        max_total: usize,
        intent: ReadIntent,
    ) -> Result<QueryResult, AutotaskError> {
        check_relative(path)?;
        self.collect_pages(path, Method::GET, None, max_total, intent)
            .await
    }

    async fn collect_pages(
        &self,
        first: &str,
        method: Method,
        body: Option<&Value>,
        max_total: usize,
        intent: ReadIntent,
    ) -> Result<QueryResult, AutotaskError> {
        // The first page goes through `read` (governor, 401 zone re-lookup); later pages
        // follow Autotask's absolute URLs, checked against the zone in force.
        let first_page = self
            .read(method.clone(), Target::Relative(first), body, intent)
            .await?;
        let zone = self.zone_base().await?;
        paging::collect(first_page, &zone, max_total, |url| {
            let method = method.clone();
            async move {
                self.read(method, Target::Absolute(&url), body, intent)
                    .await
            }
        })
        .await
    }

    /// `POST {path}/query/count`.
    pub async fn count(
        &self,
        path: &str,
        query: &Value,
        intent: ReadIntent,
    ) -> Result<u64, AutotaskError> {
        check_relative(path)?;
        let relative = format!("{path}/query/count");
        let body = self
            .read(
                Method::POST,
                Target::Relative(&relative),
                Some(query),
                intent,
            )
            .await?;
        body.get("queryCount")
            .and_then(Value::as_u64)
            .ok_or_else(|| AutotaskError::InvalidResponse {
                reason: "count answer has no queryCount".into(),
            })
    }

    /// `GET {path}/{id}`: `None` when Autotask answers `{"item": null}`.
    pub async fn get(
        &self,
        path: &str,
        id: i64,
        intent: ReadIntent,
    ) -> Result<Option<Value>, AutotaskError> {
        check_relative(path)?;
        let relative = format!("{path}/{id}");
        let body = self
            .read(Method::GET, Target::Relative(&relative), None, intent)
            .await?;
        match body.get("item") {
            Some(Value::Null) | None => Ok(None),
            Some(item) => Ok(Some(item.clone())),
        }
    }

    /// `GET {relative}` as is (metadata, `Modules`, …), with retries and the budget.
    pub async fn read_path(
        &self,
        relative: &str,
        intent: ReadIntent,
    ) -> Result<Value, AutotaskError> {
        check_relative(relative)?;
        self.read(Method::GET, Target::Relative(relative), None, intent)
            .await
    }

    /// `POST {path}`: returns the new id. Sent exactly once.
    pub async fn create(&self, path: &str, body: &Value) -> Result<i64, AutotaskError> {
        let answer = self.write(Method::POST, path, Some(body)).await?;
        item_id(answer, self)
    }

    /// `POST {path}` of an attachment whose file has `bytes` bytes: refused before sending
    /// when it would pass Autotask's attachment limit (10,000,000 bytes per 5 minutes).
    /// Sent exactly once.
    pub async fn create_attachment(
        &self,
        path: &str,
        body: &Value,
        bytes: usize,
    ) -> Result<i64, AutotaskError> {
        self.inner.attachments.admit(bytes, Instant::now())?;
        self.create(path, body).await
    }

    /// The resource this call's writes act as: the call's impersonation, else the configured
    /// one (`AUTOTASK_IMPERSONATION_RESOURCE_ID`).
    pub fn acting_as(&self) -> Option<i64> {
        super::scope::acting_as().or(self.inner.config.impersonation_resource_id)
    }

    /// The API user's name, only to find its resource (`who-am-i`); never shown.
    pub(crate) fn api_user_name(&self) -> String {
        self.inner
            .config
            .credentials
            .username
            .expose_secret()
            .to_string()
    }

    /// Attachment bytes sent in the last five minutes.
    pub fn attachment_bytes_used(&self) -> usize {
        self.inner.attachments.used(Instant::now())
    }

    /// `PATCH {path}` with `id` in the body. Sent exactly once.
    pub async fn update(
        &self,
        path: &str,
        body: &Value,
        method: UpdateMethod,
    ) -> Result<i64, AutotaskError> {
        let m = match method {
            UpdateMethod::Patch => Method::PATCH,
        };
        match self.write(m, path, Some(body)).await? {
            // Some updates answer an empty 2xx: the id is the one sent.
            Value::Null => body.get("id").and_then(Value::as_i64).ok_or_else(|| {
                AutotaskError::InvalidResponse {
                    reason: "the update answered without an itemId and the body has no id".into(),
                }
            }),
            answer => item_id(answer, self),
        }
    }

    /// `DELETE {path}/{id}`. Sent exactly once.
    pub async fn delete(&self, path: &str, id: i64) -> Result<i64, AutotaskError> {
        check_relative(path)?;
        match self
            .write(Method::DELETE, &format!("{path}/{id}"), None)
            .await?
        {
            Value::Null => Ok(id),
            body => item_id(body, self),
        }
    }

    /// `GET {path}/entityInformation/fields` → `fields` (with the tenant's picklist values).
    pub async fn field_information(&self, path: &str) -> Result<Vec<Value>, AutotaskError> {
        fields_of(
            self.read_path(
                &format!("{path}/entityInformation/fields"),
                ReadIntent::Explicit,
            )
            .await?,
        )
    }

    /// `GET {path}/entityInformation/userDefinedFields` → `fields`.
    pub async fn udf_information(&self, path: &str) -> Result<Vec<Value>, AutotaskError> {
        fields_of(
            self.read_path(
                &format!("{path}/entityInformation/userDefinedFields"),
                ReadIntent::Explicit,
            )
            .await?,
        )
    }

    /// `GET /V1.0/ThresholdInformation` (also refreshes the budget state).
    pub async fn threshold(&self) -> Result<Threshold, AutotaskError> {
        self.fetch_threshold(RequestKind::Read).await
    }

    /// `GET /V1.0/Version`.
    pub async fn version(&self) -> Result<Value, AutotaskError> {
        self.read_path("Version", ReadIntent::Explicit).await
    }
}

/// The path shown in logs and used for the thread-limit key: relative to `V1.0/`, without
/// the query string (a `nextPageUrl`'s query repeats the filter).
fn log_path_of(target: Target<'_>) -> String {
    match target {
        Target::Relative(relative) => relative.to_string(),
        Target::Absolute(url) => {
            let path = url::Url::parse(url)
                .map(|u| u.path().to_string())
                .unwrap_or_default();
            let lower = path.to_ascii_lowercase();
            match lower.find("/v1.0/") {
                Some(i) => path[i + "/v1.0/".len()..].to_string(),
                None => path,
            }
        }
    }
}

/// The body of `resp` as text, or `None` when it is over `limit` bytes: refused from its
/// `Content-Length` before reading, or as soon as the bytes read pass the limit (the rest is
/// never read, and the connection is dropped).
async fn read_body(
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<Option<String>, reqwest::Error> {
    let declared = resp.content_length();
    if declared.is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    let mut body = Vec::with_capacity(declared.map_or(0, |n| n as usize));
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(match String::from_utf8(body) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }))
}

fn classify_send_error(e: &reqwest::Error, client: &AutotaskClient) -> SendFailure {
    let text = client.scrub(&describe(e));
    if e.is_connect() || e.is_builder() {
        SendFailure::NotSent(text)
    } else if e.is_timeout() {
        SendFailure::Timeout
    } else {
        SendFailure::Lost(text)
    }
}

/// A reqwest error with its causes, without its URL (which may carry the username).
fn describe(e: &reqwest::Error) -> String {
    let mut text = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    let mut first = true;
    while let Some(err) = source {
        let part = if first {
            // Only the outermost error carries the URL; print its kind, not the URL.
            if e.is_connect() {
                "connection failed".to_string()
            } else if e.is_timeout() {
                "timed out".to_string()
            } else if e.is_body() || e.is_decode() {
                "reading the answer failed".to_string()
            } else {
                "request failed".to_string()
            }
        } else {
            err.to_string()
        };
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
        first = false;
        source = err.source();
    }
    text
}

fn parse_json(
    answer: &Answer,
    what: &str,
    client: &AutotaskClient,
) -> Result<Value, AutotaskError> {
    if answer.body.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&answer.body).map_err(|e| AutotaskError::InvalidResponse {
        reason: client.scrub(&format!(
            "{what} answered HTTP {} with a body that is not JSON ({e})",
            answer.status
        )),
    })
}

fn item_id(body: Value, client: &AutotaskClient) -> Result<i64, AutotaskError> {
    body.get("itemId")
        .and_then(Value::as_i64)
        .ok_or_else(|| AutotaskError::InvalidResponse {
            reason: format!(
                "the write was applied but its answer has no itemId: {}",
                truncate(&client.scrub(&body.to_string()), 200)
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_that_cannot_be_headers_are_refused_by_name() {
        let creds = crate::config::Credentials::new("user@example.com", "zzq\nqzz", "CODE");
        let config = AutotaskConfig::with_defaults(creds, None);
        match AutotaskClient::new(config) {
            Ok(_) => panic!("a secret with a line break must be refused"),
            Err(e) => {
                let err = e.to_string();
                assert!(err.contains("AUTOTASK_SECRET contains characters"), "{err}");
                assert!(!err.contains("zzq"), "{err}");
            }
        }
    }

    #[test]
    fn impersonation_is_sent_on_writes_only_and_credentials_are_sensitive() {
        let creds = crate::config::Credentials::new("user@example.com", "s3cret", "CODE");
        let mut config = AutotaskConfig::with_defaults(creds, None);
        config.impersonation_resource_id = Some(29);
        let client = AutotaskClient::new(config).unwrap();
        let (read, write) = match (client.auth_headers(false), client.auth_headers(true)) {
            (Ok(read), Ok(write)) => (read, write),
            _ => panic!("valid credentials must make headers"),
        };
        assert!(read.get("ImpersonationResourceId").is_none());
        assert_eq!(
            write
                .get("ImpersonationResourceId")
                .and_then(|v| v.to_str().ok()),
            Some("29")
        );
        for name in ["ApiIntegrationCode", "UserName", "Secret"] {
            assert!(
                read.get(name).is_some_and(HeaderValue::is_sensitive),
                "{name}"
            );
        }
        // The secret is in the map (so the Debug check below means something) but not shown.
        assert_eq!(
            read.get("Secret").map(HeaderValue::as_bytes),
            Some(&b"s3cret"[..])
        );
        assert!(!format!("{read:?}").contains("s3cret"));
    }

    #[tokio::test]
    async fn a_call_scope_overrides_the_static_impersonation_on_writes_only() {
        let creds = crate::config::Credentials::new("user@example.com", "s3cret", "CODE");
        let mut config = AutotaskConfig::with_defaults(creds, None);
        config.impersonation_resource_id = Some(29);
        let client = AutotaskClient::new(config).unwrap();
        let scope = super::super::scope::CallScope::new(Some(41));
        let (read, write) = super::super::scope::within(scope, async {
            (client.auth_headers(false), client.auth_headers(true))
        })
        .await;
        let acting = |h: Result<HeaderMap, SendFailure>| {
            h.ok()
                .and_then(|h| h.get("ImpersonationResourceId").cloned())
                .and_then(|v| v.to_str().ok().map(str::to_string))
        };
        assert_eq!(acting(read), None);
        assert_eq!(acting(write), Some("41".into()));
    }

    #[test]
    fn log_paths_drop_the_zone_and_the_query() {
        assert_eq!(
            log_path_of(Target::Absolute(
                "https://ws5.autotask.net/ATServicesRest/V1.0/Tickets/query/next?paging=%7B%7D&search=x"
            )),
            "Tickets/query/next"
        );
        assert_eq!(
            log_path_of(Target::Relative("Tickets/5/Notes")),
            "Tickets/5/Notes"
        );
    }
}
