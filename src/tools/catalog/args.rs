//! The typed inputs several catalog tools share: one record by id, a page of a search, no
//! arguments.

use serde::Deserialize;

use crate::tools::present::projection::{self, Projection};
use crate::tools::spec::entity::entity_def;
use crate::tools::spec::error::ToolError;

/// No arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

/// The input of the tools that read one record by id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ById {
    pub id: i64,
}

/// The input of a search whose filters are all named filters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Page {
    pub max_records: Option<i64>,
    pub fields: Option<Vec<String>>,
}

impl Page {
    /// The projection `fields` asks for on `entity`.
    pub fn projection(&self, entity: &str) -> Result<Projection, ToolError> {
        projection::projection(entity_def(entity)?, self.fields.as_deref())
    }
}
