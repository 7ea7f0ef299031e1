//! Tenant defaults a create fills in: each picklist field the caller left out gets the
//! tenant's default value (status, priority, note type, publish), never a hard-coded id. The
//! fields are of one entity.

use serde_json::{Map, Value};

use crate::autotask::ReadIntent;
use crate::registry::Field;
use crate::tools::spec::error::ToolError;
use crate::tools::tenant::Tenant;
use crate::tools::tenant::labels::typed_code;

/// Fills each picklist field of `fields` missing from `body` with the tenant's default value
/// of `entity`; returns a note per field filled. A field without a tenant default is an error
/// that lists the values to choose from; nothing is sent then.
pub async fn tenant_defaults(
    tenant: &Tenant,
    fields: &[Field],
    body: &mut Map<String, Value>,
) -> Result<Vec<String>, ToolError> {
    let missing: Vec<&str> = fields
        .iter()
        .map(|f| f.name())
        .filter(|f| !body.contains_key(*f))
        .collect();
    let Some(entity) = fields.first().map(|f| f.entity().name()) else {
        return Ok(Vec::new());
    };
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    let lists = tenant.picklists.get(entity, ReadIntent::Explicit).await?;
    let mut notes = Vec::new();
    for field in missing {
        match lists.default_value(field) {
            Some(v) => {
                body.insert(field.to_string(), typed_code(entity, field, &v.value));
                notes.push(format!("{field} defaulted to {} ({})", v.value, v.label));
            }
            None => {
                let values: Vec<String> = lists
                    .field(field)
                    .map(|l| {
                        l.values
                            .iter()
                            .filter(|v| v.is_active)
                            .map(|v| format!("{} = {}", v.value, v.label))
                            .collect()
                    })
                    .unwrap_or_default();
                return Err(ToolError::Invalid(format!(
                    "the tenant has no default {field} for {entity}: pass {field} ({}).",
                    if values.is_empty() {
                        format!("describe-entity-fields {entity} lists the values")
                    } else {
                        values.join(", ")
                    }
                )));
            }
        }
    }
    Ok(notes)
}
