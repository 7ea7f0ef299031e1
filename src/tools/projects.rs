//! Project and task tools (read-only): search and get. Tasks are queried at the root
//! collection; they are created only under their project, through create-entity.

use serde_json::Value;

use super::{Args, Kind, ParamSpec, READ, ToolError, ToolSpec, filters};
use crate::server::ServerState;

const PICK_PROJECT_STATUS: Kind = Kind::Pick {
    entity: "Projects",
    field: "status",
};
const PICK_TASK_STATUS: Kind = Kind::Pick {
    entity: "Tasks",
    field: "status",
};

pub fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "search-projects",
            "Search projects",
            READ,
            "Find projects by company, status, name or project lead, combined with AND; with none, projects in id order. status takes the tenant's code or label. The result carries count, hasMore and the filter applied. For the tasks of a project use search-tasks with projectID.",
            |s, a| Box::pin(search_projects(s, a)),
        )
        .params(vec![
            ParamSpec::new("companyID", Kind::Code, "Only projects of this company id."),
            ParamSpec::new("status", PICK_PROJECT_STATUS, "Only this project status: code or label."),
            ParamSpec::new("nameContains", Kind::Text(100), "Text the project name contains."),
            ParamSpec::new("projectLeadResourceID", Kind::Code, "Only projects led by this resource id."),
            super::max_records_param(),
        ]),
        ToolSpec::new(
            "get-project",
            "Get project",
            READ,
            "Fetch one project by its numeric id, with picklist labels. To find projects use search-projects.",
            |s, a| Box::pin(get_project(s, a)),
        )
        .params(vec![ParamSpec::new("id", Kind::Id, "The project id.").required()]),
        ToolSpec::new(
            "search-tasks",
            "Search project tasks",
            READ,
            "Find project tasks (not tickets) by project, status, assignee or title, combined with AND. status takes the tenant's code or label. The result carries count, hasMore and the filter applied. For service tickets use search-tickets.",
            |s, a| Box::pin(search_tasks(s, a)),
        )
        .params(vec![
            ParamSpec::new("projectID", Kind::Code, "Only tasks of this project id."),
            ParamSpec::new("status", PICK_TASK_STATUS, "Only this task status: code or label."),
            ParamSpec::new("assignedResourceID", Kind::Code, "Only tasks assigned to this resource id."),
            ParamSpec::new("titleContains", Kind::Text(255), "Text the task title contains."),
            super::max_records_param(),
        ]),
        ToolSpec::new(
            "get-task",
            "Get project task",
            READ,
            "Fetch one project task by its numeric id, with picklist labels.",
            |s, a| Box::pin(get_task(s, a)),
        )
        .params(vec![ParamSpec::new("id", Kind::Id, "The task id.").required()]),
    ]
}

fn spec_params(name: &str) -> Vec<ParamSpec> {
    tools()
        .into_iter()
        .find(|t| t.name == name)
        .map(|t| t.params)
        .unwrap_or_default()
}

async fn search_projects(state: &ServerState, mut args: Args) -> Result<Value, ToolError> {
    super::resolve_labels(state, &spec_params("search-projects"), &mut args).await?;
    let mut clauses = Vec::new();
    for field in ["companyID", "status", "projectLeadResourceID"] {
        if let Some(v) = args.int(field) {
            clauses.push(filters::eq(field, v));
        }
    }
    if let Some(t) = args.text("nameContains") {
        clauses.push(filters::contains("projectName", t));
    }
    let max = args.int("maxRecords").unwrap_or(super::DEFAULT_MAX_RECORDS);
    super::search(state, "Projects", filters::or_match_all(clauses), max, None).await
}

async fn get_project(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let id = args.req_int("id")?;
    super::get_one(
        state,
        "Projects",
        "Projects",
        id,
        "find projects with search-projects",
    )
    .await
}

async fn search_tasks(state: &ServerState, mut args: Args) -> Result<Value, ToolError> {
    super::resolve_labels(state, &spec_params("search-tasks"), &mut args).await?;
    let mut clauses = Vec::new();
    for field in ["projectID", "status", "assignedResourceID"] {
        if let Some(v) = args.int(field) {
            clauses.push(filters::eq(field, v));
        }
    }
    if let Some(t) = args.text("titleContains") {
        clauses.push(filters::contains("title", t));
    }
    let max = args.int("maxRecords").unwrap_or(super::DEFAULT_MAX_RECORDS);
    super::search(state, "Tasks", filters::or_match_all(clauses), max, None).await
}

async fn get_task(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let id = args.req_int("id")?;
    super::get_one(state, "Tasks", "Tasks", id, "find tasks with search-tasks").await
}
