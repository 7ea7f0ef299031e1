//! The demo tenant: deterministic data shaped like a small MSP, generated from a seed with
//! ChaCha8 (the same seed gives the same data on every run and machine). The own company
//! (id 0), 60 companies (52 customers), 200 contacts, 15 staff resources with roles, service
//! desk roles and queues (plus the API user), 1,200 tickets across statuses, priorities,
//! queues and assignees, ticket notes, projects with phases and tasks, time entries, contracts
//! and configuration items. Dates are relative to a fixed anchor, not the clock.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::picklists::{
    COMPANY_TYPES, ISSUE_TYPES, QUEUES, SUB_ISSUE_TYPES, TICKET_PRIORITIES, TICKET_STATUSES,
};
use super::store::{Data, Record, blank, set_udf};
use super::wire::format_datetime;
use crate::registry;

/// The API user's own resource (creator of records the API writes).
pub const API_USER_RESOURCE_ID: i64 = 29682885;

/// Where ids of a new record of `entity` start when its table is empty (ids are distinct per
/// entity, so an id of the wrong entity is not found rather than silently wrong).
pub fn id_base(entity: &str) -> i64 {
    match entity {
        "Companies" => 1001,
        "Contacts" => 2001,
        "Contracts" => 3001,
        "ConfigurationItems" => 4001,
        "Projects" => 5001,
        "Phases" => 5501,
        "Tasks" => 6001,
        "Tickets" => 10001,
        "TicketNotes" => 20001,
        "TimeEntries" => 30001,
        "Resources" => 29682886,
        "Roles" => 29683400,
        _ => 1,
    }
}

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

const FIRST_NAMES: &[&str] = &[
    "Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn",
    "Priya", "Chen", "Fatima", "Lars", "Sofia", "Mateo", "Aisha", "Noah", "Emma", "Liam", "Olivia",
    "Lucas", "Mia", "Ethan", "Zara", "Hiro", "Ingrid", "Omar", "Nadia", "Felix",
];
const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Martinez", "Lopez", "Wilson",
    "Anderson", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker",
    "Adams", "Nelson", "Patel", "Kim", "Novak", "Okafor", "Rossi", "Schmidt",
];
const COMPANY_WORDS: &[&str] = &[
    "Acme",
    "Harbor",
    "Summit",
    "Pioneer",
    "Granite",
    "Cedar",
    "Bluewater",
    "Redwood",
    "Lakeside",
    "Northgate",
    "Evergreen",
    "Silverline",
    "Ironbridge",
    "Maple",
    "Oakridge",
    "Crescent",
    "Falcon",
    "Beacon",
    "Meridian",
    "Horizon",
    "Keystone",
    "Riverside",
    "Sterling",
    "Westfield",
    "Brookstone",
    "Coastal",
    "Highland",
    "Juniper",
    "Orchard",
    "Prairie",
];
const COMPANY_KINDS: &[&str] = &[
    "Dental",
    "Law Group",
    "Logistics",
    "Accounting",
    "Architects",
    "Medical Clinic",
    "Manufacturing",
    "Realty",
    "Insurance",
    "Engineering",
    "Veterinary",
    "Foods",
    "Hotels",
    "Construction",
    "Consulting",
];
const CITIES: &[(&str, &str)] = &[
    ("Portland", "OR"),
    ("Seattle", "WA"),
    ("Denver", "CO"),
    ("Austin", "TX"),
    ("Boston", "MA"),
    ("Raleigh", "NC"),
    ("Madison", "WI"),
    ("Boise", "ID"),
];
const ROLES: &[(&str, f64)] = &[
    ("Service Desk L1", 95.0),
    ("Service Desk L2", 125.0),
    ("Systems Engineer", 150.0),
    ("Project Manager", 140.0),
    ("Account Manager", 110.0),
    ("Administrator", 100.0),
];
const STAFF: &[(&str, &str, &str, usize)] = &[
    ("Dana", "Whitfield", "Managing Director", 5),
    ("Marcus", "Reyes", "Account Manager", 4),
    ("Elena", "Kowalski", "Project Manager", 3),
    ("Tom", "Brennan", "Service Desk Technician", 0),
    ("Aiko", "Tanaka", "Service Desk Technician", 0),
    ("Ben", "Osei", "Service Desk Technician", 0),
    ("Clara", "Lindqvist", "Service Desk Technician", 0),
    ("Devon", "Hughes", "Service Desk Technician", 0),
    ("Farah", "Haddad", "Service Desk Technician", 0),
    ("George", "Mensah", "Senior Technician", 1),
    ("Hana", "Novakova", "Senior Technician", 1),
    ("Ivan", "Petrov", "Senior Technician", 1),
    ("Julia", "Santos", "Senior Technician", 1),
    ("Kofi", "Asante", "Systems Engineer", 2),
    ("Lena", "Fischer", "Systems Engineer", 2),
];
const TITLES: &[(i64, &[&str])] = &[
    (
        11,
        &[
            "Laptop will not boot",
            "Blue screen on startup",
            "Docking station not detecting monitors",
            "Keyboard and mouse unresponsive",
        ],
    ),
    (
        12,
        &[
            "Printer offline",
            "Printer shows paper jam",
            "Scan to email not working",
            "Toner replacement needed",
        ],
    ),
    (
        13,
        &[
            "Server disk space low",
            "File server unreachable",
            "Backup job failed on server",
            "Server high CPU alert",
        ],
    ),
    (
        21,
        &[
            "Outlook keeps asking for password",
            "Excel crashes when opening file",
            "Teams calls dropping",
            "OneDrive not syncing",
        ],
    ),
    (
        22,
        &[
            "Accounting package licence error",
            "Practice management app slow",
            "Line of business app update request",
            "Database connection error in app",
        ],
    ),
    (
        23,
        &[
            "Windows update stuck",
            "Request OS upgrade",
            "Slow login after update",
            "Missing drivers after reinstall",
        ],
    ),
    (
        31,
        &[
            "Internet down at main office",
            "Intermittent connectivity",
            "ISP outage reported",
            "Slow internet speeds",
        ],
    ),
    (
        32,
        &[
            "VPN will not connect",
            "VPN disconnects every hour",
            "New VPN user required",
            "VPN certificate expired",
        ],
    ),
    (
        33,
        &[
            "Wi-Fi dropping in meeting room",
            "Guest Wi-Fi password change",
            "Weak Wi-Fi signal upstairs",
            "Access point offline",
        ],
    ),
    (
        41,
        &[
            "Password reset required",
            "Account locked out",
            "Password expiry reminder not received",
            "Reset MFA and password",
        ],
    ),
    (
        42,
        &[
            "New starter setup",
            "New user account and laptop",
            "Create mailbox for new employee",
            "New starter onboarding Monday",
        ],
    ),
    (
        43,
        &[
            "Leaver account disable",
            "Remove access for departing employee",
            "Archive mailbox for leaver",
            "Collect equipment from leaver",
        ],
    ),
    (
        51,
        &[
            "Suspicious email reported",
            "Phishing link clicked",
            "Spoofed invoice email",
            "Report phishing campaign",
        ],
    ),
    (
        52,
        &[
            "Antivirus detected malware",
            "Ransomware alert investigation",
            "Suspicious process on workstation",
            "Endpoint protection disabled",
        ],
    ),
    (
        53,
        &[
            "MFA prompt not received",
            "New phone MFA re-registration",
            "Enforce MFA for all users",
            "MFA locked out",
        ],
    ),
];
const NOTE_TEXTS: &[&str] = &[
    "Called the user and confirmed the issue.",
    "Remoted in and applied the fix; waiting for the user to confirm.",
    "Escalated to level II for further investigation.",
    "Left a voicemail, will try again this afternoon.",
    "Vendor ticket opened, awaiting response.",
    "User confirmed everything is working again.",
    "Replaced the faulty component on site.",
    "Documented the resolution in the knowledge base.",
];
const PROJECTS: &[&str] = &[
    "Microsoft 365 Migration",
    "Firewall Replacement",
    "Office Move",
    "Server Refresh",
    "Backup Modernisation",
    "Wi-Fi Upgrade",
    "Security Hardening",
    "Intune Rollout",
];

/// Generates the demo tenant for `seed`.
pub fn generate(seed: u64) -> Seeded {
    let mut s = Seeder {
        rng: ChaCha8Rng::seed_from_u64(seed),
        data: Data::default(),
        unknown: Vec::new(),
    };
    let now = anchor();

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

    // Companies: the own company (id 0), then 60 others.
    let own_phone = s.phone();
    s.put(
        "Companies",
        0,
        json!({
            "companyName": "Brightline Managed Services",
            "companyNumber": "0",
            "companyType": 1,
            "phone": own_phone,
            "address1": "1 Harbor Way",
            "city": "Portland",
            "state": "OR",
            "postalCode": "97201",
            "isActive": true,
            "ownerResourceID": staff[0].0,
            "webAddress": "https://brightline-msp.example",
            "createDate": dt(now - Duration::days(3000)),
            "createdByResourceID": staff[0].0,
            "lastActivityDate": dt(now - Duration::days(1)),
            "isClientPortalActive": false,
            "isTaskFireActive": false,
            "isTaxExempt": false,
            "isEnabledForComanaged": false,
            "isSample": false,
            "billToAddressToUse": 1,
        }),
    );
    let mut names: Vec<String> = Vec::new();
    while names.len() < 60 {
        let name = format!("{} {}", s.pick(COMPANY_WORDS), s.pick(COMPANY_KINDS));
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut customers: Vec<(i64, String)> = Vec::new();
    let mut companies: Vec<(i64, String, i64)> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let id = id_base("Companies") + i as i64;
        let company_type = if i < 52 {
            1
        } else if i < 57 {
            3
        } else {
            7
        };
        let (city, state) = *s.pick(CITIES);
        let domain = format!("{}.example", name.to_lowercase().replace(' ', ""));
        let phone = s.phone();
        let owner = *s.pick(&account_managers);
        let created = now - Duration::days(s.rng.random_range(200..2500));
        let classification = s.rng.random_range(1..=3);
        let street = s.rng.random_range(10..999);
        let zip = s.rng.random_range(10000..99999);
        let active = s.chance(0.95) || company_type == 1;
        let last_activity = now - Duration::days(s.rng.random_range(0..60));
        let ranking =
            ["Golden", "Silver", "Bronze"][usize::try_from(classification - 1).unwrap_or(0)];
        let mut record = s.record(
            "Companies",
            id,
            json!({
                "companyName": name,
                "companyNumber": format!("C{id}"),
                "companyType": company_type,
                "classification": classification,
                "phone": phone,
                "address1": format!("{street} Main Street"),
                "city": city,
                "state": state,
                "postalCode": zip.to_string(),
                "webAddress": format!("https://www.{domain}"),
                "isActive": active,
                "ownerResourceID": owner,
                "createDate": dt(created),
                "createdByResourceID": owner,
                "lastActivityDate": dt(last_activity),
                "lastTrackedModifiedDateTime": dt(created),
                "isClientPortalActive": company_type == 1,
                "isTaskFireActive": false,
                "isTaxExempt": false,
                "isEnabledForComanaged": false,
                "isSample": false,
                "billToAddressToUse": 1,
            }),
        );
        if company_type == 1 {
            set_udf(&mut record, "CustomerRanking", json!(ranking));
        }
        s.data.put("Companies", record);
        companies.push((id, domain, company_type));
        if company_type == 1 {
            customers.push((id, name.clone()));
        }
    }

    // Contacts: at least one per customer and prospect, 200 in all.
    let mut contacts_by_company: Vec<(i64, Vec<i64>)> = companies
        .iter()
        .map(|(id, _, _)| (*id, Vec::new()))
        .collect();
    let people: Vec<usize> = (0..200)
        .map(|i| if i < 57 { i } else { s.rng.random_range(0..57) })
        .collect();
    for (i, company_index) in people.iter().enumerate() {
        let id = id_base("Contacts") + i as i64;
        let (company_id, domain, _) = companies[*company_index].clone();
        let first = *s.pick(FIRST_NAMES);
        let last = *s.pick(LAST_NAMES);
        let phone = s.phone();
        let mobile = s.phone();
        let active = if s.chance(0.93) { 1 } else { 0 };
        let title = *s.pick(&[
            "Office Manager",
            "Director",
            "Accountant",
            "Receptionist",
            "Partner",
            "Operations Lead",
            "IT Contact",
        ]);
        let created = now - Duration::days(s.rng.random_range(30..1500));
        let primary = contacts_by_company[*company_index].1.is_empty();
        let channel = *s.pick(&["Email", "Phone", "Portal"]);
        let mut record = s.record(
            "Contacts",
            id,
            json!({
            "companyID": company_id,
            "firstName": first,
            "lastName": last,
            "emailAddress": format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase()),
            "phone": phone,
            "mobilePhone": mobile,
            "title": title,
            "isActive": active,
            "primaryContact": primary,
            "billingContact": primary,
            "receivesEmailNotifications": true,
            "isOptedOutFromBulkEmail": false,
            "surveyOptOut": false,
            "solicitationOptOut": false,
            "createDate": dt(created),
            "lastModifiedDate": dt(created),
            "lastActivityDate": dt(created),
        }),
        );
        set_udf(&mut record, "Preferred Channel", json!(channel));
        s.data.put("Contacts", record);
        contacts_by_company[*company_index].1.push(id);
    }
    let contacts_of = |company: i64| -> Vec<i64> {
        contacts_by_company
            .iter()
            .find(|(c, _)| *c == company)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };

    // Contracts: a managed-services contract for 45 customers.
    let mut contract_of: Vec<(i64, i64)> = Vec::new();
    for (i, (company, name)) in customers.iter().take(45).enumerate() {
        let id = id_base("Contracts") + i as i64;
        let start = now - Duration::days(s.rng.random_range(60..900));
        let contract_type = s.weighted(&[(7, 6), (4, 2), (1, 2)]);
        let status = if s.chance(0.9) { 1 } else { 0 };
        let po = format!("PO-{}", s.rng.random_range(1000..9999));
        let mut record = s.record(
            "Contracts",
            id,
            json!({
                "companyID": company,
                "contractName": format!("{name} Managed Services"),
                "contractNumber": format!("MS-{id}"),
                "contractType": contract_type,
                "contractCategory": 1,
                "status": status,
                "startDate": dt(start),
                "endDate": dt(start + Duration::days(365 * 3)),
                "isDefaultContract": true,
                "estimatedHours": 120.0,
                "estimatedRevenue": 18000.0,
                "timeReportingRequiresStartAndStopTimes": 0,
                "description": "Managed services agreement",
                "lastModifiedDateTime": dt(start),
            }),
        );
        set_udf(&mut record, "PO Reference", json!(po));
        s.data.put("Contracts", record);
        contract_of.push((*company, id));
    }

    // Configuration items: 150 devices across the customers.
    let mut cis_of: Vec<(i64, i64)> = Vec::new();
    for i in 0..150 {
        let id = id_base("ConfigurationItems") + i as i64;
        let (company, name) = customers[i % customers.len()].clone();
        let kind = s.weighted(&[(1, 60), (2, 12), (3, 12), (4, 10), (5, 6)]);
        let prefix = match kind {
            1 => "WS",
            2 => "SRV",
            3 => "NET",
            4 => "PRN",
            _ => "MOB",
        };
        let short: String = name.chars().filter(|c| c.is_ascii_uppercase()).collect();
        let host = format!("{prefix}-{short}-{:03}", i / customers.len() + 1);
        let os = match kind {
            1 => *s.pick(&["Windows 11 Pro", "Windows 10 Pro", "macOS 15"]),
            2 => *s.pick(&["Windows Server 2022", "Windows Server 2019", "Ubuntu 24.04"]),
            _ => "",
        };
        let installed = now - Duration::days(s.rng.random_range(30..1400));
        let serial = format!("SN{:08}", s.rng.random_range(0..99_999_999));
        let contacts = contacts_of(company);
        let contact = contacts.first().copied();
        let mut record = s.record(
            "ConfigurationItems",
            id,
            json!({
            "companyID": company,
            "configurationItemType": kind,
            "referenceTitle": host,
            "referenceNumber": format!("CI-{id}"),
            "serialNumber": serial,
            "isActive": true,
            "installDate": dt(installed),
            "warrantyExpirationDate": dt(installed + Duration::days(1095)),
            "rmmDeviceAuditHostname": host,
            "rmmDeviceAuditOperatingSystem": if os.is_empty() { Value::Null } else { json!(os) },
            "contactID": contact,
            "createDate": dt(installed),
            "notes": format!("{} for {name}", crate::sandbox::picklists::label(crate::sandbox::picklists::CI_TYPES, kind)),
        }),
        );
        set_udf(&mut record, "Asset Tag", json!(format!("AT-{id}")));
        s.data.put("ConfigurationItems", record);
        cis_of.push((company, id));
    }

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
        let (sub, sub_label, issue) = *s.pick(SUB_ISSUE_TYPES);
        let _ = sub_label;
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
            Some(*s.pick(&technicians))
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
            Some(s.pick(&technicians).0)
        };
        let day = created_at.format("%Y%m%d").to_string();
        let number = s.data.next_number(&format!("T{day}"));
        let escalation = if priority == 4 || status == 11 {
            "L3"
        } else if assigned.is_some_and(|(_, r)| r == role_ids[1]) {
            "L2"
        } else {
            "L1"
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
            let author = assigned.map_or(s.pick(&technicians).0, |(r, _)| r);
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
                let (engineer, role) = *s.pick(&engineers);
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
    let _ = (
        TICKET_STATUSES,
        TICKET_PRIORITIES,
        QUEUES,
        ISSUE_TYPES,
        COMPANY_TYPES,
    );
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
