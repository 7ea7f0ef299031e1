//! The metadata model: one `EntitySnapshot` per file in `schema/`, in the shape the live
//! `entityInformation` and `entityInformation/fields` endpoints return, plus the routes the
//! published contract gives each entity (which the live endpoints do not report).

use serde::{Deserialize, Serialize};

/// One entity of the snapshot: `schema/<name>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntitySnapshot {
    /// The collection name used in URLs (`Tickets`, `TimeEntries`).
    pub name: String,
    /// As returned by `GET /V1.0/{name}/entityInformation` (`info`).
    pub info: EntityInfo,
    /// As returned by `GET /V1.0/{name}/entityInformation/fields` (`fields`), picklist values removed.
    pub fields: Vec<FieldInfo>,
    /// Routes from the REST contract: what the entity supports at the root and under which parents.
    pub routes: Routes,
}

/// `EntityInformationModel` of the REST API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityInfo {
    /// Singular entity name as Autotask reports it (`Ticket`, `TimeEntry`).
    pub name: String,
    pub can_create: bool,
    pub can_delete: bool,
    pub can_query: bool,
    pub can_update: bool,
    /// 0 = None, 1 = All, 2 = Restricted.
    pub user_access_for_create: u8,
    pub user_access_for_delete: u8,
    pub user_access_for_query: u8,
    pub user_access_for_update: u8,
    pub has_user_defined_fields: bool,
    pub supports_webhook_callouts: bool,
}

/// `FieldInformationModel` of the REST API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldInfo {
    pub name: String,
    /// `integer`, `long`, `short`, `string`, `datetime`, `double`, `decimal`, `boolean`.
    pub data_type: String,
    pub length: u32,
    pub is_required: bool,
    pub is_read_only: bool,
    pub is_queryable: bool,
    pub is_reference: bool,
    /// Singular name of the referenced entity, or `""`.
    pub reference_entity_type: String,
    pub is_pick_list: bool,
    /// Always `null` in the snapshot: picklists are tenant data, fetched live.
    pub picklist_values: Option<Vec<PicklistValue>>,
    /// For a dependent picklist, the field whose value selects the list (`issueType`), else `""`.
    pub picklist_parent_value_field: String,
    pub is_supported_webhook_field: bool,
}

/// `PickListValue` of the REST API (values are strings on the wire).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    pub value: String,
    pub label: String,
    pub is_default_value: bool,
    pub sort_order: i32,
    pub parent_value: String,
    pub is_active: bool,
    pub is_system: bool,
}

/// Routes of an entity, from the REST contract.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Routes {
    pub root: RootRoutes,
    pub parents: Vec<ParentRoute>,
}

/// What `/V1.0/{name}` supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RootRoutes {
    /// `POST {name}/query`, `GET {name}/query?search=` and their `/query/next`.
    pub query: bool,
    /// `POST|GET {name}/query/count`.
    pub count: bool,
    /// `GET {name}/{id}`.
    pub get: bool,
    /// `POST {name}`.
    pub create: bool,
    /// `PATCH {name}` (id in the body).
    pub patch: bool,
    /// `PUT {name}` (id in the body).
    pub put: bool,
    /// `DELETE {name}/{id}`.
    pub delete: bool,
}

/// A parent-scoped route: `/V1.0/{parent}/{parentId}/{segment}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentRoute {
    /// Parent collection (`Tickets`).
    pub parent: String,
    /// URL segment under the parent (`Notes`), not the entity name.
    pub segment: String,
    /// The child's field holding the parent id (`ticketID`), or `""` when none is known.
    pub foreign_key: String,
    /// `GET {parent}/{parentId}/{segment}`.
    pub list: bool,
    pub get: bool,
    pub create: bool,
    pub patch: bool,
    pub put: bool,
    pub delete: bool,
}

impl RootRoutes {
    /// True when the root collection has no route at all.
    pub fn is_empty(&self) -> bool {
        *self == RootRoutes::default()
    }
}

/// The JSON text of a snapshot file: pretty, two-space indent, trailing newline.
pub fn to_pretty_json<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}
