//! The registry entry of an entity the tools name in code.

use super::error::ToolError;
use crate::registry::{self, EntityDef};

/// The registry entry of `name` (an entity the tools name in code): a missing one is our bug.
pub fn entity_def(name: &str) -> Result<&'static EntityDef, ToolError> {
    registry::find(name)
        .ok_or_else(|| ToolError::Internal(format!("no entity {name} in the registry.")))
}
