//! The generic writes (`create-entity`, `update-entity`, `delete-entity`): a body checked
//! against the registry's fields before anything is sent (names case-insensitively with
//! suggestions, types and lengths through the one coercion path, read-only fields dropped with
//! a note, picklist labels resolved by the one label resolver), and the route Autotask wants
//! (a child entity under its parent, from the registry).

use serde_json::{Map, Value, json};

use super::args::{ByIdArgs, FieldsArgs, Target};
use super::target::{about, child, entity, operations};
use crate::autotask::ReadIntent;
use crate::registry::{EntityDef, WriteKind, WriteRoute};
use crate::tools::call::context::Context;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::kind::{self as value, Coerced, Kind};
use crate::tools::spec::query;
use crate::tools::tenant::labels::{self, Wanted};
use crate::tools::write::plan::{WriteOp, WritePlan};

/// A write body after checking: registry spellings, notes on what was dropped, and the
/// picklist fields given as labels (to resolve after the confirm gate).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckedBody {
    pub body: Map<String, Value>,
    pub notes: Vec<String>,
    pub labels: Vec<Wanted>,
}

fn udf_problem(e: &EntityDef, value: &Value) -> Option<String> {
    if !e.has_user_defined_fields {
        return Some(format!("{} has no user-defined fields", e.name));
    }
    let ok = value.as_array().is_some_and(|items| {
        items.iter().all(|u| {
            u.get("name").is_some_and(Value::is_string)
                && u.get("value").is_none_or(|v| v.is_string() || v.is_null())
        })
    });
    (!ok).then(|| {
        "`userDefinedFields` must be an array of {\"name\": \"<name>\", \"value\": \"<text>\"}"
            .into()
    })
}

/// Checks a write body against the entity's fields: names (case-insensitive, with
/// suggestions; two spellings of one field are refused), types and lengths. Read-only fields
/// are dropped with a note.
pub fn check_body(e: &EntityDef, fields: &Value, update: bool) -> Result<CheckedBody, ToolError> {
    let Some(obj) = fields.as_object() else {
        return Err(ToolError::Invalid(
            "`fields` must be a JSON object of field values".into(),
        ));
    };
    let mut out = CheckedBody::default();
    let mut problems = Vec::new();
    let mut seen: Map<String, Value> = Map::new();
    for (key, value) in obj {
        let canonical = if key.eq_ignore_ascii_case("userDefinedFields") {
            "userDefinedFields"
        } else {
            match query::field_name(e, key) {
                Ok(name) => name,
                Err(err) => {
                    problems.push(err.to_string());
                    continue;
                }
            }
        };
        if let Some(first) = seen.insert(canonical.to_string(), json!(key)) {
            problems.push(format!(
                "{} and `{key}` name the same field `{canonical}`: send it once",
                first
                    .as_str()
                    .map_or_else(String::new, |k| format!("`{k}`"))
            ));
            continue;
        }
        if canonical == "userDefinedFields" {
            match udf_problem(e, value) {
                Some(problem) => problems.push(problem),
                None => {
                    out.body.insert(canonical.into(), value.clone());
                }
            }
            continue;
        }
        let Some(f) = e.field(canonical) else {
            continue;
        };
        if f.name == "id" {
            if update {
                match value::coerce(value::ID, value) {
                    Some(Coerced::Ready(id)) => {
                        out.body.insert("id".into(), id);
                    }
                    _ => problems
                        .push("`id` must be the record's id (a non-negative whole number)".into()),
                }
            } else {
                out.notes
                    .push("`id` was left out: Autotask assigns it".into());
            }
            continue;
        }
        if f.is_read_only {
            out.notes
                .push(format!("`{}` is read-only and was left out", f.name));
            continue;
        }
        if value.is_null() {
            if update && !f.is_required {
                out.body.insert(f.name.into(), Value::Null);
            } else if f.is_required {
                problems.push(format!("`{}` is required and cannot be null", f.name));
            }
            continue;
        }
        let kind = Kind::of_field(e, f);
        match value::coerce(kind, value) {
            Some(Coerced::Ready(v)) => {
                out.body.insert(f.name.into(), v);
            }
            Some(Coerced::Label(label)) => {
                out.body.insert(f.name.into(), json!(label));
                out.labels.push(Wanted {
                    key: f.name.to_string(),
                    entity: e.name,
                    field: f.name,
                });
            }
            None => problems.push(format!(
                "`{}` is {}: expected {}",
                f.name,
                value::describe(value),
                kind.hint()
            )),
        }
    }
    if update && !out.body.contains_key("id") {
        problems.push("`fields` must include \"id\", the id of the record to update".into());
    }
    if update && out.body.len() < 2 {
        problems.push("`fields` has nothing to change besides the id".into());
    }
    if !problems.is_empty() {
        return Err(ToolError::Invalid(format!(
            "the {} body was not sent: {}",
            e.name,
            problems.join("; ")
        )));
    }
    Ok(out)
}

/// The entity a write names: `entity`, or a child segment of `parentEntity` (`Notes`).
pub fn write_target(target: &Target) -> Result<&'static EntityDef, ToolError> {
    match &target.parent_entity {
        Some(parent) => child(&target.entity, parent).map(|(e, _)| e),
        None => entity(&target.entity),
    }
}

fn id_in(v: &Value) -> Option<i64> {
    match value::coerce(value::ID, v) {
        Some(Coerced::Ready(Value::Number(n))) => n.as_i64(),
        _ => None,
    }
}

/// Where a write goes, filling the parent foreign key into the body when needed.
async fn write_route(
    ctx: &Context,
    target: &Target,
    e: &'static EntityDef,
    kind: WriteKind,
    body: &mut Map<String, Value>,
    record_id: Option<i64>,
) -> Result<String, ToolError> {
    let verb = match kind {
        WriteKind::Create => "created",
        WriteKind::Patch | WriteKind::Put => "updated",
        WriteKind::Delete => "deleted",
    };
    let route = match &target.parent_entity {
        Some(parent) => {
            let (_, route) = child(e.name, parent)?;
            let supported = match kind {
                WriteKind::Create => route.create,
                WriteKind::Patch => route.patch,
                WriteKind::Put => route.put,
                WriteKind::Delete => route.delete,
            };
            if !supported {
                return Err(ToolError::Invalid(format!(
                    "{} cannot be {verb} under {}",
                    e.name, route.parent
                )));
            }
            route
        }
        None => match e.write_route(kind) {
            Some(WriteRoute::Root) => return Ok(e.name.to_string()),
            Some(WriteRoute::Parent(route)) => route,
            None => {
                return Err(ToolError::Invalid(format!(
                    "{} records cannot be {verb} through the Autotask API (it supports: {}).",
                    e.name,
                    operations(e).join(", ")
                )));
            }
        },
    };
    let fk = route.foreign_key;
    let from_body = (!fk.is_empty())
        .then(|| body.get(fk).and_then(id_in))
        .flatten();
    let pid = match (target.parent_id, from_body) {
        (Some(p), Some(b)) if p != b => {
            return Err(ToolError::Invalid(format!(
                "parentId {p} and {fk} {b} disagree: pass one of them"
            )));
        }
        (Some(p), _) | (None, Some(p)) => p,
        (None, None) => match record_id {
            Some(id) if e.root.get && !fk.is_empty() => {
                let record = ctx
                    .tenant
                    .client
                    .get(e.name, id, ReadIntent::Explicit)
                    .await?
                    .ok_or_else(|| {
                        ToolError::NotFound(format!(
                            "{} has no record with id {id}; check the id with query-entity",
                            e.name
                        ))
                    })?;
                record.get(fk).and_then(id_in).ok_or_else(|| {
                    ToolError::Invalid(format!(
                        "could not tell which {} record {} {id} belongs to: pass parentId",
                        route.parent, e.name
                    ))
                })?
            }
            _ => {
                return Err(ToolError::Invalid(format!(
                    "{} records are {verb} under their {} record: pass parentId{}",
                    e.name,
                    route.parent,
                    if fk.is_empty() {
                        String::new()
                    } else {
                        format!(" or `{fk}` in fields")
                    }
                )));
            }
        },
    };
    if !fk.is_empty() && kind != WriteKind::Delete {
        body.insert(fk.to_string(), json!(pid));
    }
    Ok(format!("{}/{pid}/{}", route.parent, route.segment))
}

/// Checks a create or update body and routes it.
async fn plan(ctx: &Context, a: &FieldsArgs, op: WriteOp) -> Result<WritePlan, ToolError> {
    let target = a.target();
    let e = write_target(&target)?;
    let update = op == WriteOp::Update;
    let CheckedBody {
        mut body,
        notes,
        labels,
    } = check_body(e, &a.fields, update).map_err(about("fields"))?;
    let (kind, id) = if update {
        (WriteKind::Patch, body.get("id").and_then(id_in))
    } else {
        (WriteKind::Create, None)
    };
    let path = write_route(ctx, &target, e, kind, &mut body, id).await?;
    if !update {
        let missing: Vec<&str> = e
            .fields
            .iter()
            .filter(|f| {
                f.is_required && !f.is_read_only && f.name != "id" && !body.contains_key(f.name)
            })
            .map(|f| f.name)
            .collect();
        if !missing.is_empty() {
            return Err(ToolError::Invalid(format!(
                "{} needs {} to be created; add them to fields (describe-entity-fields {} lists their values).",
                e.name,
                missing.join(", "),
                e.name
            )));
        }
    }
    labels::resolve(&ctx.tenant, &mut body, &labels).await?;
    Ok(WritePlan::new(op, e.name, path)
        .body(body)
        .notes(notes)
        .read_with(&format!("get-entity {}", e.name)))
}

pub async fn create_entity(ctx: &Context, a: FieldsArgs) -> Result<WritePlan, ToolError> {
    plan(ctx, &a, WriteOp::Create).await
}

pub async fn update_entity(ctx: &Context, a: FieldsArgs) -> Result<WritePlan, ToolError> {
    plan(ctx, &a, WriteOp::Update).await
}

pub async fn delete_entity(ctx: &Context, a: ByIdArgs) -> Result<WritePlan, ToolError> {
    let target = a.target();
    let e = write_target(&target)?;
    let mut body = Map::new();
    let path = write_route(ctx, &target, e, WriteKind::Delete, &mut body, Some(a.id)).await?;
    Ok(WritePlan::new(WriteOp::Delete, e.name, path).id(a.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    fn tickets() -> &'static EntityDef {
        registry::find("Tickets").expect("Tickets missing")
    }

    fn refused(fields: Value, update: bool) -> String {
        match check_body(tickets(), &fields, update) {
            Err(e) => e.to_string(),
            Ok(body) => panic!("{fields} was accepted: {body:?}"),
        }
    }

    #[test]
    fn bodies_are_checked_against_the_registry() -> Result<(), ToolError> {
        let checked = check_body(
            tickets(),
            &json!({"Title": "x", "companyid": "5", "status": "New", "ticketNumber": "T1"}),
            false,
        )?;
        assert_eq!(
            Value::Object(checked.body),
            json!({"title": "x", "companyID": 5, "status": "New"})
        );
        assert_eq!(
            checked.labels,
            vec![Wanted {
                key: "status".into(),
                entity: "Tickets",
                field: "status"
            }]
        );
        assert!(checked.notes.iter().any(|n| n.contains("ticketNumber")));
        let err = refused(json!({"titel": "x"}), false);
        assert!(err.contains("did you mean title"), "{err}");
        let err = refused(json!({"title": "x".repeat(300), "companyID": 1.5}), false);
        assert!(
            err.contains("at most 255") && err.contains("`companyID`"),
            "{err}"
        );
        let err = refused(json!({"title": "x"}), true);
        assert!(err.contains("must include \"id\""), "{err}");
        Ok(())
    }

    #[test]
    fn two_spellings_of_one_field_are_refused() {
        let err = refused(json!({"title": "a", "TITLE": "b", "companyID": 1}), false);
        assert!(err.contains("name the same field `title`"), "{err}");
    }
}
