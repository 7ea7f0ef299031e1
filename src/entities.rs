//! Typed structs for every Autotask entity, generated at build time from the metadata snapshot
//! (`OUT_DIR/entities.rs`). Fields keep the wire's camelCase names; each is a `Nullable<T>` so
//! absent, `null` and a value stay distinct; unknown fields are kept in `extra`. The tools
//! take their own typed inputs and read records as JSON, so these structs are compiled for
//! the tests that pin the wire's shape (below), not into the binary.

use crate::registry::{Nullable, UserDefinedField, serde_nullable};

include!(concat!(env!("OUT_DIR"), "/entities.rs"));

#[cfg(test)]
mod tests {
    // Responses shaped like real Autotask answers (null vs "" conventions, dates without a zone,
    // user-defined fields, only the included fields, a field newer than the snapshot) go through
    // the generated types and come back without losing or inventing a field.
    use super::{Company, Ticket, TicketNote};
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn round_trip<T: DeserializeOwned + Serialize>(item: &Value) -> Value {
        let typed: T =
            serde_json::from_value(item.clone()).unwrap_or_else(|e| panic!("{e}: {item}"));
        serde_json::to_value(&typed).unwrap()
    }

    fn items(response: &Value) -> &Vec<Value> {
        response["items"]
            .as_array()
            .unwrap_or_else(|| panic!("no items in {response}"))
    }

    #[test]
    fn full_company_rows_round_trip_exactly() {
        let response = fixture("companies-query-response.json");
        for item in items(&response) {
            assert_eq!(&round_trip::<Company>(item), item);
        }
    }

    #[test]
    fn included_fields_stay_the_only_fields() {
        let response = fixture("companies-query-include-fields-response.json");
        for item in items(&response) {
            let back = round_trip::<Company>(item);
            assert_eq!(&back, item);
            assert_eq!(
                back.as_object().map(|o| o.len()),
                item.as_object().map(|o| o.len())
            );
        }
    }

    #[test]
    fn typed_fields_keep_null_apart_from_absent_and_unknown_fields_survive() {
        let response = fixture("ticket-get-response.json");
        let item = &response["item"];
        assert_eq!(&round_trip::<Ticket>(item), item);
        let ticket: Ticket = serde_json::from_value(item.clone()).unwrap();
        assert_eq!(ticket.status, Some(Some(8)));
        assert_eq!(ticket.contact_id, Some(None), "explicit null");
        assert_eq!(ticket.completed_date, None, "absent");
        assert_eq!(
            ticket.ticket_number.as_ref().and_then(|v| v.as_deref()),
            Some("T20261120.0042")
        );
        assert!(ticket.extra.contains_key("aFieldAddedAfterTheSnapshot"));
        let udfs = ticket.user_defined_fields.unwrap_or_default();
        assert_eq!(
            (udfs[0].name.as_str(), udfs[0].value.as_deref()),
            ("Site", Some("HQ"))
        );
        assert_eq!(Ticket::ENTITY, "Tickets");
    }

    #[test]
    fn child_rows_round_trip() {
        let response = fixture("ticket-notes-child-list-response.json");
        for item in items(&response) {
            assert_eq!(&round_trip::<TicketNote>(item), item);
        }
    }

    #[test]
    fn a_patch_body_can_clear_a_field_without_sending_the_others() {
        let patch = Ticket {
            id: Some(Some(7715)),
            assigned_resource_id: Some(None),
            ..Ticket::default()
        };
        let body = serde_json::to_value(&patch).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"id": 7715, "assignedResourceID": null})
        );
    }
}
