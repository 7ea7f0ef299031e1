//! Write validation and application: turns a create/PATCH/PUT body into the stored record,
//! driven by the registry (types, required, read-only, picklist, reference and length facts)
//! and the tenant's picklists, plus the few business rules Autotask is known to enforce
//! (ticket resource + role pairing, `0 < hoursWorked <= 24`). Failures are Autotask's
//! HTTP 500 `{"errors": [...]}`.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::picklists::tenant;
use super::store::{Data, Record, blank, set_udf};
use super::wire::{ApiError, format_datetime, parse_datetime};
use crate::registry::{self, DataType, EntityDef, FieldDef, ParentRoute};

/// Which write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Create,
    Patch,
    Put,
}

/// Who writes, when, and where.
#[derive(Debug, Clone, Copy)]
pub struct WriteCtx {
    pub entity: &'static EntityDef,
    pub write: Write,
    /// The parent route and parent id, for a parent-scoped write.
    pub parent: Option<(&'static ParentRoute, i64)>,
    pub now: DateTime<Utc>,
    /// The resource the write is attributed to (the impersonated one, else the API user).
    pub acting_resource: i64,
    /// The API user's resource when impersonating.
    pub impersonator: Option<i64>,
}

impl WriteCtx {
    fn verb(&self) -> &'static str {
        match self.write {
            Write::Create => "creating",
            _ => "updating",
        }
    }
}

const CREATE_STAMPS: &[&str] = &[
    "createDate",
    "createDateTime",
    "createdDateTime",
    "attachDate",
];
const CREATOR_STAMPS: &[&str] = &[
    "creatorResourceID",
    "createdByResourceID",
    "creatorUserID",
    "attachedByResourceID",
];
const MODIFIED_STAMPS: &[&str] = &[
    "lastActivityDate",
    "lastActivityDateTime",
    "lastModifiedDate",
    "lastModifiedDateTime",
    "lastTrackedModificationDateTime",
    "lastTrackedModifiedDateTime",
];

/// Builds the record a write stores. `existing` is the current record for PATCH/PUT.
pub fn apply(
    data: &Data,
    ctx: &WriteCtx,
    existing: Option<&Record>,
    body: &Map<String, Value>,
) -> Result<Record, ApiError> {
    let entity = ctx.entity;
    let mut record = match (ctx.write, existing) {
        (Write::Create, _) => blank(entity),
        (_, Some(existing)) => existing.clone(),
        (_, None) => return Err(ApiError::server("No matching records found.")),
    };
    if ctx.write == Write::Put {
        for field in entity.fields.iter().filter(|f| writable(f)) {
            record.insert(field.name.to_string(), Value::Null);
        }
    }
    let mut touched: Vec<&'static FieldDef> = Vec::new();
    for (key, value) in body {
        if key.eq_ignore_ascii_case("userDefinedFields") {
            apply_udfs(entity, &mut record, value)?;
            continue;
        }
        // Unknown properties are ignored, as Json.NET binding does; read-only ones too.
        let Some(field) = entity.field(key) else {
            continue;
        };
        if !writable(field) {
            continue;
        }
        let value = convert(entity, field, value, ctx)?;
        record.insert(field.name.to_string(), value);
        touched.push(field);
    }
    if let Some((route, parent_id)) = ctx.parent
        && let Some(fk) = entity.field(route.foreign_key)
    {
        if ctx.write != Write::Create
            && existing
                .and_then(|r| r.get(fk.name))
                .and_then(Value::as_i64)
                .is_some_and(|current| current != parent_id)
        {
            return Err(ApiError::server(format!(
                "No matching records found: the {} does not belong to this {}.",
                entity.singular, route.parent
            )));
        }
        record.insert(fk.name.to_string(), json!(parent_id));
    }
    for field in entity
        .fields
        .iter()
        .filter(|f| f.is_required && writable(f))
    {
        let missing = match record.get(field.name) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.trim().is_empty(),
            _ => false,
        };
        if missing {
            return Err(ApiError::server(format!(
                "Value does not exist for the required field {}.",
                field.name
            )));
        }
    }
    for field in &touched {
        let Some(value) = record.get(field.name) else {
            continue;
        };
        if value.is_null() {
            continue;
        }
        if field.is_pick_list {
            check_picklist(entity, field, value, &record)?;
        }
        if field.is_reference {
            check_reference(data, entity, field, value)?;
        }
    }
    rules(data, ctx, existing, &mut record)?;
    stamp(ctx, &mut record);
    Ok(record)
}

fn writable(field: &FieldDef) -> bool {
    !field.is_read_only && field.name != "id"
}

fn convert(
    entity: &EntityDef,
    field: &FieldDef,
    value: &Value,
    ctx: &WriteCtx,
) -> Result<Value, ApiError> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let invalid = |expected: &str| {
        ApiError::server(format!(
            "Invalid value {value} for field {} of the {} Entity: {expected} expected.",
            field.name, entity.singular
        ))
    };
    Ok(match field.data_type {
        t if t.is_integer() => match value {
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => json!(i),
                (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => json!(f as i64),
                _ => return Err(invalid("an integer")),
            },
            Value::String(s) => json!(s.trim().parse::<i64>().map_err(|_| invalid("an integer"))?),
            _ => return Err(invalid("an integer")),
        },
        // Stored as a double, as .NET writes it back (`25` is answered as `25.0`).
        DataType::Double | DataType::Decimal => match value {
            Value::Number(n) => json!(n.as_f64().ok_or_else(|| invalid("a number"))?),
            Value::String(s) => json!(s.trim().parse::<f64>().map_err(|_| invalid("a number"))?),
            _ => return Err(invalid("a number")),
        },
        DataType::Boolean => match value {
            Value::Bool(_) => value.clone(),
            Value::String(s) if s.eq_ignore_ascii_case("true") => json!(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => json!(false),
            _ => return Err(invalid("true or false")),
        },
        DataType::DateTime => match value.as_str().and_then(parse_datetime) {
            Some(at) => json!(format_datetime(at)),
            None => return Err(invalid("a datetime (yyyy-MM-ddTHH:mm:ss, UTC)")),
        },
        _ => {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(_) | Value::Bool(_) => value.to_string(),
                _ => return Err(invalid("a string")),
            };
            if field.length > 0 && text.chars().count() > field.length as usize {
                return Err(ApiError::server(format!(
                    "String value exceeds maximum length (field:{}).  | Error {} entity for record number [1].",
                    field.name,
                    ctx.verb()
                )));
            }
            json!(text)
        }
    })
}

fn apply_udfs(entity: &EntityDef, record: &mut Record, value: &Value) -> Result<(), ApiError> {
    let Value::Array(items) = value else {
        if value.is_null() {
            return Ok(());
        }
        return Err(ApiError::server(
            "userDefinedFields must be an array of {\"name\", \"value\"} objects.",
        ));
    };
    for item in items {
        let name = item.get("name").and_then(Value::as_str).unwrap_or_default();
        let udf = tenant().udf(entity.name, name).ok_or_else(|| {
            ApiError::server(format!(
                "Unable to find {name} in the {} Entity user-defined fields.",
                entity.singular
            ))
        })?;
        let value = match item.get("value") {
            None | Some(Value::Null) => Value::Null,
            Some(Value::String(s)) => json!(s),
            Some(other) => json!(other.to_string()),
        };
        if let Some(text) = value.as_str()
            && !udf.list.is_empty()
            && !udf.list.iter().any(|v| v.value.eq_ignore_ascii_case(text))
        {
            return Err(ApiError::server(format!(
                "Invalid value '{text}' for the user-defined field {}: allowed values are {}.",
                udf.name,
                udf.list
                    .iter()
                    .map(|v| v.value.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if let Some(text) = value.as_str()
            && text.chars().count() > udf.length as usize
        {
            return Err(ApiError::server(format!(
                "String value exceeds maximum length (field:{}).",
                udf.name
            )));
        }
        set_udf(record, udf.name, value);
    }
    Ok(())
}

fn check_picklist(
    entity: &EntityDef,
    field: &FieldDef,
    value: &Value,
    record: &Record,
) -> Result<(), ApiError> {
    let Some(list) = tenant().picklist(entity.name, field.name) else {
        return Ok(());
    };
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let parent = (!field.picklist_parent_value_field.is_empty())
        .then(|| record.get(field.picklist_parent_value_field))
        .flatten()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        });
    let ok = list.iter().any(|v| {
        v.is_active && v.value == text && parent.as_ref().is_none_or(|p| &v.parent_value == p)
    });
    if ok {
        return Ok(());
    }
    let allowed: Vec<String> = list
        .iter()
        .filter(|v| v.is_active && parent.as_ref().is_none_or(|p| &v.parent_value == p))
        .map(|v| format!("{} ({})", v.value, v.label))
        .collect();
    let scope = match &parent {
        Some(p) => format!(" for {} {p}", field.picklist_parent_value_field),
        None => String::new(),
    };
    Err(ApiError::server(format!(
        "Invalid picklist value {text} for field {} of the {} Entity{scope}. Valid values: {}.",
        field.name,
        entity.singular,
        allowed.join(", ")
    )))
}

fn check_reference(
    data: &Data,
    entity: &EntityDef,
    field: &FieldDef,
    value: &Value,
) -> Result<(), ApiError> {
    let Some(target) = registry::by_singular(field.reference_entity_type) else {
        return Ok(());
    };
    let Some(id) = value.as_i64() else {
        return Ok(());
    };
    if data.exists(target.name, id) {
        return Ok(());
    }
    Err(ApiError::server(format!(
        "Invalid value {id} for field {} of the {} Entity: no {} with id {id} exists.",
        field.name, entity.singular, target.singular
    )))
}

fn int(record: &Record, name: &str) -> Option<i64> {
    record.get(name).and_then(Value::as_i64)
}

/// Entity-specific rules Autotask enforces.
fn rules(
    data: &Data,
    ctx: &WriteCtx,
    existing: Option<&Record>,
    record: &mut Record,
) -> Result<(), ApiError> {
    match ctx.entity.name {
        name if name.ends_with("Attachments") && ctx.write == Write::Create => {
            super::attachments::on_create(record)?;
        }
        "Tickets" => {
            let resource = int(record, "assignedResourceID");
            let role = int(record, "assignedResourceRoleID");
            match (resource, role) {
                (None, None) => {}
                (Some(resource), Some(role)) => {
                    let member = data.table("ResourceServiceDeskRoles").is_some_and(|t| {
                        t.rows.values().any(|r| {
                            int(r, "resourceID") == Some(resource) && int(r, "roleID") == Some(role)
                        })
                    });
                    if !member {
                        return Err(ApiError::server(format!(
                            "The resource {resource} does not have the service desk role {role}: assign a resource and role pair listed in ResourceServiceDeskRoles."
                        )));
                    }
                }
                _ => {
                    return Err(ApiError::server(
                        "When assigning a Resource, you must assign both a assignedResourceID and assignedResourceRoleID.",
                    ));
                }
            }
            let was_complete = existing.and_then(|r| int(r, "status")) == Some(5);
            let is_complete = int(record, "status") == Some(5);
            if is_complete && !was_complete {
                record.insert("completedDate".into(), json!(format_datetime(ctx.now)));
                record.insert("completedByResourceID".into(), json!(ctx.acting_resource));
            } else if !is_complete && was_complete {
                record.insert("completedDate".into(), Value::Null);
                record.insert("completedByResourceID".into(), Value::Null);
            }
        }
        "TimeEntries" => {
            if record.get("hoursWorked").is_none_or(Value::is_null) {
                let start = record
                    .get("startDateTime")
                    .and_then(Value::as_str)
                    .and_then(parse_datetime);
                let end = record
                    .get("endDateTime")
                    .and_then(Value::as_str)
                    .and_then(parse_datetime);
                if let (Some(start), Some(end)) = (start, end) {
                    let hours = (end - start).num_minutes() as f64 / 60.0;
                    record.insert("hoursWorked".into(), json!(hours));
                }
            }
            let hours = record.get("hoursWorked").and_then(Value::as_f64);
            match hours {
                Some(h) if h > 0.0 && h <= 24.0 => {}
                _ => {
                    return Err(ApiError::server(
                        "hoursWorked must be greater than 0 and less than or equal to 24 (or give startDateTime and endDateTime).",
                    ));
                }
            }
            if record.get("hoursToBill").is_none_or(Value::is_null) {
                record.insert("hoursToBill".into(), json!(hours));
            }
            if int(record, "ticketID").is_some() && int(record, "taskID").is_some() {
                return Err(ApiError::server(
                    "A time entry belongs to a ticket or a task, not both: send ticketID or taskID.",
                ));
            }
            let kind = if int(record, "ticketID").is_some() {
                2
            } else if int(record, "taskID").is_some() {
                6
            } else {
                1
            };
            record.insert("timeEntryType".into(), json!(kind));
        }
        _ => {}
    }
    Ok(())
}

fn stamp(ctx: &WriteCtx, record: &mut Record) {
    let now = json!(format_datetime(ctx.now));
    let has = |name: &str| ctx.entity.field(name).is_some_and(|f| f.name == name);
    if ctx.write == Write::Create {
        for name in CREATE_STAMPS.iter().filter(|n| has(n)) {
            record.insert((*name).into(), now.clone());
        }
        for name in CREATOR_STAMPS.iter().filter(|n| has(n)) {
            record.insert((*name).into(), json!(ctx.acting_resource));
        }
        if has("impersonatorCreatorResourceID") {
            record.insert(
                "impersonatorCreatorResourceID".into(),
                json!(ctx.impersonator),
            );
        }
    } else if has("impersonatorUpdaterResourceID") {
        record.insert(
            "impersonatorUpdaterResourceID".into(),
            json!(ctx.impersonator),
        );
    }
    for name in MODIFIED_STAMPS.iter().filter(|n| has(n)) {
        record.insert((*name).into(), now.clone());
    }
    for name in ["lastActivityResourceID", "lastModifiedUserID"]
        .iter()
        .filter(|n| has(n))
    {
        record.insert((*name).into(), json!(ctx.acting_resource));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::seed;

    fn ctx(entity: &str, write: Write) -> WriteCtx {
        WriteCtx {
            entity: registry::find(entity).unwrap(),
            write,
            parent: None,
            now: seed::anchor(),
            acting_resource: seed::API_USER_RESOURCE_ID,
            impersonator: None,
        }
    }

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn message(r: Result<Record, ApiError>) -> String {
        match r {
            Err(ApiError::Errors { messages, .. }) => messages.join(" "),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn values_are_converted_by_type_and_read_only_fields_ignored() {
        let data = seed::generate(42).data;
        let r = apply(
            &data,
            &ctx("Tickets", Write::Create),
            None,
            &body(
                json!({"CompanyID": "1001", "title": 42, "status": 1, "priority": 2.0,
                "dueDateTime": "2026-11-30T10:00:00+02:00", "isVisibleToComanaged": "false",
                "ticketNumber": "T1", "id": 0, "unknownProperty": true}),
            ),
        )
        .unwrap();
        assert_eq!(r["companyID"], json!(1001));
        assert_eq!(r["title"], json!("42"));
        assert_eq!(r["priority"], json!(2));
        assert_eq!(r["dueDateTime"], json!("2026-11-30T08:00:00.000"));
        assert_eq!(r["isVisibleToComanaged"], json!(false));
        assert_eq!(
            r["ticketNumber"],
            Value::Null,
            "read-only: stamped later, not taken"
        );
        assert!(!r.contains_key("unknownProperty"));
        assert_eq!(r["createDate"], json!("2026-11-24T17:00:00.000"));
        assert_eq!(r["creatorResourceID"], json!(seed::API_USER_RESOURCE_ID));
        let bad = apply(
            &data,
            &ctx("Tickets", Write::Create),
            None,
            &body(json!({"companyID": "abc"})),
        );
        assert!(message(bad).contains("companyID"));
    }

    #[test]
    fn put_clears_what_it_does_not_send_and_patch_keeps_it() {
        let data = seed::generate(42).data;
        let existing = data.get("Tickets", 10001).unwrap().clone();
        let patched = apply(
            &data,
            &ctx("Tickets", Write::Patch),
            Some(&existing),
            &body(json!({"id": 10001, "title": "New"})),
        )
        .unwrap();
        assert_eq!(patched["description"], existing["description"]);
        let put = apply(
            &data,
            &ctx("Tickets", Write::Put),
            Some(&existing),
            &body(
                json!({"id": 10001, "title": "New", "companyID": 1001, "status": 1, "priority": 3}),
            ),
        )
        .unwrap();
        assert_eq!(put["description"], Value::Null);
        assert_eq!(put["ticketNumber"], existing["ticketNumber"]);
        assert_eq!(put["createDate"], existing["createDate"]);
    }

    #[test]
    fn rules_and_dependent_picklists_are_enforced() {
        let data = seed::generate(42).data;
        let base = json!({"companyID": 1001, "title": "t", "status": 1, "priority": 2});
        let with = |extra: Value| {
            let mut b = body(base.clone());
            b.extend(body(extra));
            apply(&data, &ctx("Tickets", Write::Create), None, &b)
        };
        assert!(with(json!({"issueType": 3, "subIssueType": 32})).is_ok());
        assert!(
            message(with(json!({"issueType": 3, "subIssueType": 12}))).contains("subIssueType")
        );
        assert!(
            message(with(json!({"assignedResourceRoleID": 29683400})))
                .contains("both a assignedResourceID")
        );
        assert!(
            message(with(json!({"status": 5, "title": "x".repeat(300)})))
                .contains("maximum length")
        );
        let completed = with(json!({"status": 5})).unwrap();
        assert!(completed["completedDate"].is_string());
        let time = |hours: Value| {
            apply(
                &data,
                &ctx("TimeEntries", Write::Create),
                None,
                &body(
                    json!({"resourceID": 29682889, "roleID": 29683400, "dateWorked": "2026-11-24", "hoursWorked": hours}),
                ),
            )
        };
        assert!(time(json!(8)).is_ok());
        assert!(message(time(json!(0))).contains("hoursWorked"));
        assert!(message(time(json!(25))).contains("hoursWorked"));
    }
}
