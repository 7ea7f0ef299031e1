//! The rules Autotask enforces on particular entities, read from their facts: a resource and
//! the role it works under ([`RoleRule`]) must go together when the rule pairs them, and the
//! role must be one the resource has.

use serde_json::{Map, Value};

use super::plan::WritePlan;
use crate::tools::facts::{self, RoleRule};
use crate::tools::spec::error::ToolError;
use crate::tools::tenant::Tenant;
use crate::tools::tenant::roles::role_ids;

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

/// Adds to `problems` what the entity's rules find in `plan`, whose record would read as
/// `merged` (the current record with the body applied).
pub async fn check(
    tenant: &Tenant,
    plan: &WritePlan,
    merged: &Map<String, Value>,
    problems: &mut Vec<String>,
) -> Result<(), ToolError> {
    let Some(rule) = facts::of(plan.entity).and_then(|f| f.role_rule) else {
        return Ok(());
    };
    if !(plan.body.contains_key(rule.resource.name()) || plan.body.contains_key(rule.role.name())) {
        return Ok(());
    }
    match (
        int(merged, rule.resource.name()),
        int(merged, rule.role.name()),
    ) {
        (Some(resource), Some(role)) => {
            if let Some(problem) = role_problem(tenant, &rule, resource, role).await? {
                problems.push(problem);
            }
        }
        (None, None) => {}
        _ if rule.paired => problems.push(format!(
            "{} and {} go together: give both",
            rule.resource, rule.role
        )),
        _ => {}
    }
    Ok(())
}

/// Why `resource` may not work under `role` here, if it may not.
async fn role_problem(
    tenant: &Tenant,
    rule: &RoleRule,
    resource: i64,
    role: i64,
) -> Result<Option<String>, ToolError> {
    let mut roles = Vec::new();
    for source in rule.roles_from {
        roles.extend(role_ids(tenant, source.name(), resource).await?);
        if roles.contains(&role) {
            return Ok(None);
        }
    }
    roles.sort_unstable();
    roles.dedup();
    Ok(Some(format!(
        "resource {resource} does not have the {noun} {role} (its {noun}s: {}): {} must be one of them",
        list(&roles),
        rule.role,
        noun = rule.noun,
    )))
}
