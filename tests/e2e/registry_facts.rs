//! The generated registry holds the whole REST contract and the curated facts.

use autotask_mcp::registry::{self, DataType, WriteKind, WriteRoute};

/// The contract snapshot the registry is generated from: each entity's name and how many
/// parent routes it has.
fn snapshot() -> Vec<(String, usize)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/entities");
    let mut entities: Vec<(String, usize)> = std::fs::read_dir(&dir)
        .expect("schema/entities is readable")
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            let text = std::fs::read_to_string(&path).expect("a snapshot file is readable");
            let json: serde_json::Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = json["name"].as_str().expect("a name").to_string();
            let parents = json["routes"]["parents"]
                .as_array()
                .unwrap_or_else(|| panic!("{name}: no routes.parents"))
                .len();
            (name, parents)
        })
        .collect();
    entities.sort();
    entities
}

#[test]
fn registry_covers_the_contract() {
    let entities = registry::entities();
    let snapshot = snapshot();
    // Every entity of the snapshot, each with all its parent routes (231 and 141 today).
    let registered: Vec<(String, usize)> = entities
        .iter()
        .map(|e| (e.name.to_string(), e.parents.len()))
        .collect();
    let missing: Vec<_> = snapshot
        .iter()
        .filter(|e| !registered.contains(e))
        .collect();
    let extra: Vec<_> = registered
        .iter()
        .filter(|e| !snapshot.contains(e))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "(entity, parent routes) of the snapshot not in the registry: {missing:?}; in the registry only: {extra:?}"
    );
    assert!(entities.len() >= 220, "only {} entities", entities.len());
    let mut names: Vec<&str> = entities.iter().map(|e| e.name).collect();
    let sorted = names.clone();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names, sorted, "entities must be unique and sorted by name");
    let mut singulars: Vec<&str> = entities.iter().map(|e| e.singular).collect();
    singulars.sort_unstable();
    singulars.dedup();
    assert_eq!(
        singulars.len(),
        entities.len(),
        "singular names must be unique"
    );
}

/// Parents that are no collection of the contract, only the first segment of their children's
/// routes (the swagger has no root endpoint of that name), with the collection their id
/// belongs to when there is one. Exact: a new unknown parent fails until it is explained here.
const PARENTS_WITHOUT_A_COLLECTION: &[(&str, Option<&str>)] = &[
    // `Expenses/{id}/Items`: the id is an expense report's.
    ("Expenses", Some("ExpenseReports")),
    // `ServiceLevelAgreements/{id}/Results`: the REST API has no SLA collection.
    ("ServiceLevelAgreements", None),
    // `UserDefinedFields/{id}/ListItems`: the id is a field definition's.
    ("UserDefinedFields", Some("UserDefinedFieldDefinitions")),
];

#[test]
fn every_parent_route_names_a_known_parent_collection_or_path() {
    let mut unknown: Vec<&str> = registry::entities()
        .iter()
        .flat_map(|e| e.parents.iter())
        .map(|p| p.parent)
        .filter(|parent| registry::find(parent).is_none())
        .collect();
    unknown.sort_unstable();
    unknown.dedup();
    let explained: Vec<&str> = PARENTS_WITHOUT_A_COLLECTION
        .iter()
        .map(|(parent, _)| *parent)
        .collect();
    assert_eq!(unknown, explained, "parents that are no entity");
    for (parent, collection) in PARENTS_WITHOUT_A_COLLECTION {
        if let Some(collection) = collection {
            assert!(
                registry::find(collection).is_some(),
                "{parent}: {collection} is no entity"
            );
        }
    }
}

#[test]
fn delete_capabilities_follow_the_contract() {
    let tickets = registry::find("Tickets").map(|e| (e.can_delete, e.root.delete));
    assert_eq!(tickets, Some((false, false)), "Tickets cannot be deleted");
    let time = registry::find("TimeEntries").map(|e| (e.can_delete, e.root.delete));
    assert_eq!(time, Some((true, true)), "TimeEntries can be deleted");
    for name in ["Companies", "TicketNotes"] {
        assert_eq!(
            registry::find(name).map(|e| e.can_delete),
            Some(false),
            "{name}"
        );
    }
}

#[test]
fn ticket_notes_are_created_only_under_tickets() {
    let notes = registry::find("TicketNotes").expect("TicketNotes exists");
    assert!(!notes.root.create && !notes.root.patch && !notes.root.put);
    assert!(notes.root.query && notes.root.get);
    let route = notes.parent_route("tickets").expect("Tickets/{id}/Notes");
    assert_eq!((route.segment, route.foreign_key), ("Notes", "ticketID"));
    assert!(route.create && route.patch && route.list);
    assert_eq!(
        notes.write_route(WriteKind::Create),
        Some(WriteRoute::Parent(route))
    );
}

#[test]
fn contacts_are_written_under_companies_and_time_entries_have_no_parent() {
    let contacts = registry::find("Contacts").expect("Contacts exists");
    assert!(!contacts.root.create && contacts.root.query);
    match contacts.write_route(WriteKind::Create) {
        Some(WriteRoute::Parent(p)) => {
            assert_eq!(
                (p.parent, p.segment, p.foreign_key),
                ("Companies", "Contacts", "companyID")
            )
        }
        other => panic!("contacts create route: {other:?}"),
    }
    let time = registry::find("TimeEntries").expect("TimeEntries exists");
    assert!(time.parents.is_empty());
    assert_eq!(time.write_route(WriteKind::Create), Some(WriteRoute::Root));
}

#[test]
fn curated_ticket_facts_hold() {
    let tickets = registry::find("Tickets").expect("Tickets exists");
    let status = tickets.field("status").expect("status");
    assert_eq!(status.data_type, DataType::Integer);
    assert!(status.is_pick_list && status.is_required);
    let number = tickets.field("ticketNumber").expect("ticketNumber");
    assert!(number.is_read_only);
    let company = tickets.field("companyID").expect("companyID");
    assert!(company.is_required && company.is_reference);
    assert_eq!(company.reference_entity_type, "Company");
    assert_eq!(
        registry::by_singular("Company").map(|e| e.name),
        Some("Companies")
    );
    let sub = tickets.field("subIssueType").expect("subIssueType");
    assert_eq!(sub.picklist_parent_value_field, "issueType");
    let id = tickets.field("ID").expect("id, case-insensitively");
    assert!(id.is_read_only && id.data_type == DataType::Long);
    assert!(
        !tickets
            .field("creatorType")
            .expect("creatorType")
            .is_queryable
    );
}

#[test]
fn required_facts_of_daily_entities_are_present() {
    let required = |entity: &str| -> Vec<&'static str> {
        registry::find(entity)
            .map(|e| {
                e.fields
                    .iter()
                    .filter(|f| f.is_required && f.name != "id")
                    .map(|f| f.name)
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        required("Tickets"),
        ["companyID", "priority", "status", "title"]
    );
    assert_eq!(
        required("TicketNotes"),
        ["description", "noteType", "publish", "ticketID"]
    );
    assert_eq!(
        required("Companies"),
        ["companyName", "companyType", "ownerResourceID", "phone"]
    );
    assert_eq!(
        required("Contacts"),
        ["companyID", "firstName", "isActive", "lastName"]
    );
    let contacts_active = registry::find("Contacts").and_then(|e| e.field("isActive"));
    assert_eq!(
        contacts_active.map(|f| f.data_type),
        Some(DataType::Integer),
        "Contacts isActive is 0/1"
    );
    for (entity, field) in [
        ("Projects", "projectType"),
        ("Tasks", "taskType"),
        ("TimeEntries", "resourceID"),
    ] {
        assert!(required(entity).contains(&field), "{entity}.{field}");
    }
}
