//! Project and task tools (read-only): search and get. Tasks are queried at the root
//! collection; they are created only under their project, through create-entity.

use serde_json::Value;

use super::output::Output;
use super::records::{self, ById, Page, max_records_param};
use super::value::ID;
use super::{Context, Op, Param, READ, ToolDef, ToolError};

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolDef::new(
            "search-projects",
            "Search projects",
            READ,
            "Find projects by company, status, name or project lead, combined with AND; with none, projects in id order. status takes the tenant's code or label. The result carries count, hasMore and the filter applied. For the tasks of a project use search-tasks with projectID.",
        )
        .entity("Projects")
        .filter("companyID", "companyID", Op::Eq, "Only projects of this company id.")
        .filter("status", "status", Op::Eq, "Only this project status: label or code.")
        .filter("nameContains", "projectName", Op::Contains, "Text the project name contains.")
        .filter("projectLeadResourceID", "projectLeadResourceID", Op::Eq, "Only projects led by this resource id.")
        .param(max_records_param())
        .output(Output::Search)
        .search_handler(|c, a: Page, f| Box::pin(search(c, "Projects", a, f))),
        ToolDef::new(
            "get-project",
            "Get project",
            READ,
            "Fetch one project by its numeric id, with picklist labels. To find projects use search-projects.",
        )
        .entity("Projects")
        .param(Param::own("id", ID, "The project id.").required())
        .output(Output::Record)
        .handler(|c, a: ById| Box::pin(get(c, "Projects", a, "find projects with search-projects"))),
        ToolDef::new(
            "search-tasks",
            "Search project tasks",
            READ,
            "Find project tasks (not tickets) by project, status, assignee or title, combined with AND. status takes the tenant's code or label. The result carries count, hasMore and the filter applied. For service tickets use search-tickets.",
        )
        .entity("Tasks")
        .filter("projectID", "projectID", Op::Eq, "Only tasks of this project id.")
        .filter("status", "status", Op::Eq, "Only this task status: label or code.")
        .filter("assignedResourceID", "assignedResourceID", Op::Eq, "Only tasks assigned to this resource id.")
        .filter("titleContains", "title", Op::Contains, "Text the task title contains.")
        .param(max_records_param())
        .output(Output::Search)
        .search_handler(|c, a: Page, f| Box::pin(search(c, "Tasks", a, f))),
        ToolDef::new(
            "get-task",
            "Get project task",
            READ,
            "Fetch one project task by its numeric id, with picklist labels.",
        )
        .entity("Tasks")
        .param(Param::own("id", ID, "The task id.").required())
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
    records::search(ctx, entity, filter, a.max_records, None).await
}

async fn get(
    ctx: &Context,
    entity: &'static str,
    a: ById,
    hint: &'static str,
) -> Result<Value, ToolError> {
    records::get_one(ctx, entity, entity, a.id, hint).await
}
