//! The generic tools: any of the registry's entities by name (case-insensitive, with "did you
//! mean"), child collections through `parentEntity` + `parentId`, the tenant's budget and the
//! versions. Writes (`create-entity`, `update-entity`, `delete-entity`) live in
//! `entity_writes.rs`; this file declares them with the reads so the generic surface reads as
//! one list.

use serde::Deserialize;
use serde_json::{Value, json};

use super::entity_writes;
use super::output::{self, Output};
use super::records::{self, get_one, max_records_param, present};
use super::value::{ID, Kind};
use super::{Context, LOCAL_READ, Param, READ, ToolDef, ToolError, filters, shape};
use crate::autotask::ReadIntent;
use crate::registry::{self, DataType, EntityDef, ParentRoute, WriteKind, WriteRoute};

const ENTITY_DESC: &str = "Entity name, e.g. \"Tickets\", \"Companies\", \"TicketNotes\" (case-insensitive; singular names like \"Ticket\" work too). list-known-entities lists them.";
const PARENT_ENTITY_DESC: &str = "Optional parent entity for a child collection, e.g. \"Tickets\" with entity \"Notes\" or \"TicketNotes\" for Tickets/{parentId}/Notes. Use with parentId.";
const PARENT_ID_DESC: &str = "Id of the parent record when parentEntity is set (or when the entity is only reachable under its parent).";

fn entity_param() -> Param {
    Param::own("entity", Kind::Text { max: 100 }, ENTITY_DESC).required()
}

/// `entity`, then the tool's own parameters, then the parent route parameters.
fn entity_params(def: ToolDef, own: Vec<Param>) -> ToolDef {
    let mut def = def.param(entity_param());
    for p in own {
        def = def.param(p);
    }
    def.param(Param::own(
        "parentEntity",
        Kind::Text { max: 100 },
        PARENT_ENTITY_DESC,
    ))
    .param(Param::own("parentId", ID, PARENT_ID_DESC))
}

fn list_shape() -> Value {
    let mut schema = output::object(
        &[("count", "integer"), ("entities", "array")],
        &["count", "entities"],
    );
    schema["properties"]["entities"]["items"] =
        output::object(&[("name", "string"), ("operations", "string")], &["name"]);
    schema
}

fn describe_shape() -> Value {
    let mut schema = output::object(
        &[("entity", "string"), ("fields", "array")],
        &["entity", "fields"],
    );
    schema["properties"]["fields"]["items"] = output::object(
        &[("name", "string"), ("dataType", "string")],
        &["name", "dataType"],
    );
    schema
}

fn count_shape() -> Value {
    output::object(
        &[("entity", "string"), ("count", "integer")],
        &["entity", "count"],
    )
}

fn threshold_shape() -> Value {
    output::object(
        &[
            ("externalRequestThreshold", "integer"),
            ("currentTimeframeRequestCount", "integer"),
            ("remaining", "integer"),
            ("percentUsed", "number"),
        ],
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
            "List the Autotask entities this server knows (about 230), with the operations each supports and the parent routes of child entities (e.g. TicketNotes under Tickets/{id}/Notes). Use it to find the right entity name for query-entity, get-entity, create-entity and friends; for tickets, companies, contacts, projects, tasks and time entries prefer the dedicated tools. Answered locally, costs no API call.",
        )
        .param(Param::own(
            "nameContains",
            Kind::Text { max: 100 },
            "Optional case-insensitive substring to narrow the list, e.g. \"contract\".",
        ))
        .output(Output::Shape(list_shape))
        .handler(|c, a: ListArgs| Box::pin(list_known_entities(c, a))),
        ToolDef::new(
            "describe-entity-fields",
            "Describe entity fields",
            READ,
            "Describe an entity's fields: names, data types, required/read-only/queryable flags, references, and the tenant's live picklist values with labels (e.g. ticket status codes; dependent lists show parentValue), plus user-defined fields and where creates/updates are sent. Call it before building a query-entity filter or a create-entity/update-entity body, and whenever you need a picklist code: picklist ids differ per tenant, never guess them.",
        )
        .param(entity_param())
        .output(Output::Shape(describe_shape))
        .handler(|c, a: DescribeArgs| Box::pin(describe_entity_fields(c, a))),
        entity_params(
            ToolDef::new(
                "query-entity",
                "Query entity",
                READ,
                "Query any entity with Autotask's filter syntax. `query` is a JSON object (or a JSON string of one): {\"filter\":[{\"op\":\"eq\",\"field\":\"status\",\"value\":1}],\"includeFields\":[\"id\",\"title\"]}. Operators: eq, noteq, gt, gte, lt, lte, beginsWith, endsWith, contains, exist, notExist, in, notIn; group with {\"op\":\"or\",\"items\":[...]}; top-level clauses are ANDed. Use noteq for \"not equal\" (ne is not an Autotask operator and is refused). Field names are checked against the entity first. For the common entities prefer search-tickets, search-companies, search-contacts, search-projects, search-tasks and search-time-entries; use count-entity first when a result may be large.",
            ),
            vec![
                Param::own("query", Kind::Json, "The Autotask query: an object with `filter` (array of clauses), optional `includeFields` and `maxRecords`, as an object or a JSON string.").required(),
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
                "Count the records of any entity that match a query, without fetching them (one API call). Use it before a large query to decide whether to narrow the filter. `query` takes the same JSON as query-entity.",
            ),
            vec![Param::own("query", Kind::Json, "The Autotask query with a `filter` array, as an object or a JSON string; {\"filter\":[]} counts everything.").required()],
        )
        .output(Output::Shape(count_shape))
        .handler(|c, a: CountArgs| Box::pin(count_entity(c, a))),
        entity_params(
            ToolDef::new(
                "get-entity",
                "Get entity",
                READ,
                "Fetch one record of any entity by id, with picklist labels beside codes. For tickets, companies, contacts, projects and tasks prefer get-ticket, get-company, get-contact, get-project and get-task. For a child collection without its own root (rare), pass parentEntity and parentId.",
            ),
            vec![Param::own("id", ID, "Id of the record.").required()],
        )
        .output(Output::Record)
        .handler(|c, a: ByIdArgs| Box::pin(get_entity(c, a))),
        entity_params(
            ToolDef::new(
                "create-entity",
                "Create entity",
                super::CREATE,
                "Create a record of any entity. `fields` is the record body (object or JSON string), e.g. {\"title\":\"...\",\"companyID\":123}; call describe-entity-fields first for required fields and picklist codes. Fields are checked against the entity (unknown names, types, lengths; read-only fields are dropped with a note). Child entities are sent under their parent automatically (TicketNotes to Tickets/{ticketID}/Notes, Contacts to Companies/{companyID}/Contacts); give the parent id as parentId or in the foreign-key field. Prefer create-ticket, create-ticket-note, create-company, create-contact and create-time-entry where they fit.",
            ),
            vec![Param::own("fields", Kind::Json, "The new record's field values as an object (or a JSON string of one), using the entity's field names.").required()],
        )
        .output(Output::Written)
        .generic_write_handler(|a: &FieldsArgs| entity_writes::write_target(&a.target()), |c, a: FieldsArgs| Box::pin(entity_writes::create_entity(c, a))),
        entity_params(
            ToolDef::new(
                "update-entity",
                "Update entity",
                super::UPDATE,
                "Update a record of any entity: only the fields given change (PATCH). `fields` must include \"id\", e.g. {\"id\":123,\"status\":5}. Fields are checked against the entity first. Child entities (e.g. Contacts, Tasks, TicketNotes) are sent under their parent; the parent id comes from parentId, the foreign-key field, or is looked up. Prefer update-ticket, update-company and update-contact where they fit.",
            ),
            vec![Param::own("fields", Kind::Json, "The fields to change as an object (or a JSON string of one); must include \"id\".").required()],
        )
        .output(Output::Written)
        .generic_write_handler(|a: &FieldsArgs| entity_writes::write_target(&a.target()), |c, a: FieldsArgs| Box::pin(entity_writes::update_entity(c, a))),
        entity_params(
            ToolDef::new(
                "delete-entity",
                "Delete entity",
                super::DELETE,
                "Delete a record by id. Irreversible. Only some entities allow it (e.g. TimeEntries, Appointments, Contacts under their company); tickets, companies and projects cannot be deleted through the API, the error says so before anything is sent.",
            ),
            vec![Param::own("id", ID, "Id of the record to delete.").required()],
        )
        .output(Output::Written)
        .generic_write_handler(|a: &ByIdArgs| entity_writes::write_target(&a.target()), |c, a: ByIdArgs| Box::pin(entity_writes::delete_entity(c, a))),
        ToolDef::new(
            "get-threshold-information",
            "Get API usage",
            READ,
            "Show the tenant's Autotask API usage this hour against its limit (10,000 requests per rolling hour by default, shared by every integration on the tenant). Check it before a large fan-out of queries.",
        )
        .output(Output::Shape(threshold_shape))
        .handler(|c, _: NoArgs| Box::pin(threshold(c))),
        ToolDef::new(
            "get-version",
            "Get versions",
            READ,
            "Show the Autotask REST API version and this server's name and version. A cheap connectivity check.",
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
        ToolError::Invalid(m) => ToolError::Invalid(format!("`{arg}`: {m}. Nothing was sent.")),
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

/// The checked filter of a root query, with the parent's foreign-key clause first.
fn root_filter(
    e: &EntityDef,
    query: &Value,
    extra: Option<Value>,
) -> Result<filters::CheckedQuery, ToolError> {
    let mut checked = filters::check_query(e, query).map_err(about("query"))?;
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
            let checked = root_filter(e, &a.query, extra)?;
            let max = a.max_records.or(checked.max);
            let mut out =
                records::search(ctx, e.name, checked.filter, max, checked.include).await?;
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
            let result = ctx
                .client
                .list(&path, max as usize, ReadIntent::Explicit)
                .await?;
            let mut items = result.items;
            present(ctx, e.name, &mut items).await;
            let mut out = shape::search_result(&[], items, result.has_more);
            out["entity"] = json!(e.name);
            out["listedFrom"] = json!(path);
            Ok(out)
        }
    }
}

async fn count_entity(ctx: &Context, a: CountArgs) -> Result<Value, ToolError> {
    match read_plan(&a.target())? {
        ReadPlan::Root { entity: e, extra } => {
            let checked = root_filter(e, &a.query, extra)?;
            let count = ctx
                .client
                .count(
                    e.name,
                    &json!({"filter": checked.filter}),
                    ReadIntent::Explicit,
                )
                .await?;
            Ok(json!({"entity": e.name, "count": count, "filter": checked.filter}))
        }
        ReadPlan::ChildList { entity: e, path } => {
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
    let t = ctx.client.threshold().await?;
    crate::metrics::record_budget(
        t.current_timeframe_request_count,
        t.external_request_threshold,
    );
    let percent = if t.external_request_threshold == 0 {
        0.0
    } else {
        (t.current_timeframe_request_count as f64 * 1000.0 / t.external_request_threshold as f64)
            .round()
            / 10.0
    };
    Ok(json!({
        "externalRequestThreshold": t.external_request_threshold,
        "requestThresholdTimeframe": t.request_threshold_timeframe,
        "currentTimeframeRequestCount": t.current_timeframe_request_count,
        "remaining": t.external_request_threshold.saturating_sub(t.current_timeframe_request_count),
        "percentUsed": percent,
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
