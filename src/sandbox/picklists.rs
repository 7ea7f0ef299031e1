//! The demo tenant's picklists and user-defined field definitions: curated values for the
//! picklists an MSP uses daily (ticket status, priority, queues, issue and sub-issue types, note
//! types, publish, company type, …), a small deterministic list for every other picklist field
//! of the registry, and the UDFs of the entities that carry them. Served by the metadata
//! endpoints and enforced on writes.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Value, json};

use crate::registry;

/// `PickListValue` of the REST API (values are strings on the wire).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    pub value: String,
    pub label: String,
    pub is_default_value: bool,
    pub sort_order: i32,
    pub parent_value: String,
    pub is_active: bool,
    pub is_system: bool,
}

/// A user-defined field definition of one entity.
#[derive(Debug, Clone, PartialEq)]
pub struct UdfDef {
    pub name: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    /// `string`, `integer`, `double`, `datetime`.
    pub data_type: &'static str,
    pub length: u32,
    pub is_required: bool,
    /// Allowed values for a list UDF (the stored value is the code, `1`, `2`, …, as text).
    pub list: Vec<PicklistValue>,
    pub default_value: Option<&'static str>,
}

impl UdfDef {
    /// The `Field` shape of `entityInformation/userDefinedFields`.
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "label": self.label,
            "type": self.data_type,
            "length": self.length,
            "description": self.description,
            "isRequired": self.is_required,
            "isReadOnly": false,
            "isQueryable": true,
            "isReference": false,
            "referenceEntityType": "",
            "isPickList": !self.list.is_empty(),
            "picklistValues": if self.list.is_empty() { Value::Null } else { json!(self.list) },
            "picklistParentValueField": "",
            "defaultValue": self.default_value,
            "isSupportedWebhookField": false,
        })
    }
}

/// The tenant's picklists (per entity collection name and field name) and UDFs.
#[derive(Debug)]
pub struct Tenant {
    picklists: HashMap<&'static str, HashMap<&'static str, Vec<PicklistValue>>>,
    udfs: HashMap<&'static str, Vec<UdfDef>>,
}

/// The demo tenant's metadata (the same for every seed).
pub fn tenant() -> &'static Tenant {
    static TENANT: OnceLock<Tenant> = OnceLock::new();
    TENANT.get_or_init(Tenant::build)
}

/// Ticket statuses (value, label); 1 New and 5 Complete are system values.
pub const TICKET_STATUSES: &[(i64, &str)] = &[
    (1, "New"),
    (5, "Complete"),
    (7, "Waiting Customer"),
    (8, "In Progress"),
    (9, "Waiting Materials"),
    (10, "Dispatched"),
    (11, "Escalate"),
    (12, "Waiting Vendor"),
    (13, "Waiting Approval"),
    (14, "On Hold"),
];
/// Ticket priorities.
pub const TICKET_PRIORITIES: &[(i64, &str)] =
    &[(1, "High"), (2, "Medium"), (3, "Low"), (4, "Critical")];
/// Service desk queues (ticket `queueID`, resource role queues).
pub const QUEUES: &[(i64, &str)] = &[
    (5, "Client Portal"),
    (6, "Post Sale"),
    (8, "Monitoring Alert"),
    (29682833, "Level I Support"),
    (29682969, "Level II Support"),
    (29683354, "Projects Queue"),
    (29683482, "Triage"),
];
/// Issue types.
pub const ISSUE_TYPES: &[(i64, &str)] = &[
    (1, "Hardware"),
    (2, "Software"),
    (3, "Network"),
    (4, "Account Management"),
    (5, "Security"),
];
/// Sub-issue types: (value, label, issue type).
pub const SUB_ISSUE_TYPES: &[(i64, &str, i64)] = &[
    (11, "Desktop / Laptop", 1),
    (12, "Printer", 1),
    (13, "Server", 1),
    (21, "Office Suite", 2),
    (22, "Line of Business App", 2),
    (23, "Operating System", 2),
    (31, "Internet Outage", 3),
    (32, "VPN", 3),
    (33, "Wi-Fi", 3),
    (41, "Password Reset", 4),
    (42, "New Starter", 4),
    (43, "Leaver", 4),
    (51, "Phishing", 5),
    (52, "Malware", 5),
    (53, "MFA", 5),
];
/// Ticket note types.
pub const NOTE_TYPES: &[(i64, &str)] = &[
    (1, "Task Detail"),
    (2, "Task Notes"),
    (3, "Task Summary"),
    (13, "Workflow Rule Action Note"),
    (18, "Client Portal Note"),
];
/// Note publish values.
pub const PUBLISH: &[(i64, &str)] = &[(1, "All Autotask Users"), (2, "Internal Only")];
/// Company types.
pub const COMPANY_TYPES: &[(i64, &str)] = &[
    (1, "Customer"),
    (2, "Lead"),
    (3, "Prospect"),
    (4, "Dead"),
    (6, "Cancellation"),
    (7, "Vendor"),
    (8, "Partner"),
];

const TICKET_SOURCES: &[(i64, &str)] = &[
    (1, "Phone"),
    (2, "Email"),
    (3, "Client Portal"),
    (4, "Monitoring Alert"),
    (5, "In Person"),
];
const TICKET_TYPES: &[(i64, &str)] = &[
    (1, "Service Request"),
    (2, "Incident"),
    (3, "Problem"),
    (4, "Change Request"),
    (5, "Alert"),
];
const TICKET_CATEGORIES: &[(i64, &str)] = &[(1, "Standard"), (2, "Alert"), (3, "Project Issue")];
const SLAS: &[(i64, &str)] = &[(1, "Standard SLA"), (2, "Premium SLA")];
const CLASSIFICATIONS: &[(i64, &str)] = &[(1, "Gold"), (2, "Silver"), (3, "Bronze")];
/// Project statuses.
pub const PROJECT_STATUSES: &[(i64, &str)] = &[
    (1, "New"),
    (2, "In Progress"),
    (5, "Complete"),
    (6, "On Hold"),
];
const PROJECT_TYPES: &[(i64, &str)] = &[
    (2, "Proposal"),
    (3, "Template"),
    (4, "Baseline"),
    (5, "Client"),
    (8, "Internal"),
];
/// Task statuses.
pub const TASK_STATUSES: &[(i64, &str)] = &[
    (1, "New"),
    (5, "Complete"),
    (8, "In Progress"),
    (7, "Waiting Customer"),
];
const TASK_TYPES: &[(i64, &str)] = &[(1, "Fixed Work"), (2, "Fixed Duration")];
/// Contract types.
pub const CONTRACT_TYPES: &[(i64, &str)] = &[
    (1, "Time and Materials"),
    (3, "Fixed Price"),
    (4, "Block Hours"),
    (6, "Retainer"),
    (7, "Recurring Service"),
    (8, "Per Ticket"),
];
const CONTRACT_STATUSES: &[(i64, &str)] = &[(0, "Inactive"), (1, "Active")];
/// Configuration item types.
pub const CI_TYPES: &[(i64, &str)] = &[
    (1, "Workstation"),
    (2, "Server"),
    (3, "Network Device"),
    (4, "Printer"),
    (5, "Mobile Device"),
];
const TIME_ENTRY_TYPES: &[(i64, &str)] =
    &[(1, "Regular Time"), (2, "Ticket Time"), (6, "Task Time")];
/// Contract block statuses.
pub const BLOCK_STATUSES: &[(i64, &str)] = &[(0, "Inactive"), (1, "Active")];
/// How a contract block was paid.
pub const PAYMENT_TYPES: &[(i64, &str)] = &[
    (1, "Cash"),
    (2, "Check"),
    (3, "Credit Card"),
    (4, "Invoice"),
    (5, "Electronic Funds Transfer"),
];
/// Service call statuses.
pub const SERVICE_CALL_STATUSES: &[(i64, &str)] = &[
    (1, "New"),
    (2, "Scheduled"),
    (3, "In Progress"),
    (4, "Complete"),
    (5, "Cancelled"),
];
/// Billing item types.
pub const BILLING_ITEM_TYPES: &[(i64, &str)] = &[
    (1, "Labor"),
    (2, "Expense"),
    (3, "Milestone"),
    (4, "Recurring Contract Service"),
    (5, "Product Charge"),
];
/// Billing item sub-types of labor.
pub const BILLING_ITEM_SUB_TYPES: &[(i64, &str)] =
    &[(1, "Ticket Time"), (2, "Task Time"), (3, "Regular Time")];
/// Billing periods of products and services.
pub const PERIOD_TYPES: &[(i64, &str)] = &[
    (1, "One Time"),
    (2, "Monthly"),
    (3, "Quarterly"),
    (4, "Semi-Annual"),
    (5, "Yearly"),
];
/// Billing code (work type and material code) kinds.
pub const BILLING_CODE_TYPES: &[(i64, &str)] = &[
    (1, "Work Type"),
    (2, "Material"),
    (3, "Recurring Contract Service"),
];
const BILLING_CODE_USE_TYPES: &[(i64, &str)] = &[(1, "General"), (2, "Contract"), (3, "Internal")];

fn values(list: &[(i64, &str)], default: Option<i64>, system: &[i64]) -> Vec<PicklistValue> {
    list.iter()
        .enumerate()
        .map(|(i, (value, label))| PicklistValue {
            value: value.to_string(),
            label: (*label).to_string(),
            is_default_value: default == Some(*value),
            sort_order: i32::try_from(i).unwrap_or(0),
            parent_value: String::new(),
            is_active: true,
            is_system: system.contains(value),
        })
        .collect()
}

fn list_udf(values: &[&str]) -> Vec<PicklistValue> {
    values
        .iter()
        .enumerate()
        .map(|(i, label)| PicklistValue {
            value: (i + 1).to_string(),
            label: (*label).to_string(),
            is_default_value: false,
            sort_order: i32::try_from(i).unwrap_or(0),
            parent_value: String::new(),
            is_active: true,
            is_system: false,
        })
        .collect()
}

fn text_udf(name: &'static str, description: &'static str) -> UdfDef {
    UdfDef {
        name,
        label: name,
        description,
        data_type: "string",
        length: 255,
        is_required: false,
        list: Vec::new(),
        default_value: None,
    }
}

impl Tenant {
    fn build() -> Tenant {
        let curated: Vec<(&'static str, &'static str, Vec<PicklistValue>)> = vec![
            (
                "Tickets",
                "status",
                values(TICKET_STATUSES, Some(1), &[1, 5]),
            ),
            (
                "Tickets",
                "priority",
                values(TICKET_PRIORITIES, Some(2), &[]),
            ),
            ("Tickets", "queueID", values(QUEUES, None, &[5])),
            ("Tickets", "issueType", values(ISSUE_TYPES, None, &[])),
            ("Tickets", "subIssueType", {
                SUB_ISSUE_TYPES
                    .iter()
                    .enumerate()
                    .map(|(i, (value, label, parent))| PicklistValue {
                        value: value.to_string(),
                        label: (*label).to_string(),
                        is_default_value: false,
                        sort_order: i32::try_from(i).unwrap_or(0),
                        parent_value: parent.to_string(),
                        is_active: true,
                        is_system: false,
                    })
                    .collect()
            }),
            ("Tickets", "source", values(TICKET_SOURCES, None, &[])),
            (
                "Tickets",
                "ticketType",
                values(TICKET_TYPES, Some(1), &[1, 2, 3, 4, 5]),
            ),
            (
                "Tickets",
                "ticketCategory",
                values(TICKET_CATEGORIES, Some(1), &[]),
            ),
            (
                "Tickets",
                "serviceLevelAgreementID",
                values(SLAS, None, &[]),
            ),
            (
                "TicketNotes",
                "noteType",
                values(NOTE_TYPES, Some(1), &[13]),
            ),
            ("TicketNotes", "publish", values(PUBLISH, Some(1), &[1, 2])),
            (
                "Companies",
                "companyType",
                values(COMPANY_TYPES, Some(1), &[1, 2, 3, 4, 6, 7, 8]),
            ),
            (
                "Companies",
                "classification",
                values(CLASSIFICATIONS, None, &[]),
            ),
            (
                "Projects",
                "status",
                values(PROJECT_STATUSES, Some(1), &[1, 5]),
            ),
            (
                "Projects",
                "projectType",
                values(PROJECT_TYPES, Some(5), &[2, 3, 4, 5, 8]),
            ),
            ("Tasks", "status", values(TASK_STATUSES, Some(1), &[1, 5])),
            ("Tasks", "taskType", values(TASK_TYPES, Some(1), &[1, 2])),
            (
                "Contracts",
                "contractType",
                values(CONTRACT_TYPES, None, &[1, 3, 4, 6, 7, 8]),
            ),
            (
                "Contracts",
                "status",
                values(CONTRACT_STATUSES, Some(1), &[0, 1]),
            ),
            (
                "ConfigurationItems",
                "configurationItemType",
                values(CI_TYPES, None, &[]),
            ),
            ("ResourceRoleQueues", "queueID", values(QUEUES, None, &[5])),
            (
                "ContractBlocks",
                "status",
                values(BLOCK_STATUSES, Some(1), &[0, 1]),
            ),
            (
                "ContractBlocks",
                "paymentType",
                values(PAYMENT_TYPES, Some(4), &[]),
            ),
            (
                "ServiceCalls",
                "status",
                values(SERVICE_CALL_STATUSES, Some(1), &[1, 4]),
            ),
            (
                "BillingItems",
                "billingItemType",
                values(BILLING_ITEM_TYPES, None, &[1, 2, 3, 4, 5]),
            ),
            (
                "BillingItems",
                "subType",
                values(BILLING_ITEM_SUB_TYPES, None, &[1, 2, 3]),
            ),
            ("Products", "periodType", values(PERIOD_TYPES, Some(1), &[])),
            ("Services", "periodType", values(PERIOD_TYPES, Some(2), &[])),
            (
                "BillingCodes",
                "billingCodeType",
                values(BILLING_CODE_TYPES, Some(1), &[1, 2, 3]),
            ),
            (
                "BillingCodes",
                "useType",
                values(BILLING_CODE_USE_TYPES, Some(1), &[]),
            ),
            (
                "TimeEntries",
                "timeEntryType",
                values(TIME_ENTRY_TYPES, None, &[1, 2, 6]),
            ),
        ];
        let mut picklists: HashMap<&'static str, HashMap<&'static str, Vec<PicklistValue>>> =
            HashMap::new();
        for (entity, field, list) in curated {
            picklists.entry(entity).or_default().insert(field, list);
        }
        // Every other picklist field of the registry gets a small deterministic list.
        for entity in registry::entities() {
            for field in entity.fields.iter().filter(|f| f.is_pick_list) {
                picklists
                    .entry(entity.name)
                    .or_default()
                    .entry(field.name)
                    .or_insert_with(|| {
                        (1..=3)
                            .map(|n| PicklistValue {
                                value: n.to_string(),
                                label: format!("{} {n}", field.name),
                                is_default_value: n == 1,
                                sort_order: n - 1,
                                parent_value: String::new(),
                                is_active: true,
                                is_system: false,
                            })
                            .collect()
                    });
            }
        }
        let mut udfs: HashMap<&'static str, Vec<UdfDef>> = HashMap::new();
        udfs.insert(
            "Companies",
            vec![
                UdfDef {
                    name: "CustomerRanking",
                    label: "Customer Ranking",
                    description: "How valuable the customer is to the MSP",
                    data_type: "string",
                    length: 100,
                    is_required: false,
                    list: list_udf(&["Golden", "Silver", "Bronze"]),
                    default_value: None,
                },
                text_udf(
                    "Account Manager Notes",
                    "Free-text notes from the account manager",
                ),
            ],
        );
        udfs.insert(
            "Tickets",
            vec![
                text_udf(
                    "Customer Ref",
                    "The customer's own reference for the request",
                ),
                UdfDef {
                    name: "Escalation Level",
                    label: "Escalation Level",
                    description: "Internal escalation tier",
                    data_type: "string",
                    length: 20,
                    is_required: false,
                    list: list_udf(&["L1", "L2", "L3"]),
                    default_value: Some("1"),
                },
            ],
        );
        udfs.insert(
            "Contacts",
            vec![UdfDef {
                name: "Preferred Channel",
                label: "Preferred Channel",
                description: "How the contact prefers to be reached",
                data_type: "string",
                length: 20,
                is_required: false,
                list: list_udf(&["Email", "Phone", "Portal"]),
                default_value: None,
            }],
        );
        udfs.insert(
            "Projects",
            vec![text_udf("Project Code", "Finance project code")],
        );
        udfs.insert(
            "ConfigurationItems",
            vec![
                text_udf("Asset Tag", "The MSP's asset tag"),
                text_udf("Warranty Provider", "Who services the warranty"),
            ],
        );
        udfs.insert(
            "Contracts",
            vec![text_udf("PO Reference", "Customer purchase order")],
        );
        Tenant { picklists, udfs }
    }

    /// The picklist values of `entity.field` (collection name, exact field name), if a picklist.
    pub fn picklist(&self, entity: &str, field: &str) -> Option<&[PicklistValue]> {
        self.picklists
            .get(entity)
            .and_then(|fields| fields.get(field))
            .map(Vec::as_slice)
    }

    /// The UDF definitions of `entity` (collection name); empty when it has none.
    pub fn udfs(&self, entity: &str) -> &[UdfDef] {
        self.udfs.get(entity).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The UDF named `name` (ignoring case) on `entity`.
    pub fn udf(&self, entity: &str, name: &str) -> Option<&UdfDef> {
        self.udfs(entity)
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(name))
    }
}

/// The label of a value in one of the curated lists above.
pub fn label(list: &[(i64, &'static str)], value: i64) -> &'static str {
    list.iter()
        .find(|(v, _)| *v == value)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registry_picklist_has_values_and_every_list_names_a_picklist() {
        let t = tenant();
        for entity in registry::entities() {
            for field in entity.fields.iter().filter(|f| f.is_pick_list) {
                let list = t.picklist(entity.name, field.name);
                assert!(
                    list.is_some_and(|l| !l.is_empty()),
                    "{}.{}",
                    entity.name,
                    field.name
                );
            }
        }
        for (entity, fields) in &t.picklists {
            for field in fields.keys() {
                let def = registry::find(entity).and_then(|e| e.field(field));
                assert!(def.is_some_and(|f| f.is_pick_list), "{entity}.{field}");
            }
        }
        for entity in t.udfs.keys() {
            let def = registry::find(entity);
            assert!(def.is_some_and(|e| e.has_user_defined_fields), "{entity}");
        }
    }

    #[test]
    fn sub_issue_types_depend_on_issue_types() {
        let list = tenant()
            .picklist("Tickets", "subIssueType")
            .expect("the tenant has sub-issue types");
        assert!(!list.is_empty());
        assert!(list.iter().all(|v| !v.parent_value.is_empty()));
        let status = tenant()
            .picklist("Tickets", "status")
            .expect("the tenant has statuses");
        assert!(
            status
                .iter()
                .any(|v| v.value == "7" && v.label == "Waiting Customer")
        );
    }
}
