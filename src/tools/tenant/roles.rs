//! The roles a resource works under: the role ids an entity lists for it, and the role filled
//! in when a write names the resource alone, its default service-desk role
//! (`ResourceServiceDeskRoles.isDefault`), as Autotask's own screens fill it in for a ticket
//! assignment and for time logged on a ticket or task (the entity's [`RoleRule`]).

use serde_json::{Map, Value, json};

use super::Tenant;
use crate::autotask::ReadIntent;
use crate::tools::facts::RoleRule;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::query;

/// A role filled in for a resource, with the sentence that says so.
pub struct DefaultRole {
    pub id: i32,
    pub note: String,
}

/// The rows of `entity` (`ResourceRoles`, `ResourceServiceDeskRoles`) that give `resource` a
/// role: `roleID`, and `isDefault` / `isActive` where the entity has them.
async fn rows(tenant: &Tenant, entity: &str, resource: i64) -> Result<Vec<Value>, ToolError> {
    let mut include = vec!["roleID", "isActive"];
    if entity == "ResourceServiceDeskRoles" {
        include.push("isDefault");
    }
    let query = json!({
        "filter": [query::eq("resourceID", resource)],
        "includeFields": include,
        "maxRecords": 100,
    });
    Ok(tenant
        .client
        .query(entity, &query, 100, ReadIntent::Explicit)
        .await?
        .items)
}

fn role_of(r: &Value) -> Option<i64> {
    r.get("roleID").and_then(Value::as_i64)
}

/// The role ids `entity` lists for `resource`.
pub async fn role_ids(tenant: &Tenant, entity: &str, resource: i64) -> Result<Vec<i64>, ToolError> {
    Ok(rows(tenant, entity, resource)
        .await?
        .iter()
        .filter_map(role_of)
        .collect())
}

/// The default service-desk role of `resource` (or its only active one); refused, naming the
/// roles to choose from, when there is none or several without a default.
pub async fn default_desk_role(tenant: &Tenant, resource: i64) -> Result<DefaultRole, ToolError> {
    let rows = rows(tenant, "ResourceServiceDeskRoles", resource).await?;
    let active: Vec<&Value> = rows
        .iter()
        .filter(|r| r.get("isActive").and_then(Value::as_bool) != Some(false))
        .collect();
    let default = active
        .iter()
        .find(|r| r.get("isDefault").and_then(Value::as_bool) == Some(true))
        .or(if active.len() == 1 {
            active.first()
        } else {
            None
        })
        .and_then(|r| role_of(r))
        .and_then(|id| i32::try_from(id).ok());
    if let Some(id) = default {
        return Ok(DefaultRole {
            id,
            note: format!("{id} is resource {resource}'s default service-desk role"),
        });
    }
    let roles: Vec<String> = active
        .iter()
        .filter_map(|r| role_of(r))
        .map(|r| r.to_string())
        .collect();
    Err(ToolError::Invalid(if roles.is_empty() {
        format!(
            "resource {resource} has no active service-desk role, so it cannot be given this work: choose another resource, or pass the role id yourself."
        )
    } else {
        format!(
            "resource {resource} has no default service-desk role: pass the role id, one of {}.",
            roles.join(", ")
        )
    }))
}

/// Fills `rule`'s role into a write `body` that names the resource alone with the resource's
/// default service-desk role; returns the note saying so (none when nothing was filled).
pub async fn fill_default_role(
    tenant: &Tenant,
    rule: &RoleRule,
    body: &mut Map<String, Value>,
) -> Result<Option<String>, ToolError> {
    let Some(resource) = body.get(rule.resource.name()).and_then(Value::as_i64) else {
        return Ok(None);
    };
    if !body.get(rule.role.name()).is_none_or(Value::is_null) {
        return Ok(None);
    }
    let role = default_desk_role(tenant, resource).await?;
    body.insert(rule.role.name().to_string(), json!(role.id));
    Ok(Some(format!("{} {}", rule.role.name(), role.note)))
}
