//! Eight customer projects, each with three phases, two tasks per phase and the engineers'
//! time on the tasks.

use chrono::Duration;
use serde_json::{Value, json};

use super::customers::Customers;
use super::seeder::{Seeder, dt, id_base};
use super::staff::Staff;
use super::words::*;
use crate::sandbox::store::set_udf;

pub(super) fn seed(s: &mut Seeder, crew: &Staff, base: &Customers, mut time_id: i64) {
    let now = s.now;
    let customers = &base.customers;
    let contract_of = &base.contract_of;
    let project_manager = crew.project_manager;
    let engineers = &crew.engineers;
    // Projects with phases and tasks.
    let (mut phase_id, mut task_id) = (id_base("Phases"), id_base("Tasks"));
    for (i, project) in PROJECTS.iter().enumerate() {
        let id = id_base("Projects") + i as i64;
        let (company, name) = customers[(i * 7) % customers.len()].clone();
        let start = now - Duration::days(150 - 18 * i as i64);
        let end = start + Duration::days(90);
        let status = if end < now {
            5
        } else if start < now {
            2
        } else {
            1
        };
        let day = start.format("%Y%m%d").to_string();
        let number = s.data.next_number(&format!("P{day}"));
        let mut record = s.record(
            "Projects",
            id,
            json!({
                "projectName": format!("{project} - {name}"),
                "projectNumber": number,
                "companyID": company,
                "status": status,
                "projectType": 5,
                "startDateTime": dt(start),
                "endDateTime": dt(end),
                "projectLeadResourceID": project_manager,
                "description": format!("{project} for {name}"),
                "estimatedTime": 60.0,
                "createDateTime": dt(start - Duration::days(14)),
                "creatorResourceID": project_manager,
                "lastActivityDateTime": dt(now.min(end)),
                "completedPercentage": match status { 5 => 100, 2 => 40, _ => 0, },
                "contractID": contract_of .iter() .find(|(c, _)| *c == company) .map(|(_, k)| *k),
            }),
        );
        set_udf(
            &mut record,
            "Project Code",
            json!(format!("PRJ-{:03}", i + 1)),
        );
        s.data.put("Projects", record);
        let phases = ["Discovery", "Implementation", "Handover"];
        for (p, phase) in phases.iter().enumerate() {
            let p_start = start + Duration::days(30 * p as i64);
            s.put(
                "Phases",
                phase_id,
                json!({
                    "projectID": id,
                    "title": phase,
                    "description": format!("{phase} phase"),
                    "startDate": dt(p_start),
                    "dueDate": dt(p_start + Duration::days(30)),
                    "estimatedHours": 20.0,
                    "isScheduled": true,
                    "createDate": dt(start - Duration::days(14)),
                    "creatorResourceID": project_manager,
                    "lastActivityDateTime": dt(now.min(p_start + Duration::days(30))),
                }),
            );
            for t in 0..2 {
                let t_start = p_start + Duration::days(15 * t);
                let t_end = t_start + Duration::days(14);
                let t_status = if t_end < now {
                    5
                } else if t_start < now {
                    8
                } else {
                    1
                };
                let (engineer, role) = *s.pick(engineers);
                let tday = t_start.format("%Y%m%d").to_string();
                let tnumber = s.data.next_number(&format!("T{tday}"));
                s.put(
                    "Tasks",
                    task_id,
                    json!({
                        "projectID": id,
                        "phaseID": phase_id,
                        "title": format!("{phase}: step {}", t + 1),
                        "description": format!("{project} {phase} work item {}", t + 1),
                        "status": t_status,
                        "taskType": 1,
                        "priority": 2,
                        "taskNumber": tnumber,
                        "assignedResourceID": engineer,
                        "assignedResourceRoleID": role,
                        "startDateTime": dt(t_start),
                        "endDateTime": dt(t_end),
                        "estimatedHours": 8.0,
                        "remainingHours": if t_status == 5 { 0.0 } else { 8.0 },
                        "completedDateTime": if t_status == 5 { dt(t_end) } else { Value::Null },
                        "isVisibleInClientPortal": false,
                        "canClientPortalUserCompleteTask": false,
                        "isTaskBillable": true,
                        "createDateTime": dt(start - Duration::days(14)),
                        "creatorResourceID": project_manager,
                        "lastActivityDateTime": dt(now.min(t_end)),
                    }),
                );
                if t_status != 1 {
                    for d in 0..3 {
                        let day_start = t_start + Duration::days(2 * d) + Duration::hours(1);
                        if day_start > now {
                            break;
                        }
                        let hours = 2.0 + d as f64;
                        s.put(
                            "TimeEntries",
                            time_id,
                            json!({
                            "resourceID": engineer,
                            "roleID": role,
                            "taskID": task_id,
                            "dateWorked": dt(day_start .date_naive() .and_hms_opt(0, 0, 0) .map_or(day_start, |x| x.and_utc())),
                            "startDateTime": dt(day_start),
                            "endDateTime": dt(day_start + Duration::minutes((hours * 60.0) as i64)),
                            "hoursWorked": hours,
                            "hoursToBill": hours,
                            "summaryNotes": "Project work",
                            "isNonBillable": false,
                            "showOnInvoice": true,
                            "timeEntryType": 6,
                            "createDateTime": dt(day_start),
                            "creatorUserID": engineer,
                            "lastModifiedDateTime": dt(day_start),
                            "lastModifiedUserID": engineer,
                        }),
                        );
                        time_id += 1;
                    }
                }
                task_id += 1;
            }
            phase_id += 1;
        }
    }
}
