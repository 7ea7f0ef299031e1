//! Names beside references: a result shows `company: "Northwind Traders"` beside
//! `companyID`, so a model does not spend a turn looking the company up. For one page of
//! records, every referenced entity type costs at most one batched `in` query (ids not seen
//! lately only), fetched as a background read (skipped first when the budget runs low); names
//! are cached for a short, configurable time.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use serde_json::{Value, json};

use crate::autotask::{AutotaskClient, AutotaskError, ReadIntent, scope};
use crate::registry::EntityDef;
use crate::tools::facts::naming::{name_fields, name_of, named_reference};
use crate::tools::tenant::picklists::insert_from_sync;

/// How long a name is trusted by default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(crate::config::DEFAULT_NAMES_TTL_SECS);
/// Most names held at once (a name, or the note that an id has no record, is one entry).
pub const MAX_NAMES: u64 = 50_000;
/// The longest time-to-live honoured: the cache crate refuses more than 1,000 years, and a
/// name trusted for a year is trusted for good.
const MAX_TTL: Duration = Duration::from_secs(365 * 24 * 3600);
/// Most ids in one `in` query.
const BATCH: usize = 500;

/// Names of referenced records: referenced entity → id → name.
pub type Names = HashMap<&'static str, HashMap<i64, String>>;

/// One batched read: id → name of the rows that came back.
type Batch<'a> = Shared<BoxFuture<'a, Result<Arc<HashMap<i64, String>>, AutotaskError>>>;

/// Names of records by entity and id for a time-to-live, at most [`MAX_NAMES`] entries (least
/// used evicted first); an id that has no record is remembered as such. Loads are
/// single-flight: a page naming ids that another call is reading right now waits for that
/// read instead of asking again. Failed reads are not cached. Cheap to clone.
#[derive(Clone)]
pub struct NameCache {
    client: AutotaskClient,
    names: moka::future::Cache<(&'static str, i64), Option<Arc<str>>>,
}

impl NameCache {
    pub fn new(client: AutotaskClient, ttl: Duration) -> NameCache {
        Self::with_capacity(client, ttl, MAX_NAMES)
    }

    fn with_capacity(client: AutotaskClient, ttl: Duration, capacity: u64) -> NameCache {
        NameCache {
            client,
            names: moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl.min(MAX_TTL))
                .build(),
        }
    }

    /// Remembers names seen in records read anyway (a company search names its companies).
    pub fn remember(&self, entity: &'static str, records: &[Value]) {
        if name_fields(entity).is_none() {
            return;
        }
        for r in records {
            if let (Some(id), Some(name)) =
                (r.get("id").and_then(Value::as_i64), name_of(entity, r))
            {
                insert_from_sync(&self.names, (entity, id), Some(Arc::from(name)));
            }
        }
    }

    /// One `in` query for the names of `ids`, run when first awaited and shared by every id
    /// of the batch.
    fn batch<'a>(
        &'a self,
        entity: &'static str,
        fields: &[&'static str],
        ids: &[i64],
    ) -> Batch<'a> {
        let mut include = vec!["id"];
        include.extend_from_slice(fields);
        let query = json!({
            "filter": [{"op": "in", "field": "id", "value": ids}],
            "includeFields": include,
            "maxRecords": ids.len(),
        });
        let wanted = ids.len();
        async move {
            let rows = self
                .client
                .query(entity, &query, wanted, ReadIntent::Background)
                .await?
                .items;
            let found = rows
                .iter()
                .filter_map(|r| Some((r.get("id")?.as_i64()?, name_of(entity, r)?)))
                .collect();
            Ok(Arc::new(found))
        }
        .boxed()
        .shared()
    }

    /// The names of `ids` of `entity`: cached ones, the rest in one `in` query per 500 (ids
    /// another call is reading already are awaited, not asked for again).
    async fn lookup(
        &self,
        entity: &'static str,
        ids: &BTreeSet<i64>,
    ) -> Result<HashMap<i64, String>, AutotaskError> {
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for id in ids {
            match self.names.get(&(entity, *id)).await {
                Some(name) => {
                    scope::note_cache_hit();
                    if let Some(name) = name {
                        found.insert(*id, name.to_string());
                    }
                }
                None => missing.push(*id),
            }
        }
        let Some(fields) = name_fields(entity) else {
            return Ok(found);
        };
        let mut loads = Vec::new();
        for chunk in missing.chunks(BATCH) {
            let batch = self.batch(entity, &fields, chunk);
            for &id in chunk {
                let batch = batch.clone();
                loads.push(async move {
                    let entry = self
                        .names
                        .entry((entity, id))
                        .or_try_insert_with(async move {
                            let names = batch.await?;
                            Ok::<_, AutotaskError>(names.get(&id).map(|n| Arc::from(n.as_str())))
                        })
                        .await;
                    (id, entry)
                });
            }
        }
        for (id, entry) in futures::future::join_all(loads).await {
            let entry = entry.map_err(|e| (*e).clone())?;
            if !entry.is_fresh() {
                scope::note_cache_hit();
            }
            if let Some(name) = entry.into_value() {
                found.insert(id, name.to_string());
            }
        }
        Ok(found)
    }

    /// The names of every record the reference fields of `records` (of `entity`) point to.
    /// When a lookup fails (budget, permissions), the names of that entity are left out and
    /// the error says why.
    pub async fn for_records(
        &self,
        entity: &EntityDef,
        records: &[Value],
    ) -> (Names, Option<String>) {
        let mut wanted: HashMap<&'static str, BTreeSet<i64>> = HashMap::new();
        for r in records {
            let Value::Object(map) = r else { continue };
            for (key, value) in map {
                if let (Some(target), Some(id)) = (named_reference(entity, key), value.as_i64()) {
                    wanted.entry(target.name).or_default().insert(id);
                }
            }
        }
        let mut names = Names::new();
        let mut problems = Vec::new();
        let mut targets: Vec<_> = wanted.into_iter().collect();
        targets.sort_by_key(|(e, _)| *e);
        for (target, ids) in targets {
            match self.lookup(target, &ids).await {
                Ok(found) => {
                    names.insert(target, found);
                }
                Err(e) => problems.push(format!("{target}: {e}")),
            }
        }
        let note = (!problems.is_empty())
            .then(|| format!("some names are missing ({})", problems.join("; ")));
        (names, note)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autotask::scope::{CallScope, within};
    use crate::tools::tenant::picklists::tests::offline_client;

    fn company(id: i64) -> Value {
        json!({"id": id, "companyName": format!("Company {id}")})
    }

    #[tokio::test]
    async fn remembered_names_are_served_without_a_request() {
        let names = NameCache::new(offline_client(), DEFAULT_TTL);
        names.remember("Companies", &[company(7), company(8)]);
        let tickets = crate::registry::find("Tickets").unwrap();
        let scope = CallScope::new(None);
        let (found, note) = within(
            scope.clone(),
            names.for_records(
                tickets,
                &[
                    json!({"id": 1, "companyID": 7}),
                    json!({"id": 2, "companyID": 8}),
                ],
            ),
        )
        .await;
        assert_eq!(note, None);
        assert_eq!(found["Companies"][&7], "Company 7");
        assert_eq!(found["Companies"][&8], "Company 8");
        assert_eq!((scope.requests(), scope.cache_hits()), (0, 2));
    }

    #[tokio::test]
    async fn the_cache_holds_at_most_its_capacity() {
        let names = NameCache::with_capacity(offline_client(), DEFAULT_TTL, 3);
        let companies: Vec<Value> = (0..10).map(company).collect();
        names.remember("Companies", &companies);
        names.names.run_pending_tasks().await;
        assert_eq!(names.names.entry_count(), 3);
        let default = NameCache::new(offline_client(), DEFAULT_TTL);
        assert_eq!(default.names.policy().max_capacity(), Some(MAX_NAMES));
    }

    #[tokio::test]
    async fn a_zero_time_to_live_reads_on_every_call() {
        let names = NameCache::new(offline_client(), Duration::ZERO);
        names.remember("Companies", &[company(7)]);
        let tickets = crate::registry::find("Tickets").unwrap();
        let scope = CallScope::new(None);
        let (found, note) = within(
            scope.clone(),
            names.for_records(tickets, &[json!({"id": 1, "companyID": 7})]),
        )
        .await;
        // The offline client could not answer: the name was read for, not served from memory.
        assert!(note.is_some_and(|n| n.contains("Companies")), "{found:?}");
        assert_eq!(scope.cache_hits(), 0);
    }

    #[tokio::test]
    async fn a_time_to_live_beyond_the_crate_limit_is_capped_not_a_panic() {
        let names = NameCache::new(offline_client(), Duration::from_secs(u64::MAX));
        assert_eq!(names.names.policy().time_to_live(), Some(MAX_TTL));
    }
}
