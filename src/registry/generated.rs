//! The generated registry: every entity of the metadata snapshot as a static [`EntityDef`]
//! (`build.rs` → `OUT_DIR/registry.rs`).

use super::model::{DataType, EntityDef, FieldDef, ParentRoute, RootRoutes};

include!(concat!(env!("OUT_DIR"), "/registry.rs"));
