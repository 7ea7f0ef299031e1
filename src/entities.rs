//! Typed structs for every Autotask entity, generated at build time from the metadata snapshot
//! (`OUT_DIR/entities.rs`). Fields keep the wire's camelCase names; each is a `Nullable<T>` so
//! absent, `null` and a value stay distinct; unknown fields are kept in `extra`.

use crate::registry::{Nullable, UserDefinedField, serde_nullable};

include!(concat!(env!("OUT_DIR"), "/entities.rs"));
