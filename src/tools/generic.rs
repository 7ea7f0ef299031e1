//! The generic tools: any of the registry's entities by name (case-insensitive, with "did you
//! mean"), child collections through `parentEntity` + `parentId`, and writes routed where
//! Autotask wants them (a child entity under its parent, from the registry). Write bodies are
//! checked against the registry's fields before anything is sent.

use serde_json::{Map, Value, json};

use super::args::parse_datetime;
use super::{
    Args, Kind, LOCAL_READ, ParamSpec, READ, ToolError, ToolSpec, filters, get_one, present, shape,
};
use crate::autotask::{ReadIntent, UpdateMethod};
use crate::picklists::EntityPicklists;
use crate::registry::{self, DataType, EntityDef, ParentRoute, WriteKind, WriteRoute};
use crate::server::ServerState;

const ENTITY_DESC: &str = "Entity name, e.g. \"Tickets\", \"Companies\", \"TicketNotes\" (case-insensitive; singular names like \"Ticket\" work too). list-known-entities lists them.";
const PARENT_ENTITY_DESC: &str = "Optional parent entity for a child collection, e.g. \"Tickets\" with entity \"Notes\" or \"TicketNotes\" for Tickets/{parentId}/Notes. Use with parentId.";
const PARENT_ID_DESC: &str = "Id of the parent record when parentEntity is set (or when the entity is only reachable under its parent).";

fn entity_param() -> ParamSpec {
    ParamSpec::new("entity", Kind::Text(100), ENTITY_DESC).required()
}

fn parent_params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new("parentEntity", Kind::Text(100), PARENT_ENTITY_DESC),
        ParamSpec::new("parentId", Kind::Id, PARENT_ID_DESC),
    ]
}

fn with_parent(mut params: Vec<ParamSpec>) -> Vec<ParamSpec> {
    params.extend(parent_params());
    params
}

pub fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "list-known-entities",
            "List known entities",
            LOCAL_READ,
            "List the Autotask entities this server knows (about 230), with the operations each supports and the parent routes of child entities (e.g. TicketNotes under Tickets/{id}/Notes). Use it to find the right entity name for query-entity, get-entity, create-entity and friends; for tickets, companies, contacts, projects, tasks and time entries prefer the dedicated tools. Answered locally, costs no API call.",
            |s, a| Box::pin(list_known_entities(s, a)),
        )
        .params(vec![ParamSpec::new(
            "nameContains",
            Kind::Text(100),
            "Optional case-insensitive substring to narrow the list, e.g. \"contract\".",
        )]),
        ToolSpec::new(
            "describe-entity-fields",
            "Describe entity fields",
            READ,
            "Describe an entity's fields: names, data types, required/read-only/queryable flags, references, and the tenant's live picklist values with labels (e.g. ticket status codes; dependent lists show parentValue), plus user-defined fields and where creates/updates are sent. Call it before building a query-entity filter or a create-entity/update-entity body, and whenever you need a picklist code: picklist ids differ per tenant, never guess them.",
            |s, a| Box::pin(describe_entity_fields(s, a)),
        )
        .params(vec![entity_param()]),
        ToolSpec::new(
            "query-entity",
            "Query entity",
            READ,
            "Query any entity with Autotask's filter syntax. `query` is a JSON object (or a JSON string of one): {\"filter\":[{\"op\":\"eq\",\"field\":\"status\",\"value\":1}],\"includeFields\":[\"id\",\"title\"]}. Operators: eq, noteq, gt, gte, lt, lte, beginsWith, endsWith, contains, exist, notExist, in, notIn; group with {\"op\":\"or\",\"items\":[...]}; top-level clauses are ANDed. Use noteq for \"not equal\" (ne is not an Autotask operator and is refused). Field names are checked against the entity first. For the common entities prefer search-tickets, search-companies, search-contacts, search-projects, search-tasks and search-time-entries; use count-entity first when a result may be large.",
            |s, a| Box::pin(query_entity(s, a)),
        )
        .params(with_parent(vec![
            entity_param(),
            ParamSpec::new("query", Kind::Json, "The Autotask query: an object with `filter` (array of clauses), optional `includeFields` and `maxRecords`, as an object or a JSON string.").required(),
            super::max_records_param(),
        ])),
        ToolSpec::new(
            "count-entity",
            "Count entity",
            READ,
            "Count the records of any entity that match a query, without fetching them (one API call). Use it before a large query to decide whether to narrow the filter. `query` takes the same JSON as query-entity.",
            |s, a| Box::pin(count_entity(s, a)),
        )
        .params(with_parent(vec![
            entity_param(),
            ParamSpec::new("query", Kind::Json, "The Autotask query with a `filter` array, as an object or a JSON string; {\"filter\":[]} counts everything.").required(),
        ])),
        ToolSpec::new(
            "get-entity",
            "Get entity",
            READ,
            "Fetch one record of any entity by id, with picklist labels beside codes. For tickets, companies, contacts, projects and tasks prefer get-ticket, get-company, get-contact, get-project and get-task. For a child collection without its own root (rare), pass parentEntity and parentId.",
            |s, a| Box::pin(get_entity(s, a)),
        )
        .params(with_parent(vec![
            entity_param(),
            ParamSpec::new("id", Kind::Id, "Id of the record.").required(),
        ])),
        ToolSpec::new(
            "create-entity",
            "Create entity",
            super::CREATE,
            "Create a record of any entity. `fields` is the record body (object or JSON string), e.g. {\"title\":\"...\",\"companyID\":123}; call describe-entity-fields first for required fields and picklist codes. Fields are checked against the entity (unknown names, types, lengths; read-only fields are dropped with a note). Child entities are sent under their parent automatically (TicketNotes to Tickets/{ticketID}/Notes, Contacts to Companies/{companyID}/Contacts); give the parent id as parentId or in the foreign-key field. Prefer create-ticket, create-ticket-note, create-company, create-contact and create-time-entry where they fit. Requires confirm: \"CREATE_ENTITY\".",
            |s, a| Box::pin(create_entity(s, a)),
        )
        .params(with_parent(vec![
            entity_param(),
            ParamSpec::new("fields", Kind::Json, "The new record's field values as an object (or a JSON string of one), using the entity's field names.").required(),
        ])),
        ToolSpec::new(
            "update-entity",
            "Update entity",
            super::UPDATE,
            "Update a record of any entity: only the fields given change (PATCH). `fields` must include \"id\", e.g. {\"id\":123,\"status\":5}. Fields are checked against the entity first. Child entities (e.g. Contacts, Tasks, TicketNotes) are sent under their parent; the parent id comes from parentId, the foreign-key field, or is looked up. Prefer update-ticket, update-company and update-contact where they fit. Requires confirm: \"UPDATE_ENTITY\".",
            |s, a| Box::pin(update_entity(s, a)),
        )
        .params(with_parent(vec![
            entity_param(),
            ParamSpec::new("fields", Kind::Json, "The fields to change as an object (or a JSON string of one); must include \"id\".").required(),
        ])),
        ToolSpec::new(
            "delete-entity",
            "Delete entity",
            super::DELETE,
            "Delete a record by id. Irreversible. Only some entities allow it (e.g. TimeEntries, Appointments, Contacts under their company); tickets, companies and projects cannot be deleted through the API, the error says so before anything is sent. Requires confirm: \"DELETE_ENTITY\".",
            |s, a| Box::pin(delete_entity(s, a)),
        )
        .params(with_parent(vec![
            entity_param(),
            ParamSpec::new("id", Kind::Id, "Id of the record to delete.").required(),
        ])),
        ToolSpec::new(
            "get-threshold-information",
            "Get API usage",
            READ,
            "Show the tenant's Autotask API usage this hour against its limit (10,000 requests per rolling hour by default, shared by every integration on the tenant). Check it before a large fan-out of queries.",
            |s, a| Box::pin(threshold(s, a)),
        )
        .params(vec![]),
        ToolSpec::new(
            "get-version",
            "Get versions",
            READ,
            "Show the Autotask REST API version and this server's name and version. A cheap connectivity check.",
            |s, a| Box::pin(version(s, a)),
        )
        .params(vec![]),
    ]
}

/// Names the argument an error is about (`query`, `fields`).
fn about(arg: &str) -> impl Fn(ToolError) -> ToolError + '_ {
    move |e| match e {
        ToolError::Invalid(m) => ToolError::Invalid(format!("`{arg}`: {m}. Nothing was sent.")),
        other => other,
    }
}

fn entity(name: &str) -> Result<&'static EntityDef, ToolError> {
    registry::lookup(name).map_err(|e| ToolError::Invalid(e.to_string()))
}

/// The entity and parent route named by `entity` + `parentEntity` (`Notes` under `Tickets`, or
/// `TicketNotes` under `Tickets`).
fn child(
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

/// The entity a write names: `entity`, or a child segment of `parentEntity` (`Notes`).
fn write_target(args: &Args) -> Result<&'static EntityDef, ToolError> {
    let name = args.req_text("entity")?;
    match args.text("parentEntity") {
        Some(parent) => child(name, parent).map(|(e, _)| e),
        None => entity(name),
    }
}

fn parent_id(args: &Args, route: &ParentRoute) -> Result<i64, ToolError> {
    args.int("parentId").ok_or_else(|| {
        ToolError::Invalid(format!(
            "pass parentId: the id of the {} record",
            route.parent
        ))
    })
}

fn operations(e: &EntityDef) -> Vec<&'static str> {
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

async fn list_known_entities(_state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let wanted = args
        .text("nameContains")
        .map(|s| s.trim().to_ascii_lowercase());
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

fn route_text(e: &EntityDef, kind: WriteKind) -> Value {
    match e.write_route(kind) {
        None => Value::Null,
        Some(WriteRoute::Root) => json!(e.name),
        Some(WriteRoute::Parent(p)) => json!(format!(
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

async fn describe_entity_fields(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let e = entity(args.req_text("entity")?)?;
    let live = state.client.field_information(e.name).await?;
    let lists = state.picklists.store(e.name, &live);
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
                notes.push(format!("{}: only the first {MAX_PICKLIST_VALUES} of {active} picklist values are listed", f.name));
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
        "createAt": route_text(e, WriteKind::Create),
        "updateAt": route_text(e, WriteKind::Patch),
        "deleteAt": route_text(e, WriteKind::Delete),
        "fields": fields,
    });
    if e.has_user_defined_fields {
        match state.client.udf_information(e.name).await {
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

fn read_plan(args: &Args, for_query: bool) -> Result<ReadPlan, ToolError> {
    let name = args.req_text("entity")?;
    match args.text("parentEntity") {
        None => {
            let e = entity(name)?;
            if for_query && !e.root.query {
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
            let (e, route) = child(name, parent)?;
            let pid = parent_id(args, route)?;
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

async fn query_entity(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let plan = read_plan(&args, true)?;
    let query = args.json("query").cloned().unwrap_or_else(|| json!({}));
    match plan {
        ReadPlan::Root { entity: e, extra } => {
            let filters::CheckedQuery {
                mut filter,
                include,
                max: query_max,
            } = filters::check_query(e, &query).map_err(about("query"))?;
            if let Some(extra) = extra {
                if filter == vec![filters::match_all()] {
                    filter.clear();
                }
                filter.insert(0, extra);
            }
            let max = args
                .int("maxRecords")
                .or(query_max)
                .unwrap_or(super::DEFAULT_MAX_RECORDS);
            let mut out = super::search(state, e.name, filter, max, include).await?;
            out["entity"] = json!(e.name);
            Ok(out)
        }
        ReadPlan::ChildList { entity: e, path } => {
            let filters::CheckedQuery {
                filter,
                max: query_max,
                ..
            } = filters::check_query(e, &query).map_err(about("query"))?;
            if filter != vec![filters::match_all()] {
                return Err(ToolError::Invalid(format!(
                    "{path} can only be listed whole (Autotask offers no query there): send {{\"filter\":[]}} and filter the rows yourself"
                )));
            }
            let max = args
                .int("maxRecords")
                .or(query_max)
                .unwrap_or(super::DEFAULT_MAX_RECORDS);
            let result = state
                .client
                .list(&path, max as usize, ReadIntent::Explicit)
                .await?;
            let mut items = result.items;
            present(state, e.name, &mut items).await;
            let mut out = shape::search_result(&[], items, result.has_more);
            out["entity"] = json!(e.name);
            out["listedFrom"] = json!(path);
            Ok(out)
        }
    }
}

async fn count_entity(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let plan = read_plan(&args, true)?;
    let query = args.json("query").cloned().unwrap_or_else(|| json!({}));
    match plan {
        ReadPlan::Root { entity: e, extra } => {
            let filters::CheckedQuery { mut filter, .. } =
                filters::check_query(e, &query).map_err(about("query"))?;
            if let Some(extra) = extra {
                if filter == vec![filters::match_all()] {
                    filter.clear();
                }
                filter.insert(0, extra);
            }
            let count = state
                .client
                .count(e.name, &json!({"filter": filter}), ReadIntent::Explicit)
                .await?;
            Ok(json!({"entity": e.name, "count": count, "filter": filter}))
        }
        ReadPlan::ChildList { entity: e, path } => {
            let result = state
                .client
                .list(&path, 10_000, ReadIntent::Explicit)
                .await?;
            Ok(json!({"entity": e.name, "count": result.items.len(), "listedFrom": path}))
        }
    }
}

async fn get_entity(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let id = args.req_int("id")?;
    let name = args.req_text("entity")?;
    let hint = "check the id with query-entity";
    match args.text("parentEntity") {
        None => {
            let e = entity(name)?;
            if e.root.get {
                return get_one(state, e.name, e.name, id, hint).await;
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
            let (e, route) = child(name, parent)?;
            let pid = parent_id(&args, route)?;
            if route.get {
                get_one(
                    state,
                    &format!("{}/{pid}/{}", route.parent, route.segment),
                    e.name,
                    id,
                    hint,
                )
                .await
            } else if e.root.get {
                get_one(state, e.name, e.name, id, hint).await
            } else {
                Err(ToolError::Invalid(format!(
                    "{} records cannot be read by id through the API",
                    e.name
                )))
            }
        }
    }
}

/// A write body after checking: registry spellings, notes on what was dropped, and the
/// picklist fields given as labels (to resolve after the confirm gate).
#[derive(Debug, Clone, Default)]
pub struct CheckedBody {
    pub body: Map<String, Value>,
    pub notes: Vec<String>,
    pub labels: Vec<String>,
}

/// Checks a write body against the entity's fields: names (case-insensitive, with
/// suggestions), types and lengths. Read-only fields are dropped with a note. Returns the
/// body with registry spellings and the picklist fields given as labels (to resolve).
pub fn check_body(e: &EntityDef, fields: &Value, update: bool) -> Result<CheckedBody, ToolError> {
    let Some(obj) = fields.as_object() else {
        return Err(ToolError::Invalid(
            "`fields` must be a JSON object of field values".into(),
        ));
    };
    let mut body = Map::new();
    let mut notes = Vec::new();
    let mut labels = Vec::new();
    let mut problems = Vec::new();
    for (key, value) in obj {
        if key.eq_ignore_ascii_case("userDefinedFields") {
            if !e.has_user_defined_fields {
                problems.push(format!("{} has no user-defined fields", e.name));
                continue;
            }
            let ok = value.as_array().is_some_and(|items| {
                items.iter().all(|u| {
                    u.get("name").is_some_and(Value::is_string)
                        && u.get("value").is_none_or(|v| v.is_string() || v.is_null())
                })
            });
            if ok {
                body.insert("userDefinedFields".into(), value.clone());
            } else {
                problems.push("`userDefinedFields` must be an array of {\"name\": \"...\", \"value\": \"text\"}".into());
            }
            continue;
        }
        let f = match filters::field_name(e, key) {
            Ok(_) => e.field(key),
            Err(err) => {
                problems.push(err.to_string());
                continue;
            }
        };
        let Some(f) = f else { continue };
        if f.name == "id" {
            if update {
                match coerce_int(value, i64::MAX).filter(|n| *n >= 0) {
                    Some(id) => {
                        body.insert("id".into(), json!(id));
                    }
                    None => problems
                        .push("`id` must be the record's id (a non-negative whole number)".into()),
                }
            } else {
                notes.push("`id` was left out: Autotask assigns it".into());
            }
            continue;
        }
        if f.is_read_only {
            notes.push(format!("`{}` is read-only and was left out", f.name));
            continue;
        }
        if value.is_null() {
            if update && !f.is_required {
                body.insert(f.name.into(), Value::Null);
            } else if f.is_required {
                problems.push(format!("`{}` is required and cannot be null", f.name));
            }
            continue;
        }
        match coerce_field(f.data_type, f.length, value) {
            Some(v) => {
                body.insert(f.name.into(), v);
            }
            None if f.is_pick_list
                && value
                    .as_str()
                    .is_some_and(|s| !s.trim().is_empty() && s.len() <= 100) =>
            {
                body.insert(f.name.into(), value.clone());
                labels.push(f.name.to_string());
            }
            None => problems.push(format!(
                "`{}` is {}: expected {}",
                f.name,
                short(value),
                expected(f.data_type, f.length)
            )),
        }
    }
    if update && !body.contains_key("id") {
        problems.push("`fields` must include \"id\", the id of the record to update".into());
    }
    if update && body.len() < 2 {
        problems.push("`fields` has nothing to change besides the id".into());
    }
    if !problems.is_empty() {
        return Err(ToolError::Invalid(format!(
            "the {} body was not sent: {}",
            e.name,
            problems.join("; ")
        )));
    }
    Ok(CheckedBody {
        body,
        notes,
        labels,
    })
}

fn short(v: &Value) -> String {
    let t = v.to_string();
    if t.chars().count() > 40 {
        format!(
            "{}… ({} characters)",
            t.chars().take(40).collect::<String>(),
            t.chars().count()
        )
    } else {
        t
    }
}

fn expected(t: DataType, length: u32) -> String {
    match t {
        DataType::Integer | DataType::Short => "a whole number".into(),
        DataType::Long => "a whole number".into(),
        DataType::Double | DataType::Decimal => "a number".into(),
        DataType::Boolean => "true or false".into(),
        DataType::DateTime => "an ISO 8601 date-time in UTC, e.g. 2026-01-31T14:00:00Z".into(),
        DataType::String if length > 0 => format!("a string of at most {length} characters"),
        DataType::String => "a string".into(),
    }
}

fn coerce_int(v: &Value, max: i64) -> Option<i64> {
    let n = match v {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) if s.trim().len() <= 20 => s.trim().parse::<i64>().ok()?,
        _ => return None,
    };
    (n.abs() <= max).then_some(n)
}

fn coerce_field(t: DataType, length: u32, v: &Value) -> Option<Value> {
    match t {
        DataType::Integer => coerce_int(v, i32::MAX as i64).map(Value::from),
        DataType::Short => coerce_int(v, i16::MAX as i64).map(Value::from),
        DataType::Long => coerce_int(v, i64::MAX).map(Value::from),
        DataType::Double | DataType::Decimal => {
            let n = match v {
                Value::Number(n) => n.as_f64()?,
                Value::String(s) if s.trim().len() <= 30 => s.trim().parse::<f64>().ok()?,
                _ => return None,
            };
            n.is_finite()
                .then(|| serde_json::Number::from_f64(n).map(Value::Number))
                .flatten()
        }
        DataType::Boolean => match v {
            Value::Bool(b) => Some(Value::Bool(*b)),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(Value::Bool(false)),
            _ => None,
        },
        DataType::DateTime => v.as_str().and_then(parse_datetime).map(Value::String),
        DataType::String => match v {
            Value::String(s) if length == 0 || s.chars().count() <= length as usize => {
                Some(v.clone())
            }
            _ => None,
        },
    }
}

/// Replaces picklist labels in `body` by their codes.
pub async fn resolve_body_labels(
    state: &ServerState,
    e: &EntityDef,
    body: &mut Map<String, Value>,
    labels: &[String],
) -> Result<(), ToolError> {
    if labels.is_empty() {
        return Ok(());
    }
    let lists: std::sync::Arc<EntityPicklists> =
        state.picklists.get(e.name, ReadIntent::Explicit).await?;
    for field in labels {
        let Some(label) = body.get(field).and_then(Value::as_str).map(str::to_string) else {
            continue;
        };
        match lists.code(field, &label) {
            Ok(code) => {
                body.insert(
                    field.clone(),
                    code.parse::<i64>()
                        .map(Value::from)
                        .unwrap_or_else(|_| json!(code)),
                );
            }
            Err(valid) => {
                return Err(ToolError::Invalid(format!(
                    "`{field}` is \"{label}\", which is not a value of {}.{field}. Values: {}",
                    e.name,
                    valid.into_iter().take(60).collect::<Vec<_>>().join(", ")
                )));
            }
        }
    }
    Ok(())
}

/// Where a write goes, filling the parent foreign key into the body when needed.
async fn write_path(
    state: &ServerState,
    args: &Args,
    e: &'static EntityDef,
    kind: WriteKind,
    body: &mut Map<String, Value>,
    record_id: Option<i64>,
) -> Result<String, ToolError> {
    let verb = match kind {
        WriteKind::Create => "created",
        WriteKind::Patch | WriteKind::Put => "updated",
        WriteKind::Delete => "deleted",
    };
    let route = match args.text("parentEntity") {
        Some(parent) => {
            let (_, route) = child(e.name, parent)?;
            let supported = match kind {
                WriteKind::Create => route.create,
                WriteKind::Patch => route.patch,
                WriteKind::Put => route.put,
                WriteKind::Delete => route.delete,
            };
            if !supported {
                return Err(ToolError::Invalid(format!(
                    "{} cannot be {verb} under {}",
                    e.name, route.parent
                )));
            }
            route
        }
        None => match e.write_route(kind) {
            Some(WriteRoute::Root) => return Ok(e.name.to_string()),
            Some(WriteRoute::Parent(route)) => route,
            None => {
                return Err(ToolError::Invalid(format!(
                    "{} records cannot be {verb} through the Autotask API (it supports: {}). Nothing was sent.",
                    e.name,
                    operations(e).join(", ")
                )));
            }
        },
    };
    let fk = route.foreign_key;
    let from_body = (!fk.is_empty())
        .then(|| body.get(fk).and_then(|v| coerce_int(v, i64::MAX)))
        .flatten();
    let pid = match (args.int("parentId"), from_body) {
        (Some(p), Some(b)) if p != b => {
            return Err(ToolError::Invalid(format!(
                "parentId {p} and {fk} {b} disagree: pass one of them"
            )));
        }
        (Some(p), _) | (None, Some(p)) => p,
        (None, None) => match record_id {
            Some(id) if e.root.get && !fk.is_empty() => {
                let record = state
                    .client
                    .get(e.name, id, ReadIntent::Explicit)
                    .await?
                    .ok_or_else(|| {
                        ToolError::NotFound(format!(
                            "{} has no record with id {id}; check the id with query-entity",
                            e.name
                        ))
                    })?;
                record
                    .get(fk)
                    .and_then(|v| coerce_int(v, i64::MAX))
                    .ok_or_else(|| {
                        ToolError::Invalid(format!(
                            "could not tell which {} record {} {id} belongs to: pass parentId",
                            route.parent, e.name
                        ))
                    })?
            }
            _ => {
                return Err(ToolError::Invalid(format!(
                    "{} records are {verb} under their {} record: pass parentId{}",
                    e.name,
                    route.parent,
                    if fk.is_empty() {
                        String::new()
                    } else {
                        format!(" or `{fk}` in fields")
                    }
                )));
            }
        },
    };
    if !fk.is_empty() && kind != WriteKind::Delete {
        body.insert(fk.to_string(), json!(pid));
    }
    Ok(format!("{}/{pid}/{}", route.parent, route.segment))
}

async fn create_entity(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let e = write_target(&args)?;
    let fields = args.json("fields").cloned().unwrap_or_else(|| json!({}));
    let CheckedBody {
        mut body,
        notes,
        labels,
    } = check_body(e, &fields, false).map_err(about("fields"))?;
    let path = write_path(state, &args, e, WriteKind::Create, &mut body, None).await?;
    let missing: Vec<&str> = e
        .fields
        .iter()
        .filter(|f| {
            f.is_required && !f.is_read_only && f.name != "id" && !body.contains_key(f.name)
        })
        .map(|f| f.name)
        .collect();
    if !missing.is_empty() {
        return Err(ToolError::Invalid(format!(
            "{} needs {} to be created; add them to fields (describe-entity-fields {} lists their values). Nothing was sent.",
            e.name,
            missing.join(", "),
            e.name
        )));
    }
    resolve_body_labels(state, e, &mut body, &labels).await?;
    let id = state.client.create(&path, &Value::Object(body)).await?;
    Ok(super::written(
        "created",
        e.name,
        &path,
        id,
        &format!("get-entity {} {id} reads it back", e.name),
        notes,
    ))
}

async fn update_entity(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let e = write_target(&args)?;
    let fields = args.json("fields").cloned().unwrap_or_else(|| json!({}));
    let CheckedBody {
        mut body,
        notes,
        labels,
    } = check_body(e, &fields, true).map_err(about("fields"))?;
    let id = body.get("id").and_then(Value::as_i64).unwrap_or_default();
    let path = write_path(state, &args, e, WriteKind::Patch, &mut body, Some(id)).await?;
    resolve_body_labels(state, e, &mut body, &labels).await?;
    let id = state
        .client
        .update(&path, &Value::Object(body), UpdateMethod::Patch)
        .await?;
    Ok(super::written(
        "updated",
        e.name,
        &path,
        id,
        &format!("get-entity {} {id} reads it back", e.name),
        notes,
    ))
}

async fn delete_entity(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let e = write_target(&args)?;
    let id = args.req_int("id")?;
    let mut body = Map::new();
    let path = write_path(state, &args, e, WriteKind::Delete, &mut body, Some(id)).await?;
    let deleted = state.client.delete(&path, id).await?;
    Ok(super::written(
        "deleted",
        e.name,
        &format!("{path}/{id}"),
        deleted,
        "the record is gone",
        Vec::new(),
    ))
}

async fn threshold(state: &ServerState, _args: Args) -> Result<Value, ToolError> {
    // The client records the budget metrics; the usage is the one computation of
    // `autotask::budget`.
    let t = state.client.threshold().await?;
    let usage = state.client.budget_percents().of(&t);
    Ok(json!({
        "externalRequestThreshold": t.external_request_threshold,
        "requestThresholdTimeframe": t.request_threshold_timeframe,
        "currentTimeframeRequestCount": t.current_timeframe_request_count,
        "remaining": usage.remaining,
        "percentUsed": usage.percent,
        "note": "The limit is per tenant and shared by every integration; Autotask slows requests from 50% and refuses them above 100%."
    }))
}

async fn version(state: &ServerState, _args: Args) -> Result<Value, ToolError> {
    let api = state.client.version().await?;
    Ok(json!({
        "autotaskApi": api,
        "server": {"name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION")},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(name: &str) -> &'static EntityDef {
        match registry::find(name) {
            Some(e) => e,
            None => panic!("{name} missing"),
        }
    }

    #[test]
    fn bodies_are_checked_against_the_registry() {
        let CheckedBody {
            body,
            notes,
            labels,
        } = check_body(
            def("Tickets"),
            &json!({"Title": "x", "companyid": "5", "status": "New", "ticketNumber": "T1"}),
            false,
        )
        .unwrap_or_default();
        assert_eq!(
            Value::Object(body),
            json!({"title": "x", "companyID": 5, "status": "New"})
        );
        assert_eq!(labels, ["status"]);
        assert!(notes.iter().any(|n| n.contains("ticketNumber")));
        let err = check_body(def("Tickets"), &json!({"titel": "x"}), false)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("did you mean title"), "{err}");
        let err = check_body(
            def("Tickets"),
            &json!({"title": "x".repeat(300), "companyID": 1.5}),
            false,
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.contains("at most 255") && err.contains("`companyID`"),
            "{err}"
        );
        let err = check_body(def("Tickets"), &json!({"title": "x"}), true)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("must include \"id\""), "{err}");
    }

    #[test]
    fn children_resolve_by_segment_or_entity_name() {
        assert!(
            matches!(child("Notes", "tickets"), Ok((e, r)) if e.name == "TicketNotes" && r.segment == "Notes")
        );
        assert!(matches!(child("TicketNotes", "Tickets"), Ok((e, _)) if e.name == "TicketNotes"));
        let err = child("Bogus", "Tickets")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("Notes (TicketNotes)"), "{err}");
    }
}
