//! Project and task tools (read-only): search and get. Tasks are queried at the root
//! collection; they are created only under their project, through create-entity.

use serde_json::Value;

use super::args::{ById, Page};
use crate::tools::call::context::Context;
use crate::tools::call::def::{Handles, ToolDef};
use crate::tools::present::records;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::hints::READ;
use crate::tools::spec::kind::ID;
use crate::tools::spec::output::Output;
use crate::tools::spec::param::{Op, Param, fields_param, max_records_param};
use crate::tools::spec::tool::ToolSpec;

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolSpec::new("search-projects", "Search projects", READ, "Find projects.")
            .entity("Projects")
            .filter("companyID", "companyID", Op::Eq, "")
            .filter("status", "status", Op::Eq, "")
            .filter("nameContains", "projectName", Op::Contains, "")
            .filter("projectLeadResourceID", "projectLeadResourceID", Op::Eq, "")
            .param(max_records_param())
            .param(fields_param())
            .output(Output::Search)
            .search_handler(|c, a: Page, f| Box::pin(search(c, "Projects", a, f))),
        ToolSpec::new("get-project", "Get project", READ, "A project by id.")
            .entity("Projects")
            .param(Param::own("id", ID, "").required())
            .output(Output::Record)
            .handler(|c, a: ById| {
                Box::pin(get(c, "Projects", a, "find projects with search-projects"))
            }),
        ToolSpec::new(
            "search-tasks",
            "Search project tasks",
            READ,
            "Find project tasks (not tickets).",
        )
        .entity("Tasks")
        .filter("projectID", "projectID", Op::Eq, "")
        .filter("status", "status", Op::Eq, "")
        .filter("assignedResourceID", "assignedResourceID", Op::Eq, "")
        .filter("titleContains", "title", Op::Contains, "")
        .param(max_records_param())
        .param(fields_param())
        .output(Output::Search)
        .search_handler(|c, a: Page, f| Box::pin(search(c, "Tasks", a, f))),
        ToolSpec::new(
            "get-task",
            "Get project task",
            READ,
            "A project task by id.",
        )
        .entity("Tasks")
        .param(Param::own("id", ID, "").required())
        .output(Output::Record)
        .handler(|c, a: ById| Box::pin(get(c, "Tasks", a, "find tasks with search-tasks"))),
    ]
}

async fn search(
    ctx: &Context,
    entity: &'static str,
    a: Page,
    filter: Vec<Value>,
) -> Result<Value, ToolError> {
    records::search(
        &ctx.tenant,
        &ctx.limits,
        entity,
        filter,
        a.max_records,
        a.projection(entity)?,
    )
    .await
}

async fn get(
    ctx: &Context,
    entity: &'static str,
    a: ById,
    hint: &'static str,
) -> Result<Value, ToolError> {
    records::get_one(&ctx.tenant, &ctx.limits, entity, entity, a.id, hint).await
}
