//! The MSP's own people: roles, the API user and 15 staff resources, their resource roles,
//! service desk roles (the resource + role pairs tickets may be assigned to) and queues.

use chrono::Duration;
use serde_json::json;

use super::seeder::{API_USER_RESOURCE_ID, Seeder, dt, id_base};
use super::words::*;

/// Who works at the MSP, for the other generators.
pub(super) struct Staff {
    pub role_ids: Vec<i64>,
    /// (resource id, index into `ROLES`).
    pub staff: Vec<(i64, usize)>,
    pub account_managers: Vec<i64>,
    /// Valid ticket assignments: (resource id, role id).
    pub technicians: Vec<(i64, i64)>,
    pub project_manager: i64,
    /// (resource id, role id) of the systems engineers.
    pub engineers: Vec<(i64, i64)>,
}

pub(super) fn seed(s: &mut Seeder) -> Staff {
    let now = s.now;
    // Roles.
    let role_ids: Vec<i64> = ROLES
        .iter()
        .enumerate()
        .map(|(i, (name, rate))| {
            let id = id_base("Roles") + i as i64;
            s.put(
                "Roles",
                id,
                json!({
                    "name": name,
                    "description": format!("{name} role"),
                    "hourlyRate": rate,
                    "hourlyFactor": 1.0,
                    "isActive": true,
                    "isSystemRole": false,
                    "isExcludedFromNewContracts": false,
                    "roleType": 1,
                }),
            )
        })
        .collect();

    // Resources: the API user, then the staff.
    s.put(
        "Resources",
        API_USER_RESOURCE_ID,
        json!({
            "firstName": "API",
            "lastName": "User (sandbox)",
            "email": "api-user@sandbox.invalid",
            "userName": "apiuser",
            "isActive": true,
            "resourceType": "Employee",
            "licenseType": 3,
            "userType": 3,
            "title": "API-only user",
        }),
    );
    let mut staff: Vec<(i64, usize)> = Vec::new();
    for (i, (first, last, title, role)) in STAFF.iter().enumerate() {
        let id = id_base("Resources") + i as i64;
        let hire = now - Duration::days(200 + 97 * i as i64);
        let phone = s.phone();
        s.put(
            "Resources",
            id,
            json!({
            "firstName": first,
            "lastName": last,
            "email": format!("{}.{}@brightline-msp.example", first.to_lowercase(), last.to_lowercase()),
            "userName": format!("{}{}", &first[..1].to_lowercase(), last.to_lowercase()),
            "initials": format!("{}{}", &first[..1], &last[..1]),
            "title": title,
            "isActive": true,
            "resourceType": "Employee",
            "licenseType": 1,
            "userType": 1,
            "payrollType": 1,
            "officePhone": phone,
            "hireDate": dt(hire),
            "defaultServiceDeskRoleID": role_ids[*role],
            "dateFormat": "MM/dd/yyyy",
            "timeFormat": "h:mm a",
            "numberFormat": "X,XXX.XX",
        }),
        );
        staff.push((id, *role));
    }
    // Roles, service desk roles and queues of the staff.
    let mut desk_pairs: Vec<(i64, i64)> = Vec::new();
    let (mut rr, mut sd, mut rq) = (1, 1, 1);
    for (resource, role) in &staff {
        let queues: &[i64] = match role {
            0 => &[29683482, 29682833, 5, 8],
            1 => &[29682969, 29682833],
            2 => &[29682969, 29683354],
            3 => &[29683354],
            _ => &[29683482],
        };
        s.put(
            "ResourceRoles",
            rr,
            json!({
                "resourceID": resource,
                "roleID": role_ids[*role],
                "queueID": queues[0],
                "isActive": true,
            }),
        );
        rr += 1;
        let mut desk_roles = vec![*role];
        if *role == 1 {
            desk_roles.push(0);
        }
        for (n, r) in desk_roles.iter().enumerate() {
            if *r <= 3 {
                s.put(
                    "ResourceServiceDeskRoles",
                    sd,
                    json!({
                        "resourceID": resource,
                        "roleID": role_ids[*r],
                        "isDefault": n == 0,
                        "isActive": true,
                    }),
                );
                sd += 1;
                desk_pairs.push((*resource, role_ids[*r]));
            }
        }
        for q in queues {
            s.put(
                "ResourceRoleQueues",
                rq,
                json!({
                    "resourceID": resource,
                    "queueID": q,
                }),
            );
            rq += 1;
        }
    }
    let account_managers: Vec<i64> = staff
        .iter()
        .filter(|(_, r)| *r >= 4)
        .map(|(id, _)| *id)
        .collect();
    let technicians: Vec<(i64, i64)> = desk_pairs
        .iter()
        .copied()
        .filter(|(res, role)| {
            staff
                .iter()
                .any(|(id, r)| id == res && *r <= 2 && role_ids[*r] == *role)
        })
        .collect();
    let project_manager = staff
        .iter()
        .find(|(_, r)| *r == 3)
        .map_or(API_USER_RESOURCE_ID, |(id, _)| *id);
    let engineers: Vec<(i64, i64)> = staff
        .iter()
        .filter(|(_, r)| *r == 2)
        .map(|(id, r)| (*id, role_ids[*r]))
        .collect();
    Staff {
        role_ids,
        staff,
        account_managers,
        technicians,
        project_manager,
        engineers,
    }
}
