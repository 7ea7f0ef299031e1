//! The demo tenant: deterministic data shaped like a small MSP, generated from a seed with
//! ChaCha8 (the same seed and anchor give the same data on every run and machine). The own
//! company (id 0), 60 companies (52 customers), 200 contacts, 15 staff resources with roles,
//! service desk roles and queues (plus the API user), 1,200 tickets across statuses,
//! priorities, queues and assignees with their history, ticket notes, projects with phases and
//! tasks, time entries (approved and posted, or awaiting approval), contracts with their rates,
//! blocks, block hour factors and services, billing items and invoices, configuration items
//! with their products, types and categories, and the technicians' service calls. Dates are
//! relative to an anchor instant (`anchor()`, fixed; `SandboxOptions::anchor` moves it), not
//! the clock.
//!
//! The generators run in order; the ones added after the projects (catalog, billing,
//! contracts, assets, service calls) draw from a second random stream, so adding them left
//! every earlier record as it was, except for the fields they fill in on purpose (time
//! entries' approval, billing code and, for task time, the project's contract; configuration
//! items' product, category, contract and a few warranty dates).
//!
//! Ids, the same for every seed (what varies with the seed is the content; `ids::id_base`
//! gives where each entity starts):
//!
//! | entity | ids |
//! |---|---|
//! | Companies | 0 (own company), 1001–1052 customers, 1053–1057 prospects, 1058–1060 vendors |
//! | Contacts | 2001–2200 (at least one per customer and prospect) |
//! | Resources | 29682885 the API user; staff 29682886–29682900 (29682886 administrator, 29682887 account manager, 29682888 project manager, 29682889–29682894 service desk L1, 29682895–29682898 L2, 29682899–29682900 engineers) |
//! | Roles | 29683400–29683405 (L1, L2, engineer, project manager, account manager, administrator) |
//! | Contracts | 3001–3045 one managed-services contract per customer 1001–1045; 3046–3059 contracts ending around the anchor (3046 40 days before, 3047 8 days before, 3048–3057 within 90 days after, 3058–3059 later) |
//! | ContractBlocks 3501– · ContractBlockHourFactors 3601– · ContractServices 3701– · ContractRates 4201– | blocks and factors on block hours contracts (type 4), services on recurring service contracts (type 7), rates on time and materials, block hours, retainer and per-ticket contracts |
//! | ConfigurationItems | 4001–4150 (three per customer, round robin) · ConfigurationItemTypes 1–5 (the `configurationItemType` picklist) · ConfigurationItemCategories 4601–4604 |
//! | Projects | 5001–5008 · Phases 5501–5524 · Tasks 6001–6048 |
//! | ServiceCalls | 7001– (working days from 21 days before the anchor to 14 after, seven on the anchor's day) · ServiceCallTickets 7501– · ServiceCallTicketResources 7801– |
//! | Products | 8001–8013 · Services 8501–8506 · BillingCodes 9001–9007 (work types 9001–9004, material codes 9005–9006, managed services 9007) |
//! | Tickets | 10001–11200, in creation order · TicketNotes from 20001 · TimeEntries from 30001 |
//! | TicketAttachments | from 40001 · TicketHistory from 45001 (every ticket's `Created` row, its first assignment and its status change) |
//! | BillingItems | from 50001 (one per approved time entry) · Invoices from 60001 (one per company and invoiced month) |
//!
//! Valid ticket assignments (resource + role) are listed in `ResourceServiceDeskRoles`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use super::store::Data;

/// The generated tenant, with any field names the generator used that the registry lacks
/// (always empty; a unit test guards it).
#[derive(Clone)]
pub struct Seeded {
    pub data: Data,
    pub unknown_fields: Vec<String>,
}

mod seeder;
use seeder::Seeder;
pub use seeder::{API_USER_RESOURCE_ID, anchor, id_base};

mod activity;
mod assets;
mod billing;
mod catalog;
mod contracts;
mod customers;
mod projects;
mod service_calls;
mod staff;
mod ticket_history;
mod tickets;
mod words;

/// Most tenants `cached` keeps (each a few megabytes).
const CACHED_TENANTS: usize = 4;

/// The demo tenant of `seed` at `now`, generated once per process and copied for each caller
/// (a sandbox changes its own copy): copying is an order of magnitude cheaper than generating,
/// and a test process starts many sandboxes of the same seed.
pub fn cached(seed: u64, now: DateTime<Utc>) -> Seeded {
    type Cache = Mutex<HashMap<(u64, DateTime<Utc>), Arc<Seeded>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    // Held while generating, so two sandboxes of one seed generate it once.
    let mut tenants = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(tenant) = tenants.get(&(seed, now)) {
        return Seeded::clone(tenant);
    }
    let tenant = generate_at(seed, now);
    if tenants.len() < CACHED_TENANTS {
        tenants.insert((seed, now), Arc::new(tenant.clone()));
    }
    tenant
}

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
    // What came later draws from its own stream, so the records above stay as they were.
    s.rng = ChaCha8Rng::seed_from_u64(seed);
    s.rng.set_stream(1);
    let administrator = crew
        .staff
        .first()
        .map_or(API_USER_RESOURCE_ID, |(id, _)| *id);
    let catalog = catalog::seed(&mut s, administrator);
    let ledger = billing::approve(&mut s, &catalog, &crew.account_managers);
    let drawn = contracts::seed(&mut s, &base, &crew, &catalog.services, &ledger);
    billing::post(&mut s, &ledger, &drawn, administrator);
    assets::seed(&mut s, &base, &catalog);
    service_calls::seed(&mut s, &crew);
    Seeded {
        data: s.data,
        unknown_fields: s.unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;
    use crate::sandbox::picklists::tenant;
    use serde_json::json;

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
        assert_eq!(count(d, "Contracts"), 59);
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
        assert_eq!(ids("Contracts"), (3001..=3059).collect::<Vec<_>>());
        assert_eq!(ids("ConfigurationItems"), (4001..=4150).collect::<Vec<_>>());
        assert_eq!(ids("ConfigurationItemTypes"), (1..=5).collect::<Vec<_>>());
        assert_eq!(
            ids("ConfigurationItemCategories"),
            (4601..=4604).collect::<Vec<_>>()
        );
        assert_eq!(ids("Products"), (8001..=8013).collect::<Vec<_>>());
        assert_eq!(ids("Services"), (8501..=8506).collect::<Vec<_>>());
        assert_eq!(ids("BillingCodes"), (9001..=9007).collect::<Vec<_>>());
        // The other new tables start where `ids::id_base` says and run without gaps.
        for (entity, first) in [
            ("ContractBlocks", 3501),
            ("ContractBlockHourFactors", 3601),
            ("ContractServices", 3701),
            ("ContractRates", 4201),
            ("ServiceCalls", 7001),
            ("ServiceCallTickets", 7501),
            ("ServiceCallTicketResources", 7801),
            ("TicketHistory", 45001),
            ("BillingItems", 50001),
            ("Invoices", 60001),
        ] {
            let got = ids(entity);
            assert!(!got.is_empty(), "{entity}");
            let want: Vec<i64> = (first..first + got.len() as i64).collect();
            assert_eq!(got, want, "{entity}");
        }
        // Ranges stay apart: the last id of each is below the next range's first.
        assert!(ids("ContractBlocks").last().is_some_and(|id| *id < 3601));
        assert!(
            ids("ContractBlockHourFactors")
                .last()
                .is_some_and(|id| *id < 3701)
        );
        assert!(ids("ContractServices").last().is_some_and(|id| *id < 4001));
        assert!(ids("ContractRates").last().is_some_and(|id| *id < 4601));
        assert!(
            ids("ServiceCallTicketResources")
                .last()
                .is_some_and(|id| *id < 8001)
        );
        assert!(ids("TicketHistory").last().is_some_and(|id| *id < 50001));
        assert!(ids("TimeEntries").last().is_some_and(|id| *id < 40001));
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
    fn a_cached_tenant_is_the_generated_one_and_copies_are_independent() {
        let fresh = generate(5);
        let mut first = cached(5, anchor());
        let table =
            |s: &Seeded, e: &str| serde_json::to_string(&s.data.table(e).unwrap().rows).unwrap();
        assert_eq!(table(&first, "Tickets"), table(&fresh, "Tickets"));
        first.data.remove("Tickets", 10001);
        let second = cached(5, anchor());
        assert!(
            second.data.exists("Tickets", 10001),
            "a copy, not the cached tenant"
        );
        assert_eq!(
            table(&second, "BillingItems"),
            table(&fresh, "BillingItems")
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_data() {
        let a = generate(7);
        let b = generate(7);
        let c = generate(8);
        let table =
            |s: &Seeded, e: &str| serde_json::to_string(&s.data.table(e).unwrap().rows).unwrap();
        for e in [
            "Tickets",
            "TimeEntries",
            "TicketHistory",
            "Contracts",
            "ContractBlocks",
            "ContractServices",
            "ServiceCalls",
            "ServiceCallTickets",
            "BillingItems",
            "ConfigurationItems",
        ] {
            assert_eq!(table(&a, e), table(&b, e), "{e}");
            assert_ne!(table(&a, e), table(&c, e), "{e}");
        }
        // Another anchor moves the dates, not the shape.
        let later = generate_at(7, anchor() + chrono::Duration::days(30));
        assert_eq!(
            later.data.table("Tickets").unwrap().rows.len(),
            a.data.table("Tickets").unwrap().rows.len()
        );
        assert_ne!(table(&later, "Tickets"), table(&a, "Tickets"));
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
