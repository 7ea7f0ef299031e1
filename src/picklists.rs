//! The tenant's live picklists, cached per entity for a while: label ↔ code both ways, default
//! values, and the parent value of dependent picklists. Picklist ids are tenant-specific, so
//! nothing here is hard-coded; everything comes from `entityInformation/fields`, fetched as a
//! background read (refused first when the hourly budget runs low).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
        for row in rows {
            let Some(name) = row.get("name").and_then(Value::as_str) else {
                continue;
            };
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
        EntityPicklists { fields }
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

    /// The code of the value labelled `label` (case-insensitive), or the labels there are.
    pub fn code(&self, field: &str, label: &str) -> Result<&str, Vec<&str>> {
        let Some(list) = self.field(field) else {
            return Err(Vec::new());
        };
        let wanted = label.trim();
        list.values
            .iter()
            .filter(|v| v.is_active)
            .find(|v| v.label.eq_ignore_ascii_case(wanted))
            .or_else(|| {
                list.values
                    .iter()
                    .find(|v| v.label.eq_ignore_ascii_case(wanted))
            })
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

/// When each entity's lists were fetched, and the lists.
type Entries = HashMap<String, (Instant, Arc<EntityPicklists>)>;

/// Picklists per entity with a time-to-live. Cheap to clone.
#[derive(Clone)]
pub struct PicklistCache {
    client: AutotaskClient,
    ttl: Duration,
    entries: Arc<Mutex<Entries>>,
}

impl PicklistCache {
    pub fn new(client: AutotaskClient, ttl: Duration) -> Self {
        PicklistCache {
            client,
            ttl,
            entries: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn cached(&self, entity: &str) -> Option<Arc<EntityPicklists>> {
        let entries = self.entries.lock().ok()?;
        let (at, lists) = entries.get(entity)?;
        (at.elapsed() < self.ttl).then(|| lists.clone())
    }

    /// Stores lists fetched elsewhere (e.g. by describe-entity-fields).
    pub fn store(&self, entity: &str, rows: &[Value]) -> Arc<EntityPicklists> {
        let lists = Arc::new(EntityPicklists::from_fields(rows));
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(entity.to_string(), (Instant::now(), lists.clone()));
        }
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
        if let Some(lists) = self.cached(entity) {
            crate::autotask::scope::note_cache_hit();
            return Ok(lists);
        }
        let body = self
            .client
            .read_path(&format!("{entity}/entityInformation/fields"), intent)
            .await?;
        let rows = body
            .get("fields")
            .and_then(Value::as_array)
            .ok_or_else(|| AutotaskError::InvalidResponse {
                reason: "field information has no fields array".into(),
            })?;
        Ok(self.store(entity, rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
