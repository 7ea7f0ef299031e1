//! The generic tools: any of the registry's entities by name (case-insensitive, with "did you
//! mean"), child collections through `parentEntity` + `parentId`, the tenant's budget and the
//! versions. Writes (`create-entity`, `update-entity`, `delete-entity`) live in
//! `entity_writes.rs`; this file declares them with the reads so the generic surface reads as
//! one list.

use crate::autotask::error::join_sentences;
use serde::Deserialize;
use serde_json::{Value, json};

use super::entity_writes;
use super::output::{self, Output};
use super::records::{self, get_one, max_records_param, present};
use super::summary;
use super::value::{ID, Kind};
use super::{Context, LOCAL_READ, Param, READ, ToolDef, ToolError, filters, shape};
use crate::autotask::ReadIntent;
use crate::registry::{self, DataType, EntityDef, ParentRoute, WriteKind, WriteRoute};

/// Taught once in the server's instructions (parentEntity + parentId = a child route).
const PARENT_ENTITY_DESC: &str = "";

fn entity_param() -> Param {
    Param::own("entity", Kind::Text { max: 1_000 }, "").required()
}

/// `entity`, then the tool's own parameters, then the parent route parameters.
fn entity_params(def: ToolDef, own: Vec<Param>) -> ToolDef {
    let mut def = def.param(entity_param());
    for p in own {
        def = def.param(p);
    }
    def.param(Param::own(
        "parentEntity",
        Kind::Text { max: 1_000 },
        PARENT_ENTITY_DESC,
    ))
    .param(Param::own("parentId", ID, ""))
}

fn list_shape() -> Value {
    output::object(&[("entities", "array")], &["count", "entities"])
}

fn describe_shape() -> Value {
    output::object(&[("fields", "array")], &["entity", "fields"])
}

fn count_shape() -> Value {
    output::object(&[("count", "integer")], &["entity", "count"])
}

fn threshold_shape() -> Value {
    output::object(
        &[("percentUsed", "number")],
        &[
            "externalRequestThreshold",
            "currentTimeframeRequestCount",
            "remaining",
            "percentUsed",
        ],
    )
}

fn version_shape() -> Value {
    output::object(&[("server", "object")], &["server"])
}

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolDef::new(
            "list-known-entities",
            "List known entities",
            LOCAL_READ,
            "The ~230 entities, their operations and parent routes.",
        )
        .param(Param::own(
            "nameContains",
            Kind::Text { max: 100 },
            "",
        ))
        .output(Output::Shape(list_shape))
        .handler(|c, a: ListArgs| Box::pin(list_known_entities(c, a))),
        ToolDef::new(
            "describe-entity-fields",
            "Describe entity fields",
            READ,
            "An entity's fields, the tenant's picklist values, UDFs and where writes go.",
        )
        .param(entity_param())
        .output(Output::Shape(describe_shape))
        .handler(|c, a: DescribeArgs| Box::pin(describe_entity_fields(c, a))),
        entity_params(
            ToolDef::new(
                "query-entity",
                "Query entity",
                READ,
                "Query any entity with Autotask filter JSON: {\"filter\":[{\"op\":\"eq\",\"field\":\"status\",\"value\":\"New\"}]}.",
            ),
            vec![
                Param::own("query", Kind::Json, "").required(),
                max_records_param(),
            ],
        )
        .output(Output::Search)
        .handler(|c, a: QueryArgs| Box::pin(query_entity(c, a))),
        entity_params(
            ToolDef::new(
                "count-entity",
                "Count entity",
                READ,
                "Count records matching a query (JSON as query-entity), or per value of groupBy.",
            ),
            vec![
                Param::own("query", Kind::Json, "").required(),
                Param::own("groupBy", Kind::Text { max: 100 }, ""),
            ],
        )
        .output(Output::Shape(count_shape))
        .handler(|c, a: CountArgs| Box::pin(count_entity(c, a))),
        entity_params(
            ToolDef::new(
                "get-entity",
                "Get entity",
                READ,
                "A record of any entity by id.",
            ),
            vec![Param::own("id", ID, "").required()],
        )
        .output(Output::Record)
        .handler(|c, a: ByIdArgs| Box::pin(get_entity(c, a))),
        entity_params(
            ToolDef::new(
                "create-entity",
                "Create entity",
                super::CREATE,
                "Create a record of any entity; fields is the body. Child entities go under their parent.",
            ),
            vec![Param::own("fields", Kind::Json, "").required()],
        )
        .output(Output::Written)
        .generic_write_handler(|a: &FieldsArgs| entity_writes::write_target(&a.target()), |c, a: FieldsArgs| Box::pin(entity_writes::create_entity(c, a))),
        entity_params(
            ToolDef::new(
                "update-entity",
                "Update entity",
                super::UPDATE,
                "Change fields of any record; fields must include id.",
            ),
            vec![Param::own("fields", Kind::Json, "").required()],
        )
        .output(Output::Written)
        .generic_write_handler(|a: &FieldsArgs| entity_writes::write_target(&a.target()), |c, a: FieldsArgs| Box::pin(entity_writes::update_entity(c, a))),
        entity_params(
            ToolDef::new(
                "delete-entity",
                "Delete entity",
                super::DELETE,
                "Delete a record by id, where Autotask allows it (e.g. TimeEntries).",
            ),
            vec![Param::own("id", ID, "").required()],
        )
        .output(Output::Written)
        .generic_write_handler(|a: &ByIdArgs| entity_writes::write_target(&a.target()), |c, a: ByIdArgs| Box::pin(entity_writes::delete_entity(c, a))),
        ToolDef::new(
            "get-threshold-information",
            "Get API usage",
            READ,
            "API requests used this hour against the tenant's shared limit.",
        )
        .output(Output::Shape(threshold_shape))
        .handler(|c, _: NoArgs| Box::pin(threshold(c))),
        ToolDef::new(
            "get-version",
            "Get versions",
            READ,
            "Autotask API and server versions.",
        )
        .output(Output::Shape(version_shape))
        .handler(|c, _: NoArgs| Box::pin(version(c))),
    ]
}

/// No arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListArgs {
    pub name_contains: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DescribeArgs {
    pub entity: String,
}

/// Where a generic tool points: an entity, maybe under a parent record.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub entity: String,
    pub parent_entity: Option<String>,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct QueryArgs {
    pub entity: String,
    pub query: Value,
    pub max_records: Option<i64>,
    pub parent_entity: Option<String>,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CountArgs {
    pub entity: String,
    pub query: Value,
    pub group_by: Option<String>,
    pub parent_entity: Option<String>,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ByIdArgs {
    pub entity: String,
    pub id: i64,
    pub parent_entity: Option<String>,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FieldsArgs {
    pub entity: String,
    pub fields: Value,
    pub parent_entity: Option<String>,
    pub parent_id: Option<i64>,
}

macro_rules! target_of {
    ($($t:ty),*) => {$(
        impl $t {
            pub fn target(&self) -> Target {
                Target {
                    entity: self.entity.clone(),
                    parent_entity: self.parent_entity.clone(),
                    parent_id: self.parent_id,
                }
            }
        }
    )*};
}
target_of!(QueryArgs, CountArgs, ByIdArgs, FieldsArgs);

/// Names the argument an error is about (`query`, `fields`).
pub fn about(arg: &str) -> impl Fn(ToolError) -> ToolError + '_ {
    move |e| match e {
        ToolError::Invalid(m) => ToolError::Invalid(join_sentences(
            &format!("`{arg}`: {m}"),
            "Nothing was sent.",
        )),
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

async fn list_known_entities(_ctx: &Context, a: ListArgs) -> Result<Value, ToolError> {
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

async fn describe_entity_fields(ctx: &Context, a: DescribeArgs) -> Result<Value, ToolError> {
    let e = entity(&a.entity)?;
    let live = ctx.client.field_information(e.name).await?;
    let lists = ctx.picklists.store(e.name, &live);
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
        match ctx.client.udf_information(e.name).await {
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
enum ReadPlan {
    Root {
        entity: &'static EntityDef,
        extra: Option<Value>,
    },
    ChildList {
        entity: &'static EntityDef,
        path: String,
    },
}

fn read_plan(target: &Target) -> Result<ReadPlan, ToolError> {
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
                    extra: Some(filters::eq(route.foreign_key, pid)),
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
async fn root_filter(
    ctx: &Context,
    e: &EntityDef,
    query: &Value,
    extra: Option<Value>,
) -> Result<filters::CheckedQuery, ToolError> {
    let mut checked = filters::check_query(e, query).map_err(about("query"))?;
    super::labels::resolve_filter(ctx, e, &mut checked.filter).await?;
    if let Some(extra) = extra {
        if checked.filter == vec![filters::match_all()] {
            checked.filter.clear();
        }
        checked.filter.insert(0, extra);
    }
    Ok(checked)
}

async fn query_entity(ctx: &Context, a: QueryArgs) -> Result<Value, ToolError> {
    match read_plan(&a.target())? {
        ReadPlan::Root { entity: e, extra } => {
            let checked = root_filter(ctx, e, &a.query, extra).await?;
            let max = a.max_records.or(checked.max);
            let projection = summary::projection(e, checked.include.as_deref())?;
            let mut out = records::search(ctx, e.name, checked.filter, max, projection).await?;
            out["entity"] = json!(e.name);
            Ok(out)
        }
        ReadPlan::ChildList { entity: e, path } => {
            let checked = filters::check_query(e, &a.query).map_err(about("query"))?;
            if checked.filter != vec![filters::match_all()] {
                return Err(ToolError::Invalid(format!(
                    "{path} can only be listed whole (Autotask offers no query there): send {{\"filter\":[]}} and filter the rows yourself"
                )));
            }
            let max = a
                .max_records
                .or(checked.max)
                .unwrap_or(records::DEFAULT_MAX_RECORDS);
            let cap = ctx.settings.max_records_cap;
            let result = ctx
                .client
                .list(&path, (max.max(1) as usize).min(cap), ReadIntent::Explicit)
                .await?;
            let mut result = result;
            let notes = present(ctx, e, &mut result.items).await;
            let projection = summary::projection(e, checked.include.as_deref())?;
            let mut out = records::page(ctx, e, &[], result, &projection, notes);
            out["entity"] = json!(e.name);
            out["listedFrom"] = json!(path);
            Ok(out)
        }
    }
}

async fn count_entity(ctx: &Context, a: CountArgs) -> Result<Value, ToolError> {
    match read_plan(&a.target())? {
        ReadPlan::Root { entity: e, extra } => {
            let field = match &a.group_by {
                Some(name) => Some(super::group::group_field(e, name).map_err(about("groupBy"))?),
                None => None,
            };
            let checked = root_filter(ctx, e, &a.query, extra).await?;
            let count = ctx
                .client
                .count(
                    e.name,
                    &json!({"filter": checked.filter}),
                    ReadIntent::Explicit,
                )
                .await?;
            let mut out = json!({"entity": e.name, "count": count});
            if let Some(field) = field {
                let groups = super::group::counts(ctx, e, field, &checked.filter, count).await?;
                if let (Value::Object(out), Value::Object(groups)) = (&mut out, groups) {
                    out.extend(groups);
                }
            }
            out["filter"] = json!(checked.filter);
            Ok(out)
        }
        ReadPlan::ChildList { entity: e, path } => {
            if a.group_by.is_some() {
                return Err(ToolError::Invalid(format!(
                    "{path} can only be listed whole, not grouped: list it with query-entity and count the rows. Nothing was sent."
                )));
            }
            let result = ctx.client.list(&path, 10_000, ReadIntent::Explicit).await?;
            Ok(json!({"entity": e.name, "count": result.items.len(), "listedFrom": path}))
        }
    }
}

async fn get_entity(ctx: &Context, a: ByIdArgs) -> Result<Value, ToolError> {
    let hint = "check the id with query-entity";
    let target = a.target();
    match &target.parent_entity {
        None => {
            let e = entity(&target.entity)?;
            if e.root.get {
                return get_one(ctx, e.name, e.name, a.id, hint).await;
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
                    ctx,
                    &format!("{}/{pid}/{}", route.parent, route.segment),
                    e.name,
                    a.id,
                    hint,
                )
                .await
            } else if e.root.get {
                get_one(ctx, e.name, e.name, a.id, hint).await
            } else {
                Err(ToolError::Invalid(format!(
                    "{} records cannot be read by id through the API",
                    e.name
                )))
            }
        }
    }
}

async fn threshold(ctx: &Context) -> Result<Value, ToolError> {
    // The client records the budget metrics; the usage is the one computation of
    // `autotask::budget`.
    let t = ctx.client.threshold().await?;
    let usage = ctx.client.budget_percents().of(&t);
    Ok(json!({
        "externalRequestThreshold": t.external_request_threshold,
        "requestThresholdTimeframe": t.request_threshold_timeframe,
        "currentTimeframeRequestCount": t.current_timeframe_request_count,
        "remaining": usage.remaining,
        "percentUsed": usage.percent,
        "attachmentBytesLast5Minutes": ctx.client.attachment_bytes_used(),
        "attachmentBytesLimit": crate::autotask::budget::ATTACHMENT_BYTES_LIMIT,
        "note": "The limit is per tenant and shared by every integration; Autotask slows requests from 50% and refuses them above 100%."
    }))
}

async fn version(ctx: &Context) -> Result<Value, ToolError> {
    let api = ctx.client.version().await?;
    Ok(json!({
        "autotaskApi": api,
        "server": {"name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION")},
    }))
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
