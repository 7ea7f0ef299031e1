//! Argument completions (`completion/complete`) for the prompts and resource templates:
//! company names (a prefix search, cached briefly so a keystroke costs at most one request
//! and a longer prefix of a complete short list costs none), the tenant's picklist labels
//! (queues, statuses: from the picklist cache) and entity names (from the registry, no
//! request).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rmcp::model::{CompleteRequestParams, CompleteResult, CompletionInfo, Reference};
use serde_json::json;

use crate::autotask::ReadIntent;
use crate::registry;
use crate::tools::Context;

/// Most values one completion offers.
const LIMIT: usize = 20;
/// How long a prefix's answer is reused.
const TTL: Duration = Duration::from_secs(60);

/// Company names seen per lower-case prefix: when, the (id, name) pairs, and whether the
/// list is complete (fewer than the limit came back).
type Seen = HashMap<String, (Instant, Arc<Vec<(i64, String)>>, bool)>;

/// Completes prompt and template arguments. Cheap to clone.
#[derive(Clone, Default)]
pub struct Completer {
    companies: Arc<Mutex<Seen>>,
}

fn starts(hay: &str, prefix: &str) -> bool {
    hay.to_lowercase().starts_with(&prefix.to_lowercase())
}

impl Completer {
    /// The company names starting with `prefix`: from the cache when this prefix, or a
    /// shorter one whose list was complete, was asked within the TTL; else one query.
    pub async fn companies(&self, ctx: &Context, prefix: &str) -> Vec<(i64, String)> {
        let key = prefix.trim().to_lowercase();
        if let Ok(seen) = self.companies.lock() {
            let hit = seen.iter().find(|(k, (at, _, complete))| {
                at.elapsed() < TTL && (**k == key || (*complete && key.starts_with(k.as_str())))
            });
            if let Some((_, (_, names, _))) = hit {
                return names
                    .iter()
                    .filter(|(_, n)| starts(n, &key))
                    .cloned()
                    .collect();
            }
        }
        let filter = if key.is_empty() {
            json!([{"op": "exist", "field": "id"}])
        } else {
            json!([{"op": "beginsWith", "field": "companyName", "value": prefix.trim()}])
        };
        let query = json!({"filter": filter, "includeFields": ["id", "companyName"]});
        let rows = match ctx
            .tenant
            .client
            .query("Companies", &query, LIMIT, ReadIntent::Background)
            .await
        {
            Ok(r) => r,
            Err(e) => {
                tracing::info!(error = %e, "company completion failed");
                return Vec::new();
            }
        };
        let names: Vec<(i64, String)> = rows
            .items
            .iter()
            .filter_map(|r| {
                Some((
                    r.get("id")?.as_i64()?,
                    r.get("companyName")?.as_str()?.to_string(),
                ))
            })
            .collect();
        if let Ok(mut seen) = self.companies.lock() {
            seen.retain(|_, (at, _, _)| at.elapsed() < TTL);
            seen.insert(
                key,
                (
                    Instant::now(),
                    Arc::new(names.clone()),
                    !rows.has_more && names.len() < LIMIT,
                ),
            );
        }
        names
    }

    /// The active labels of picklist `entity.field` starting with `prefix`.
    async fn labels(ctx: &Context, entity: &str, field: &str, prefix: &str) -> Vec<String> {
        match ctx
            .tenant
            .picklists
            .get(entity, ReadIntent::Background)
            .await
        {
            Ok(lists) => lists
                .field(field)
                .map(|l| {
                    l.values
                        .iter()
                        .filter(|v| v.is_active && starts(v.label.trim(), prefix.trim()))
                        .map(|v| v.label.trim().to_string())
                        .collect()
                })
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    /// The values for one `completion/complete` request.
    pub async fn values(&self, ctx: &Context, request: &CompleteRequestParams) -> Vec<String> {
        let prefix = request.argument.value.as_str();
        let argument = request.argument.name.as_str();
        match (&request.r#ref, argument) {
            (Reference::Prompt(_), "company") => self
                .companies(ctx, prefix)
                .await
                .into_iter()
                .map(|(_, n)| n)
                .collect(),
            (Reference::Prompt(_), "queue") => {
                Self::labels(ctx, "Tickets", "queueID", prefix).await
            }
            (Reference::Prompt(_), "status") => {
                Self::labels(ctx, "Tickets", "status", prefix).await
            }
            (_, "entity") => registry::entities()
                .iter()
                .filter(|e| starts(e.name, prefix))
                .map(|e| e.name.to_string())
                .collect(),
            // `autotask://companies/{id}`: a name typed where the id goes → the ids.
            (Reference::Resource(r), "id") if r.uri.starts_with("autotask://companies/") => {
                if prefix.chars().all(|c| c.is_ascii_digit()) {
                    return Vec::new();
                }
                self.companies(ctx, prefix)
                    .await
                    .into_iter()
                    .map(|(id, _)| id.to_string())
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// The `completion/complete` answer: at most [`LIMIT`] values.
    pub async fn complete(&self, ctx: &Context, request: &CompleteRequestParams) -> CompleteResult {
        let mut values = self.values(ctx, request).await;
        values.dedup();
        let total = values.len();
        values.truncate(LIMIT);
        let info = CompletionInfo::with_pagination(values, Some(total as u32), total > LIMIT)
            .unwrap_or_default();
        CompleteResult::new(info)
    }
}
