//! The generic tools: any of the registry's entities by name (case-insensitive, with "did you
//! mean"), child collections through `parentEntity` + `parentId`, the tenant's budget and the
//! versions. This file declares them all, so the generic surface reads as one list; the reads
//! live in `read.rs` and `count.rs`, the writes in `write.rs`, usage and versions in
//! `usage.rs`.

use serde_json::Value;

pub mod args;
pub mod count;
pub mod grouped;
pub mod read;
pub mod target;
pub mod usage;
pub mod write;

use super::args::NoArgs;
use crate::tools::call::def::{Handles, ToolDef};
use crate::tools::spec::hints::{CREATE, DELETE, LOCAL_READ, READ, UPDATE};
use crate::tools::spec::output::{self, Output};
use crate::tools::spec::tool::ToolSpec;
use args::{ByIdArgs, CountArgs, DescribeArgs, FieldsArgs, ListArgs, QueryArgs};

fn list_shape() -> Value {
    output::object(&[("entities", "array")], &["count", "entities"])
}

fn describe_shape() -> Value {
    output::object(&[("fields", "array")], &["entity", "fields"])
}

fn count_shape() -> Value {
    output::object(&[("count", "integer")], &["entity", "count"])
}

fn threshold_shape() -> Value {
    output::object(
        &[("percentUsed", "number")],
        &[
            "externalRequestThreshold",
            "currentTimeframeRequestCount",
            "remaining",
            "percentUsed",
        ],
    )
}

fn version_shape() -> Value {
    output::object(&[("server", "object")], &["server"])
}

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolSpec::new(
            "list-known-entities",
            "List known entities",
            LOCAL_READ,
            "The ~230 entities, their operations and parent routes.",
        )
        .output(Output::Shape(list_shape))
        .handler(|c, a: ListArgs| Box::pin(read::list_known_entities(c, a))),
        ToolSpec::new(
            "describe-entity-fields",
            "Describe entity fields",
            READ,
            "An entity's fields, the tenant's picklist values, UDFs and where writes go.",
        )
        .output(Output::Shape(describe_shape))
        .handler(|c, a: DescribeArgs| Box::pin(read::describe_entity_fields(c, a))),
        ToolSpec::new(
                "query-entity",
                "Query entity",
                READ,
                "Query any entity with Autotask filter JSON: {\"filter\":[{\"op\":\"eq\",\"field\":\"status\",\"value\":\"New\"}]}.",
            )
        .output(Output::Search)
        .handler(|c, a: QueryArgs| Box::pin(read::query_entity(c, a))),
        ToolSpec::new(
                "count-entity",
                "Count entity",
                READ,
                "Count records matching a query (JSON as query-entity), or per value of groupBy.",
            )
        .output(Output::Shape(count_shape))
        .handler(|c, a: CountArgs| Box::pin(count::count_entity(c, a))),
        ToolSpec::new(
                "get-entity",
                "Get entity",
                READ,
                "A record of any entity by id.",
            )
        .output(Output::Record)
        .handler(|c, a: ByIdArgs| Box::pin(read::get_entity(c, a))),
        ToolSpec::new(
                "create-entity",
                "Create entity",
                CREATE,
                "Create a record of any entity; fields is the body. Child entities go under their parent.",
            )
        .output(Output::Written)
        .generic_write_handler(|a: &FieldsArgs| write::write_target(&a.target()), |c, a: FieldsArgs| Box::pin(write::create_entity(c, a))),
        ToolSpec::new(
                "update-entity",
                "Update entity",
                UPDATE,
                "Change fields of any record; fields must include id.",
            )
        .output(Output::Written)
        .generic_write_handler(|a: &FieldsArgs| write::write_target(&a.target()), |c, a: FieldsArgs| Box::pin(write::update_entity(c, a))),
        ToolSpec::new(
                "delete-entity",
                "Delete entity",
                DELETE,
                "Delete a record by id, where Autotask allows it (e.g. TimeEntries).",
            )
        .output(Output::Written)
        .generic_write_handler(|a: &ByIdArgs| write::write_target(&a.target()), |c, a: ByIdArgs| Box::pin(write::delete_entity(c, a))),
        ToolSpec::new(
            "get-threshold-information",
            "Get API usage",
            READ,
            "API requests used this hour against the tenant's shared limit.",
        )
        .output(Output::Shape(threshold_shape))
        .handler(|c, _: NoArgs| Box::pin(usage::threshold(c))),
        ToolSpec::new(
            "get-version",
            "Get versions",
            READ,
            "Autotask API and server versions.",
        )
        .output(Output::Shape(version_shape))
        .handler(|c, _: NoArgs| Box::pin(usage::version(c))),
    ]
}
