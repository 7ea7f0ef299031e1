//! A tool's typed input struct is the one place its arguments are described. The struct derives
//! `Deserialize` (what the handler receives) and `JsonSchema` (what `tools/list` shows), and
//! this module turns the derived schema into the tool's [`Param`]s: names and order from serde,
//! required-ness from `Option`, descriptions from doc comments, ranges and lengths from
//! `#[schemars(range(..), length(..))]`, `date-time` from a `format`, and everything an entity
//! field brings (type, length, picklist, reference, required on create) from the generated
//! registry through an [`Arg`] attached with `#[schemars(extend("x-arg" = …))]`:
//!
//! ```ignore
//! #[derive(Deserialize, JsonSchema)]
//! #[serde(rename_all = "camelCase")]
//! pub struct SearchTickets {
//!     #[schemars(extend("x-arg" = arg::eq(tickets::STATUS)))]
//!     pub status: Option<Value>,
//!     /// Leave out closed tickets.
//!     pub open_only: Option<bool>,
//! }
//! ```
//!
//! Validation ([`super::param::validate`]) still reports every problem at once from these
//! params, before the struct is deserialized. A declaration that cannot hold (a field of another
//! entity, a read-only field on a write, a type that does not fit) is a defect, which a test
//! asserts there are none of.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::kind::{Kind, MAX_TEXT};
use super::param::{self, Op, Param, Source};
use crate::registry::{self, EntityDef, FieldDef};

/// The schema extension an [`Arg`] rides under; never shown in `tools/list`.
pub const ARG_KEY: &str = "x-arg";

/// What an argument is beyond its Rust type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "is", rename_all = "camelCase")]
pub enum Arg {
    /// A field of the tool's entity, sent under its own name.
    #[serde(rename_all = "camelCase")]
    Field {
        entity: String,
        field: String,
        /// On a create: the tool fills it when left out (a tenant default, a default role).
        #[serde(default)]
        filled: bool,
        /// A 0/1 integer field that takes `true`/`false`.
        #[serde(default)]
        flag: bool,
        /// A shorter text cap than the field's.
        #[serde(default)]
        max: Option<u32>,
    },
    /// A named filter: `op` on one field, or on any of several (ORed).
    #[serde(rename_all = "camelCase")]
    Filter {
        entity: String,
        fields: Vec<String>,
        op: Op,
        #[serde(default)]
        flag: bool,
    },
    /// User-defined fields by name: a name → value map (`userDefinedFields`).
    Udfs,
}

/// The constructors used in `#[schemars(extend("x-arg" = …))]`.
pub mod arg {
    use super::Arg;
    use crate::registry::Field;
    use crate::tools::spec::param::Op;

    fn field_arg(f: Field, filled: bool, flag: bool) -> Arg {
        Arg::Field {
            entity: f.entity().name().to_string(),
            field: f.name().to_string(),
            filled,
            flag,
            max: None,
        }
    }

    /// Entity field `f` under its own name.
    pub fn field(f: Field) -> Arg {
        field_arg(f, false, false)
    }

    /// Entity field `f`, which the tool fills when a create leaves it out.
    pub fn filled(f: Field) -> Arg {
        field_arg(f, true, false)
    }

    /// Entity field `f`, a 0/1 integer taken as `true`/`false`.
    pub fn flag(f: Field) -> Arg {
        field_arg(f, false, true)
    }

    /// Like [`flag`], filled by the tool when a create leaves it out.
    pub fn filled_flag(f: Field) -> Arg {
        field_arg(f, true, true)
    }

    /// A named filter: `op` on `f`.
    pub fn filter(op: Op, f: Field) -> Arg {
        any_of(op, &[f])
    }

    /// A named filter: `op` on any of `fields` (ORed).
    pub fn any_of(op: Op, fields: &[Field]) -> Arg {
        Arg::Filter {
            entity: fields
                .first()
                .map(|f| f.entity().name().to_string())
                .unwrap_or_default(),
            fields: fields.iter().map(|f| f.name().to_string()).collect(),
            op,
            flag: false,
        }
    }

    /// A named filter: equal to `f`.
    pub fn eq(f: Field) -> Arg {
        filter(Op::Eq, f)
    }

    /// A named filter: `f` contains the text.
    pub fn contains(f: Field) -> Arg {
        filter(Op::Contains, f)
    }

    /// A named filter: `f` at or after the date-time.
    pub fn from(f: Field) -> Arg {
        filter(Op::From, f)
    }

    /// A named filter: `f` before the date-time.
    pub fn before(f: Field) -> Arg {
        filter(Op::Before, f)
    }

    /// A named filter: a 0/1 integer field equal to `true`/`false`.
    pub fn flag_eq(f: Field) -> Arg {
        match filter(Op::Eq, f) {
            Arg::Filter {
                entity, fields, op, ..
            } => Arg::Filter {
                entity,
                fields,
                op,
                flag: true,
            },
            other => other,
        }
    }

    /// `userDefinedFields`: UDF name → value.
    pub fn udfs() -> Arg {
        Arg::Udfs
    }
}

/// What an input struct declares: its params and what is wrong with the declaration.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    pub params: Vec<Param>,
    pub defects: Vec<String>,
}

/// What the params are for: the tool's entity, and whether it writes or creates.
#[derive(Debug, Clone, Copy)]
pub struct ToolShape {
    pub entity: Option<&'static EntityDef>,
    pub writes: bool,
    pub creates: bool,
}

/// The derived JSON Schema of `A`, subschemas inlined.
pub fn schema_of<A: JsonSchema>() -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.inline_subschemas = true;
    settings
        .into_generator()
        .into_root_schema_for::<A>()
        .as_value()
        .clone()
}

/// The params `A` declares for a tool of `shape`.
pub fn params_of<A: JsonSchema>(shape: ToolShape) -> Declared {
    declared(&schema_of::<A>(), shape)
}

/// The params a derived schema declares.
pub fn declared(schema: &Value, shape: ToolShape) -> Declared {
    let mut out = Declared::default();
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return out;
    };
    for (name, prop) in properties {
        match param(name, prop, required.contains(&name.as_str()), shape) {
            Ok(p) => out.params.push(p),
            Err(defect) => out.defects.push(format!("{name}: {defect}")),
        }
    }
    out
}

/// The JSON type a derived property schema gives (`["string", "null"]` → `string`).
fn json_type(prop: &Value) -> Option<&str> {
    match prop.get("type")? {
        Value::String(t) => Some(t),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => None,
    }
}

/// The kind a property's own schema gives, without an [`Arg`].
fn own_kind(prop: &Value) -> Result<Kind, String> {
    let int = |k: &str| prop.get(k).and_then(Value::as_i64);
    match json_type(prop) {
        Some("integer") => Ok(Kind::Int {
            min: int("minimum").ok_or("an integer needs #[schemars(range(min = ..))]")?,
            max: int("maximum").unwrap_or(i64::MAX),
        }),
        Some("number") => Ok(Kind::Number),
        Some("boolean") => Ok(Kind::Bool),
        Some("string") if prop.get("format").and_then(Value::as_str) == Some("date-time") => {
            Ok(Kind::DateTime)
        }
        Some("string") => Ok(Kind::Text {
            max: prop
                .get("maxLength")
                .and_then(Value::as_u64)
                .and_then(|m| u32::try_from(m).ok())
                .unwrap_or(MAX_TEXT),
        }),
        Some("object") => Ok(Kind::Json),
        Some("array") if prop.get("items").and_then(json_type) == Some("string") => Ok(Kind::Names),
        other => Err(format!(
            "no kind for a {} (give it an x-arg, or a type the tools take)",
            other.unwrap_or("value of any type")
        )),
    }
}

/// The registry field `entity.field`, which must belong to the tool's entity.
fn registry_field(
    shape: ToolShape,
    entity: &str,
    field: &str,
) -> Result<(&'static EntityDef, &'static FieldDef), String> {
    let e = registry::find(entity).ok_or_else(|| format!("no entity {entity}"))?;
    if shape.entity.is_some_and(|t| t.name != e.name) {
        return Err(format!(
            "{entity}.{field} is not a field of the tool's entity {}",
            shape.entity.map_or("", |t| t.name)
        ));
    }
    let f = e
        .field(field)
        .ok_or_else(|| format!("{entity} has no field {field}"))?;
    Ok((e, f))
}

fn param(name: &str, prop: &Value, required: bool, shape: ToolShape) -> Result<Param, String> {
    let name: &'static str = leak(name);
    let description = prop
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let arg = match prop.get(ARG_KEY) {
        Some(v) => Some(Arg::deserialize(v).map_err(|e| format!("a bad {ARG_KEY}: {e}"))?),
        None => None,
    };
    let (kind, description, source) = match arg {
        None => (own_kind(prop)?, description, Source::Own),
        Some(Arg::Udfs) => {
            if shape.entity.is_none_or(|e| !e.has_user_defined_fields) {
                return Err("the tool's entity has no user-defined fields".into());
            }
            (Kind::Json, description, Source::Own)
        }
        Some(Arg::Field {
            entity,
            field,
            filled,
            flag,
            max,
        }) => {
            let (e, f) = registry_field(shape, &entity, &field)?;
            if f.name != name {
                return Err(format!("the argument is named {name} but sends {}", f.name));
            }
            let kind = match (flag, max) {
                (true, _) => Kind::Flag,
                (false, Some(max)) => Kind::Text { max },
                (false, None) => Kind::of_field(e, f),
            };
            if !kind.fits_field(e, f) {
                return Err(format!("{kind:?} does not fit {}.{}", e.name, f.name));
            }
            if shape.writes && f.is_read_only {
                return Err(format!("{}.{} is read-only", e.name, f.name));
            }
            if shape.creates && f.is_required && !required && !filled {
                return Err(format!(
                    "{}.{} is required to create: make it required, or arg::filled if the tool fills it",
                    e.name, f.name
                ));
            }
            let description = if description.is_empty() {
                param::field_description(f)
            } else {
                description
            };
            (kind, description, Source::Field(f))
        }
        Some(Arg::Filter {
            entity,
            fields,
            op,
            flag,
        }) => {
            let mut kinds = Vec::new();
            let mut names = Vec::new();
            for field in &fields {
                let (e, f) = registry_field(shape, &entity, field)?;
                if !f.is_queryable {
                    return Err(format!("{}.{} is not queryable", e.name, f.name));
                }
                kinds.push((Kind::of_field(e, f), f));
                names.push(f.name);
            }
            let kind = match (flag, kinds.as_slice()) {
                (true, [(_, f)]) => {
                    let e = registry_field(shape, &entity, f.name)?.0;
                    if !Kind::Flag.fits_field(e, f) {
                        return Err(format!("Flag does not fit {}.{}", e.name, f.name));
                    }
                    Kind::Flag
                }
                (true, _) => return Err("a flag filter takes one field".into()),
                (false, [(k, _)]) => *k,
                (false, []) => return Err("a filter names no field".into()),
                // Any of several text fields: as long as the longest.
                (false, many) => Kind::Text {
                    max: many
                        .iter()
                        .map(|(k, _)| match k {
                            Kind::Text { max } => *max,
                            _ => MAX_TEXT,
                        })
                        .max()
                        .unwrap_or(MAX_TEXT),
                },
            };
            let description = match (description.is_empty(), kinds.as_slice()) {
                (true, [(_, f)]) => param::field_description(f),
                _ => description,
            };
            (kind, description, Source::Filter { fields: names, op })
        }
    };
    Ok(Param {
        name,
        kind,
        required,
        description,
        source,
    })
}

/// Argument names live as long as the process: each input struct is read once, when the
/// inventory is built, and its names come from its `serde` attributes.
fn leak(name: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let names = NAMES.get_or_init(|| Mutex::new(HashSet::new()));
    let mut names = names
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = names.get(name) {
        return known;
    }
    let owned: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(owned);
    owned
}

/// The arguments of `values` an input struct holds: everything but the confirm token (the
/// gate's) and the idempotency key (the write pipeline's), as a JSON object.
pub fn own_values(params: &[Param], values: &Map<String, Value>, skip: &[&str]) -> Value {
    Value::Object(
        values
            .iter()
            .filter(|(k, _)| {
                params.iter().any(|p| p.name == k.as_str()) && !skip.contains(&k.as_str())
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{contacts, tickets};

    #[derive(Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Sample {
        #[serde(rename = "companyID")]
        #[schemars(extend("x-arg" = arg::field(tickets::COMPANY_ID)))]
        company_id: i64,
        #[schemars(extend("x-arg" = arg::filled(tickets::STATUS)))]
        status: Option<Value>,
        #[schemars(extend("x-arg" = arg::contains(tickets::TITLE)))]
        title_contains: Option<String>,
        /// Leave out closed ones.
        open_only: Option<bool>,
        #[schemars(range(min = 1, max = 500))]
        max_records: Option<i64>,
        #[schemars(length(max = 200))]
        closed_status_ids: Option<String>,
        #[schemars(extend("format" = "date-time"))]
        after: Option<String>,
        fields: Option<Vec<String>>,
        query: Option<Map<String, Value>>,
    }

    fn shape(creates: bool) -> ToolShape {
        ToolShape {
            entity: Some(tickets::ENTITY.def()),
            writes: creates,
            creates,
        }
    }

    #[test]
    fn the_struct_declares_names_order_kinds_and_sources() {
        let d = params_of::<Sample>(shape(false));
        assert_eq!(d.defects, Vec::<String>::new());
        let names: Vec<&str> = d.params.iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            [
                "companyID",
                "status",
                "titleContains",
                "openOnly",
                "maxRecords",
                "closedStatusIds",
                "after",
                "fields",
                "query"
            ]
        );
        let kinds: Vec<Kind> = d.params.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Int {
                    min: 0,
                    max: i32::MAX as i64
                },
                Kind::Pick {
                    entity: "Tickets",
                    field: "status"
                },
                Kind::Text { max: 255 },
                Kind::Bool,
                Kind::Int { min: 1, max: 500 },
                Kind::Text { max: 200 },
                Kind::DateTime,
                Kind::Names,
                Kind::Json,
            ]
        );
        assert!(d.params[0].required && !d.params[1].required);
        assert_eq!(d.params[3].description, "Leave out closed ones.");
        assert!(matches!(d.params[0].source, Source::Field(f) if f.name == "companyID"));
        assert!(
            matches!(&d.params[2].source, Source::Filter { fields, op: Op::Contains } if fields == &["title"])
        );
        assert!(matches!(d.params[3].source, Source::Own));
    }

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Wrong {
        #[schemars(extend("x-arg" = arg::field(contacts::FIRST_NAME)))]
        first_name: Option<String>,
        #[schemars(extend("x-arg" = arg::field(tickets::TICKET_NUMBER)))]
        #[serde(rename = "ticketNumber")]
        number: Option<String>,
        untyped: Option<i64>,
    }

    #[test]
    fn declarations_that_cannot_hold_are_defects() {
        let d = params_of::<Wrong>(shape(true));
        let text = d.defects.join("\n");
        assert!(
            text.contains("not a field of the tool's entity Tickets"),
            "{text}"
        );
        assert!(text.contains("Tickets.ticketNumber is read-only"), "{text}");
        assert!(text.contains("untyped: an integer needs"), "{text}");
        assert_eq!(d.defects.len(), 3, "{text}");
    }
}
