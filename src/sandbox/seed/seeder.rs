//! What every generator of the demo tenant uses: the [`Seeder`] (its random stream, the instant
//! the data is relative to, the tables being filled) with its small helpers, the anchor instant
//! and the API user's resource.

use chrono::{DateTime, TimeZone, Utc};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use serde_json::{Value, json};

use crate::registry;
use crate::sandbox::store::{Data, Record, blank};
use crate::sandbox::wire::format_datetime;

/// The API user's own resource (creator of records the API writes).
pub const API_USER_RESOURCE_ID: i64 = 29682885;

pub use crate::sandbox::ids::id_base;

/// The instant the demo data is relative to.
pub fn anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0)
        .single()
        .unwrap_or_default()
}

pub(super) struct Seeder {
    pub(super) rng: ChaCha8Rng,
    /// The instant the data is relative to.
    pub(super) now: DateTime<Utc>,
    pub(super) data: Data,
    pub(super) unknown: Vec<String>,
}

pub(super) fn dt(at: DateTime<Utc>) -> Value {
    json!(format_datetime(at))
}

impl Seeder {
    pub(super) fn record(&mut self, entity: &'static str, id: i64, fields: Value) -> Record {
        let def = registry::find(entity);
        let mut record = def.map(blank).unwrap_or_default();
        record.insert("id".into(), json!(id));
        let Value::Object(fields) = fields else {
            return record;
        };
        for (name, value) in fields {
            if record.contains_key(&name) {
                record.insert(name, value);
            } else {
                self.unknown.push(format!("{entity}.{name}"));
            }
        }
        record
    }

    pub(super) fn put(&mut self, entity: &'static str, id: i64, fields: Value) -> i64 {
        let record = self.record(entity, id, fields);
        self.data.put(entity, record)
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        // Callers pass non-empty slices.
        let i = self.rng.random_range(0..items.len().max(1));
        &items[i.min(items.len().saturating_sub(1))]
    }

    /// A number in `lo..hi` (`lo` when the range is empty).
    pub(super) fn rng_range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        self.rng.random_range(lo..hi)
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    pub(super) fn phone(&mut self) -> String {
        format!(
            "+1 555-{:03}-{:04}",
            self.rng.random_range(100..999),
            self.rng.random_range(0..9999)
        )
    }

    pub(super) fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| *w).sum();
        let mut roll = self.rng.random_range(0..total.max(1));
        for (item, weight) in items {
            if roll < *weight {
                return *item;
            }
            roll -= weight;
        }
        items[0].0
    }
}
