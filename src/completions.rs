//! Argument completions (`completion/complete`) for the prompts and resource templates:
//! company names (a prefix search, cached briefly so a keystroke costs at most one request
//! and a longer prefix of a complete short list costs none), the tenant's picklist labels
//! (queues, statuses: from the picklist cache) and entity names (from the registry, no
//! request).

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{CompleteRequestParams, CompleteResult, CompletionInfo, Reference};
use serde_json::json;

use crate::autotask::{AutotaskError, ReadIntent};
use crate::registry;
use crate::tools::Context;

/// Most values one completion offers.
const LIMIT: usize = 20;
/// How long a prefix's answer is reused.
const TTL: Duration = Duration::from_secs(60);
/// Most prefixes whose answers are held at once.
const MAX_PREFIXES: u64 = 1_000;

/// The company names one prefix found.
struct Found {
    /// (id, name) pairs.
    names: Vec<(i64, String)>,
    /// Fewer than the limit came back: every longer prefix's names are among these.
    complete: bool,
}

/// Completes prompt and template arguments. Company names are held per lower-case prefix
/// for [`TTL`], at most [`MAX_PREFIXES`] prefixes (least used evicted first); concurrent
/// requests for one prefix share one query. Cheap to clone.
#[derive(Clone)]
pub struct Completer {
    companies: moka::future::Cache<String, Arc<Found>>,
}

impl Default for Completer {
    fn default() -> Self {
        Self::with_capacity(MAX_PREFIXES)
    }
}

fn starts(hay: &str, prefix: &str) -> bool {
    hay.to_lowercase().starts_with(&prefix.to_lowercase())
}

impl Completer {
    fn with_capacity(capacity: u64) -> Completer {
        Completer {
            companies: moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(TTL)
                .build(),
        }
    }

    /// The company names starting with `prefix`: from the cache when this prefix, or a
    /// shorter one whose list was complete, was asked within the TTL; else one query
    /// (shared with concurrent requests for the same prefix). A failed query is not cached.
    pub async fn companies(&self, ctx: &Context, prefix: &str) -> Vec<(i64, String)> {
        let key = prefix.trim().to_lowercase();
        let shorter = self.companies.iter().find(|(k, found)| {
            found.complete && k.len() < key.len() && key.starts_with(k.as_str())
        });
        if let Some((_, found)) = shorter {
            return found
                .names
                .iter()
                .filter(|(_, n)| starts(n, &key))
                .cloned()
                .collect();
        }
        let found = self
            .companies
            .try_get_with(key, Self::query(ctx, prefix.trim()))
            .await;
        match found {
            Ok(found) => found.names.clone(),
            Err(e) => {
                tracing::info!(error = %e, "company completion failed");
                Vec::new()
            }
        }
    }

    /// One query for the company names starting with `prefix` (every company when empty).
    async fn query(ctx: &Context, prefix: &str) -> Result<Arc<Found>, AutotaskError> {
        let filter = if prefix.is_empty() {
            json!([{"op": "exist", "field": "id"}])
        } else {
            json!([{"op": "beginsWith", "field": "companyName", "value": prefix}])
        };
        let query = json!({"filter": filter, "includeFields": ["id", "companyName"]});
        let rows = ctx
            .tenant
            .client
            .query("Companies", &query, LIMIT, ReadIntent::Background)
            .await?;
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
        let complete = !rows.has_more && names.len() < LIMIT;
        Ok(Arc::new(Found { names, complete }))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_cache_holds_at_most_its_capacity() {
        let completer = Completer::with_capacity(3);
        for n in 0..10 {
            let found = Arc::new(Found {
                names: vec![(n, format!("Company {n}"))],
                complete: true,
            });
            completer
                .companies
                .insert(format!("prefix {n}"), found)
                .await;
        }
        completer.companies.run_pending_tasks().await;
        assert_eq!(completer.companies.entry_count(), 3);
        let default = Completer::default();
        assert_eq!(
            default.companies.policy().max_capacity(),
            Some(MAX_PREFIXES)
        );
        assert_eq!(default.companies.policy().time_to_live(), Some(TTL));
    }
}
