//! The MCP tools, in layers; each folder is one step of a tool call and imports run down only
//! (a test walks the `use` lines of every file and fails on a cycle or an import up a layer):
//!
//! 0. [`spec`]: what `tools/list` shows (name, hints, parameters, output schema; no handler),
//!    value kinds and their coercion, argument validation, the confirm token, query checks and
//!    the errors;
//! 1. [`facts`]: what we know of particular entities (summary columns, names, duplicate keys,
//!    role rules, timeline kinds), one place per entity;
//! 2. [`tenant`]: what the tenant knows (picklists, names, UDFs, roles);
//! 3. [`present`]: presenting records (shapes, columns, pages, size budgets);
//! 4. [`write`]: the write pipeline in running order (plan, policy, idempotency, rules,
//!    duplicates, review, preview, audit, send);
//! 5. [`call`]: the call path (context, tool definitions with handlers, one call to a result);
//! 6. [`catalog`]: the tools of each area;
//! 7. [`inventory`]: every tool, and the tools one process offers.
//!
//! Whether a tool writes is its `readOnlyHint` annotation, nothing else. Tools depend on the
//! Autotask client and the registry, never on the server or the transports.

pub mod call;
pub mod catalog;
pub mod facts;
pub mod inventory;
pub mod present;
pub mod spec;
pub mod tenant;
pub mod write;

pub use call::context::{Context, Settings};
pub use call::def::ToolDef;
pub use call::run::{call, call_as};
pub use inventory::{Inventory, all};
pub use spec::error::ToolError;
pub use write::policy::WritePolicy;

#[cfg(test)]
mod tests;
