//! 1,200 tickets over the last 180 days across statuses, priorities, queues, issue types and
//! assignees, with their notes and the time logged on them. Returns the next time entry id.

use chrono::{DateTime, Duration, Utc};
use rand::RngExt;
use serde_json::{Value, json};

use super::customers::Customers;
use super::seeder::{Seeder, dt, id_base};
use super::staff::Staff;
use super::words::*;
use crate::sandbox::picklists::SUB_ISSUE_TYPES;
use crate::sandbox::store::set_udf;

pub(super) fn seed(s: &mut Seeder, crew: &Staff, base: &Customers) -> i64 {
    let now = s.now;
    let technicians = &crew.technicians;
    let role_ids = &crew.role_ids;
    let customers = &base.customers;
    let contract_of = &base.contract_of;
    let cis_of = &base.cis_of;
    let contacts_of = |company: i64| base.contacts_of(company);
    // Tickets: 1,200 over the last 180 days, ids and numbers in creation order.
    let mut created: Vec<DateTime<Utc>> = (0..1200)
        .map(|_| now - Duration::minutes(s.rng.random_range(10..180 * 24 * 60)))
        .collect();
    created.sort();
    let mut note_id = id_base("TicketNotes");
    let mut time_id = id_base("TimeEntries");
    for (i, created_at) in created.iter().enumerate() {
        let id = id_base("Tickets") + i as i64;
        let age_days = (now - *created_at).num_days();
        let status = if age_days > 30 {
            s.weighted(&[(5, 88), (7, 3), (8, 3), (12, 2), (14, 2), (9, 2)])
        } else {
            s.weighted(&[
                (1, 18),
                (8, 26),
                (7, 14),
                (5, 22),
                (9, 4),
                (10, 4),
                (11, 3),
                (12, 4),
                (13, 3),
                (14, 2),
            ])
        };
        let priority = s.weighted(&[(1, 20), (2, 50), (3, 25), (4, 5)]);
        let (sub, _, issue) = *s.pick(SUB_ISSUE_TYPES);
        let titles = TITLES
            .iter()
            .find(|(k, _)| *k == sub)
            .map_or(&["Support request"][..], |(_, t)| *t);
        let title = *s.pick(titles);
        let queue = if issue == 5 && s.chance(0.5) {
            8
        } else {
            s.weighted(&[
                (29683482, 20),
                (29682833, 40),
                (29682969, 25),
                (5, 10),
                (29683354, 5),
            ])
        };
        let source = if queue == 8 {
            4
        } else {
            s.weighted(&[(1, 35), (2, 40), (3, 20), (5, 5)])
        };
        let ticket_type = if queue == 8 {
            5
        } else if issue == 4 {
            1
        } else {
            s.weighted(&[(1, 50), (2, 45), (3, 5)])
        };
        let company = customers[s.rng.random_range(0..customers.len())].0;
        let contacts = contacts_of(company);
        let contact = if contacts.is_empty() || s.chance(0.1) {
            None
        } else {
            Some(*s.pick(&contacts))
        };
        let assigned = if status == 1 && s.chance(0.5) {
            None
        } else {
            Some(*s.pick(technicians))
        };
        let due = *created_at
            + Duration::hours(match priority {
                4 => 4,
                1 => 8,
                2 => 24,
                _ => 72,
            });
        let complete = status == 5;
        let completed_at = complete.then(|| {
            (*created_at + Duration::minutes(s.rng.random_range(20..5 * 24 * 60))).min(now)
        });
        let last_activity = completed_at
            .unwrap_or_else(|| (*created_at + Duration::hours(s.rng.random_range(0..48))).min(now));
        let contract = contract_of
            .iter()
            .find(|(c, _)| *c == company)
            .map(|(_, k)| *k)
            .filter(|_| s.chance(0.7));
        let ci = if issue == 1 && s.chance(0.6) {
            let owned: Vec<i64> = cis_of
                .iter()
                .filter(|(c, _)| *c == company)
                .map(|(_, k)| *k)
                .collect();
            (!owned.is_empty()).then(|| *s.pick(&owned))
        } else {
            None
        };
        let creator = if source == 3 {
            None
        } else {
            Some(s.pick(technicians).0)
        };
        let day = created_at.format("%Y%m%d").to_string();
        let number = s.data.next_number(&format!("T{day}"));
        let escalation = if priority == 4 || status == 11 {
            "3" // L3 (a list UDF: the code is stored)
        } else if assigned.is_some_and(|(_, r)| r == role_ids[1]) {
            "2" // L2
        } else {
            "1" // L1
        };
        let customer_ref = s.chance(0.25).then(|| format!("REF-{}", 1000 + i));
        let estimated = f64::from(s.rng.random_range(1..8u8)) / 2.0;
        let mut record = s.record(
            "Tickets",
            id,
            json!({
            "ticketNumber": number,
            "title": title,
            "description": format!("{title}. Reported via {}.", [ "", "phone", "email", "the client portal", "monitoring", "a walk-in" ][source as usize]),
            "companyID": company,
            "contactID": contact,
            "status": status,
            "priority": priority,
            "queueID": queue,
            "issueType": issue,
            "subIssueType": sub,
            "source": source,
            "ticketType": ticket_type,
            "ticketCategory": if queue == 8 { 2 } else { 1 },
            "serviceLevelAgreementID": if contract.is_some() { 1 } else { 2 },
            "assignedResourceID": assigned.map(|(r, _)| r),
            "assignedResourceRoleID": assigned.map(|(_, r)| r),
            "contractID": contract,
            "configurationItemID": ci,
            "createDate": dt(*created_at),
            "creatorResourceID": creator,
            "createdByContactID": if creator.is_none() { contact } else { None },
            "creatorType": if creator.is_some() { 1 } else { 2 },
            "dueDateTime": dt(due),
            "completedDate": completed_at.map_or(Value::Null, dt),
            "completedByResourceID": completed_at.and(assigned.map(|(r, _)| r)),
            "resolvedDateTime": completed_at.map_or(Value::Null, dt),
            "resolution": if complete { json!("Resolved; user confirmed.") } else { Value::Null },
            "lastActivityDate": dt(last_activity),
            "lastTrackedModificationDateTime": dt(last_activity),
            "estimatedHours": estimated,
            "isVisibleToComanaged": false,
            "isAssignedToComanaged": false,
            "serviceLevelAgreementHasBeenMet": if complete { json!(completed_at.is_some_and(|c| c <= due)) } else { Value::Null },
        }),
        );
        set_udf(&mut record, "Escalation Level", json!(escalation));
        if let Some(r) = customer_ref {
            set_udf(&mut record, "Customer Ref", json!(r));
        }
        s.data.put("Tickets", record);

        // Notes and time on the ticket.
        let notes = if status == 1 {
            s.rng.random_range(0..2)
        } else {
            s.rng.random_range(0..4)
        };
        let end = completed_at.unwrap_or(now);
        for n in 0..notes {
            let span = (end - *created_at).num_minutes().max(2);
            let at = *created_at + Duration::minutes(s.rng.random_range(1..span));
            let text = *s.pick(NOTE_TEXTS);
            let author = assigned.map_or(s.pick(technicians).0, |(r, _)| r);
            let note_type = s.weighted(&[(1, 60), (2, 30), (3, 10)]);
            let publish = s.weighted(&[(1, 70), (2, 30)]);
            s.put(
                "TicketNotes",
                note_id,
                json!({
                    "ticketID": id,
                    "title": format!("Update {}", n + 1),
                    "description": text,
                    "noteType": note_type,
                    "publish": publish,
                    "createDateTime": dt(at),
                    "lastActivityDate": dt(at),
                    "creatorResourceID": author,
                }),
            );
            note_id += 1;
        }
        if let Some((resource, role)) = assigned
            && status != 1
            && s.chance(0.6)
        {
            let entries = s.rng.random_range(1..3);
            for _ in 0..entries {
                let span = (end - *created_at).num_minutes().max(2);
                let start = *created_at + Duration::minutes(s.rng.random_range(0..span));
                let quarters: i64 = s.rng.random_range(1..13);
                let hours = quarters as f64 / 4.0;
                let stop = start + Duration::minutes(quarters * 15);
                let summary = *s.pick(NOTE_TEXTS);
                s.put(
                    "TimeEntries",
                    time_id,
                    json!({
                    "resourceID": resource,
                    "roleID": role,
                    "ticketID": id,
                    "dateWorked": dt(start .date_naive() .and_hms_opt(0, 0, 0) .map_or(start, |d| d.and_utc())),
                    "startDateTime": dt(start),
                    "endDateTime": dt(stop),
                    "hoursWorked": hours,
                    "hoursToBill": hours,
                    "summaryNotes": summary,
                    "isNonBillable": false,
                    "showOnInvoice": true,
                    "timeEntryType": 2,
                    "contractID": contract,
                    "createDateTime": dt(stop),
                    "creatorUserID": resource,
                    "lastModifiedDateTime": dt(stop),
                    "lastModifiedUserID": resource,
                }),
                );
                time_id += 1;
            }
        }
    }
    time_id
}
