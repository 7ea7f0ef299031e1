//! Entry points for the fuzz targets in `fuzz/` (cargo feature `fuzzing`; nothing in the
//! product uses this module): the query evaluator over a seeded demo tenant, and one request
//! through the whole request pipeline (routing, fault rules, authentication, throttle,
//! handlers) without a socket.

use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use serde_json::Value;

use super::query;
use super::shared::Shared;
use super::{SandboxCredentials, SandboxOptions};
use crate::registry;

/// What one query evaluation gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryOutcome {
    /// `maxRecords` as parsed (1..=500).
    pub max_records: usize,
    /// Records matching the filter.
    pub count: usize,
    /// Records on the first page.
    pub page: usize,
    pub has_more: bool,
}

/// A seeded demo tenant without a listener.
pub struct Tenant {
    shared: Arc<Shared>,
}

impl Tenant {
    /// The demo tenant of `seed`, with no hourly threshold (a fuzzer sends millions).
    pub fn new(seed: u64) -> Tenant {
        let options = SandboxOptions {
            seed,
            hourly_threshold: u64::MAX,
            ..SandboxOptions::default()
        };
        Tenant {
            shared: Arc::new(Shared::new(options, "http://127.0.0.1:1".into())),
        }
    }

    pub fn credentials(&self) -> SandboxCredentials {
        self.shared.credentials()
    }

    /// One demo tenant (seed 42) per process, for targets that only read.
    pub fn demo() -> &'static Tenant {
        static TENANT: OnceLock<Tenant> = OnceLock::new();
        TENANT.get_or_init(|| Tenant::new(42))
    }

    /// Parses `body` as a `QueryModel` of `entity` and evaluates it as `query`, `query/count`
    /// and the first page with its `includeFields` projection do. `Err` carries the API error
    /// Autotask would answer (unknown entity or field, bad operand, too many conditions).
    pub fn query(&self, entity: &str, body: &Value) -> Result<QueryOutcome, String> {
        let entity = registry::find(entity).ok_or_else(|| format!("no entity {entity}"))?;
        let spec = query::parse_query(entity, body).map_err(|e| format!("{e:?}"))?;
        let data = self.shared.store.read();
        let table = data.table(entity.name);
        let count = query::count(table, &spec.filter);
        let page = query::page(table, &spec.filter, -1, spec.max_records);
        for record in &page.items {
            let _ = query::project(record, spec.include.as_deref());
        }
        Ok(QueryOutcome {
            max_records: spec.max_records,
            count,
            page: page.items.len(),
            has_more: page.has_more,
        })
    }

    /// One request as the HTTP server would hand it to the pipeline: `uri` is a path with
    /// an optional query string. Returns the status and the body. Headers that are not valid
    /// HTTP are left out (hyper would have refused the request).
    pub async fn request(
        &self,
        method: &str,
        uri: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Option<(u16, Vec<u8>)> {
        let method = Method::from_bytes(method.as_bytes()).ok()?;
        let uri: Uri = uri.parse().ok()?;
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                map.append(name, value);
            }
        }
        let response = super::routes::answer(
            Arc::clone(&self.shared),
            method,
            uri,
            map,
            Bytes::from(body),
        )
        .await;
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .ok()?;
        Some((status, bytes.to_vec()))
    }
}
