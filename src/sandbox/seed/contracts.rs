//! What the contracts hold: 14 more contracts whose end dates fall around the anchor (two
//! expired, most within 90 days, two later), role rates (`ContractRates`) on time and
//! materials, block hours, retainer and per-ticket contracts, block hour factors and prepaid
//! blocks (`ContractBlocks`) on block hours contracts, and monthly services
//! (`ContractServices`) on recurring service contracts.
//!
//! A block hours contract's blocks are consumed by its approved billable time in date order,
//! each entry's hours times its role's block hour factor: a block is used up before the next
//! one is drawn on, the last one is partly used, and a new block is bought when less than two
//! hours are left (the last hours of the old block stay available). Bought = Σ `hours`, used = Σ `hoursApproved`, left = the
//! difference.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::billing::Ledger;
use super::customers::Customers;
use super::seeder::{Seeder, dt, id_base};
use super::staff::Staff;
use crate::sandbox::store::{Record, set_udf};
use crate::sandbox::wire::parse_datetime;

/// (customer index, contract type, end in days from the anchor, term in days).
const EXPIRING: &[(usize, i64, i64, i64)] = &[
    (45, 1, -40, 365),
    (46, 6, -8, 365),
    (47, 8, 6, 180),
    (0, 4, 13, 365),
    (48, 3, 19, 90),
    (2, 1, 27, 365),
    (49, 7, 34, 365),
    (5, 4, 45, 365),
    (50, 6, 52, 365),
    (51, 1, 61, 365),
    (8, 8, 70, 365),
    (3, 3, 84, 180),
    (12, 7, 135, 365),
    (20, 1, 250, 365),
];

fn kind(contract_type: i64) -> &'static str {
    match contract_type {
        1 => "Time and Materials",
        3 => "Fixed Price Project",
        4 => "Block Hours",
        6 => "Retainer",
        7 => "Recurring Services",
        _ => "Per Ticket",
    }
}

/// Block hour factor of each technician role (index into `Staff::role_ids`).
const FACTORS: [(usize, f64); 3] = [(0, 1.0), (1, 1.25), (2, 1.5)];
/// Contract rate discount of each role, by contract (indexed by contract id).
const DISCOUNTS: [f64; 3] = [1.0, 0.95, 0.9];

fn int(record: &Record, field: &str) -> Option<i64> {
    record.get(field).and_then(Value::as_i64)
}

fn at(record: &Record, field: &str) -> Option<DateTime<Utc>> {
    record
        .get(field)
        .and_then(Value::as_str)
        .and_then(parse_datetime)
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Seeds the contracts' children; returns (time entry id, contract block id) of every
/// approved billable entry that drew on a block.
pub(super) fn seed(
    s: &mut Seeder,
    base: &Customers,
    crew: &Staff,
    services: &[(i64, f64, f64, &'static str)],
    ledger: &Ledger,
) -> Vec<(i64, i64)> {
    let now = s.now;
    let roles = &crew.role_ids;
    // The contracts that end around now.
    let first_new = s
        .data
        .table("Contracts")
        .and_then(|t| t.rows.keys().last().copied())
        .unwrap_or(id_base("Contracts") - 1)
        + 1;
    for (n, (customer, contract_type, end_in, term)) in EXPIRING.iter().enumerate() {
        let Some((company, name)) = base.customers.get(*customer).cloned() else {
            continue;
        };
        let id = first_new + n as i64;
        let end = (now + Duration::days(*end_in))
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map_or(now, |d| d.and_utc());
        let start = end - Duration::days(*term);
        let contact = base.contacts_of(company).first().copied();
        let po = format!("PO-{}", s.rng_range(1000, 9999));
        let estimated = match contract_type {
            4 => 40.0,
            1 => 60.0,
            _ => 24.0,
        };
        let mut record = s.record(
            "Contracts",
            id,
            json!({
                "companyID": company,
                "contractName": format!("{name} {} {}", kind(*contract_type), start.format("%Y")),
                "contractNumber": format!("C-{id}"),
                "contractType": contract_type,
                "contractCategory": 1,
                "status": if *end_in < -30 { 0 } else { 1 },
                "startDate": dt(start),
                "endDate": dt(end),
                "isDefaultContract": false,
                "estimatedHours": estimated,
                "estimatedRevenue": estimated * 120.0,
                "setupFee": 0.0,
                "timeReportingRequiresStartAndStopTimes": 0,
                "contactID": contact,
                "purchaseOrderNumber": po,
                "description": format!("{} agreement", kind(*contract_type)),
                "lastModifiedDateTime": dt(start),
            }),
        );
        set_udf(&mut record, "PO Reference", json!(po));
        s.data.put("Contracts", record);
    }

    let contracts: Vec<Record> = s
        .data
        .table("Contracts")
        .map(|t| t.rows.values().cloned().collect())
        .unwrap_or_default();
    let (mut rate_id, mut factor_id, mut service_id, mut block_id) = (
        id_base("ContractRates"),
        id_base("ContractBlockHourFactors"),
        id_base("ContractServices"),
        id_base("ContractBlocks"),
    );
    let mut drawn = Vec::new();
    for contract in &contracts {
        let (Some(id), Some(contract_type)) = (int(contract, "id"), int(contract, "contractType"))
        else {
            continue;
        };
        let start = at(contract, "startDate").unwrap_or(now);
        let discount = DISCOUNTS[(id % 3) as usize];
        // Role rates: the technicians' and the project manager's, a little under list.
        let mut l1_rate = 0.0;
        if matches!(contract_type, 1 | 4 | 6 | 8) {
            for role in roles.iter().take(4) {
                let list = s
                    .data
                    .get("Roles", *role)
                    .and_then(|r| r.get("hourlyRate").and_then(Value::as_f64))
                    .unwrap_or(100.0);
                let rate = (list * discount / 5.0).round() * 5.0;
                if *role == roles[0] {
                    l1_rate = rate;
                }
                s.put(
                    "ContractRates",
                    rate_id,
                    json!({
                        "contractID": id,
                        "roleID": role,
                        "contractHourlyRate": rate,
                        "internalCurrencyContractHourlyRate": rate,
                    }),
                );
                rate_id += 1;
            }
        }
        if contract_type == 7 {
            // Managed workstations always, and one to three more services.
            let mut chosen = vec![0usize];
            let extra = s.rng_range(1, 4);
            while chosen.len() < 1 + extra as usize {
                let pick = s.rng_range(1, services.len() as i64) as usize;
                if !chosen.contains(&pick) {
                    chosen.push(pick);
                }
            }
            chosen.sort_unstable();
            for i in chosen {
                let Some((service, price, cost, name)) = services.get(i).copied() else {
                    continue;
                };
                let price = round(price * discount);
                s.put(
                    "ContractServices",
                    service_id,
                    json!({
                        "contractID": id,
                        "serviceID": service,
                        "unitPrice": price,
                        "unitCost": cost,
                        "internalCurrencyUnitPrice": price,
                        "internalCurrencyAdjustedPrice": price,
                        "invoiceDescription": name,
                        "internalDescription": format!("{name} (contract {id})"),
                    }),
                );
                service_id += 1;
            }
        }
        if contract_type != 4 {
            continue;
        }
        for (role, factor) in FACTORS {
            let rate = super::billing::rate(s, Some(id), roles[role]);
            s.put(
                "ContractBlockHourFactors",
                factor_id,
                json!({
                    "contractID": id,
                    "roleID": roles[role],
                    "blockHourMultiplier": factor,
                    "contractHourlyRate": rate,
                    "internalCurrencyContractHourlyRate": rate,
                }),
            );
            factor_id += 1;
        }
        let size = *s.pick(&[10.0, 20.0, 40.0]);
        let factor = |role: i64| {
            FACTORS
                .iter()
                .find(|(r, _)| roles.get(*r) == Some(&role))
                .map_or(1.0, |(_, f)| *f)
        };
        let mut work: Vec<_> = ledger
            .entries
            .iter()
            .filter(|e| e.contract == Some(id) && e.billable && e.approved.is_some())
            .collect();
        work.sort_by_key(|e| (e.worked, e.id));
        // (id, purchased, hours, used)
        let first = work
            .first()
            .map_or(start + Duration::days(3), |e| e.worked - Duration::days(10))
            .max(start)
            .min(now - Duration::days(1));
        let mut blocks: Vec<(i64, DateTime<Utc>, f64, f64)> = vec![(block_id, first, size, 0.0)];
        block_id += 1;
        for e in &work {
            let mut hours = e.hours * factor(e.role);
            drawn.push((e.id, blocks.last().map_or(block_id, |b| b.0)));
            while let Some(last) = blocks.last_mut() {
                let room = last.2 - last.3;
                if hours <= room + 1e-9 {
                    last.3 += hours;
                    break;
                }
                last.3 = last.2;
                hours -= room;
                blocks.push((block_id, e.worked, size, 0.0));
                block_id += 1;
            }
        }
        if blocks.last().is_some_and(|b| b.2 - b.3 < 2.0) {
            let bought = work
                .last()
                .map_or(now, |e| e.worked + Duration::days(1))
                .min(now - Duration::days(2));
            blocks.push((block_id, bought, size, 0.0));
            block_id += 1;
        }
        let count = blocks.len();
        for (n, (bid, purchased, hours, used)) in blocks.into_iter().enumerate() {
            let start = purchased
                .date_naive()
                .and_hms_opt(0, 0, 0)
                .map_or(purchased, |d| d.and_utc());
            let end = start + Duration::days(365);
            let paid = purchased < now - Duration::days(30);
            let current = n + 1 == count;
            s.put(
                "ContractBlocks",
                bid,
                json!({
                    "contractID": id,
                    "datePurchased": dt(purchased),
                    "startDate": dt(start),
                    "endDate": dt(end),
                    "hours": hours,
                    "hoursApproved": round(used),
                    "hourlyRate": if l1_rate > 0.0 { l1_rate } else { 95.0 },
                    "isPaid": paid,
                    "invoiceNumber": if paid { json!(format!("INV-B{bid}")) } else { Value::Null },
                    "paymentNumber": if paid { json!(format!("PMT-{bid}")) } else { Value::Null },
                    "paymentType": 4,
                    "status": if current || (used < hours && end > now) { 1 } else { 0 },
                }),
            );
        }
    }
    drawn
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::sandbox::seed::{anchor, generate};

    fn rows<'a>(d: &'a crate::sandbox::store::Data, e: &str) -> Vec<&'a Record> {
        d.table(e)
            .map(|t| t.rows.values().collect())
            .unwrap_or_default()
    }

    #[test]
    fn contracts_expire_around_the_anchor() {
        let d = generate(42).data;
        let now = anchor();
        let ending_within = |days: i64| {
            rows(&d, "Contracts")
                .into_iter()
                .filter(|c| {
                    at(c, "endDate")
                        .is_some_and(|end| end >= now && end <= now + Duration::days(days))
                })
                .count()
        };
        assert!(ending_within(30) >= 3, "{}", ending_within(30));
        assert!(ending_within(60) > ending_within(30));
        assert!(ending_within(90) > ending_within(60));
        assert!(ending_within(90) >= 8);
        let expired = rows(&d, "Contracts")
            .into_iter()
            .filter(|c| at(c, "endDate").is_some_and(|end| end < now))
            .count();
        assert_eq!(expired, 2);
    }

    #[test]
    fn block_hours_are_bought_used_and_left_consistently_with_the_time() {
        let seeded = generate(42);
        let d = &seeded.data;
        let blocks = rows(d, "ContractBlocks");
        let contracts: Vec<i64> = {
            let mut v: Vec<i64> = blocks.iter().filter_map(|b| int(b, "contractID")).collect();
            v.dedup();
            v
        };
        assert!(contracts.len() >= 8, "{contracts:?}");
        let mut with_history = 0;
        for contract in contracts {
            let c = d.get("Contracts", contract).unwrap();
            assert_eq!(
                int(c, "contractType"),
                Some(4),
                "blocks only on block hours contracts"
            );
            let mine: Vec<&&Record> = blocks
                .iter()
                .filter(|b| int(b, "contractID") == Some(contract))
                .collect();
            let num = |b: &Record, f: &str| b.get(f).and_then(Value::as_f64).unwrap();
            let bought: f64 = mine.iter().map(|b| num(b, "hours")).sum();
            let used: f64 = mine.iter().map(|b| num(b, "hoursApproved")).sum();
            assert!(bought > used, "{contract}: some hours are left");
            assert!(
                bought - used >= 2.0 - 1e-9,
                "{contract}: a new block is bought below two hours"
            );
            // Every block but the last is used up (or down to under two hours, when the next
            // one was bought).
            for b in &mine[..mine.len() - 1] {
                assert!(
                    num(b, "hours") - num(b, "hoursApproved") < 2.0,
                    "{contract}"
                );
            }
            // Used = the approved billable time on the contract, times the role's factor.
            let factor = |role: i64| {
                rows(d, "ContractBlockHourFactors")
                    .into_iter()
                    .find(|f| {
                        int(f, "contractID") == Some(contract) && int(f, "roleID") == Some(role)
                    })
                    .map(|f| num(f, "blockHourMultiplier"))
                    .unwrap()
            };
            let spent: f64 = rows(d, "TimeEntries")
                .into_iter()
                .filter(|t| int(t, "contractID") == Some(contract))
                .filter(|t| {
                    t["isNonBillable"] == json!(false) && !t["billingApprovalDateTime"].is_null()
                })
                .map(|t| num(t, "hoursToBill") * factor(int(t, "roleID").unwrap()))
                .sum();
            assert!(
                (spent - used).abs() < 0.01 * mine.len() as f64,
                "{contract}: {spent} vs {used}"
            );
            if spent > 0.0 {
                with_history += 1;
            }
        }
        assert!(with_history >= 5, "{with_history}");
    }

    #[test]
    fn rates_and_services_sit_on_the_right_contract_types() {
        let d = generate(42).data;
        let kind = |c: Option<i64>| {
            c.and_then(|c| d.get("Contracts", c))
                .and_then(|c| int(c, "contractType"))
        };
        let rates = rows(&d, "ContractRates");
        assert!(!rates.is_empty());
        assert!(
            rates
                .iter()
                .all(|r| matches!(kind(int(r, "contractID")), Some(1 | 4 | 6 | 8)))
        );
        let services = rows(&d, "ContractServices");
        assert!(!services.is_empty());
        assert!(
            services
                .iter()
                .all(|r| kind(int(r, "contractID")) == Some(7))
        );
        // Every recurring service contract bills managed workstations and more.
        for c in rows(&d, "Contracts")
            .into_iter()
            .filter(|c| int(c, "contractType") == Some(7))
        {
            let n = services
                .iter()
                .filter(|s| int(s, "contractID") == int(c, "id"))
                .count();
            assert!((2..=4).contains(&n), "{}: {n}", c["id"]);
        }
    }
}
