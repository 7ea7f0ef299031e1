//! The generic reads: the entities the registry knows (no request), an entity's fields with
//! the tenant's picklist values and UDFs, a query (at the root collection, or a child list under
//! its parent) and one record by id.

use serde_json::{Value, json};

use super::args::{ByIdArgs, DescribeArgs, ListArgs, QueryArgs, Target};
use super::target::{about, child, entity, operations, parent_id};
use crate::autotask::ReadIntent;
use crate::registry::{self, DataType, EntityDef, WriteKind, WriteRoute};
use crate::tools::call::context::Context;
use crate::tools::present::records::{self, get_one, present};
use crate::tools::present::{projection, shape};
use crate::tools::spec::error::ToolError;
use crate::tools::spec::param::DEFAULT_MAX_RECORDS;
use crate::tools::spec::query;
use crate::tools::tenant::labels;

pub async fn list_known_entities(_ctx: &Context, a: ListArgs) -> Result<Value, ToolError> {
    let wanted = a.name_contains.map(|s| s.trim().to_ascii_lowercase());
    let entities: Vec<Value> = registry::entities()
        .iter()
        .filter(|e| {
            wanted
                .as_deref()
                .is_none_or(|w| e.name.to_ascii_lowercase().contains(w))
        })
        .map(|e| {
            let mut v = json!({"name": e.name, "operations": operations(e).join(",")});
            let parents: Vec<String> = e
                .parents
                .iter()
                .map(|p| format!("{}/{{id}}/{}", p.parent, p.segment))
                .collect();
            if !parents.is_empty() {
                v["childOf"] = json!(parents);
            }
            v
        })
        .collect();
    Ok(json!({"count": entities.len(), "entities": entities}))
}

fn route_text(e: &EntityDef, kind: WriteKind) -> Option<String> {
    match e.write_route(kind)? {
        WriteRoute::Root => Some(e.name.to_string()),
        WriteRoute::Parent(p) => Some(format!(
            "{}/{{{}}}/{}",
            p.parent,
            if p.foreign_key.is_empty() {
                "parentId"
            } else {
                p.foreign_key
            },
            p.segment
        )),
    }
}

/// Most picklist values listed per field.
const MAX_PICKLIST_VALUES: usize = 300;

pub async fn describe_entity_fields(ctx: &Context, a: DescribeArgs) -> Result<Value, ToolError> {
    let e = entity(&a.entity)?;
    let live = ctx.tenant.client.field_information(e.name).await?;
    let lists = ctx.tenant.picklists.store(e.name, &live);
    let mut notes = Vec::new();
    let mut fields = Vec::new();
    for f in e.fields {
        let mut v = json!({"name": f.name, "dataType": f.data_type.as_str()});
        let flags = [
            ("isRequired", f.is_required),
            ("isReadOnly", f.is_read_only),
            ("isQueryable", f.is_queryable),
            ("isReference", f.is_reference),
            ("isPickList", f.is_pick_list),
        ];
        for (k, on) in flags {
            if on {
                v[k] = json!(true);
            }
        }
        if f.data_type == DataType::String && f.length > 0 {
            v["length"] = json!(f.length);
        }
        if !f.reference_entity_type.is_empty() {
            v["referenceEntityType"] = json!(f.reference_entity_type);
        }
        if let Some(list) = lists.field(f.name) {
            if let Some(parent) = &list.parent_field {
                v["picklistParentValueField"] = json!(parent);
            }
            let values: Vec<Value> = list
                .values
                .iter()
                .filter(|p| p.is_active)
                .take(MAX_PICKLIST_VALUES)
                .map(|p| {
                    let mut pv = json!({"value": p.value, "label": p.label});
                    if let Some(parent) = &p.parent_value {
                        pv["parentValue"] = json!(parent);
                    }
                    if p.is_default {
                        pv["isDefault"] = json!(true);
                    }
                    pv
                })
                .collect();
            let active = list.values.iter().filter(|p| p.is_active).count();
            if active > MAX_PICKLIST_VALUES {
                notes.push(format!(
                    "{}: only the first {MAX_PICKLIST_VALUES} of {active} picklist values are listed",
                    f.name
                ));
            }
            v["picklistValues"] = json!(values);
        }
        fields.push(v);
    }
    // Fields the tenant reports that the snapshot does not know.
    for row in &live {
        if let Some(name) = row.get("name").and_then(Value::as_str)
            && e.field(name).is_none()
        {
            let mut v = row.clone();
            shape::compact(&mut v);
            v["source"] = json!("tenant");
            fields.push(v);
        }
    }
    let mut out = json!({
        "entity": e.name,
        "singular": e.singular,
        "operations": operations(e).join(","),
    });
    for (key, kind) in [
        ("createAt", WriteKind::Create),
        ("updateAt", WriteKind::Patch),
        ("deleteAt", WriteKind::Delete),
    ] {
        if let Some(route) = route_text(e, kind) {
            out[key] = json!(route);
        }
    }
    out["fields"] = json!(fields);
    if e.has_user_defined_fields {
        match ctx.tenant.client.udf_information(e.name).await {
            Ok(udfs) => {
                let udfs: Vec<Value> = udfs
                    .into_iter()
                    .map(|mut u| {
                        shape::compact(&mut u);
                        u
                    })
                    .collect();
                out["userDefinedFields"] = json!(udfs);
                out["userDefinedFieldsUsage"] = json!(
                    "write them as \"userDefinedFields\": [{\"name\": \"<name>\", \"value\": \"<text>\"}]; filter with {\"op\":\"eq\",\"field\":\"<name>\",\"udf\":true,\"value\":...}"
                );
            }
            Err(err) => notes.push(format!("user-defined fields unavailable: {err}")),
        }
    }
    if !notes.is_empty() {
        out["notes"] = json!(notes);
    }
    Ok(out)
}

/// Where a query of `entity` (maybe under a parent) goes: the root collection with an extra
/// foreign-key clause when possible, else the parent's child list.
pub enum ReadPlan {
    Root {
        entity: &'static EntityDef,
        extra: Option<Value>,
    },
    ChildList {
        entity: &'static EntityDef,
        path: String,
    },
}

pub fn read_plan(target: &Target) -> Result<ReadPlan, ToolError> {
    match &target.parent_entity {
        None => {
            let e = entity(&target.entity)?;
            if !e.root.query {
                return Err(ToolError::Invalid(match e.parents.first() {
                    Some(p) => format!(
                        "{} cannot be queried on its own: pass parentEntity \"{}\" and parentId",
                        e.name, p.parent
                    ),
                    None => format!("{} cannot be queried through the API", e.name),
                }));
            }
            Ok(ReadPlan::Root {
                entity: e,
                extra: None,
            })
        }
        Some(parent) => {
            let (e, route) = child(&target.entity, parent)?;
            let pid = parent_id(target, route)?;
            if e.root.query && !route.foreign_key.is_empty() {
                Ok(ReadPlan::Root {
                    entity: e,
                    extra: Some(query::eq(route.foreign_key, pid)),
                })
            } else if route.list {
                Ok(ReadPlan::ChildList {
                    entity: e,
                    path: format!("{}/{pid}/{}", route.parent, route.segment),
                })
            } else {
                Err(ToolError::Invalid(format!(
                    "{} under {} cannot be listed through the API",
                    e.name, route.parent
                )))
            }
        }
    }
}

/// The checked filter of a root query, with the parent's foreign-key clause first; picklist
/// labels become codes.
pub async fn root_filter(
    ctx: &Context,
    e: &EntityDef,
    query: &Value,
    extra: Option<Value>,
) -> Result<query::CheckedQuery, ToolError> {
    let mut checked = query::check_query(e, query).map_err(about("query"))?;
    labels::resolve_filter(&ctx.tenant, e, &mut checked.filter).await?;
    if let Some(extra) = extra {
        if checked.filter == vec![query::match_all()] {
            checked.filter.clear();
        }
        checked.filter.insert(0, extra);
    }
    Ok(checked)
}

pub async fn query_entity(ctx: &Context, a: QueryArgs) -> Result<Value, ToolError> {
    match read_plan(&a.target())? {
        ReadPlan::Root { entity: e, extra } => {
            let checked = root_filter(ctx, e, &a.query, extra).await?;
            let max = a.max_records.or(checked.max);
            let projection = projection::projection(e, checked.include.as_deref())?;
            let mut out =
                records::search(&ctx.tenant, &ctx.limits, e, checked.filter, max, projection)
                    .await?;
            out["entity"] = json!(e.name);
            Ok(out)
        }
        ReadPlan::ChildList { entity: e, path } => {
            let checked = query::check_query(e, &a.query).map_err(about("query"))?;
            if checked.filter != vec![query::match_all()] {
                return Err(ToolError::Invalid(format!(
                    "{path} can only be listed whole (Autotask offers no query there): send {{\"filter\":[]}} and filter the rows yourself"
                )));
            }
            let max = a.max_records.or(checked.max).unwrap_or(DEFAULT_MAX_RECORDS);
            let cap = ctx.limits.max_records_cap;
            let result = ctx
                .tenant
                .client
                .list(&path, (max.max(1) as usize).min(cap), ReadIntent::Explicit)
                .await?;
            let mut result = result;
            let notes = present(&ctx.tenant, e, &mut result.items).await;
            let projection = projection::projection(e, checked.include.as_deref())?;
            let mut out = records::page(&ctx.limits, e, &[], result, &projection, notes);
            out["entity"] = json!(e.name);
            out["listedFrom"] = json!(path);
            Ok(out)
        }
    }
}

pub async fn get_entity(ctx: &Context, a: ByIdArgs) -> Result<Value, ToolError> {
    let hint = "check the id with query-entity";
    let target = a.target();
    match &target.parent_entity {
        None => {
            let e = entity(&target.entity)?;
            if e.root.get {
                return get_one(&ctx.tenant, &ctx.limits, e.name, e, a.id, hint).await;
            }
            Err(ToolError::Invalid(match e.parents.iter().find(|p| p.get) {
                Some(p) => format!(
                    "{} records are read under their parent: pass parentEntity \"{}\" and parentId",
                    e.name, p.parent
                ),
                None => format!("{} records cannot be read by id through the API", e.name),
            }))
        }
        Some(parent) => {
            let (e, route) = child(&target.entity, parent)?;
            let pid = parent_id(&target, route)?;
            if route.get {
                get_one(
                    &ctx.tenant,
                    &ctx.limits,
                    &format!("{}/{pid}/{}", route.parent, route.segment),
                    e,
                    a.id,
                    hint,
                )
                .await
            } else if e.root.get {
                get_one(&ctx.tenant, &ctx.limits, e.name, e, a.id, hint).await
            } else {
                Err(ToolError::Invalid(format!(
                    "{} records cannot be read by id through the API",
                    e.name
                )))
            }
        }
    }
}
