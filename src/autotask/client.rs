//! The HTTP client proper: zone detection (cached), Autotask's auth headers, reads, paging by
//! `nextPageUrl`, and writes that are sent exactly once.

use std::sync::Arc;

use reqwest::Method;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::RwLock;

use super::error::{AutotaskError, redact};
use crate::config::AutotaskConfig;

/// Whether the agent asked for a read itself, or the server reads on its own behalf (picklist
/// prefetch, name enrichment). Background reads are refused first when the budget runs low.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadIntent {
    Explicit,
    Background,
}

/// PATCH changes only the fields sent; PUT replaces the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateMethod {
    Patch,
    Put,
}

/// Rows of a query or child list, collected over pages.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    pub items: Vec<Value>,
    /// True when more rows exist past the caller's cap.
    pub has_more: bool,
}

/// `GET /V1.0/ThresholdInformation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Threshold {
    pub external_request_threshold: u64,
    pub request_threshold_timeframe: u64,
    pub current_timeframe_request_count: u64,
}

struct Inner {
    http: reqwest::Client,
    config: AutotaskConfig,
    /// Zone base ending in `/ATServicesRest/`, once known.
    zone: RwLock<Option<String>>,
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

#[derive(Deserialize)]
struct ZoneInformation {
    url: String,
}

impl AutotaskClient {
    pub fn new(config: AutotaskConfig) -> Result<Self, AutotaskError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .pool_idle_timeout(std::time::Duration::from_secs(90))
            .build()
            .map_err(|e| AutotaskError::Transport {
                reason: format!("cannot build the HTTP client: {e}"),
            })?;
        let zone = RwLock::new(config.api_url.clone());
        Ok(AutotaskClient {
            inner: Arc::new(Inner { http, config, zone }),
        })
    }

    fn secrets(&self) -> [&str; 3] {
        self.inner.config.credentials.values()
    }

    /// The zone base (`…/ATServicesRest/`), detected once and cached.
    pub async fn zone_base(&self) -> Result<String, AutotaskError> {
        if let Some(zone) = self.inner.zone.read().await.clone() {
            return Ok(zone);
        }
        let lookup = format!("{}V1.0/zoneInformation", self.inner.config.zone_lookup_url);
        let username = self.inner.config.credentials.username.expose_secret();
        let resp = self
            .inner
            .http
            .get(&lookup)
            .query(&[("user", username)])
            .send()
            .await
            .map_err(|e| AutotaskError::Transport {
                reason: redact(
                    &format!("zone lookup failed: {}", e.without_url()),
                    &self.secrets(),
                ),
            })?;
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        if status != 200 {
            return Err(self.api_error(status, &text));
        }
        let zone: ZoneInformation =
            serde_json::from_str(&text).map_err(|e| AutotaskError::InvalidResponse {
                reason: format!("zoneInformation: {e}"),
            })?;
        let base = crate::config::normalize_base_url(&zone.url)
            .map_err(|reason| AutotaskError::InvalidResponse { reason })?;
        *self.inner.zone.write().await = Some(base.clone());
        Ok(base)
    }

    fn api_error(&self, status: u16, body: &str) -> AutotaskError {
        let messages = match serde_json::from_str::<Value>(body) {
            Ok(v) => match (v.get("errors"), v.get("Message")) {
                (Some(Value::Array(errors)), _) => errors
                    .iter()
                    .map(|e| match e {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect(),
                (_, Some(Value::String(m))) => vec![m.clone()],
                _ => vec![body.chars().take(300).collect()],
            },
            Err(_) if body.trim().is_empty() => vec!["(empty body)".into()],
            Err(_) => vec![body.chars().take(300).collect()],
        };
        let secrets = self.secrets();
        AutotaskError::Api {
            status,
            messages: messages.iter().map(|m| redact(m, &secrets)).collect(),
        }
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        write: bool,
    ) -> Result<Value, AutotaskError> {
        let creds = &self.inner.config.credentials;
        let mut req = self
            .inner
            .http
            .request(method.clone(), url)
            .header("ApiIntegrationCode", creds.integration_code.expose_secret())
            .header("UserName", creds.username.expose_secret())
            .header("Secret", creds.secret.expose_secret());
        if write && let Some(id) = self.inner.config.impersonation_resource_id {
            req = req.header("ImpersonationResourceId", id.to_string());
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let path = url.to_string();
        let resp = req.send().await.map_err(|e| {
            let reason = redact(&e.without_url().to_string(), &self.secrets());
            if write {
                AutotaskError::OutcomeUnknown {
                    method: method.to_string(),
                    path: path.clone(),
                    reason,
                }
            } else {
                AutotaskError::Transport { reason }
            }
        })?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(|e| AutotaskError::Transport {
            reason: redact(&e.without_url().to_string(), &self.secrets()),
        })?;
        if status == 429 {
            return Err(AutotaskError::RateLimited {
                retry_after: std::time::Duration::from_secs(60),
            });
        }
        if !(200..300).contains(&status) {
            return Err(self.api_error(status, &text));
        }
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| AutotaskError::InvalidResponse {
            reason: format!("{method} answered 2xx with a body that is not JSON ({e})"),
        })
    }

    async fn url(&self, relative: &str) -> Result<String, AutotaskError> {
        Ok(format!(
            "{}V1.0/{}",
            self.zone_base().await?,
            relative.trim_start_matches('/')
        ))
    }

    /// `POST {path}/query`, following `nextPageUrl` (by POST with the same body) until
    /// `max_total` rows are collected.
    pub async fn query(
        &self,
        path: &str,
        query: &Value,
        max_total: usize,
        _intent: ReadIntent,
    ) -> Result<QueryResult, AutotaskError> {
        let mut url = self.url(&format!("{path}/query")).await?;
        let mut items = Vec::new();
        loop {
            let page = self.send(Method::POST, &url, Some(query), false).await?;
            let (rows, next) = split_page(&page)?;
            items.extend(rows);
            match next {
                Some(next) if items.len() < max_total => {
                    self.check_origin(&next).await?;
                    url = next;
                }
                Some(_) => {
                    items.truncate(max_total);
                    return Ok(QueryResult {
                        items,
                        has_more: true,
                    });
                }
                None => {
                    let has_more = items.len() > max_total;
                    items.truncate(max_total);
                    return Ok(QueryResult { items, has_more });
                }
            }
        }
    }

    async fn check_origin(&self, next: &str) -> Result<(), AutotaskError> {
        let zone = self.zone_base().await?;
        let origin = |u: &str| url::Url::parse(u).ok().map(|u| u.origin());
        if origin(next).is_none() || origin(next) != origin(&zone) {
            return Err(AutotaskError::Refused {
                reason: format!(
                    "nextPageUrl {next} is not on the zone's origin; credentials are not sent there"
                ),
            });
        }
        Ok(())
    }

    /// `POST {path}/query/count`.
    pub async fn count(
        &self,
        path: &str,
        query: &Value,
        _intent: ReadIntent,
    ) -> Result<u64, AutotaskError> {
        let url = self.url(&format!("{path}/query/count")).await?;
        let body = self.send(Method::POST, &url, Some(query), false).await?;
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
        _intent: ReadIntent,
    ) -> Result<Option<Value>, AutotaskError> {
        let url = self.url(&format!("{path}/{id}")).await?;
        let body = self.send(Method::GET, &url, None, false).await?;
        match body.get("item") {
            Some(Value::Null) | None => Ok(None),
            Some(item) => Ok(Some(item.clone())),
        }
    }

    /// `GET {parent}/{parentId}/{segment}`: all children of one parent, over pages.
    pub async fn list(
        &self,
        path: &str,
        max_total: usize,
        _intent: ReadIntent,
    ) -> Result<QueryResult, AutotaskError> {
        let mut url = self.url(path).await?;
        let mut items = Vec::new();
        loop {
            let page = self.send(Method::GET, &url, None, false).await?;
            let (rows, next) = split_page(&page)?;
            items.extend(rows);
            match next {
                Some(next) if items.len() < max_total => {
                    self.check_origin(&next).await?;
                    url = next;
                }
                other => {
                    let has_more = other.is_some() || items.len() > max_total;
                    items.truncate(max_total);
                    return Ok(QueryResult { items, has_more });
                }
            }
        }
    }

    /// `POST {path}`: returns the new id. Sent exactly once.
    pub async fn create(&self, path: &str, body: &Value) -> Result<i64, AutotaskError> {
        let url = self.url(path).await?;
        item_id(self.send(Method::POST, &url, Some(body), true).await?)
    }

    /// `PATCH|PUT {path}` with `id` in the body. Sent exactly once.
    pub async fn update(
        &self,
        path: &str,
        body: &Value,
        method: UpdateMethod,
    ) -> Result<i64, AutotaskError> {
        let url = self.url(path).await?;
        let m = match method {
            UpdateMethod::Patch => Method::PATCH,
            UpdateMethod::Put => Method::PUT,
        };
        item_id(self.send(m, &url, Some(body), true).await?)
    }

    /// `DELETE {path}/{id}`. Sent exactly once.
    pub async fn delete(&self, path: &str, id: i64) -> Result<i64, AutotaskError> {
        let url = self.url(&format!("{path}/{id}")).await?;
        match self.send(Method::DELETE, &url, None, true).await? {
            Value::Null => Ok(id),
            body => item_id(body),
        }
    }

    /// `GET {path}/entityInformation` → `info`.
    pub async fn entity_information(&self, path: &str) -> Result<Value, AutotaskError> {
        let url = self.url(&format!("{path}/entityInformation")).await?;
        let body = self.send(Method::GET, &url, None, false).await?;
        Ok(body.get("info").cloned().unwrap_or(Value::Null))
    }

    /// `GET {path}/entityInformation/fields` → `fields` (with the tenant's picklist values).
    pub async fn field_information(&self, path: &str) -> Result<Vec<Value>, AutotaskError> {
        let url = self
            .url(&format!("{path}/entityInformation/fields"))
            .await?;
        fields_of(self.send(Method::GET, &url, None, false).await?)
    }

    /// `GET {path}/entityInformation/userDefinedFields` → `fields`.
    pub async fn udf_information(&self, path: &str) -> Result<Vec<Value>, AutotaskError> {
        let url = self
            .url(&format!("{path}/entityInformation/userDefinedFields"))
            .await?;
        fields_of(self.send(Method::GET, &url, None, false).await?)
    }

    /// `GET /V1.0/ThresholdInformation`.
    pub async fn threshold(&self) -> Result<Threshold, AutotaskError> {
        let url = self.url("ThresholdInformation").await?;
        let body = self.send(Method::GET, &url, None, false).await?;
        serde_json::from_value(body).map_err(|e| AutotaskError::InvalidResponse {
            reason: format!("ThresholdInformation: {e}"),
        })
    }

    /// `GET /V1.0/Version`.
    pub async fn version(&self) -> Result<Value, AutotaskError> {
        let url = self.url("Version").await?;
        self.send(Method::GET, &url, None, false).await
    }
}

fn split_page(page: &Value) -> Result<(Vec<Value>, Option<String>), AutotaskError> {
    let items = page
        .get("items")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| AutotaskError::InvalidResponse {
            reason: "query answer has no items array".into(),
        })?;
    let next = page
        .get("pageDetails")
        .and_then(|p| p.get("nextPageUrl"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Ok((items, next))
}

fn item_id(body: Value) -> Result<i64, AutotaskError> {
    body.get("itemId")
        .and_then(Value::as_i64)
        .ok_or_else(|| AutotaskError::InvalidResponse {
            reason: format!(
                "write answer has no itemId: {}",
                body.to_string().chars().take(200).collect::<String>()
            ),
        })
}

fn fields_of(body: Value) -> Result<Vec<Value>, AutotaskError> {
    body.get("fields")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| AutotaskError::InvalidResponse {
            reason: "field information has no fields array".into(),
        })
}
