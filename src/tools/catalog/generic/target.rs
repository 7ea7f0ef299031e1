//! What a generic tool's `entity` and `parentEntity` name: the registry entity (any casing,
//! singular too, with "did you mean"), a child collection under its parent, the operations an
//! entity supports, and its outline from the registry.

use serde_json::{Value, json};

use super::args::Target;
use crate::registry::{self, EntityDef, ParentRoute};
use crate::tools::spec::error::ToolError;

/// Names the argument an error is about (`query`, `fields`).
pub fn about(arg: &str) -> impl Fn(ToolError) -> ToolError + '_ {
    move |e| match e {
        ToolError::Invalid(m) => ToolError::Invalid(format!("`{arg}`: {m}")),
        other => other,
    }
}

pub fn entity(name: &str) -> Result<&'static EntityDef, ToolError> {
    registry::lookup(name).map_err(|e| ToolError::Invalid(e.to_string()))
}

/// The entity and parent route named by `entity` + `parentEntity` (`Notes` under `Tickets`, or
/// `TicketNotes` under `Tickets`).
pub fn child(
    name: &str,
    parent: &str,
) -> Result<(&'static EntityDef, &'static ParentRoute), ToolError> {
    let parent_def = entity(parent)?;
    if let Some(e) = registry::find(name)
        && let Some(route) = e.parent_route(parent_def.name)
    {
        return Ok((e, route));
    }
    for e in registry::entities() {
        if let Some(route) = e.parent_route(parent_def.name)
            && route.segment.eq_ignore_ascii_case(name.trim())
        {
            return Ok((e, route));
        }
    }
    let children: Vec<String> = registry::entities()
        .iter()
        .filter_map(|e| {
            e.parent_route(parent_def.name)
                .map(|r| format!("{} ({})", r.segment, e.name))
        })
        .collect();
    Err(ToolError::Invalid(if children.is_empty() {
        format!(
            "{} has no child collections; call without parentEntity",
            parent_def.name
        )
    } else {
        format!(
            "{} is not a child collection of {}. Its children: {}",
            name.chars().take(60).collect::<String>(),
            parent_def.name,
            children.join(", ")
        )
    }))
}

pub fn parent_id(target: &Target, route: &ParentRoute) -> Result<i64, ToolError> {
    target.parent_id.ok_or_else(|| {
        ToolError::Invalid(format!(
            "pass parentId: the id of the {} record",
            route.parent
        ))
    })
}

/// The operations an entity supports, at its root or under a parent.
pub fn operations(e: &EntityDef) -> Vec<&'static str> {
    let mut ops = Vec::new();
    let any = |f: fn(&ParentRoute) -> bool| e.parents.iter().any(f);
    if e.root.query {
        ops.push("query");
    }
    if e.root.count {
        ops.push("count");
    }
    if e.root.get || any(|p| p.get) {
        ops.push("get");
    }
    if e.root.create || any(|p| p.create) {
        ops.push("create");
    }
    if e.root.patch || any(|p| p.patch) {
        ops.push("update");
    }
    if e.root.delete || any(|p| p.delete) {
        ops.push("delete");
    }
    ops
}

/// What the registry knows of entity `e`, without an API call: its operations, the routes of
/// its child collections and its fields (type, flags, length, reference target).
pub fn outline(e: &EntityDef) -> Value {
    let fields: Vec<Value> = e
        .fields
        .iter()
        .map(|f| {
            let mut v = json!({"name": f.name, "dataType": f.data_type.as_str()});
            for (k, on) in [
                ("isRequired", f.is_required),
                ("isReadOnly", f.is_read_only),
                ("isPickList", f.is_pick_list),
            ] {
                if on {
                    v[k] = json!(true);
                }
            }
            if !f.reference_entity_type.is_empty() {
                v["referenceEntityType"] = json!(f.reference_entity_type);
            }
            v
        })
        .collect();
    let parents: Vec<String> = e
        .parents
        .iter()
        .map(|p| format!("{}/{{id}}/{}", p.parent, p.segment))
        .collect();
    json!({"name": e.name, "operations": operations(e), "childOf": parents, "fields": fields})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_resolve_by_segment_or_entity_name() {
        assert!(
            matches!(child("Notes", "tickets"), Ok((e, r)) if e.name == "TicketNotes" && r.segment == "Notes")
        );
        assert!(matches!(child("TicketNotes", "Tickets"), Ok((e, _)) if e.name == "TicketNotes"));
        match child("Bogus", "Tickets") {
            Err(e) => assert!(e.to_string().contains("Notes (TicketNotes)"), "{e}"),
            Ok((e, _)) => panic!("Bogus resolved to {}", e.name),
        }
    }
}
