//! Names of records from the facts: the name of one record, and which reference fields point
//! to an entity with a known name.

use serde_json::Value;

use super::model::names;
use crate::registry::{self, EntityDef};

/// The fields naming a record of `entity`, if it has a known name.
pub fn name_fields(entity: &str) -> Option<Vec<&'static str>> {
    super::of(entity)
        .map(|f| names(f.name))
        .filter(|f| !f.is_empty())
}

/// The name of `record` of `entity`: its name fields, joined; for an entity without known
/// name fields, the first of the usual ones it has.
pub fn name_of(entity: &str, record: &Value) -> Option<String> {
    const USUAL: &[&[&str]] = &[
        &["firstName", "lastName"],
        &["companyName"],
        &["projectName"],
        &["name"],
        &["title"],
        &["userName"],
        &["ticketNumber"],
    ];
    match name_fields(entity) {
        Some(fields) => joined(&fields, record),
        None => USUAL.iter().find_map(|fields| joined(fields, record)),
    }
}

fn joined(fields: &[&str], record: &Value) -> Option<String> {
    let parts: Vec<&str> = fields
        .iter()
        .filter_map(|f| record.get(*f).and_then(Value::as_str))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The entity a reference field of `entity` points to, when its records have names.
pub fn named_reference(entity: &EntityDef, field: &str) -> Option<&'static EntityDef> {
    let f = entity.field(field).filter(|f| f.is_reference)?;
    let target = registry::by_singular(f.reference_entity_type)?;
    name_fields(target.name).map(|_| target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_join_their_fields() {
        assert_eq!(
            name_of("Contacts", &json!({"firstName": "Ann", "lastName": "Lee"})),
            Some("Ann Lee".into())
        );
        assert_eq!(name_of("Companies", &json!({"id": 1})), None);
        assert_eq!(
            name_of("Anything", &json!({"name": "Gold", "title": "x"})),
            Some("Gold".into())
        );
        let tickets = registry::find("Tickets").expect("Tickets missing");
        assert_eq!(
            named_reference(tickets, "assignedResourceID").map(|e| e.name),
            Some("Resources")
        );
        assert!(named_reference(tickets, "title").is_none());
    }
}
