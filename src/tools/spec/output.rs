//! Output schemas: the shape of every tool's `structuredContent`, declared once per kind of
//! answer (a page of records, one record, a write's outcome) and shared by every tool that
//! gives that kind of answer. Record properties are typed from the registry, so a record's
//! schema and the entity's metadata cannot disagree. Schemas stay small because every byte of
//! `tools/list` is paid in every conversation: records list the fields a tool promises, and
//! leave the rest open (`fields` and labels add properties).

use serde_json::{Map, Value, json};

use crate::registry::{DataType, EntityDef};

/// The kind of answer a tool gives.
#[derive(Debug, Clone, Copy)]
pub enum Output {
    /// A page of records of the tool's entity: `count`, `hasMore`, `items`.
    Search,
    /// One record of the tool's entity.
    Record,
    /// The outcome of a create, update or delete, or its preview (no id before a create).
    Written,
    /// A shape of the tool's own.
    Shape(fn() -> Value),
}

impl Output {
    /// The JSON Schema of this answer for a tool about `entity` (any entity when `None`).
    pub fn schema(self, entity: Option<&EntityDef>) -> Value {
        match self {
            Output::Search => search(entity),
            Output::Record => record(entity),
            Output::Written => written(),
            Output::Shape(shape) => shape(),
        }
    }
}

/// The JSON type of a registry data type.
pub fn json_type(t: DataType) -> &'static str {
    match t {
        DataType::Integer | DataType::Long | DataType::Short => "integer",
        DataType::Double | DataType::Decimal => "number",
        DataType::Boolean => "boolean",
        DataType::DateTime | DataType::String => "string",
    }
}

/// An object schema with these typed properties, the `required` ones listed.
pub fn object(properties: &[(&str, &str)], required: &[&str]) -> Value {
    let mut props = Map::new();
    for (name, ty) in properties {
        props.insert((*name).to_string(), json!({"type": ty}));
    }
    let mut schema = json!({"type": "object"});
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    if !props.is_empty() {
        schema["properties"] = Value::Object(props);
    }
    schema
}

/// One record: its `id` is required (its type is the entity's, in the docs; left out here,
/// where every byte is paid in every conversation).
pub fn record(_entity: Option<&EntityDef>) -> Value {
    object(&[], &["id"])
}

/// A page of records, as a table: `columns` (the first is the record id) and `rows` (arrays).
pub fn search(_entity: Option<&EntityDef>) -> Value {
    object(&[], &["columns", "rows"])
}

/// The outcome of a write (`operation` created, updated or deleted, with `record` as it stands
/// after), or its preview (`operation` preview: a create has no id yet).
pub fn written() -> Value {
    object(&[], &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    #[test]
    fn records_require_their_id_and_pages_their_table() {
        let tickets = registry::find("Tickets");
        assert!(tickets.is_some());
        assert_eq!(
            record(tickets),
            json!({"type": "object", "required": ["id"]})
        );
        let page = search(tickets);
        assert_eq!(page["required"], json!(["columns", "rows"]));
    }
}
