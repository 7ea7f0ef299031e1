//! Rust names for the generated code, chosen deterministically from the snapshot: entity
//! modules (`TicketNotes` → `ticket_notes`), field constants (`assignedResourceID` →
//! `ASSIGNED_RESOURCE_ID`), struct names (`TimeEntry`) and struct fields (`assigned_resource_id`).
//!
//! The rules, in order: convert the case with `heck`; prefix `_` when the result would start
//! with a digit; append `_` to a Rust keyword or a name the surrounding code reserves; then
//! append `_` until the name differs from every name given before it (entities in snapshot
//! order, which is sorted by collection name; fields in the snapshot's field order). The same
//! snapshot always gives the same names.

use std::collections::BTreeSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

use crate::model::{EntitySnapshot, FieldInfo};

/// Rust keywords (strict, reserved and weak ones usable as names nowhere we generate them).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Module names the `registry` module of `autotask-mcp` defines itself, beside the generated
/// entity modules (the compiler would also refuse a clash; this keeps it from ever arising).
pub const RESERVED_MODULES: &[&str] = &["generated", "handles", "serde_nullable", "tests"];

/// Constant names every generated entity module defines itself.
pub const RESERVED_CONSTANTS: &[&str] = &["ENTITY"];

/// Struct field names every generated struct defines itself.
const RESERVED_STRUCT_FIELDS: &[&str] = &["extra", "user_defined_fields"];

/// `candidate` made a valid, unreserved name, unique among `used` (which it joins).
fn unique(mut candidate: String, reserved: &[&str], used: &mut BTreeSet<String>) -> String {
    if candidate.is_empty() {
        candidate.push('_');
    }
    if candidate.starts_with(|c: char| c.is_ascii_digit()) {
        candidate.insert(0, '_');
    }
    if KEYWORDS.contains(&candidate.as_str()) || reserved.contains(&candidate.as_str()) {
        candidate.push('_');
    }
    while !used.insert(candidate.clone()) {
        candidate.push('_');
    }
    candidate
}

/// The module name of every entity, in the order given (`TicketNotes` → `ticket_notes`).
pub fn entity_modules(entities: &[EntitySnapshot]) -> Vec<String> {
    let mut used = BTreeSet::new();
    entities
        .iter()
        .map(|e| unique(e.name.to_snake_case(), RESERVED_MODULES, &mut used))
        .collect()
}

/// The constant name of every field of one entity, in field order
/// (`assignedResourceID` → `ASSIGNED_RESOURCE_ID`).
pub fn field_constants(fields: &[FieldInfo]) -> Vec<String> {
    let mut used = BTreeSet::new();
    fields
        .iter()
        .map(|f| unique(f.name.to_shouty_snake_case(), RESERVED_CONSTANTS, &mut used))
        .collect()
}

/// The struct field name of every field of one entity, in field order
/// (`assignedResourceID` → `assigned_resource_id`).
pub fn struct_fields(fields: &[FieldInfo]) -> Vec<String> {
    let mut used = BTreeSet::new();
    fields
        .iter()
        .map(|f| unique(f.name.to_snake_case(), RESERVED_STRUCT_FIELDS, &mut used))
        .collect()
}

/// The Rust struct name of an entity (`Ticket`, `TimeEntry`).
pub fn struct_name(e: &EntitySnapshot) -> String {
    e.info.name.to_upper_camel_case()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str) -> FieldInfo {
        serde_json::from_value(serde_json::json!({
            "name": name, "dataType": "integer", "length": 0, "isRequired": false,
            "isReadOnly": false, "isQueryable": true, "isReference": false,
            "referenceEntityType": "", "isPickList": false, "picklistParentValueField": "",
            "isSupportedWebhookField": false
        }))
        .unwrap()
    }

    fn entity(name: &str) -> EntitySnapshot {
        serde_json::from_value(serde_json::json!({
            "name": name,
            "info": {"name": name, "canCreate": false, "canDelete": false, "canQuery": true,
                     "canUpdate": false, "userAccessForCreate": 0, "userAccessForDelete": 0,
                     "userAccessForQuery": 0, "userAccessForUpdate": 0,
                     "hasUserDefinedFields": false, "supportsWebhookCallouts": false},
            "fields": [],
            "routes": {"root": {"query": true, "count": true, "get": true, "create": false,
                                "patch": false, "put": false, "delete": false},
                       "parents": []}
        }))
        .unwrap()
    }

    #[test]
    fn field_constants_are_screaming_snake_and_unique() {
        let fields: Vec<FieldInfo> = [
            "assignedResourceID",
            "id",
            "ID",
            "entity",
            "1099Box",
            "isActive",
            "is_active",
        ]
        .iter()
        .map(|n| field(n))
        .collect();
        assert_eq!(
            field_constants(&fields),
            [
                "ASSIGNED_RESOURCE_ID",
                "ID",
                "ID_",
                "ENTITY_",
                "_1099BOX",
                "IS_ACTIVE",
                "IS_ACTIVE_"
            ]
        );
    }

    #[test]
    fn entity_modules_are_snake_case_and_avoid_keywords_and_reserved_names() {
        let entities: Vec<EntitySnapshot> = ["TicketNotes", "Type", "Tests", "Ticketnotes"]
            .iter()
            .map(|n| entity(n))
            .collect();
        assert_eq!(
            entity_modules(&entities),
            ["ticket_notes", "type_", "tests_", "ticketnotes"]
        );
        let clash: Vec<EntitySnapshot> = ["TicketNotes", "Ticket_Notes"]
            .iter()
            .map(|n| entity(n))
            .collect();
        assert_eq!(entity_modules(&clash), ["ticket_notes", "ticket_notes_"]);
    }

    #[test]
    fn struct_fields_keep_the_existing_rules() {
        let fields: Vec<FieldInfo> = ["type", "extra", "assignedResourceID"]
            .iter()
            .map(|n| field(n))
            .collect();
        assert_eq!(
            struct_fields(&fields),
            ["type_", "extra_", "assigned_resource_id"]
        );
    }
}
