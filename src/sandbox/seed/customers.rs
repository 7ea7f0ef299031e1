//! The MSP's customers: the own company (id 0), 60 companies (52 customers, prospects and
//! vendors), 200 contacts, managed-services contracts and 150 configuration items.

use chrono::Duration;
use rand::RngExt;
use serde_json::{Value, json};

use super::seeder::{Seeder, dt, id_base};
use super::staff::Staff;
use super::words::*;
use crate::sandbox::store::set_udf;

/// The customer base, for the ticket and project generators.
pub(super) struct Customers {
    /// (company id, name) of the companies of type Customer.
    pub customers: Vec<(i64, String)>,
    /// Contact ids per company id.
    pub contacts_by_company: Vec<(i64, Vec<i64>)>,
    /// (company id, contract id).
    pub contract_of: Vec<(i64, i64)>,
    /// (company id, configuration item id).
    pub cis_of: Vec<(i64, i64)>,
}

impl Customers {
    /// The contacts of a company.
    pub fn contacts_of(&self, company: i64) -> Vec<i64> {
        self.contacts_by_company
            .iter()
            .find(|(c, _)| *c == company)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

pub(super) fn seed(s: &mut Seeder, crew: &Staff) -> Customers {
    let now = s.now;
    let staff = &crew.staff;
    let account_managers = &crew.account_managers;
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
        let owner = *s.pick(account_managers);
        let created = now - Duration::days(s.rng.random_range(200..2500));
        let classification = s.rng.random_range(1..=3);
        let street = s.rng.random_range(10..999);
        let zip = s.rng.random_range(10000..99999);
        let active = s.chance(0.95) || company_type == 1;
        let last_activity = now - Duration::days(s.rng.random_range(0..60));
        // CustomerRanking is a list UDF: its code (1 Golden, 2 Silver, 3 Bronze) is stored.
        let ranking = classification.to_string();
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
        // Preferred Channel is a list UDF: its code (1 Email, 2 Phone, 3 Portal) is stored.
        let channel = *s.pick(&["1", "2", "3"]);
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
    Customers {
        customers,
        contacts_by_company,
        contract_of,
        cis_of,
    }
}
