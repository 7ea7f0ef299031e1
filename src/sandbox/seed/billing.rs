//! Billing: which of the seeded time has been approved and posted, and what it billed.
//!
//! * Time worked before last month is approved and posted; last month's mostly (some is
//!   still awaiting approval); this month's awaits approval (`billingApprovalDateTime` null).
//!   About one entry in twelve is non-billable (`isNonBillable`). Ticket time is remote or
//!   onsite support, task time project labor (`billingCodeID`); task time carries its
//!   project's contract.
//! * Every approved entry is posted as a labor `BillingItem` (`timeEntryID`, `quantity` = hours
//!   to bill, `rate` = the contract's rate for the role (`ContractRates`), else the role's
//!   `hourlyRate`; `totalAmount` = quantity × rate, 0 when non-billable; `ourCost` at the
//!   role's internal cost). Items of months before last month are invoiced (`Invoices`, one
//!   per company and month); last month's only for some companies, so posted-but-not-invoiced
//!   items exist too.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use serde_json::{Value, json};

use super::catalog::Catalog;
use super::seeder::{Seeder, dt, id_base};
use crate::sandbox::store::Record;
use crate::sandbox::wire::parse_datetime;

/// One seeded time entry, as billing sees it.
pub(super) struct Entry {
    pub id: i64,
    pub company: i64,
    pub contract: Option<i64>,
    pub role: i64,
    pub worked: DateTime<Utc>,
    /// Hours to bill.
    pub hours: f64,
    pub billable: bool,
    /// When and by whom it was approved (posted).
    pub approved: Option<(DateTime<Utc>, i64)>,
    pub ticket: Option<i64>,
    pub task: Option<i64>,
    pub project: Option<i64>,
    pub billing_code: i64,
    pub summary: String,
}

/// The seeded time entries, in id order.
pub(super) struct Ledger {
    pub entries: Vec<Entry>,
}

fn int(record: &Record, field: &str) -> Option<i64> {
    record.get(field).and_then(Value::as_i64)
}

fn at(record: &Record, field: &str) -> Option<DateTime<Utc>> {
    record
        .get(field)
        .and_then(Value::as_str)
        .and_then(parse_datetime)
}

/// Midnight of the first day of `at`'s month.
pub(super) fn month_start(at: DateTime<Utc>) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(at.year(), at.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(at)
}

/// Midnight of the first day of the month after `at`'s.
fn next_month(at: DateTime<Utc>) -> DateTime<Utc> {
    month_start(month_start(at) + Duration::days(32))
}

fn money(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Approves (or not) every seeded time entry and returns them.
pub(super) fn approve(s: &mut Seeder, catalog: &Catalog, approvers: &[i64]) -> Ledger {
    let now = s.now;
    let this_month = month_start(now);
    let last_month = month_start(this_month - Duration::days(1));
    let rows: Vec<Record> = s
        .data
        .table("TimeEntries")
        .map(|t| t.rows.values().cloned().collect())
        .unwrap_or_default();
    let mut entries = Vec::with_capacity(rows.len());
    for mut row in rows {
        let (Some(id), Some(worked), Some(role)) =
            (int(&row, "id"), at(&row, "dateWorked"), int(&row, "roleID"))
        else {
            continue;
        };
        let ticket = int(&row, "ticketID");
        let task = int(&row, "taskID");
        let project = task
            .and_then(|t| s.data.get("Tasks", t))
            .and_then(|t| int(t, "projectID"));
        let (company, contract) = if let Some(t) = ticket.and_then(|t| s.data.get("Tickets", t)) {
            (int(t, "companyID"), int(&row, "contractID"))
        } else if let Some(p) = project.and_then(|p| s.data.get("Projects", p)) {
            (int(p, "companyID"), int(p, "contractID"))
        } else {
            (None, None)
        };
        let Some(company) = company else {
            continue;
        };
        let approved = if worked < last_month {
            true
        } else if worked < this_month {
            s.chance(0.85)
        } else {
            false
        };
        let billable = !s.chance(0.08);
        let onsite = s.chance(0.15);
        let approver = *s.pick(approvers);
        let billing_code = match (ticket, onsite) {
            (Some(_), true) => catalog.onsite_support,
            (Some(_), false) => catalog.remote_support,
            (None, _) => catalog.project_labor,
        };
        let approved = approved.then(|| {
            let when = (next_month(worked) + Duration::days(2) + Duration::hours(16))
                .min(now - Duration::hours(1));
            (when, approver)
        });
        let hours = row
            .get("hoursToBill")
            .and_then(Value::as_f64)
            .unwrap_or_default();
        row.insert(
            "billingApprovalDateTime".into(),
            approved.map_or(Value::Null, |(w, _)| dt(w)),
        );
        row.insert(
            "billingApprovalResourceID".into(),
            approved.map_or(Value::Null, |(_, who)| json!(who)),
        );
        row.insert(
            "billingApprovalLevelMostRecent".into(),
            approved.map_or(Value::Null, |_| json!(1)),
        );
        row.insert("isNonBillable".into(), json!(!billable));
        row.insert("showOnInvoice".into(), json!(billable));
        row.insert("billingCodeID".into(), json!(billing_code));
        if task.is_some() {
            row.insert("contractID".into(), json!(contract));
        }
        let summary = row
            .get("summaryNotes")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        s.data.put("TimeEntries", row);
        entries.push(Entry {
            id,
            company,
            contract,
            role,
            worked,
            hours,
            billable,
            approved,
            ticket,
            task,
            project,
            billing_code,
            summary,
        });
    }
    Ledger { entries }
}

/// The hourly rate of `role` on `contract`: the contract's rate, else the role's.
pub(super) fn rate(s: &Seeder, contract: Option<i64>, role: i64) -> f64 {
    let contract_rate = contract.and_then(|c| {
        s.data.table("ContractRates").and_then(|t| {
            t.rows
                .values()
                .find(|r| int(r, "contractID") == Some(c) && int(r, "roleID") == Some(role))
                .and_then(|r| r.get("contractHourlyRate").and_then(Value::as_f64))
        })
    });
    contract_rate.unwrap_or_else(|| {
        s.data
            .get("Roles", role)
            .and_then(|r| r.get("hourlyRate").and_then(Value::as_f64))
            .unwrap_or_default()
    })
}

/// Posts every approved entry as a billing item and invoices the older ones. `blocks` gives
/// the contract block each block-hours entry drew on.
pub(super) fn post(s: &mut Seeder, ledger: &Ledger, blocks: &[(i64, i64)], administrator: i64) {
    let now = s.now;
    let this_month = month_start(now);
    let last_month = month_start(this_month - Duration::days(1));
    struct Item {
        record: Value,
        total: f64,
        invoice: Option<(i64, DateTime<Utc>)>,
    }
    let mut items = Vec::new();
    // The rates of each (contract, role) and role, looked up once.
    let mut rates: HashMap<(Option<i64>, i64), f64> = HashMap::new();
    for e in &ledger.entries {
        if e.approved.is_some() && !rates.contains_key(&(e.contract, e.role)) {
            rates.insert((e.contract, e.role), rate(s, e.contract, e.role));
            rates.insert((None, e.role), rate(s, None, e.role));
        }
    }
    let drawn: HashMap<i64, i64> = blocks.iter().copied().collect();
    for e in &ledger.entries {
        let Some((posted, approver)) = e.approved else {
            continue;
        };
        let rate = rates
            .get(&(e.contract, e.role))
            .copied()
            .unwrap_or_default();
        // The role's list rate, at an internal cost of 45 %.
        let cost = rates.get(&(None, e.role)).copied().unwrap_or_default() * 0.45;
        let extended = if e.billable {
            money(e.hours * rate)
        } else {
            0.0
        };
        let owner = s
            .data
            .get("Companies", e.company)
            .and_then(|c| int(c, "ownerResourceID"));
        let name = match (e.ticket, e.task) {
            (Some(t), _) => s.data.get("Tickets", t).map(|t| {
                format!(
                    "{} - {}",
                    t.get("ticketNumber")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                    t.get("title").and_then(Value::as_str).unwrap_or_default()
                )
            }),
            (None, Some(k)) => s.data.get("Tasks", k).map(|k| {
                k.get("title")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            }),
            _ => None,
        }
        .unwrap_or_else(|| "Regular time".into());
        let invoiced = e.worked < last_month || (e.worked < this_month && e.company % 3 == 0);
        let record = json!({
            "billingItemType": 1,
            "subType": if e.ticket.is_some() { 1 } else if e.task.is_some() { 2 } else { 3 },
            "companyID": e.company,
            "contractID": e.contract,
            "contractBlockID": drawn.get(&e.id),
            "ticketID": e.ticket,
            "taskID": e.task,
            "projectID": e.project,
            "timeEntryID": e.id,
            "roleID": e.role,
            "billingCodeID": e.billing_code,
            "itemName": name,
            "description": e.summary,
            "lineItemFullDescription": format!("{name}: {}", e.summary),
            "itemDate": dt(e.worked),
            "quantity": e.hours,
            "rate": rate,
            "extendedPrice": extended,
            "taxDollars": 0.0,
            "totalAmount": extended,
            "ourCost": money(e.hours * cost),
            "internalCurrencyRate": rate,
            "internalCurrencyExtendedPrice": extended,
            "internalCurrencyTaxDollars": 0.0,
            "internalCurrencyTotalAmount": extended,
            "nonBillable": i64::from(!e.billable),
            "postedDate": dt(posted),
            "postedOnTime": dt(posted),
            "itemApproverID": approver,
            "accountManagerWhenApprovedID": owner,
        });
        items.push(Item {
            record,
            total: extended,
            invoice: invoiced.then(|| (e.company, month_start(e.worked))),
        });
    }
    // One invoice per company and month, in date order.
    let mut invoices: BTreeMap<(DateTime<Utc>, i64), f64> = BTreeMap::new();
    for item in &items {
        if let Some((company, month)) = item.invoice {
            *invoices.entry((month, company)).or_default() += item.total;
        }
    }
    let mut invoice_ids: BTreeMap<(DateTime<Utc>, i64), i64> = BTreeMap::new();
    for (n, ((month, company), total)) in invoices.iter().enumerate() {
        let id = id_base("Invoices") + n as i64;
        let date = next_month(*month) + Duration::days(2);
        let due = date + Duration::days(30);
        s.put(
            "Invoices",
            id,
            json!({
                "companyID": company,
                "invoiceNumber": format!("INV-{}-{company}", month.format("%Y%m")),
                "invoiceDateTime": dt(date),
                "fromDate": dt(*month),
                "toDate": dt(next_month(*month) - Duration::days(1)),
                "dueDate": dt(due),
                "invoiceTotal": money(*total),
                "totalTaxValue": 0.0,
                "isVoided": false,
                "paidDate": if due < now { dt(date + Duration::days(21)) } else { Value::Null },
                "comments": format!("Services for {}", month.format("%B %Y")),
                "createDateTime": dt(date),
                "creatorResourceID": administrator,
            }),
        );
        invoice_ids.insert((*month, *company), id);
    }
    for (n, item) in items.into_iter().enumerate() {
        let mut record = item.record;
        record["invoiceID"] = item
            .invoice
            .and_then(|(c, m)| invoice_ids.get(&(m, c)))
            .map_or(Value::Null, |id| json!(id));
        s.put("BillingItems", id_base("BillingItems") + n as i64, record);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::sandbox::seed::{anchor, generate};

    #[test]
    fn approved_time_is_posted_once_and_this_months_time_awaits_approval() {
        let d = generate(42).data;
        let now = anchor();
        let this_month = month_start(now);
        let entries: Vec<&Record> = d.table("TimeEntries").unwrap().rows.values().collect();
        let items: Vec<&Record> = d.table("BillingItems").unwrap().rows.values().collect();
        let approved: Vec<&&Record> = entries
            .iter()
            .filter(|t| !t["billingApprovalDateTime"].is_null())
            .collect();
        assert_eq!(approved.len(), items.len());
        for t in &entries {
            let posted: Vec<&&Record> = items
                .iter()
                .filter(|b| int(b, "timeEntryID") == int(t, "id"))
                .collect();
            let is_approved = !t["billingApprovalDateTime"].is_null();
            assert_eq!(posted.len(), usize::from(is_approved), "{}", t["id"]);
            let worked = at(t, "dateWorked").unwrap();
            if worked >= this_month {
                assert!(!is_approved, "this month's time awaits approval");
            }
            if let Some(b) = posted.first() {
                let non_billable = t["isNonBillable"] == json!(true);
                assert_eq!(b["nonBillable"], json!(i64::from(non_billable)));
                let q = b["quantity"].as_f64().unwrap();
                let rate = b["rate"].as_f64().unwrap();
                let total = b["totalAmount"].as_f64().unwrap();
                let want = if non_billable { 0.0 } else { money(q * rate) };
                assert!((total - want).abs() < 1e-9, "{}", b["id"]);
                assert_eq!(b["contractID"], t["contractID"]);
            }
        }
        // Some of last month's time is still waiting, and some posted items are not invoiced.
        let last_month = month_start(this_month - Duration::days(1));
        assert!(entries.iter().any(|t| {
            let w = at(t, "dateWorked").unwrap();
            w >= last_month && w < this_month && t["billingApprovalDateTime"].is_null()
        }));
        let not_invoiced = items.iter().filter(|b| b["invoiceID"].is_null()).count();
        assert!(not_invoiced > 0 && not_invoiced < items.len());
        assert!(entries.iter().any(|t| t["isNonBillable"] == json!(true)));
        // Invoices total their items.
        for inv in d.table("Invoices").unwrap().rows.values() {
            let sum: f64 = items
                .iter()
                .filter(|b| b["invoiceID"] == inv["id"])
                .map(|b| b["totalAmount"].as_f64().unwrap())
                .sum();
            assert!(
                (sum - inv["invoiceTotal"].as_f64().unwrap()).abs() < 0.01,
                "{}",
                inv["id"]
            );
        }
    }
}
