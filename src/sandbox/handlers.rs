//! The handlers behind the routes: metadata (`entityInformation`, fields, UDFs, the zone,
//! versions, thresholds), queries with id-based paging and counts, get by id, child lists,
//! and writes (create, PATCH, PUT, delete) that are visible to the next query at once.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::response::Response;
use chrono::Utc;
use http::Method;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::auth::Caller;
use super::endpoint::{Endpoint, EntityRoute, Op};
use super::picklists::tenant;
use super::query::{self, MAX_PAGE, Paging};
use super::seed::API_USER_RESOURCE_ID;
use super::shared::{PERMISSION_DENIED, Shared};
use super::store::Record;
use super::validate::{self, Write, WriteCtx};
use super::wire::{ApiError, bytes_response, json_response};
use crate::registry::{self, EntityDef, FieldDef, ParentRoute};

/// Answers a resolved, authenticated (where needed) request.
pub fn dispatch(
    shared: &Shared,
    caller: Option<Caller>,
    method: &Method,
    endpoint: &Endpoint,
    params: &HashMap<String, String>,
    body: &[u8],
) -> Response {
    let result = match endpoint {
        Endpoint::VersionInformation => Ok(json_response(200, &json!({ "apiVersions": ["v1.0"] }))),
        Endpoint::ZoneInformation => zone(shared, params),
        Endpoint::Version => Ok(json_response(
            200,
            &json!({ "majorVersion": 2026, "minorVersion": 2, "build": 0, "customerType": "Sandbox" }),
        )),
        Endpoint::ThresholdInformation => Ok(json_response(
            200,
            &json!({
                "externalRequestThreshold": shared.throttle.threshold(),
                "requestThresholdTimeframe": 60,
                "currentTimeframeRequestCount": shared.throttle.current(),
            }),
        )),
        Endpoint::EntityDescriptions => {
            let all: Vec<Value> = registry::entities()
                .iter()
                .map(|e| json!({ "info": info_json(e, shared.options.refuses(e.name)) }))
                .collect();
            Ok(json_response(200, &json!({ "entityDescriptions": all })))
        }
        Endpoint::Modules => Ok(json_response(
            200,
            &json!({ "modules": [{"key": 1, "value": true}, {"key": 24, "value": true}] }),
        )),
        Endpoint::Entity(route) => entity(
            shared,
            caller.unwrap_or(Caller {
                impersonation: None,
            }),
            method,
            route,
            params,
            body,
        ),
    };
    result.unwrap_or_else(ApiError::into_response)
}

fn zone(shared: &Shared, params: &HashMap<String, String>) -> Result<Response, ApiError> {
    let user = params.get("user").map(|s| s.trim()).unwrap_or_default();
    if user.is_empty() || !user.eq_ignore_ascii_case(&shared.user.username) {
        return Err(ApiError::server(
            "Zone information could not be determined for this user: check the user name.",
        ));
    }
    Ok(json_response(
        200,
        &json!({
            "zoneName": "Sandbox",
            "url": shared.base_url,
            "webUrl": format!("{}/", shared.origin),
            "ci": 1,
        }),
    ))
}

/// `EntityInformationModel` of an entity; `refused` when the API user's security level cannot
/// reach it (every `userAccessFor*` is then 0, None).
pub fn info_json(e: &EntityDef, refused: bool) -> Value {
    let access = |level: u8| if refused { 0 } else { level };
    json!({
        "name": e.singular,
        "canCreate": e.can_create,
        "canDelete": e.can_delete,
        "canQuery": e.can_query,
        "canUpdate": e.can_update,
        "userAccessForCreate": access(e.user_access_for_create),
        "userAccessForDelete": access(e.user_access_for_delete),
        "userAccessForQuery": access(e.user_access_for_query),
        "userAccessForUpdate": access(e.user_access_for_update),
        "hasUserDefinedFields": e.has_user_defined_fields,
        "supportsWebhookCallouts": e.supports_webhook_callouts,
    })
}

/// `FieldInformationModel` of a field, with the tenant's picklist values.
pub fn field_json(e: &EntityDef, f: &FieldDef) -> Value {
    let picklist = if f.is_pick_list {
        tenant()
            .picklist(e.name, f.name)
            .map_or(Value::Null, |values| json!(values))
    } else {
        Value::Null
    };
    json!({
        "name": f.name,
        "dataType": f.data_type.as_str(),
        "length": f.length,
        "isRequired": f.is_required,
        "isReadOnly": f.is_read_only,
        "isQueryable": f.is_queryable,
        "isReference": f.is_reference,
        "referenceEntityType": f.reference_entity_type,
        "isPickList": f.is_pick_list,
        "picklistValues": picklist,
        "picklistParentValueField": f.picklist_parent_value_field,
        "isSupportedWebhookField": f.is_supported_webhook_field,
    })
}

fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::server(format!("The request body is not valid JSON: {e}.")))
}

fn body_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match parse_body(body)? {
        Value::Object(m) => Ok(m),
        _ => Err(ApiError::server(
            "The request body must be a JSON object with the entity's fields.",
        )),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageDetails {
    count: usize,
    request_count: usize,
    prev_page_url: Option<String>,
    next_page_url: Option<String>,
}

#[derive(Serialize)]
struct QueryAnswer<'a> {
    items: Vec<Cow<'a, Record>>,
    #[serde(rename = "pageDetails")]
    page_details: PageDetails,
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn next_url(shared: &Shared, entity: &EntityDef, paging: &Paging, search: Option<&str>) -> String {
    let cursor = serde_json::to_string(paging).unwrap_or_default();
    let mut url = format!(
        "{}V1.0/{}/query/next?paging={}",
        shared.base_url,
        entity.name,
        encode(&cursor)
    );
    if let Some(search) = search {
        url.push_str("&search=");
        url.push_str(&encode(search));
    }
    url
}

fn entity(
    shared: &Shared,
    caller: Caller,
    method: &Method,
    route: &EntityRoute,
    params: &HashMap<String, String>,
    body: &[u8],
) -> Result<Response, ApiError> {
    let e = route.entity;
    if shared.options.refuses(e.name) && !matches!(route.op, Op::Info | Op::Fields | Op::UdfFields)
    {
        return Err(ApiError::Errors {
            status: shared.options.permission_denied_status,
            messages: vec![PERMISSION_DENIED.to_string()],
        });
    }
    match route.op {
        Op::Info => Ok(json_response(
            200,
            &json!({ "info": info_json(e, shared.options.refuses(e.name)) }),
        )),
        Op::Fields => {
            let fields: Vec<Value> = e.fields.iter().map(|f| field_json(e, f)).collect();
            Ok(json_response(200, &json!({ "fields": fields })))
        }
        Op::UdfFields => {
            let fields: Vec<Value> = tenant().udfs(e.name).iter().map(|u| u.to_json()).collect();
            Ok(json_response(200, &json!({ "fields": fields })))
        }
        Op::Query | Op::QueryNext | Op::Count => run_query(shared, method, route, params, body),
        Op::Item(id) => {
            if *method == Method::DELETE {
                return delete(shared, route, id);
            }
            let data = shared.store.read();
            let item = data
                .get(e.name, id)
                .filter(|r| belongs(r, route.parent))
                .map(|r| {
                    if route.parent.is_some() {
                        Cow::Borrowed(r)
                    } else {
                        hide_attachment_data(e, Cow::Borrowed(r))
                    }
                })
                .map_or(Value::Null, |r| Value::Object(r.into_owned()));
            Ok(json_response(200, &json!({ "item": item })))
        }
        Op::Collection => match *method {
            Method::GET => list(shared, route),
            Method::POST => write(shared, &caller, route, Write::Create, body),
            Method::PATCH => write(shared, &caller, route, Write::Patch, body),
            _ => write(shared, &caller, route, Write::Put, body),
        },
    }
}

/// `query`, `query/next` and `query/count`, by POST (the model in the body) or GET (in
/// `search`). Pages continue after the last id; the cursor keeps the ids pages started after.
fn run_query(
    shared: &Shared,
    method: &Method,
    route: &EntityRoute,
    params: &HashMap<String, String>,
    body: &[u8],
) -> Result<Response, ApiError> {
    let e = route.entity;
    let search = (*method == Method::GET)
        .then(|| params.get("search").cloned())
        .flatten();
    let model = match &search {
        Some(text) => serde_json::from_str(text).map_err(|err| {
            ApiError::server(format!("The search parameter is not valid JSON: {err}."))
        })?,
        None if *method == Method::GET => Value::Null,
        None => parse_body(body)?,
    };
    let spec = query::parse_query(e, &model)?;
    if e.name == "TicketHistory" {
        super::history::check_query(&spec)?;
    }
    if route.op == Op::Count {
        let n = query::count(shared.store.read().table(e.name), &spec.filter);
        return Ok(json_response(200, &json!({ "queryCount": n })));
    }
    let (size, previous, after) = if route.op == Op::QueryNext {
        let text = params.get("paging").ok_or_else(|| {
            ApiError::server(
                "The paging parameter is missing: follow pageDetails.nextPageUrl as given.",
            )
        })?;
        let paging: Paging = serde_json::from_str(text).map_err(|err| {
            ApiError::server(format!("The paging parameter is not valid: {err}."))
        })?;
        if !(1..=MAX_PAGE).contains(&paging.page_size) {
            return Err(ApiError::server(
                "maxCountOfRecordsToReturn must be between 1 and 500",
            ));
        }
        let after = paging.next_ids.last().copied().unwrap_or(-1);
        (paging.page_size, paging.previous_ids, after)
    } else {
        (spec.max_records, Vec::new(), -1)
    };
    let data = shared.store.read();
    let page = query::page(data.table(e.name), &spec.filter, after, size);
    let include = spec.include.as_deref();
    let next_page_url = match (page.has_more, page.items.last()) {
        (true, Some(last)) => {
            let last_id = last.get("id").and_then(Value::as_i64).unwrap_or(after);
            let mut stack = previous.clone();
            stack.push(after);
            Some(next_url(
                shared,
                e,
                &Paging {
                    page_size: size,
                    previous_ids: stack,
                    next_ids: vec![last_id],
                },
                search.as_deref(),
            ))
        }
        _ => None,
    };
    let prev_page_url = previous.split_last().map(|(start, rest)| {
        next_url(
            shared,
            e,
            &Paging {
                page_size: size,
                previous_ids: rest.to_vec(),
                next_ids: vec![*start],
            },
            search.as_deref(),
        )
    });
    let answer = QueryAnswer {
        page_details: PageDetails {
            count: page.items.len(),
            request_count: size,
            prev_page_url,
            next_page_url,
        },
        items: page
            .items
            .into_iter()
            .map(|r| hide_attachment_data(e, query::project(r, include)))
            .collect(),
    };
    let bytes = serde_json::to_vec(&answer)
        .map_err(|err| ApiError::server(format!("Serialisation failed: {err}")))?;
    Ok(bytes_response(
        200,
        "application/json; charset=utf-8",
        bytes,
    ))
}

/// Attachment content (`data`, base64) comes back only from the parent-scoped get by id;
/// every other read answers `data: null`.
fn hide_attachment_data<'a>(entity: &EntityDef, record: Cow<'a, Record>) -> Cow<'a, Record> {
    if !entity.name.ends_with("Attachments") || record.get("data").is_none_or(Value::is_null) {
        return record;
    }
    let mut owned = record.into_owned();
    owned.insert("data".into(), Value::Null);
    Cow::Owned(owned)
}

/// Whether a record sits under this parent (always, for root routes).
fn belongs(record: &Record, parent: Option<(&'static ParentRoute, i64)>) -> bool {
    match parent {
        None => true,
        Some((route, pid)) => {
            route.foreign_key.is_empty()
                || record
                    .get(route.foreign_key)
                    .and_then(Value::as_i64)
                    .is_none_or(|fk| fk == pid)
        }
    }
}

/// The registry entity of a parent collection (a few parents go by another name).
fn parent_entity(route: &ParentRoute) -> Option<&'static EntityDef> {
    let name = match route.parent {
        "UserDefinedFields" => "UserDefinedFieldDefinitions",
        "Expenses" => "ExpenseReports",
        other => other,
    };
    registry::entities().iter().find(|e| e.name == name)
}

fn check_parent(data: &super::store::Data, route: &EntityRoute) -> Result<(), ApiError> {
    let Some((parent_route, pid)) = route.parent else {
        return Ok(());
    };
    match parent_entity(parent_route) {
        Some(parent) if !data.exists(parent.name, pid) => Err(ApiError::server(format!(
            "Unable to find the parent {} with id {pid}.",
            parent.singular
        ))),
        _ => Ok(()),
    }
}

fn list(shared: &Shared, route: &EntityRoute) -> Result<Response, ApiError> {
    let data = shared.store.read();
    check_parent(&data, route)?;
    let items: Vec<&Record> = data
        .table(route.entity.name)
        .map(|t| {
            t.rows
                .values()
                .filter(|r| belongs_strict(r, route.parent))
                .collect()
        })
        .unwrap_or_default();
    let answer = QueryAnswer {
        page_details: PageDetails {
            count: items.len(),
            request_count: MAX_PAGE,
            prev_page_url: None,
            next_page_url: None,
        },
        items: items
            .into_iter()
            .map(|r| hide_attachment_data(route.entity, Cow::Borrowed(r)))
            .collect(),
    };
    let bytes = serde_json::to_vec(&answer)
        .map_err(|err| ApiError::server(format!("Serialisation failed: {err}")))?;
    Ok(bytes_response(
        200,
        "application/json; charset=utf-8",
        bytes,
    ))
}

/// Like `belongs`, but a record without the foreign key is not a child of any parent.
fn belongs_strict(record: &Record, parent: Option<(&'static ParentRoute, i64)>) -> bool {
    match parent {
        Some((route, pid)) if !route.foreign_key.is_empty() => {
            record.get(route.foreign_key).and_then(Value::as_i64) == Some(pid)
        }
        _ => true,
    }
}

fn id_of(body: &Map<String, Value>) -> Option<i64> {
    super::wire::get_ci(body, "id").and_then(|v| match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn write(
    shared: &Shared,
    caller: &Caller,
    route: &EntityRoute,
    kind: Write,
    body: &[u8],
) -> Result<Response, ApiError> {
    let e = route.entity;
    let body = body_object(body)?;
    let now = Utc::now();
    let mut data = shared.store.write();
    check_parent(&data, route)?;
    if let Some(resource) = caller.impersonation
        && !data.exists("Resources", resource)
    {
        return Err(ApiError::server(format!(
            "ImpersonationResourceId {resource} is not a resource of this tenant."
        )));
    }
    let ctx = WriteCtx {
        entity: e,
        write: kind,
        parent: route.parent,
        now,
        acting_resource: caller.impersonation.unwrap_or(API_USER_RESOURCE_ID),
        impersonator: caller.impersonation.map(|_| API_USER_RESOURCE_ID),
    };
    let (id, existing) = match kind {
        Write::Create => {
            if id_of(&body).is_some_and(|id| id != 0) {
                return Err(ApiError::server(
                    "A new entity cannot have an id: leave id out (or 0) when creating.",
                ));
            }
            (None, None)
        }
        _ => {
            let id = id_of(&body).ok_or_else(|| {
                ApiError::server("The id of the entity to update is missing from the body.")
            })?;
            let existing = data
                .get(e.name, id)
                .filter(|r| belongs(r, route.parent))
                .ok_or_else(|| {
                    ApiError::server(format!(
                        "No matching records found. The {} with id {id} does not exist.",
                        e.singular
                    ))
                })?;
            (Some(id), Some(existing))
        }
    };
    let mut record = validate::apply(&data, &ctx, existing, &body)?;
    let before = existing.cloned();
    let id = match id {
        Some(id) => id,
        None => {
            let id = data.next_id(e.name, super::ids::id_base(e.name));
            let day = now.format("%Y%m%d").to_string();
            for (field, prefix) in [
                ("ticketNumber", "T"),
                ("taskNumber", "T"),
                ("projectNumber", "P"),
            ] {
                if e.fields.iter().any(|f| f.name == field) {
                    let number = data.next_number(&format!("{prefix}{day}"));
                    record.insert(field.into(), json!(number));
                }
            }
            id
        }
    };
    record.insert("id".into(), json!(id));
    let ticket = (e.name != "Tickets")
        .then(|| record.get("ticketID").and_then(Value::as_i64))
        .flatten();
    if e.name == "Tickets" {
        super::history::ticket_written(
            &mut data,
            id,
            before.as_ref(),
            &record,
            now,
            ctx.acting_resource,
        );
    }
    data.put(e.name, record);
    // Work logged on a ticket (a note, time, an attachment) is activity on the ticket.
    if let Some(ticket) = ticket
        && let Some(mut t) = data.get("Tickets", ticket).cloned()
    {
        t.insert(
            "lastActivityDate".into(),
            json!(super::wire::format_datetime(now)),
        );
        t.insert("lastActivityResourceID".into(), json!(ctx.acting_resource));
        data.put("Tickets", t);
    }
    Ok(json_response(200, &json!({ "itemId": id })))
}

fn delete(shared: &Shared, route: &EntityRoute, id: i64) -> Result<Response, ApiError> {
    let e = route.entity;
    let mut data = shared.store.write();
    check_parent(&data, route)?;
    let present = data
        .get(e.name, id)
        .is_some_and(|r| belongs(r, route.parent));
    if !present || !data.remove_with_dependents(e.name, id) {
        return Err(ApiError::server(
            "No message. No matching records found. The logged in Resource may not have the required permissions to delete the data.",
        ));
    }
    Ok(json_response(200, &json!({ "itemId": id })))
}
