//! The review of a planned write against the metadata and the tenant, run before every write
//! (with or without its confirm token). It finds, all at once: fields Autotask requires on a create, read-only
//! fields, over-long texts, picklist codes the tenant does not have (or has inactive),
//! dependent picklist values that do not belong to their parent (`subIssueType` under
//! `issueType`), references to records that do not exist, a ticket resource without its
//! service-desk role, a time entry role the resource does not have, and the record an update
//! or delete names. It reads (never writes) what it needs: the tenant's picklists, one GET per
//! referenced record, the record changed, and for contacts and companies the likely
//! duplicates.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::plan::{WriteOp, WritePlan};
use super::{WriteDeps, duplicates, rules};
use crate::autotask::ReadIntent;
use crate::registry::{self, EntityDef, FieldDef};
use crate::tools::facts::naming::name_of;
use crate::tools::present::shape;
use crate::tools::spec::error::ToolError;
use crate::tools::tenant::picklists::{EntityPicklists, FieldPicklist, value_text};

/// Most referenced records looked up for one write.
const MAX_REFERENCES: usize = 8;
/// Most picklist values named in a problem.
const SHOWN_VALUES: usize = 30;

/// What the review found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Review {
    /// What would make Autotask refuse the write (or write something else than meant).
    pub problems: Vec<String>,
    /// The tenant's label of each picklist code in the body.
    pub labels: Map<String, Value>,
    /// The name of the record each reference in the body points to.
    pub refers: Map<String, Value>,
    /// An update's current values of the fields it changes.
    pub current: Map<String, Value>,
    /// Existing records the create would likely duplicate.
    pub duplicates: Vec<Value>,
}

fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        _ => false,
    }
}

/// The values of a picklist to name in a problem (active ones, under `parent` when given).
fn values_text(list: &FieldPicklist, parent: Option<&str>) -> String {
    let values: Vec<String> = list
        .values
        .iter()
        .filter(|v| v.is_active)
        .filter(|v| parent.is_none_or(|p| v.parent_value.as_deref() == Some(p)))
        .take(SHOWN_VALUES)
        .map(|v| format!("{} = {}", v.value, v.label))
        .collect();
    if values.is_empty() {
        "none".into()
    } else {
        values.join(", ")
    }
}

/// Checks one picklist value; returns its label.
fn check_pick(
    e: &EntityDef,
    f: &FieldDef,
    value: &Value,
    merged: &Map<String, Value>,
    lists: &EntityPicklists,
) -> Result<Option<String>, String> {
    let (Some(code), Some(list)) = (value_text(value), lists.field(f.name)) else {
        return Ok(None);
    };
    if list.values.is_empty() {
        return Ok(None);
    }
    let parent_field = list.parent_field.clone().or_else(|| {
        (!f.picklist_parent_value_field.is_empty())
            .then(|| f.picklist_parent_value_field.to_string())
    });
    let parent = parent_field
        .as_deref()
        .and_then(|pf| merged.get(pf))
        .and_then(value_text);
    let Some(found) = list.values.iter().find(|v| v.value == code) else {
        return Err(format!(
            "`{}` is {code}, which is not a value of {}.{} in this tenant. Values: {}",
            f.name,
            e.name,
            f.name,
            values_text(list, parent.as_deref())
        ));
    };
    if !found.is_active {
        return Err(format!(
            "`{}` is {code} ({}), which this tenant has made inactive. Values: {}",
            f.name,
            found.label,
            values_text(list, parent.as_deref())
        ));
    }
    if let (Some(pf), Some(needed)) = (parent_field.as_deref(), found.parent_value.as_deref()) {
        match parent.as_deref() {
            None => {
                return Err(format!(
                    "`{}` {code} ({}) belongs to {pf} {needed}: give {pf} too",
                    f.name, found.label
                ));
            }
            Some(p) if p != needed => {
                return Err(format!(
                    "`{}` {code} ({}) belongs to {pf} {needed}, not to {pf} {p}. Values for {pf} {p}: {}",
                    f.name,
                    found.label,
                    values_text(list, Some(p))
                ));
            }
            Some(_) => {}
        }
    }
    Ok(Some(found.label.clone()))
}

/// Reviews `plan` (see the module documentation). Autotask errors while reading end it:
/// nothing is sent then either.
pub async fn review(deps: WriteDeps<'_>, plan: &WritePlan) -> Result<Review, ToolError> {
    let mut r = Review::default();
    let Some(e) = registry::find(plan.entity) else {
        return Ok(r);
    };
    let mut merged = Map::new();
    if plan.op != WriteOp::Create
        && let Some(id) = plan.id
        && e.root.get
    {
        match deps
            .tenant
            .client
            .get(e.name, id, ReadIntent::Explicit)
            .await?
        {
            None => r.problems.push(format!(
                "{} has no record with id {id} (or the API user cannot see it)",
                e.name
            )),
            Some(Value::Object(record)) => merged = record,
            Some(_) => {}
        }
    }
    if plan.op == WriteOp::Update {
        for key in plan.body.keys().filter(|k| *k != "id") {
            r.current
                .insert(key.clone(), merged.get(key).cloned().unwrap_or(Value::Null));
        }
    }
    if plan.op == WriteOp::Delete {
        return Ok(r);
    }
    for (k, v) in &plan.body {
        merged.insert(k.clone(), v.clone());
    }
    let picks = plan
        .body
        .iter()
        .any(|(k, v)| !v.is_null() && e.field(k).is_some_and(|f| f.is_pick_list));
    let lists = if picks {
        Some(
            deps.tenant
                .picklists
                .get(e.name, ReadIntent::Explicit)
                .await?,
        )
    } else {
        None
    };
    let mut references: Vec<(String, &'static EntityDef, i64)> = Vec::new();
    for (k, v) in &plan.body {
        if k == "id" || k == "userDefinedFields" {
            continue;
        }
        let Some(f) = e.field(k) else {
            r.problems.push(format!("{} has no field `{k}`", e.name));
            continue;
        };
        if f.is_read_only {
            r.problems.push(format!(
                "`{k}` is read-only in {}: Autotask sets it",
                e.name
            ));
            continue;
        }
        if v.is_null() {
            if f.is_required {
                r.problems
                    .push(format!("`{k}` is required and cannot be cleared"));
            }
            continue;
        }
        if let Value::String(s) = v
            && f.length > 0
            && s.chars().count() > f.length as usize
        {
            r.problems.push(format!(
                "`{k}` has {} characters: {}.{k} takes at most {}",
                s.chars().count(),
                e.name,
                f.length
            ));
        }
        if f.is_pick_list
            && let Some(lists) = &lists
        {
            match check_pick(e, f, v, &merged, lists) {
                Ok(Some(label)) => {
                    r.labels.insert(k.clone(), json!(label));
                }
                Ok(None) => {}
                Err(problem) => r.problems.push(problem),
            }
        }
        if f.is_reference
            && let (Some(target), Some(id)) =
                (registry::by_singular(f.reference_entity_type), v.as_i64())
            && target.root.get
        {
            references.push((k.clone(), target, id));
        }
    }
    if plan.op == WriteOp::Create {
        for f in e.fields.iter().filter(|f| {
            f.is_required && !f.is_read_only && f.name != "id" && is_blank(plan.body.get(f.name))
        }) {
            r.problems.push(format!(
                "`{}` is required to create {} records",
                f.name, e.name
            ));
        }
    }
    let mut looked_up = BTreeSet::new();
    for (field, target, id) in references.into_iter().take(MAX_REFERENCES) {
        if !looked_up.insert((target.name, id)) {
            continue;
        }
        match deps.tenant.client.get(target.name, id, ReadIntent::Explicit).await? {
            None => r.problems.push(format!(
                "`{field}` is {id}, but there is no {} with id {id} (or the API user cannot see it)",
                target.singular
            )),
            Some(record) => {
                if let Some(name) = name_of(target.name, &record) {
                    r.refers.insert(field, json!(name));
                }
            }
        }
    }
    rules::check(deps.tenant, plan, &merged, &mut r.problems).await?;
    if !r.current.is_empty()
        && let Some(lists) = &lists
    {
        let mut current = Value::Object(std::mem::take(&mut r.current));
        shape::labels_in_place(&mut current, lists);
        if let Value::Object(map) = current {
            r.current = map;
        }
    }
    r.duplicates = duplicates::likely(deps, plan).await?;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket_lists() -> EntityPicklists {
        EntityPicklists::from_fields(&[
            json!({"name": "issueType", "picklistValues": [
                {"value": "1", "label": "Hardware", "isActive": true},
                {"value": "2", "label": "Software", "isActive": true}]}),
            json!({"name": "subIssueType", "picklistParentValueField": "issueType", "picklistValues": [
                {"value": "10", "label": "Printer", "parentValue": "1", "isActive": true},
                {"value": "20", "label": "Office", "parentValue": "2", "isActive": true},
                {"value": "21", "label": "Legacy", "parentValue": "2", "isActive": false}]}),
        ])
    }

    fn pick(field: &str, value: Value, merged: Value) -> Result<Option<String>, String> {
        let e = registry::find("Tickets").expect("Tickets");
        let f = e.field(field).unwrap();
        check_pick(
            e,
            f,
            &value,
            merged.as_object().unwrap_or(&Map::new()),
            &ticket_lists(),
        )
    }

    #[test]
    fn picklist_codes_and_dependent_values_are_checked() {
        assert_eq!(
            pick("subIssueType", json!(10), json!({"issueType": 1})),
            Ok(Some("Printer".into()))
        );
        let err = pick("subIssueType", json!(10), json!({"issueType": 2}))
            .err()
            .unwrap_or_default();
        assert!(
            err.contains("belongs to issueType 1, not to issueType 2")
                && err.contains("20 = Office")
                && !err.contains("Legacy"),
            "{err}"
        );
        let err = pick("subIssueType", json!(10), json!({}))
            .err()
            .unwrap_or_default();
        assert!(err.contains("give issueType too"), "{err}");
        let err = pick("issueType", json!(9), json!({}))
            .err()
            .unwrap_or_default();
        assert!(err.contains("not a value of Tickets.issueType"), "{err}");
        let err = pick("subIssueType", json!(21), json!({"issueType": 2}))
            .err()
            .unwrap_or_default();
        assert!(err.contains("inactive"), "{err}");
        // A field the tenant has no list for is not judged here.
        assert_eq!(pick("status", json!(1), json!({})), Ok(None));
    }
}
