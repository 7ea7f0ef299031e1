//! The review of a planned write against the metadata and the tenant, run before every write
//! (with or without its confirm token), and the preview a write tool answers without its
//! token. The review finds, all at once: fields Autotask requires on a create, read-only
//! fields, over-long texts, picklist codes the tenant does not have (or has inactive),
//! dependent picklist values that do not belong to their parent (`subIssueType` under
//! `issueType`), references to records that do not exist, a ticket resource without its
//! service-desk role, a time entry role the resource does not have, and the record an update
//! or delete names. It reads (never writes) what it needs: the tenant's picklists, one GET per
//! referenced record, the record changed, and for contacts and companies the likely
//! duplicates.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::writes::{WriteOp, WritePlan};
use super::{Context, ToolError, duplicates, gate, shape};
use crate::autotask::ReadIntent;
use crate::picklists::{EntityPicklists, value_text};
use crate::registry::{self, EntityDef, FieldDef};

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
fn values_text(list: &crate::picklists::FieldPicklist, parent: Option<&str>) -> String {
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

fn int(map: &Map<String, Value>, field: &str) -> Option<i64> {
    map.get(field).and_then(Value::as_i64)
}

fn list(ids: &[i64]) -> String {
    if ids.is_empty() {
        "none".into()
    } else {
        ids.iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The rules Autotask enforces on particular entities.
async fn rules(
    ctx: &Context,
    plan: &WritePlan,
    merged: &Map<String, Value>,
    problems: &mut Vec<String>,
) -> Result<(), ToolError> {
    let touches = |fields: &[&str]| fields.iter().any(|f| plan.body.contains_key(*f));
    match plan.entity {
        "Tickets" if touches(&["assignedResourceID", "assignedResourceRoleID"]) => {
            match (
                int(merged, "assignedResourceID"),
                int(merged, "assignedResourceRoleID"),
            ) {
                (Some(resource), Some(role)) => {
                    let roles = super::roles::role_ids(ctx, "ResourceServiceDeskRoles", resource).await?;
                    if !roles.contains(&role) {
                        problems.push(format!(
                            "resource {resource} does not have the service-desk role {role} (its service-desk roles: {}): assignedResourceRoleID must be one of them",
                            list(&roles)
                        ));
                    }
                }
                (None, None) => {}
                _ => problems.push(
                    "a ticket's assignedResourceID and assignedResourceRoleID go together: give both"
                        .into(),
                ),
            }
        }
        "TimeEntries" if touches(&["resourceID", "roleID"]) => {
            if let (Some(resource), Some(role)) = (int(merged, "resourceID"), int(merged, "roleID"))
            {
                let mut roles = super::roles::role_ids(ctx, "ResourceRoles", resource).await?;
                if !roles.contains(&role) {
                    roles.extend(
                        super::roles::role_ids(ctx, "ResourceServiceDeskRoles", resource).await?,
                    );
                    roles.sort_unstable();
                    roles.dedup();
                    if !roles.contains(&role) {
                        problems.push(format!(
                            "roleID {role} is not one of resource {resource}'s roles ({}): time is logged under a role the resource has",
                            list(&roles)
                        ));
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Reviews `plan` (see the module documentation). Autotask errors while reading end it:
/// nothing is sent then either.
pub async fn review(ctx: &Context, plan: &WritePlan) -> Result<Review, ToolError> {
    let mut r = Review::default();
    let Some(e) = registry::find(plan.entity) else {
        return Ok(r);
    };
    let mut merged = Map::new();
    if plan.op != WriteOp::Create
        && let Some(id) = plan.id
        && e.root.get
    {
        match ctx.client.get(e.name, id, ReadIntent::Explicit).await? {
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
        Some(ctx.picklists.get(e.name, ReadIntent::Explicit).await?)
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
        match ctx.client.get(target.name, id, ReadIntent::Explicit).await? {
            None => r.problems.push(format!(
                "`{field}` is {id}, but there is no {} with id {id} (or the API user cannot see it)",
                target.singular
            )),
            Some(record) => {
                if let Some(name) = super::names::name_of(target.name, &record) {
                    r.refers.insert(field, json!(name));
                }
            }
        }
    }
    rules(ctx, plan, &merged, &mut r.problems).await?;
    if !r.current.is_empty()
        && let Some(lists) = &lists
    {
        let mut current = Value::Object(std::mem::take(&mut r.current));
        shape::labels_in_place(&mut current, lists);
        if let Value::Object(map) = current {
            r.current = map;
        }
    }
    r.duplicates = duplicates::likely(ctx, plan).await?;
    Ok(r)
}

/// The answer of a write tool called without its confirm token: the exact request it would
/// send, what the review found, and the token. It cannot read as done: `sent` is false and
/// `next` starts with NOT SENT.
pub fn answer(
    tool: &str,
    plan: &WritePlan,
    review: &Review,
    acting_as: Option<i64>,
    mut notes: Vec<String>,
) -> Value {
    let token = gate::token_for(tool);
    let path = match (plan.op, plan.id) {
        (WriteOp::Delete, Some(id)) => format!("{}/{id}", plan.path),
        _ => plan.path.clone(),
    };
    let mut request = json!({"method": plan.op.method(), "path": path});
    if plan.op != WriteOp::Delete {
        let mut body = plan.body.clone();
        // A file's bytes are not repeated back: their size says what would go.
        if let Some(Value::String(data)) = body.get("data")
            && plan.entity.ends_with("Attachments")
        {
            let shown = format!("(base64, {} bytes)", super::attachments::decoded_len(data));
            body.insert("data".into(), json!(shown));
        }
        request["body"] = Value::Object(body);
    }
    if let Some(id) = acting_as {
        request["impersonationResourceId"] = json!(id);
    }
    let mut out = json!({"operation": "preview", "sent": false, "entity": plan.entity});
    if let Some(id) = plan.id {
        out["id"] = json!(id);
    }
    out["request"] = request;
    for (key, map) in [
        ("labels", &review.labels),
        ("refers", &review.refers),
        ("current", &review.current),
    ] {
        if !map.is_empty() {
            out[key] = Value::Object(map.clone());
        }
    }
    if !review.problems.is_empty() {
        out["problems"] = json!(review.problems);
    }
    if !review.duplicates.is_empty() {
        out["likelyDuplicates"] = json!(review.duplicates);
    }
    notes.splice(0..0, plan.notes.iter().cloned());
    if !notes.is_empty() {
        out["notes"] = json!(notes);
    }
    out["confirm"] = json!(token);
    out["next"] = json!(if review.problems.is_empty() {
        format!(
            "NOT SENT: a preview, nothing was written. Show the request to the user; once they approve, call {tool} again with the same arguments plus confirm: \"{token}\"."
        )
    } else {
        format!(
            "NOT SENT: Autotask would refuse this write for the problems listed, and {tool} will not send it with them. Fix them and call again without confirm to preview."
        )
    });
    out
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
        let e = registry::find("Tickets").unwrap_or_else(|| panic!("Tickets"));
        let f = e.field(field).unwrap_or_else(|| panic!("{field}"));
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

    #[test]
    fn a_preview_never_reads_as_done() {
        let plan = WritePlan::new(WriteOp::Create, "Tickets", "Tickets").body(
            json!({"title": "x", "status": 1})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        let review = Review {
            labels: [("status".to_string(), json!("New"))].into_iter().collect(),
            ..Review::default()
        };
        let out = answer("create-ticket", &plan, &review, Some(29), vec![]);
        assert_eq!(out["operation"], "preview");
        assert_eq!(out["sent"], false);
        assert_eq!(
            out["request"],
            json!({"method": "POST", "path": "Tickets", "body": {"title": "x", "status": 1},
                "impersonationResourceId": 29})
        );
        assert_eq!(out["confirm"], "CREATE_TICKET");
        assert!(
            out["next"]
                .as_str()
                .is_some_and(|n| n.starts_with("NOT SENT"))
        );
        let refused = Review {
            problems: vec!["`companyID` is 9".into()],
            ..Review::default()
        };
        let out = answer("create-ticket", &plan, &refused, None, vec![]);
        assert!(
            out["next"]
                .as_str()
                .is_some_and(|n| n.contains("will not send"))
        );
        let delete = WritePlan::new(WriteOp::Delete, "TimeEntries", "TimeEntries").id(5);
        let out = answer("delete-entity", &delete, &Review::default(), None, vec![]);
        assert_eq!(
            out["request"],
            json!({"method": "DELETE", "path": "TimeEntries/5"})
        );
    }
}
