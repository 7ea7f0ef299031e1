//! The typed inputs of the generic tools, and where they point ([`Target`]): `entity`, the
//! tool's own arguments, then the parent route (`parentEntity` + `parentId`).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::tools::spec::param::MAX_RECORDS;

/// `list-known-entities`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListArgs {
    #[schemars(length(max = 100))]
    pub name_contains: Option<String>,
}

/// `describe-entity-fields`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DescribeArgs {
    #[schemars(length(max = 1_000))]
    pub entity: String,
}

/// A parent route: the child collection of `entity` under record `parentId` of
/// `parentEntity` (taught once in the server's instructions).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParentRoute {
    #[schemars(length(max = 1_000))]
    pub parent_entity: Option<String>,
    #[schemars(range(min = 0))]
    pub parent_id: Option<i64>,
}

/// Where a generic tool points: an entity, maybe under a parent record.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub entity: String,
    pub parent_entity: Option<String>,
    pub parent_id: Option<i64>,
}

/// `query-entity`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueryArgs {
    #[schemars(length(max = 1_000))]
    pub entity: String,
    #[schemars(with = "Map<String, Value>")]
    pub query: Value,
    #[schemars(range(min = 1, max = MAX_RECORDS))]
    pub max_records: Option<i64>,
    #[serde(flatten)]
    pub parent: ParentRoute,
}

/// `count-entity`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CountArgs {
    #[schemars(length(max = 1_000))]
    pub entity: String,
    #[schemars(with = "Map<String, Value>")]
    pub query: Value,
    #[schemars(length(max = 100))]
    pub group_by: Option<String>,
    #[serde(flatten)]
    pub parent: ParentRoute,
}

/// `get-entity` and `delete-entity`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ByIdArgs {
    #[schemars(length(max = 1_000))]
    pub entity: String,
    #[schemars(range(min = 0))]
    pub id: i64,
    #[serde(flatten)]
    pub parent: ParentRoute,
}

/// `create-entity` and `update-entity`: `fields` is the body.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldsArgs {
    #[schemars(length(max = 1_000))]
    pub entity: String,
    #[schemars(with = "Map<String, Value>")]
    pub fields: Value,
    #[serde(flatten)]
    pub parent: ParentRoute,
}

macro_rules! target_of {
    ($($t:ty),*) => {$(
        impl $t {
            pub fn target(&self) -> Target {
                Target {
                    entity: self.entity.clone(),
                    parent_entity: self.parent.parent_entity.clone(),
                    parent_id: self.parent.parent_id,
                }
            }
        }
    )*};
}
target_of!(QueryArgs, CountArgs, ByIdArgs, FieldsArgs);
