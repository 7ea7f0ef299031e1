//! Layer 5, the call path: the tools' [`context::Context`], a tool as declaration plus handler
//! ([`def`]), and one call from raw arguments to a result ([`run`]): validate → confirm gate →
//! picklist labels to codes → user-defined fields → typed input → handler → result with
//! `structuredContent`, its text copy and its cost.

pub mod context;
pub mod def;
pub mod run;
