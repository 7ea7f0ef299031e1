//! Layer 0, what `tools/list` shows: a tool's declaration without its handler (name, hints,
//! typed parameters, output schema), the kinds of values and their one coercion path,
//! argument validation, the confirm token, the checks of hand-written Autotask queries, and the
//! errors every layer above returns. Nothing here does I/O or knows a tenant.

pub mod confirm;
pub mod entity;
pub mod error;
pub mod hints;
pub mod input;
pub mod kind;
pub mod output;
pub mod param;
pub mod query;
pub mod tool;
pub mod toolset;
