//! Names beside references: a result shows `company: "Northwind Traders"` beside
//! `companyID`, so a model does not spend a turn looking the company up. For one page of
//! records, every referenced entity type costs at most one batched `in` query (ids not seen
//! lately only), fetched as a background read (skipped first when the budget runs low); names
//! are cached for a short, configurable time.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::autotask::{AutotaskClient, AutotaskError, ReadIntent, scope};
use crate::registry::EntityDef;
use crate::tools::facts::naming::{name_fields, name_of, named_reference};

/// How long a name is trusted by default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(crate::config::DEFAULT_NAMES_TTL_SECS);

/// Names of referenced records: referenced entity → id → name.
pub type Names = HashMap<&'static str, HashMap<i64, String>>;

type Entries = HashMap<(&'static str, i64), (Instant, Option<String>)>;

/// Names of records by entity and id, for a while. Cheap to clone.
#[derive(Clone)]
pub struct NameCache {
    client: AutotaskClient,
    ttl: Duration,
    entries: Arc<Mutex<Entries>>,
}

impl NameCache {
    pub fn new(client: AutotaskClient, ttl: Duration) -> NameCache {
        NameCache {
            client,
            ttl,
            entries: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Remembers names seen in records read anyway (a company search names its companies).
    pub fn remember(&self, entity: &'static str, records: &[Value]) {
        if name_fields(entity).is_none() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        for r in records {
            if let (Some(id), Some(name)) =
                (r.get("id").and_then(Value::as_i64), name_of(entity, r))
            {
                entries.insert((entity, id), (Instant::now(), Some(name)));
            }
        }
    }

    fn cached(&self, entity: &'static str, id: i64) -> Option<Option<String>> {
        let entries = self.entries.lock().ok()?;
        let (at, name) = entries.get(&(entity, id))?;
        (at.elapsed() < self.ttl).then(|| name.clone())
    }

    /// The names of `ids` of `entity`: cached ones, the rest in one `in` query per 500.
    async fn lookup(
        &self,
        entity: &'static str,
        ids: &BTreeSet<i64>,
    ) -> Result<HashMap<i64, String>, AutotaskError> {
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for id in ids {
            match self.cached(entity, *id) {
                Some(name) => {
                    scope::note_cache_hit();
                    if let Some(name) = name {
                        found.insert(*id, name);
                    }
                }
                None => missing.push(*id),
            }
        }
        let Some(fields) = name_fields(entity) else {
            return Ok(found);
        };
        for chunk in missing.chunks(500) {
            let mut include = vec!["id"];
            include.extend_from_slice(&fields);
            let query = json!({
                "filter": [{"op": "in", "field": "id", "value": chunk}],
                "includeFields": include,
                "maxRecords": chunk.len(),
            });
            let rows = self
                .client
                .query(entity, &query, chunk.len(), ReadIntent::Background)
                .await?
                .items;
            let mut entries = self
                .entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            for id in chunk {
                entries.insert((entity, *id), (now, None));
            }
            for r in &rows {
                if let (Some(id), Some(name)) =
                    (r.get("id").and_then(Value::as_i64), name_of(entity, r))
                {
                    entries.insert((entity, id), (now, Some(name.clone())));
                    found.insert(id, name);
                }
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
