//! autotask-mcp: a Model Context Protocol server for Kaseya Autotask PSA, with a built-in
//! emulator of the Autotask REST API (the sandbox).

pub mod registry;

#[allow(clippy::all, missing_docs)]
pub mod entities;
