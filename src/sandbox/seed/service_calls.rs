//! Service calls: onsite visits by the technicians on their tickets, every working day from
//! three weeks before the anchor to two weeks after, several on the anchor's own day ("today":
//! some done, one under way, some still to come). Each call is for one company and carries
//! its ticket (`ServiceCallTickets`, sometimes a second ticket of the same company) and the
//! technician (`ServiceCallTicketResources`, sometimes an engineer too). Calls before the
//! anchor are complete (a few cancelled), later ones scheduled. Times are UTC, in the MSP's
//! business hours (Portland, UTC-8: 16:00-01:00 UTC).

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use serde_json::{Value, json};

use super::seeder::{Seeder, dt, id_base};
use super::staff::Staff;
use crate::sandbox::store::Record;
use crate::sandbox::wire::parse_datetime;

/// Start hours (UTC) of the day's slots: 08:00 to 15:00 in Portland.
const SLOTS: [u32; 5] = [16, 17, 19, 21, 23];
/// Service call statuses (the tenant's `ServiceCalls.status` picklist).
const NEW: i64 = 1;
const SCHEDULED: i64 = 2;
const IN_PROGRESS: i64 = 3;
const COMPLETE: i64 = 4;
const CANCELLED: i64 = 5;

struct Ticket {
    id: i64,
    company: i64,
    assignee: Option<i64>,
    created: DateTime<Utc>,
    completed: Option<DateTime<Utc>>,
    title: String,
}

fn at(record: &Record, field: &str) -> Option<DateTime<Utc>> {
    record
        .get(field)
        .and_then(Value::as_str)
        .and_then(parse_datetime)
}

pub(super) fn seed(s: &mut Seeder, crew: &Staff) {
    let now = s.now;
    let today = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map_or(now, |d| d.and_utc());
    let tickets: Vec<Ticket> = s
        .data
        .table("Tickets")
        .map(|t| {
            t.rows
                .values()
                .filter_map(|r| {
                    Some(Ticket {
                        id: r.get("id")?.as_i64()?,
                        company: r.get("companyID")?.as_i64()?,
                        assignee: r.get("assignedResourceID").and_then(Value::as_i64),
                        created: at(r, "createDate")?,
                        completed: at(r, "completedDate"),
                        title: r.get("title")?.as_str()?.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let technicians: Vec<i64> = {
        let mut v: Vec<i64> = crew.technicians.iter().map(|(r, _)| *r).collect();
        v.dedup();
        v
    };
    let engineers: Vec<i64> = crew.engineers.iter().map(|(r, _)| *r).collect();
    let (mut call_id, mut link_id, mut person_id) = (
        id_base("ServiceCalls"),
        id_base("ServiceCallTickets"),
        id_base("ServiceCallTicketResources"),
    );
    for offset in -21..=14_i64 {
        let day = today + Duration::days(offset);
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        let calls = if offset == 0 { 7 } else { s.rng_range(2, 5) };
        let mut taken: Vec<(i64, u32)> = Vec::new();
        for n in 0..calls {
            // Today, the first five technicians each have a call, two of them a second one.
            let tech = if offset == 0 {
                technicians[(n as usize) % 5 % technicians.len()]
            } else {
                *s.pick(&technicians)
            };
            let free: Vec<u32> = SLOTS
                .iter()
                .copied()
                .filter(|h| !taken.contains(&(tech, *h)))
                .collect();
            if free.is_empty() {
                continue;
            }
            let hour = if offset == 0 && n < 5 {
                // One call each at the day's first slots: some done, one under way.
                free[(n as usize) % free.len()]
            } else {
                *s.pick(&free)
            };
            taken.push((tech, hour));
            let start = day + Duration::hours(i64::from(hour));
            let hours = *s.pick(&[1.0, 1.5, 2.0]);
            let end = start + Duration::minutes((hours * 60.0) as i64);
            let open_then =
                |t: &&Ticket| t.created < start && t.completed.is_none_or(|c| c > start);
            let mine: Vec<&Ticket> = tickets
                .iter()
                .filter(|t| t.assignee == Some(tech))
                .filter(open_then)
                .collect();
            let candidates: Vec<&Ticket> = if mine.is_empty() {
                tickets.iter().filter(open_then).collect()
            } else {
                mine
            };
            if candidates.is_empty() {
                continue;
            }
            let ticket = *s.pick(&candidates);
            let dispatcher = *s.pick(&technicians);
            let cancelled = end < now && s.chance(0.06);
            let status = if cancelled {
                CANCELLED
            } else if end <= now {
                COMPLETE
            } else if start <= now {
                IN_PROGRESS
            } else if start - now < Duration::days(1) && s.chance(0.3) {
                NEW
            } else {
                SCHEDULED
            };
            let created = (start - Duration::days(s.rng_range(1, 6))).max(ticket.created);
            s.put(
                "ServiceCalls",
                call_id,
                json!({
                    "companyID": ticket.company,
                    "description": format!("Onsite visit: {}", ticket.title),
                    "startDateTime": dt(start),
                    "endDateTime": dt(end),
                    "duration": hours,
                    "status": status,
                    "isComplete": i64::from(status == COMPLETE),
                    "cancelationNoticeHours": 24.0,
                    "canceledByResourceID": if cancelled { json!(dispatcher) } else { Value::Null },
                    "canceledDateTime": if cancelled { dt(start - Duration::hours(20)) } else { Value::Null },
                    "createDateTime": dt(created),
                    "creatorResourceID": dispatcher,
                    "lastModifiedDateTime": dt(if status == COMPLETE { end } else { created }),
                }),
            );
            let mut on_call = vec![ticket.id];
            if s.chance(0.15) {
                let more: Vec<i64> = tickets
                    .iter()
                    .filter(|t| t.company == ticket.company && t.id != ticket.id)
                    .filter(open_then)
                    .map(|t| t.id)
                    .collect();
                if !more.is_empty() {
                    on_call.push(*s.pick(&more));
                }
            }
            for (k, t) in on_call.iter().enumerate() {
                s.put(
                    "ServiceCallTickets",
                    link_id,
                    json!({ "serviceCallID": call_id, "ticketID": t }),
                );
                let mut people = vec![tech];
                if k == 0 && s.chance(0.1) {
                    let engineer = *s.pick(&engineers);
                    if engineer != tech {
                        people.push(engineer);
                    }
                }
                for resource in people {
                    s.put(
                        "ServiceCallTicketResources",
                        person_id,
                        json!({ "serviceCallTicketID": link_id, "resourceID": resource }),
                    );
                    person_id += 1;
                }
                link_id += 1;
            }
            call_id += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::sandbox::seed::{anchor, generate};

    fn int(r: &Record, f: &str) -> Option<i64> {
        r.get(f).and_then(Value::as_i64)
    }

    #[test]
    fn calls_link_their_company_tickets_and_technicians_and_today_is_busy() {
        let d = generate(42).data;
        let now = anchor();
        let calls: Vec<&Record> = d.table("ServiceCalls").unwrap().rows.values().collect();
        let links: Vec<&Record> = d
            .table("ServiceCallTickets")
            .unwrap()
            .rows
            .values()
            .collect();
        let people: Vec<&Record> = d
            .table("ServiceCallTicketResources")
            .unwrap()
            .rows
            .values()
            .collect();
        assert!(calls.len() >= 40);
        for call in &calls {
            let mine: Vec<&&Record> = links
                .iter()
                .filter(|l| int(l, "serviceCallID") == int(call, "id"))
                .collect();
            assert!(!mine.is_empty(), "{}", call["id"]);
            for link in mine {
                let ticket = d.get("Tickets", int(link, "ticketID").unwrap()).unwrap();
                assert_eq!(ticket["companyID"], call["companyID"]);
                assert!(
                    people
                        .iter()
                        .any(|p| int(p, "serviceCallTicketID") == int(link, "id"))
                );
            }
            let (start, end) = (
                at(call, "startDateTime").unwrap(),
                at(call, "endDateTime").unwrap(),
            );
            assert!(start < end);
            let status = int(call, "status").unwrap();
            if end <= now {
                assert!(matches!(status, COMPLETE | CANCELLED), "{}", call["id"]);
            } else if start > now {
                assert!(matches!(status, NEW | SCHEDULED), "{}", call["id"]);
            }
            assert_eq!(int(call, "isComplete"), Some(i64::from(status == COMPLETE)));
        }
        let today = now.format("%Y-%m-%d").to_string();
        let todays: Vec<&&Record> = calls
            .iter()
            .filter(|c| c["startDateTime"].as_str().unwrap().starts_with(&today))
            .collect();
        assert_eq!(todays.len(), 7);
        let technicians: std::collections::BTreeSet<i64> = todays
            .iter()
            .flat_map(|c| {
                links
                    .iter()
                    .filter(|l| int(l, "serviceCallID") == int(c, "id"))
                    .flat_map(|l| {
                        people
                            .iter()
                            .filter(|p| int(p, "serviceCallTicketID") == int(l, "id"))
                            .filter_map(|p| int(p, "resourceID"))
                    })
            })
            .collect();
        assert!(technicians.len() >= 5, "{technicians:?}");
        assert!(
            todays
                .iter()
                .any(|c| at(c, "endDateTime").unwrap() <= now
                    || int(c, "status") == Some(IN_PROGRESS))
        );
        assert!(todays.iter().any(|c| at(c, "startDateTime").unwrap() > now));
    }
}
