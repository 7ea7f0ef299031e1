//! The MSP's catalog: billing codes (work types, material codes and the recurring-service
//! code), the products it sells and installs, the recurring services its contracts bill, and
//! the configuration item types and categories. Fixed tables, no randomness.

use chrono::Duration;
use serde_json::json;

use super::seeder::{Seeder, dt, id_base};
use crate::sandbox::picklists::CI_TYPES;

/// What the other generators need from the catalog.
pub(super) struct Catalog {
    /// Work types of ticket time: remote and onsite support.
    pub remote_support: i64,
    pub onsite_support: i64,
    /// Work type of project (task) time.
    pub project_labor: i64,
    /// Product ids per configuration item type (1..=5).
    pub products_by_type: Vec<(i64, Vec<i64>)>,
    /// (service id, unit price, unit cost, name) of the recurring services.
    pub services: Vec<(i64, f64, f64, &'static str)>,
    /// Configuration item category id per configuration item type.
    pub category_of_type: Vec<(i64, i64)>,
}

impl Catalog {
    /// The category of a configuration item type.
    pub fn category(&self, ci_type: i64) -> Option<i64> {
        self.category_of_type
            .iter()
            .find(|(t, _)| *t == ci_type)
            .map(|(_, c)| *c)
    }

    /// The products of a configuration item type.
    pub fn products(&self, ci_type: i64) -> &[i64] {
        self.products_by_type
            .iter()
            .find(|(t, _)| *t == ci_type)
            .map_or(&[][..], |(_, p)| p.as_slice())
    }
}

/// (name, description, billing code type, unit price).
const BILLING_CODES: &[(&str, &str, i64, f64)] = &[
    ("Remote Support", "Help desk and remote work", 1, 95.0),
    ("Onsite Support", "Work at the customer's site", 1, 125.0),
    ("Project Labor", "Project work", 1, 140.0),
    (
        "After Hours Support",
        "Work outside business hours",
        1,
        160.0,
    ),
    ("Hardware", "Devices sold and installed", 2, 0.0),
    ("Software", "Licences and subscriptions", 2, 0.0),
    ("Managed Services", "Recurring managed services", 3, 0.0),
];

/// (configuration item type, name, manufacturer, model, sku, unit cost, unit price).
const PRODUCTS: &[(i64, &str, &str, &str, &str, f64, f64)] = &[
    (
        1,
        "Dell OptiPlex 7010 Tower",
        "Dell",
        "OptiPlex 7010",
        "DEL-OPT7010",
        780.0,
        949.0,
    ),
    (
        1,
        "Lenovo ThinkPad T14 Gen 4",
        "Lenovo",
        "ThinkPad T14 Gen 4",
        "LEN-T14G4",
        1150.0,
        1399.0,
    ),
    (
        1,
        "Apple MacBook Pro 14 M3",
        "Apple",
        "MacBook Pro 14",
        "APL-MBP14M3",
        1690.0,
        1999.0,
    ),
    (
        2,
        "HPE ProLiant DL360 Gen11",
        "HPE",
        "ProLiant DL360 Gen11",
        "HPE-DL360G11",
        5200.0,
        6490.0,
    ),
    (
        2,
        "Dell PowerEdge R660",
        "Dell",
        "PowerEdge R660",
        "DEL-R660",
        5600.0,
        6890.0,
    ),
    (
        3,
        "Cisco Meraki MX68 Security Appliance",
        "Cisco Meraki",
        "MX68",
        "MER-MX68",
        690.0,
        895.0,
    ),
    (
        3,
        "Ubiquiti UniFi Switch Pro 24 PoE",
        "Ubiquiti",
        "USW-Pro-24-PoE",
        "UBQ-USWPRO24",
        610.0,
        749.0,
    ),
    (
        4,
        "HP LaserJet Pro M404dn",
        "HP",
        "LaserJet Pro M404dn",
        "HP-M404DN",
        290.0,
        369.0,
    ),
    (
        4,
        "Brother MFC-L8900CDW",
        "Brother",
        "MFC-L8900CDW",
        "BRO-L8900",
        520.0,
        649.0,
    ),
    (
        5,
        "Apple iPhone 15 128GB",
        "Apple",
        "iPhone 15",
        "APL-IP15-128",
        720.0,
        829.0,
    ),
    (
        5,
        "Samsung Galaxy S24 128GB",
        "Samsung",
        "Galaxy S24",
        "SAM-S24-128",
        690.0,
        799.0,
    ),
    (
        0,
        "Microsoft 365 Business Premium (annual)",
        "Microsoft",
        "M365 Business Premium",
        "MS-M365BP-1Y",
        220.0,
        264.0,
    ),
    (
        0,
        "Windows Server 2022 Standard (16 core)",
        "Microsoft",
        "Windows Server 2022 Standard",
        "MS-WS2022-STD16",
        980.0,
        1149.0,
    ),
];

/// (name, description, unit price, unit cost): monthly services.
const SERVICES: &[(&str, &str, f64, f64)] = &[
    (
        "Managed Workstation",
        "Monitoring, patching and support of one workstation",
        45.0,
        12.0,
    ),
    (
        "Managed Server",
        "Monitoring, patching and support of one server",
        150.0,
        40.0,
    ),
    (
        "Network Monitoring",
        "Monitoring of firewalls, switches and access points",
        60.0,
        15.0,
    ),
    (
        "Backup and Disaster Recovery",
        "Image backups with offsite replication",
        120.0,
        45.0,
    ),
    (
        "Microsoft 365 Management",
        "Tenant administration per user",
        8.0,
        2.0,
    ),
    (
        "Security Awareness Training",
        "Phishing simulations and training per user",
        4.0,
        1.5,
    ),
];

/// (name, nickname, colour, configuration item types).
const CATEGORIES: &[(&str, &str, i64, &[i64])] = &[
    ("Standard", "STD", 0x6B7280, &[]),
    ("Infrastructure", "INFRA", 0x2563EB, &[2, 3]),
    ("End-user Devices", "EUD", 0x16A34A, &[1, 5]),
    ("Peripherals", "PERIPH", 0xD97706, &[4]),
];

/// The vendors the products come from: the seeded vendor companies.
const VENDORS: [i64; 3] = [1058, 1059, 1060];

pub(super) fn seed(s: &mut Seeder, administrator: i64) -> Catalog {
    let now = s.now;
    let created = now - Duration::days(900);
    let mut codes = Vec::new();
    for (i, (name, description, kind, price)) in BILLING_CODES.iter().enumerate() {
        let id = id_base("BillingCodes") + i as i64;
        s.put(
            "BillingCodes",
            id,
            json!({
                "name": name,
                "description": description,
                "billingCodeType": kind,
                "useType": 1,
                "isActive": true,
                "isExcludedFromNewContracts": false,
                "unitPrice": price,
                "unitCost": 0.0,
                "markupRate": 0.0,
                "externalNumber": format!("GL-{}", 4000 + i),
            }),
        );
        codes.push(id);
    }
    let code = |name: &str| {
        BILLING_CODES
            .iter()
            .position(|(n, ..)| *n == name)
            .map_or(codes[0], |i| codes[i])
    };
    // The configuration item types' ids are the values of the `configurationItemType` picklist.
    for (value, name) in CI_TYPES {
        s.put(
            "ConfigurationItemTypes",
            *value,
            json!({ "name": name, "isActive": true }),
        );
    }
    let mut category_of_type = Vec::new();
    let mut categories = Vec::new();
    for (i, (name, nickname, colour, types)) in CATEGORIES.iter().enumerate() {
        let id = id_base("ConfigurationItemCategories") + i as i64;
        s.put(
            "ConfigurationItemCategories",
            id,
            json!({
                "name": name,
                "nickname": nickname,
                "displayColorRGB": colour,
                "isActive": true,
                "isGlobalDefault": i == 0,
                "isClientPortalDefault": i == 0,
            }),
        );
        categories.push(id);
        for t in *types {
            category_of_type.push((*t, id));
        }
    }
    let mut products_by_type: Vec<(i64, Vec<i64>)> = Vec::new();
    for (i, (kind, name, maker, model, sku, cost, price)) in PRODUCTS.iter().enumerate() {
        let id = id_base("Products") + i as i64;
        let hardware = *kind != 0;
        let category = category_of_type
            .iter()
            .find(|(t, _)| t == kind)
            .map_or(categories[0], |(_, c)| *c);
        s.put(
            "Products",
            id,
            json!({
                "name": name,
                "description": format!("{maker} {model}"),
                "manufacturerName": maker,
                "manufacturerProductName": model,
                "sku": sku,
                "internalProductID": format!("P-{id}"),
                "vendorProductNumber": format!("V-{sku}"),
                "unitCost": cost,
                "unitPrice": price,
                "msrp": (price * 1.1_f64).round(),
                "markupRate": ((price - cost) / cost * 100.0).round(),
                "isActive": true,
                "isSerialized": hardware,
                "isEligibleForRma": hardware,
                "doesNotRequireProcurement": !hardware,
                "periodType": if hardware { 1 } else { 5 },
                "productBillingCodeID": code(if hardware { "Hardware" } else { "Software" }),
                "defaultVendorID": VENDORS[i % VENDORS.len()],
                "defaultInstalledProductCategoryID": category,
                "createdByResourceID": administrator,
                "createdTime": dt(created),
            }),
        );
        match products_by_type.iter_mut().find(|(t, _)| t == kind) {
            Some((_, ids)) => ids.push(id),
            None => products_by_type.push((*kind, vec![id])),
        }
    }
    let mut services = Vec::new();
    for (i, (name, description, price, cost)) in SERVICES.iter().enumerate() {
        let id = id_base("Services") + i as i64;
        s.put(
            "Services",
            id,
            json!({
                "name": name,
                "description": description,
                "invoiceDescription": name,
                "unitPrice": price,
                "unitCost": cost,
                "markupRate": ((price - cost) / cost * 100.0).round(),
                "periodType": 2,
                "billingCodeID": code("Managed Services"),
                "isActive": true,
                "sku": format!("SVC-{:02}", i + 1),
                "createDate": dt(created),
                "creatorResourceID": administrator,
                "lastModifiedDate": dt(created),
            }),
        );
        services.push((id, *price, *cost, *name));
    }
    Catalog {
        remote_support: code("Remote Support"),
        onsite_support: code("Onsite Support"),
        project_labor: code("Project Labor"),
        products_by_type,
        services,
        category_of_type,
    }
}
