//! The typed inputs several catalog tools share: one record by id, a page of a search, no
//! arguments. Each is derived into the tools' parameters (see [`crate::tools::spec::input`]).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::registry::Entity;
use crate::tools::present::projection::{self, Projection};
use crate::tools::spec::error::ToolError;
use crate::tools::spec::param::MAX_RECORDS;

/// No arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct NoArgs {}

/// One record by id.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ById {
    #[schemars(range(min = 0))]
    pub id: i64,
}

/// How much of a search to show: `maxRecords` rows (50 unless given) and the `fields` to show
/// (the entity's summary unless given, `["*"]` for all).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    #[schemars(range(min = 1, max = MAX_RECORDS))]
    pub max_records: Option<i64>,
    pub fields: Option<Vec<String>>,
}

impl Page {
    /// The projection `fields` asks for on `entity`.
    pub fn projection(&self, entity: Entity) -> Result<Projection, ToolError> {
        projection::projection(entity.def(), self.fields.as_deref())
    }
}
