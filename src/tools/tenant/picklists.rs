//! The tenant's live picklists, cached per entity for a while (one read however many calls
//! want them at once): label ↔ code both ways, default values, and the parent value of
//! dependent picklists. Picklist ids are tenant-specific, so nothing here is hard-coded;
//! everything comes from `entityInformation/fields`, fetched as a background read (refused
//! first when the hourly budget runs low).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::autotask::{AutotaskClient, AutotaskError, ReadIntent};

/// How long a fetched picklist is trusted.
pub const DEFAULT_TTL: Duration = Duration::from_secs(15 * 60);

/// One value of a picklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickValue {
    /// The code, as Autotask sends it (a string, even for integer fields).
    pub value: String,
    pub label: String,
    pub parent_value: Option<String>,
    pub is_active: bool,
    pub is_default: bool,
}

/// The values of one picklist field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPicklist {
    pub values: Vec<PickValue>,
    /// The field this list depends on (`issueType` for `subIssueType`), if any.
    pub parent_field: Option<String>,
}

/// Every picklist of one entity, keyed by lower-case field name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityPicklists {
    fields: HashMap<String, FieldPicklist>,
    /// Every field name of the rows, picklist or not, in their order (the UDF names).
    names: Vec<String>,
}

/// A picklist value or code as text (`5` and `"5"` alike); `None` for null, arrays, objects.
pub fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl EntityPicklists {
    /// Builds the lists from `entityInformation/fields` rows.
    pub fn from_fields(rows: &[Value]) -> Self {
        let mut fields = HashMap::new();
        let mut names = Vec::new();
        for row in rows {
            let Some(name) = row.get("name").and_then(Value::as_str) else {
                continue;
            };
            names.push(name.to_string());
            let Some(values) = row.get("picklistValues").and_then(Value::as_array) else {
                continue;
            };
            let values = values
                .iter()
                .filter_map(|v| {
                    Some(PickValue {
                        value: value_text(v.get("value")?)?,
                        label: v
                            .get("label")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        parent_value: v
                            .get("parentValue")
                            .and_then(value_text)
                            .filter(|s| !s.is_empty()),
                        is_active: v.get("isActive").and_then(Value::as_bool).unwrap_or(true),
                        is_default: v
                            .get("isDefaultValue")
                            .and_then(Value::as_bool)
                            .unwrap_or(false),
                    })
                })
                .collect();
            let parent_field = row
                .get("picklistParentValueField")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            fields.insert(
                name.to_ascii_lowercase(),
                FieldPicklist {
                    values,
                    parent_field,
                },
            );
        }
        EntityPicklists { fields, names }
    }

    /// Every field name the lists were built from, in the tenant's order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The name as the tenant spells it of field `name` (any casing).
    pub fn name(&self, name: &str) -> Option<&str> {
        let wanted = name.trim();
        self.names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(wanted))
            .map(String::as_str)
    }

    /// The picklist of `field`, if it is one.
    pub fn field(&self, field: &str) -> Option<&FieldPicklist> {
        self.fields.get(&field.to_ascii_lowercase())
    }

    /// The label of code `code` of `field`.
    pub fn label(&self, field: &str, code: &Value) -> Option<&str> {
        let code = value_text(code)?;
        self.field(field)?
            .values
            .iter()
            .find(|v| v.value == code)
            .map(|v| v.label.as_str())
    }

    /// The code of the value labelled `label` (case-insensitive, surrounding spaces ignored),
    /// or the active labels there are.
    pub fn code(&self, field: &str, label: &str) -> Result<&str, Vec<&str>> {
        let Some(list) = self.field(field) else {
            return Err(Vec::new());
        };
        // Both sides trimmed: the model's text, and the tenant's label (tenants do save
        // labels such as "Waiting Customer " with a trailing space).
        let wanted = label.trim();
        let same = |v: &&PickValue| v.label.trim().eq_ignore_ascii_case(wanted);
        list.values
            .iter()
            .filter(|v| v.is_active)
            .find(same)
            .or_else(|| list.values.iter().find(same))
            .map(|v| v.value.as_str())
            .ok_or_else(|| {
                list.values
                    .iter()
                    .filter(|v| v.is_active)
                    .map(|v| v.label.as_str())
                    .collect()
            })
    }

    /// The tenant's default value of `field`, if it marks one.
    pub fn default_value(&self, field: &str) -> Option<&PickValue> {
        self.field(field)?
            .values
            .iter()
            .find(|v| v.is_default && v.is_active)
    }
}

/// Most lists held at once: an entity's picklists and its UDF definitions are one entry
/// each, and the registry has a few hundred entities.
pub const MAX_LISTS: u64 = 1_000;

/// Picklists and UDF definitions per entity, each trusted for a time-to-live, at most
/// [`MAX_LISTS`] entries (least used evicted first). Loads are single-flight: callers that
/// miss the same entity at the same time wait for one `entityInformation` read instead of
/// each spending a request of the tenant's budget. Failed reads are not cached. Cheap to
/// clone.
#[derive(Clone)]
pub struct PicklistCache {
    client: AutotaskClient,
    lists: moka::future::Cache<String, Arc<EntityPicklists>>,
}

impl PicklistCache {
    pub fn new(client: AutotaskClient, ttl: Duration) -> Self {
        Self::with_capacity(client, ttl, MAX_LISTS)
    }

    fn with_capacity(client: AutotaskClient, ttl: Duration, capacity: u64) -> Self {
        PicklistCache {
            client,
            lists: moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build(),
        }
    }

    /// Stores lists fetched elsewhere (e.g. by describe-entity-fields).
    pub fn store(&self, entity: &str, rows: &[Value]) -> Arc<EntityPicklists> {
        let lists = Arc::new(EntityPicklists::from_fields(rows));
        insert_from_sync(&self.lists, entity.to_string(), lists.clone());
        lists
    }

    /// The picklists of `entity` (collection name, e.g. `Tickets`), fetched when missing or
    /// stale. `Background` when the server wants them for itself (labels on results), which
    /// the client refuses first when the hourly budget runs low; `Explicit` when the model's
    /// own arguments need them (a label to resolve, a default to fill).
    pub async fn get(
        &self,
        entity: &str,
        intent: ReadIntent,
    ) -> Result<Arc<EntityPicklists>, AutotaskError> {
        self.fetch(
            entity.to_string(),
            &format!("{entity}/entityInformation/fields"),
            intent,
        )
        .await
    }

    /// The user-defined fields of `entity` (`entityInformation/userDefinedFields`): their
    /// names and, for list UDFs, label ↔ code, cached like the picklists.
    pub async fn udfs(
        &self,
        entity: &str,
        intent: ReadIntent,
    ) -> Result<Arc<EntityPicklists>, AutotaskError> {
        self.fetch(
            format!("{entity}#udf"),
            &format!("{entity}/entityInformation/userDefinedFields"),
            intent,
        )
        .await
    }

    /// The lists under `key`, read from `path` unless held (or being read by another caller,
    /// whose read is then awaited). An answer this call did not read itself counts as a
    /// cache hit.
    async fn fetch(
        &self,
        key: String,
        path: &str,
        intent: ReadIntent,
    ) -> Result<Arc<EntityPicklists>, AutotaskError> {
        let mut retried = false;
        loop {
            let mut read_here = false;
            let entry = self
                .lists
                .entry(key.clone())
                .or_try_insert_with(async {
                    read_here = true;
                    self.read(path, intent).await
                })
                .await;
            match entry {
                Ok(entry) => {
                    if !entry.is_fresh() {
                        crate::autotask::scope::note_cache_hit();
                    }
                    return Ok(entry.into_value());
                }
                // Another caller's background read was refused to spare the budget; an
                // explicit read may still go: once more, reading here unless someone else is.
                Err(e)
                    if !read_here
                        && !retried
                        && intent == ReadIntent::Explicit
                        && matches!(*e, AutotaskError::BudgetExhausted { .. }) =>
                {
                    retried = true;
                }
                Err(e) => return Err((*e).clone()),
            }
        }
    }

    async fn read(
        &self,
        path: &str,
        intent: ReadIntent,
    ) -> Result<Arc<EntityPicklists>, AutotaskError> {
        let body = self.client.read_path(path, intent).await?;
        let rows = body
            .get("fields")
            .and_then(Value::as_array)
            .ok_or_else(|| AutotaskError::InvalidResponse {
                reason: "field information has no fields array".into(),
            })?;
        Ok(Arc::new(EntityPicklists::from_fields(rows)))
    }
}

/// Puts `value` under `key` from synchronous code (the tenant caches are also fed by callers
/// that cannot await: describe-entity-fields, records read anyway). moka's insert completes
/// in one poll unless its housekeeping is busy (another thread running maintenance, or its
/// write queue full); then it finishes on a spawned task. Usually the value is in before this
/// returns, so the next lookup finds it; at worst that lookup reads it again.
pub(crate) fn insert_from_sync<K, V>(cache: &moka::future::Cache<K, V>, key: K, value: V)
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    let cache = cache.clone();
    let mut insert = Box::pin(async move { cache.insert(key, value).await });
    let mut cx = std::task::Context::from_waker(futures::task::noop_waker_ref());
    if insert.as_mut().poll(&mut cx).is_pending()
        && let Ok(runtime) = tokio::runtime::Handle::try_current()
    {
        runtime.spawn(insert);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn lists() -> EntityPicklists {
        EntityPicklists::from_fields(&[
            json!({"name": "status", "picklistValues": [
                {"value": "1", "label": "New", "isDefaultValue": true, "isActive": true},
                {"value": "5", "label": "Complete", "isActive": true},
                {"value": "9", "label": "Old", "isActive": false}]}),
            json!({"name": "subIssueType", "picklistParentValueField": "issueType", "picklistValues": [
                {"value": "11", "label": "Printer", "parentValue": "2", "isActive": true}]}),
            json!({"name": "title", "picklistValues": null}),
        ])
    }

    /// Labels as tenants type them: words, digits, punctuation, sometimes padded with spaces.
    fn label_text() -> impl Strategy<Value = String> {
        "[ ]{0,2}[A-Za-z0-9][A-Za-z0-9 ./&()-]{0,24}[ ]{0,2}"
    }

    /// A picklist of up to 12 values: distinct codes, labels that may repeat (in other
    /// casing), some inactive.
    fn picklist() -> impl Strategy<Value = Vec<(u32, String, bool)>> {
        proptest::collection::btree_map(0u32..100_000, (label_text(), any::<bool>()), 1..12)
            .prop_map(|m| m.into_iter().map(|(c, (l, a))| (c, l, a)).collect())
    }

    fn build(values: &[(u32, String, bool)], numeric_codes: bool) -> EntityPicklists {
        let values: Vec<Value> = values
            .iter()
            .map(|(code, label, active)| {
                let code = if numeric_codes {
                    json!(code)
                } else {
                    json!(code.to_string())
                };
                json!({"value": code, "label": label, "isActive": active})
            })
            .collect();
        EntityPicklists::from_fields(&[json!({"name": "status", "picklistValues": values})])
    }

    proptest! {
        /// label → code → label: a label the tenant shows exactly once (ignoring case and
        /// surrounding spaces) resolves to its code, and that code back to the same label,
        /// whatever the casing and padding the model types it with.
        #[test]
        fn label_code_label_round_trips(values in picklist(), numeric in any::<bool>(), upper in any::<bool>()) {
            let lists = build(&values, numeric);
            let key = |l: &str| l.trim().to_ascii_lowercase();
            for (code, label, _) in &values {
                if values.iter().filter(|(_, l, _)| key(l) == key(label)).count() != 1 {
                    continue;
                }
                let typed = if upper { label.to_ascii_uppercase() } else { format!(" {} ", label.trim()) };
                let code_text = code.to_string();
                prop_assert_eq!(lists.code("Status", &typed), Ok(code_text.as_str()), "label {:?}", label);
                prop_assert_eq!(lists.label("status", &json!(code)), Some(label.as_str()));
                prop_assert_eq!(lists.label("STATUS", &json!(code.to_string())), Some(label.as_str()));
            }
        }

        /// code → label → code, for every code: the label leads back to a code carrying the
        /// same label (the code itself unless another value shares the label).
        #[test]
        fn code_label_code_round_trips(values in picklist()) {
            let lists = build(&values, false);
            for (code, label, _) in &values {
                let shown = lists.label("status", &json!(code));
                prop_assert_eq!(shown, Some(label.as_str()));
                let back = lists.code("status", label);
                prop_assert!(back.is_ok(), "{:?} has no code back: {:?}", label, back);
                let back = back.unwrap_or_default();
                let same_label = values.iter().any(|(c, l, _)| c.to_string() == back && l.trim().eq_ignore_ascii_case(label.trim()));
                prop_assert!(same_label, "{:?} -> {} -> {:?}", code, label, back);
            }
        }

        /// An unknown label is refused with the active labels, in the tenant's order.
        #[test]
        fn unknown_labels_list_the_active_ones(values in picklist()) {
            let lists = build(&values, false);
            let active: Vec<&str> = values.iter().filter(|v| v.2).map(|v| v.1.as_str()).collect();
            prop_assert_eq!(lists.code("status", "\u{1}no such label"), Err(active));
            prop_assert_eq!(lists.code("nofield", "New"), Err(Vec::new()));
        }
    }

    /// Found by `label_code_label_round_trips`: a tenant label with a trailing space could
    /// not be resolved from its own text.
    #[test]
    fn padded_tenant_labels_resolve() {
        let lists = build(&[(7, "Waiting Customer ".into(), true)], true);
        assert_eq!(lists.code("status", "Waiting Customer "), Ok("7"));
        assert_eq!(lists.code("status", "waiting customer"), Ok("7"));
        assert_eq!(lists.label("status", &json!(7)), Some("Waiting Customer "));
    }

    /// A client that cannot reach anything: a cache answering through it answered from
    /// memory.
    pub(crate) fn offline_client() -> AutotaskClient {
        let credentials = crate::config::Credentials::new("api@example.com", "s3cret", "CODE");
        let mut config = crate::config::AutotaskConfig::with_defaults(
            credentials,
            Some("http://127.0.0.1:9/ATServicesRest/".into()),
        );
        config.max_read_attempts = 1;
        AutotaskClient::new(config).unwrap()
    }

    #[tokio::test]
    async fn stored_lists_are_served_at_once_and_counted_as_hits() {
        let cache = PicklistCache::new(offline_client(), DEFAULT_TTL);
        let rows = [json!({"name": "status", "picklistValues": [{"value": "1", "label": "New"}]})];
        cache.store("Tickets", &rows);
        let scope = crate::autotask::scope::CallScope::new(None);
        let lists = crate::autotask::scope::within(scope.clone(), async {
            cache.get("Tickets", ReadIntent::Explicit).await
        })
        .await
        .unwrap();
        assert_eq!(lists.code("status", "new"), Ok("1"));
        assert_eq!((scope.requests(), scope.cache_hits()), (0, 1));
        // Another entity is not held: the offline client fails, and the failure is no hit.
        let missing = crate::autotask::scope::within(scope.clone(), async {
            cache.get("Companies", ReadIntent::Explicit).await
        })
        .await;
        assert!(missing.is_err(), "{missing:?}");
        assert_eq!(scope.cache_hits(), 1);
    }

    #[tokio::test]
    async fn the_cache_holds_at_most_its_capacity() {
        let cache = PicklistCache::with_capacity(offline_client(), DEFAULT_TTL, 3);
        for n in 0..10 {
            cache.store(&format!("Entity{n}"), &[json!({"name": "status"})]);
        }
        cache.lists.run_pending_tasks().await;
        assert_eq!(cache.lists.entry_count(), 3);
        assert_eq!(
            PicklistCache::new(offline_client(), DEFAULT_TTL)
                .lists
                .policy()
                .max_capacity(),
            Some(MAX_LISTS)
        );
    }

    #[test]
    fn labels_and_codes_both_ways() {
        let l = lists();
        assert_eq!(l.label("Status", &json!(5)), Some("Complete"));
        assert_eq!(l.label("status", &json!("1")), Some("New"));
        assert_eq!(l.code("status", "complete"), Ok("5"));
        assert_eq!(l.code("status", "Nope"), Err(vec!["New", "Complete"]));
        assert_eq!(
            l.default_value("status").map(|v| v.value.as_str()),
            Some("1")
        );
        assert_eq!(
            l.field("subissuetype")
                .and_then(|f| f.parent_field.as_deref()),
            Some("issueType")
        );
        assert!(l.field("title").is_none());
    }
}
