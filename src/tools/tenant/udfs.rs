//! User-defined fields by name. Records show UDFs as a name → value map with list UDFs'
//! labels (`label_records`); write tools take `userDefinedFields` as a name → value map and
//! search tools take it as UDF filters (`apply`): each name is checked against the tenant's
//! UDF definitions (`entityInformation/userDefinedFields`, cached with the picklists), a
//! list UDF's label becomes its code, and nothing is sent when a name is unknown (the error
//! lists the valid names). Filters go out as `{"op":"eq","field":<name>,"udf":true,...}`.

use serde_json::{Map, Value, json};

use super::Tenant;
use super::picklists::{EntityPicklists, value_text};
use crate::autotask::ReadIntent;
use crate::registry::EntityDef;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::param::UDF_PARAM as PARAM;

/// Checks `given` (UDF name → value) against the definitions `udfs` of `entity`: the
/// names as the tenant spells them with codes for list UDFs' labels, or every problem.
pub fn resolve(
    entity: &str,
    udfs: &EntityPicklists,
    given: &Map<String, Value>,
) -> Result<Vec<(String, Value)>, ToolError> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (name, value) in given {
        let Some(canonical) = udfs.name(name) else {
            let valid = udfs.names();
            problems.push(format!(
                "{entity} has no user-defined field \"{}\" ({})",
                name.chars().take(60).collect::<String>(),
                if valid.is_empty() {
                    "it has none".to_string()
                } else {
                    format!("its UDFs: {}", valid.join(", "))
                }
            ));
            continue;
        };
        let value = match value {
            Value::Null => Value::Null,
            v => match value_text(v) {
                Some(text) => match udfs.field(canonical) {
                    // A list UDF: a label becomes its code; a code stays.
                    Some(list) if !list.values.iter().any(|p| p.value == text) => {
                        match udfs.code(canonical, &text) {
                            Ok(code) => json!(code),
                            Err(labels) => {
                                problems.push(format!(
                                    "\"{text}\" is not a value of the UDF {canonical} (values: {})",
                                    labels.join(", ")
                                ));
                                continue;
                            }
                        }
                    }
                    _ => json!(text),
                },
                None => {
                    problems.push(format!(
                        "the UDF {canonical} takes text, a number or a label, not {v}"
                    ));
                    continue;
                }
            },
        };
        out.push((canonical.to_string(), value));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ToolError::Invalid(format!(
            "`{PARAM}`: {}.",
            problems.join("; ")
        )))
    }
}

/// Applies a call's `userDefinedFields`: on a write tool it becomes the wire's
/// `[{name, value}]` list in `values`; on a search it is taken out of `values` and returned as
/// UDF filter clauses.
pub async fn apply(
    tenant: &Tenant,
    tool: &str,
    entity: Option<&EntityDef>,
    writes: bool,
    values: &mut Map<String, Value>,
) -> Result<Vec<Value>, ToolError> {
    let Some(given) = values.remove(PARAM) else {
        return Ok(Vec::new());
    };
    let Some(entity) = entity else {
        return Err(ToolError::Internal(format!(
            "{tool} takes `{PARAM}` but names no entity."
        )));
    };
    let Value::Object(given) = given else {
        return Err(ToolError::Invalid(format!(
            "`{PARAM}` must be an object of UDF name → value, e.g. {{\"Customer Ref\": \"ACME-1\"}}."
        )));
    };
    let udfs = tenant
        .picklists
        .udfs(entity.name, ReadIntent::Explicit)
        .await?;
    let resolved = resolve(entity.name, &udfs, &given)?;
    if writes {
        let list: Vec<Value> = resolved
            .into_iter()
            .map(|(name, value)| json!({"name": name, "value": value}))
            .collect();
        values.insert(PARAM.into(), Value::Array(list));
        Ok(Vec::new())
    } else {
        Ok(resolved
            .into_iter()
            .map(|(name, value)| match value {
                Value::Null => json!({"op": "notExist", "field": name, "udf": true}),
                v => json!({"op": "eq", "field": name, "udf": true, "value": v}),
            })
            .collect())
    }
}

/// Shows list UDFs' labels in place of their codes in shaped records (`userDefinedFields` as
/// a map). A background read: without the definitions the codes stay, and the note says so.
pub async fn label_records(tenant: &Tenant, entity: &str, records: &mut [Value]) -> Option<String> {
    let any = records
        .iter()
        .any(|r| r.get(PARAM).is_some_and(Value::is_object));
    if !any {
        return None;
    }
    let udfs = match tenant.picklists.udfs(entity, ReadIntent::Background).await {
        Ok(u) => u,
        Err(e) => return Some(format!("UDF labels are missing: {e}")),
    };
    for r in records.iter_mut() {
        if let Some(Value::Object(map)) = r.get_mut(PARAM) {
            for (name, value) in map.iter_mut() {
                if let Some(label) = udfs.label(name, value) {
                    *value = json!(label);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn udfs() -> EntityPicklists {
        EntityPicklists::from_fields(&[
            json!({"name": "Customer Ref", "picklistValues": null}),
            json!({"name": "Escalation Level", "picklistValues": [
                {"value": "1", "label": "L1", "isActive": true},
                {"value": "2", "label": "L2", "isActive": true}]}),
        ])
    }

    #[test]
    fn names_are_checked_and_labels_become_codes() {
        let given = json!({"escalation level": "l2", "Customer Ref": 12});
        let Value::Object(given) = given else { return };
        let out = resolve("Tickets", &udfs(), &given).unwrap_or_default();
        assert_eq!(
            out,
            vec![
                ("Escalation Level".to_string(), json!("2")),
                ("Customer Ref".to_string(), json!("12")),
            ]
        );
    }

    #[test]
    fn unknown_names_and_values_list_the_valid_ones() {
        let Value::Object(given) = json!({"Nope": "x", "Escalation Level": "L9"}) else {
            return;
        };
        let err = resolve("Tickets", &udfs(), &given)
            .err()
            .map(|e| e.to_string());
        let err = err.unwrap_or_default();
        assert!(
            err.contains("its UDFs: Customer Ref, Escalation Level"),
            "{err}"
        );
        assert!(err.contains("values: L1, L2"), "{err}");
        assert!(err.contains("Nothing was sent"), "{err}");
    }
}
