//! Project and task tools (read-only): search and get. Tasks are queried at the root
//! collection; they are created only under their project, through create-entity.

use serde_json::Value;

use super::output::Output;
use super::records::{self, ById, Page, max_records_param};
use super::summary::fields_param;
use super::value::ID;
use super::{Context, Op, Param, READ, ToolDef, ToolError};

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolDef::new("search-projects", "Search projects", READ, "Find projects.")
            .entity("Projects")
            .filter("companyID", "companyID", Op::Eq, "")
            .filter("status", "status", Op::Eq, "")
            .filter("nameContains", "projectName", Op::Contains, "")
            .filter("projectLeadResourceID", "projectLeadResourceID", Op::Eq, "")
            .param(max_records_param())
            .param(fields_param())
            .output(Output::Search)
            .search_handler(|c, a: Page, f| Box::pin(search(c, "Projects", a, f))),
        ToolDef::new("get-project", "Get project", READ, "A project by id.")
            .entity("Projects")
            .param(Param::own("id", ID, "").required())
            .output(Output::Record)
            .handler(|c, a: ById| {
                Box::pin(get(c, "Projects", a, "find projects with search-projects"))
            }),
        ToolDef::new(
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
        ToolDef::new(
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
    records::search(ctx, entity, filter, a.max_records, a.projection(entity)?).await
}

async fn get(
    ctx: &Context,
    entity: &'static str,
    a: ById,
    hint: &'static str,
) -> Result<Value, ToolError> {
    records::get_one(ctx, entity, entity, a.id, hint).await
}
