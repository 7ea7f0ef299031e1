//! The typed inputs of the generic tools, and where they point ([`Target`]).

use serde::Deserialize;
use serde_json::Value;

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
