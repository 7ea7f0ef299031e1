//! The demo tenant: deterministic data shaped like a small MSP, generated from a seed with
//! ChaCha8 (the same seed gives the same data on every run and machine). The own company
//! (id 0), 60 companies (52 customers), 200 contacts, 15 staff resources with roles, service
//! desk roles and queues (plus the API user), 1,200 tickets across statuses, priorities,
//! queues and assignees, ticket notes, projects with phases and tasks, time entries, contracts
//! and configuration items. Dates are relative to a fixed anchor, not the clock.
//!
//! Ids, the same for every seed (what varies with the seed is the content):
//!
//! | entity | ids |
//! |---|---|
//! | Companies | 0 (own company), 1001–1052 customers, 1053–1057 prospects, 1058–1060 vendors |
//! | Contacts | 2001–2200 (at least one per customer and prospect) |
//! | Resources | 29682885 the API user; staff 29682886–29682900 (29682889–29682894 service desk L1, 29682895–29682898 L2, 29682899–29682900 engineers) |
//! | Roles | 29683400–29683405 (L1, L2, engineer, project manager, account manager, administrator) |
//! | Contracts | 3001–3045 · ConfigurationItems 4001–4150 |
//! | Projects | 5001–5008 · Phases 5501–5524 · Tasks 6001–6048 |
//! | Tickets | 10001–11200, in creation order · TicketNotes from 20001 · TimeEntries from 30001 |
//!
//! Valid ticket assignments (resource + role) are listed in `ResourceServiceDeskRoles`.

use chrono::{DateTime, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::store::{Data, Record, blank};
use super::wire::format_datetime;
use crate::registry;

/// The API user's own resource (creator of records the API writes).
pub const API_USER_RESOURCE_ID: i64 = 29682885;

pub use super::ids::id_base;

/// The instant the demo data is relative to.
pub fn anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The generated tenant, with any field names the generator used that the registry lacks
/// (always empty; a unit test guards it).
pub struct Seeded {
    pub data: Data,
    pub unknown_fields: Vec<String>,
}

struct Seeder {
    rng: ChaCha8Rng,
    /// The instant the data is relative to.
    now: DateTime<Utc>,
    data: Data,
    unknown: Vec<String>,
}

fn dt(at: DateTime<Utc>) -> Value {
    json!(format_datetime(at))
}

impl Seeder {
    fn record(&mut self, entity: &'static str, id: i64, fields: Value) -> Record {
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

    fn put(&mut self, entity: &'static str, id: i64, fields: Value) -> i64 {
        let record = self.record(entity, id, fields);
        self.data.put(entity, record)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        // Callers pass non-empty slices.
        let i = self.rng.random_range(0..items.len().max(1));
        &items[i.min(items.len().saturating_sub(1))]
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    fn phone(&mut self) -> String {
        format!(
            "+1 555-{:03}-{:04}",
            self.rng.random_range(100..999),
            self.rng.random_range(0..9999)
        )
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
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

mod activity;
mod customers;
mod projects;
mod staff;
mod ticket_history;
mod tickets;
mod words;

/// Generates the demo tenant for `seed`, relative to `anchor()`.
pub fn generate(seed: u64) -> Seeded {
    generate_at(seed, anchor())
}

/// Generates the demo tenant for `seed`, its dates relative to `now` (the same seed and instant
/// give the same tenant).
pub fn generate_at(seed: u64, now: DateTime<Utc>) -> Seeded {
    let mut s = Seeder {
        rng: ChaCha8Rng::seed_from_u64(seed),
        now,
        data: Data::default(),
        unknown: Vec::new(),
    };
    let crew = staff::seed(&mut s);
    let base = customers::seed(&mut s, &crew);
    let time_id = tickets::seed(&mut s, &crew, &base);
    activity::seed(&mut s);
    ticket_history::seed(&mut s);
    projects::seed(&mut s, &crew, &base, time_id);
    Seeded {
        data: s.data,
        unknown_fields: s.unknown,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::sandbox::picklists::tenant;

    fn count(data: &Data, entity: &str) -> usize {
        data.table(entity).map_or(0, |t| t.rows.len())
    }

    #[test]
    fn the_demo_tenant_has_the_promised_shape() {
        let seeded = generate(42);
        assert!(
            seeded.unknown_fields.is_empty(),
            "{:?}",
            seeded.unknown_fields
        );
        let d = &seeded.data;
        assert!(d.exists("Companies", 0));
        let customers = d
            .table("Companies")
            .unwrap()
            .rows
            .values()
            .filter(|r| r["companyType"] == json!(1) && r["id"] != json!(0))
            .count();
        assert!(customers >= 50, "{customers}");
        assert_eq!(count(d, "Contacts"), 200);
        assert_eq!(count(d, "Resources"), 16, "15 staff plus the API user");
        assert_eq!(count(d, "Tickets"), 1200);
        assert!(count(d, "TicketNotes") > 1000);
        assert!(count(d, "TimeEntries") > 300);
        assert_eq!(count(d, "Projects"), 8);
        assert_eq!(count(d, "Phases"), 24);
        assert_eq!(count(d, "Tasks"), 48);
        assert!(count(d, "Contracts") >= 40);
        assert_eq!(count(d, "ConfigurationItems"), 150);
        // The id ranges the module documentation promises.
        let ids =
            |entity: &str| -> Vec<i64> { d.table(entity).unwrap().rows.keys().copied().collect() };
        assert_eq!(ids("Tickets"), (10001..=11200).collect::<Vec<_>>());
        let mut companies = vec![0];
        companies.extend(1001..=1060);
        assert_eq!(ids("Companies"), companies);
        let mut resources = vec![API_USER_RESOURCE_ID];
        resources.extend(29682886..=29682900);
        assert_eq!(ids("Resources"), resources);
        assert_eq!(ids("Contacts"), (2001..=2200).collect::<Vec<_>>());
        assert_eq!(ids("Roles"), (29683400..=29683405).collect::<Vec<_>>());
        assert_eq!(ids("Contracts"), (3001..=3045).collect::<Vec<_>>());
        assert_eq!(ids("Projects"), (5001..=5008).collect::<Vec<_>>());
        assert_eq!(ids("Tasks"), (6001..=6048).collect::<Vec<_>>());
        let vendor = d.get("Companies", 1058).unwrap();
        assert_eq!(vendor["companyType"], json!(7));
        let prospect = d.get("Companies", 1053).unwrap();
        assert_eq!(prospect["companyType"], json!(3));
        let statuses: std::collections::BTreeSet<i64> = d
            .table("Tickets")
            .unwrap()
            .rows
            .values()
            .filter_map(|r| r["status"].as_i64())
            .collect();
        assert!(statuses.len() >= 8, "{statuses:?}");
    }

    #[test]
    fn the_same_seed_gives_the_same_data() {
        let a = generate(7);
        let b = generate(7);
        let c = generate(8);
        let tickets =
            |s: &Seeded| serde_json::to_string(&s.data.table("Tickets").unwrap().rows).unwrap();
        assert_eq!(tickets(&a), tickets(&b));
        assert_ne!(tickets(&a), tickets(&c));
    }

    #[test]
    fn seeded_records_satisfy_required_fields_picklists_and_references() {
        let seeded = generate(42);
        let d = &seeded.data;
        for entity in registry::entities() {
            let Some(table) = d.table(entity.name) else {
                continue;
            };
            for record in table.rows.values() {
                for field in entity.fields {
                    let value = &record[field.name];
                    if field.is_required && !field.is_read_only && field.name != "id" {
                        assert!(
                            !value.is_null(),
                            "{}.{} missing in {}",
                            entity.name,
                            field.name,
                            record["id"]
                        );
                    }
                    if value.is_null() {
                        continue;
                    }
                    if field.is_pick_list {
                        let list = tenant().picklist(entity.name, field.name).unwrap();
                        assert!(
                            list.iter()
                                .any(|v| v.value.parse::<i64>().ok() == value.as_i64()),
                            "{}.{} = {value}",
                            entity.name,
                            field.name
                        );
                    }
                    if field.is_reference
                        && let Some(target) = registry::by_singular(field.reference_entity_type)
                    {
                        let id = value.as_i64().unwrap();
                        assert!(
                            d.exists(target.name, id),
                            "{}.{} -> {} {id}",
                            entity.name,
                            field.name,
                            target.name
                        );
                    }
                }
            }
        }
    }
}
