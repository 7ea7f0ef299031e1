//! The emulator's data: one table per entity (`BTreeMap` id → record, so every scan is in id
//! order, as Autotask sorts), behind one lock. A record is the entity's wire JSON: every field
//! of the registry in registry order (`null` when unset) plus `userDefinedFields` when the
//! entity has UDFs, so reads serialise records as they are stored.

use std::collections::{BTreeMap, HashMap};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::{Map, Value, json};

use super::picklists::tenant;
use crate::registry::EntityDef;

/// One entity record, as sent on the wire.
pub type Record = Map<String, Value>;

/// The records of one entity.
#[derive(Debug, Default, Clone)]
pub struct Table {
    pub rows: BTreeMap<i64, Record>,
    next_id: i64,
}

/// Every table, plus the tenant's number sequences.
#[derive(Debug, Default, Clone)]
pub struct Data {
    tables: HashMap<&'static str, Table>,
    /// Per prefix and day (`T20261125`): the last sequence number handed out.
    sequences: HashMap<String, u32>,
}

impl Data {
    /// The table of `entity` (collection name), if it holds anything yet.
    pub fn table(&self, entity: &str) -> Option<&Table> {
        self.tables.get(entity)
    }

    /// The record `id` of `entity`.
    pub fn get(&self, entity: &str, id: i64) -> Option<&Record> {
        self.tables.get(entity).and_then(|t| t.rows.get(&id))
    }

    /// The record `id` of `entity`, to change in place.
    pub fn get_mut(&mut self, entity: &str, id: i64) -> Option<&mut Record> {
        self.tables
            .get_mut(entity)
            .and_then(|t| t.rows.get_mut(&id))
    }

    /// Whether `entity` has a record `id`.
    pub fn exists(&self, entity: &str, id: i64) -> bool {
        self.get(entity, id).is_some()
    }

    /// Stores `record` under its `id` (which must be set), replacing any previous version.
    pub fn put(&mut self, entity: &'static str, record: Record) -> i64 {
        let id = record.get("id").and_then(Value::as_i64).unwrap_or_default();
        let table = self.tables.entry(entity).or_default();
        table.next_id = table.next_id.max(id + 1);
        table.rows.insert(id, record);
        id
    }

    /// Removes record `id` of `entity`; false when it did not exist.
    pub fn remove(&mut self, entity: &str, id: i64) -> bool {
        self.tables
            .get_mut(entity)
            .is_some_and(|t| t.rows.remove(&id).is_some())
    }

    /// Removes record `id` of `entity` and, recursively, the records that cannot exist without
    /// it (`DEPENDENTS`: a service call's ticket and task links and their resources); false
    /// when the record did not exist.
    pub fn remove_with_dependents(&mut self, entity: &str, id: i64) -> bool {
        if !self.remove(entity, id) {
            return false;
        }
        for (parent, child, key) in DEPENDENTS {
            if *parent != entity {
                continue;
            }
            let orphans: Vec<i64> = self
                .tables
                .get(child)
                .map(|t| {
                    t.rows
                        .iter()
                        .filter(|(_, r)| r.get(*key).and_then(Value::as_i64) == Some(id))
                        .map(|(k, _)| *k)
                        .collect()
                })
                .unwrap_or_default();
            for orphan in orphans {
                self.remove_with_dependents(child, orphan);
            }
        }
        true
    }

    /// The id the next created record of `entity` gets (ids ascend; `base` for an empty table).
    pub fn next_id(&mut self, entity: &'static str, base: i64) -> i64 {
        let table = self.tables.entry(entity).or_default();
        let id = table.next_id.max(base);
        table.next_id = id + 1;
        id
    }

    /// The next number of a `T20261125.0001`-style sequence (`prefix` + day).
    pub fn next_number(&mut self, prefix_and_day: &str) -> String {
        let seq = self
            .sequences
            .entry(prefix_and_day.to_string())
            .or_default();
        *seq += 1;
        format!("{prefix_and_day}.{:04}", *seq)
    }

    /// Records that `number` (`T20261125.0007`) is taken, so new numbers continue after it.
    pub fn note_number(&mut self, number: &str) {
        if let Some((prefix, seq)) = number.rsplit_once('.')
            && let Ok(seq) = seq.parse::<u32>()
        {
            let entry = self.sequences.entry(prefix.to_string()).or_default();
            *entry = (*entry).max(seq);
        }
    }
}

/// (parent entity, dependent entity, the dependent's key to the parent): records that go
/// with their parent when it is deleted. A service call's associations cannot outlive it.
const DEPENDENTS: &[(&str, &str, &str)] = &[
    ("ServiceCalls", "ServiceCallTickets", "serviceCallID"),
    ("ServiceCalls", "ServiceCallTasks", "serviceCallID"),
    (
        "ServiceCallTickets",
        "ServiceCallTicketResources",
        "serviceCallTicketID",
    ),
    (
        "ServiceCallTasks",
        "ServiceCallTaskResources",
        "serviceCallTaskID",
    ),
];

/// The lock around `Data`. A poisoned lock is recovered: records are replaced whole, so a
/// panic elsewhere cannot leave one half-written.
#[derive(Debug, Default)]
pub struct Store {
    data: RwLock<Data>,
}

impl Store {
    pub fn new(data: Data) -> Self {
        Store {
            data: RwLock::new(data),
        }
    }

    pub fn read(&self) -> RwLockReadGuard<'_, Data> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, Data> {
        self.data.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// An empty record of `entity`: every field `null`, UDFs listed with `null` values.
pub fn blank(entity: &EntityDef) -> Record {
    let mut record = Map::with_capacity(entity.fields.len() + 1);
    for field in entity.fields {
        record.insert(field.name.to_string(), Value::Null);
    }
    if entity.has_user_defined_fields {
        let udfs: Vec<Value> = tenant()
            .udfs(entity.name)
            .iter()
            .map(|u| json!({ "name": u.name, "value": Value::Null }))
            .collect();
        record.insert("userDefinedFields".to_string(), Value::Array(udfs));
    }
    record
}

/// The value of UDF `name` (ignoring case) in a record, if set.
pub fn udf_value<'a>(record: &'a Record, name: &str) -> Option<&'a str> {
    record
        .get("userDefinedFields")
        .and_then(Value::as_array)?
        .iter()
        .find(|u| {
            u.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .and_then(|u| u.get("value"))
        .and_then(Value::as_str)
}

/// Sets UDF `name` in a record (adding the entry when missing).
pub fn set_udf(record: &mut Record, name: &str, value: Value) {
    let list = record
        .entry("userDefinedFields")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = list {
        if let Some(item) = items.iter_mut().find(|u| {
            u.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        }) {
            if let Some(obj) = item.as_object_mut() {
                obj.insert("value".into(), value);
            }
        } else {
            items.push(json!({ "name": name, "value": value }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    #[test]
    fn blank_records_list_every_field_in_registry_order() {
        let tickets = registry::find("Tickets").unwrap();
        let record = blank(tickets);
        let keys: Vec<&str> = record.keys().map(String::as_str).collect();
        assert_eq!(keys.first(), Some(&"id"));
        assert_eq!(keys.last(), Some(&"userDefinedFields"));
        assert_eq!(keys.len(), tickets.fields.len() + 1);
    }

    #[test]
    fn deleting_a_service_call_takes_its_links_and_their_resources() {
        let mut data = Data::default();
        let row = |pairs: &[(&str, i64)]| -> Record {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), json!(v)))
                .collect()
        };
        data.put("ServiceCalls", row(&[("id", 1)]));
        data.put("ServiceCalls", row(&[("id", 2)]));
        data.put(
            "ServiceCallTickets",
            row(&[("id", 10), ("serviceCallID", 1)]),
        );
        data.put(
            "ServiceCallTickets",
            row(&[("id", 11), ("serviceCallID", 2)]),
        );
        data.put(
            "ServiceCallTicketResources",
            row(&[("id", 20), ("serviceCallTicketID", 10)]),
        );
        data.put(
            "ServiceCallTicketResources",
            row(&[("id", 21), ("serviceCallTicketID", 11)]),
        );
        assert!(data.remove_with_dependents("ServiceCalls", 1));
        assert!(!data.exists("ServiceCallTickets", 10));
        assert!(!data.exists("ServiceCallTicketResources", 20));
        assert!(data.exists("ServiceCallTickets", 11));
        assert!(data.exists("ServiceCallTicketResources", 21));
        assert!(!data.remove_with_dependents("ServiceCalls", 1));
    }

    #[test]
    fn ids_and_numbers_ascend() {
        let mut data = Data::default();
        let id = data.next_id("Tickets", 100);
        assert_eq!(id, 100);
        let mut r = Record::new();
        r.insert("id".into(), json!(250));
        data.put("Tickets", r);
        assert_eq!(data.next_id("Tickets", 100), 251);
        data.note_number("T20261125.0007");
        assert_eq!(data.next_number("T20261125"), "T20261125.0008");
    }
}
