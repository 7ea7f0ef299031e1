//! Project and task tools (read-only): search and get. Tasks are queried at the root
//! collection; they are created only under their project, through create-entity.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::args::{ById, Page};
use crate::registry::{Entity, projects as p, tasks as t};
use crate::tools::call::context::Context;
use crate::tools::call::def::{Handles, ToolDef};
use crate::tools::present::records;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::hints::READ;
use crate::tools::spec::input::arg;
use crate::tools::spec::output::Output;
use crate::tools::spec::tool::ToolSpec;

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolSpec::new("search-projects", "Search projects", READ, "Find projects.")
            .entity(p::ENTITY)
            .output(Output::Search)
            .search_handler(|c, a: SearchProjects, f| Box::pin(search(c, p::ENTITY, a.page, f))),
        ToolSpec::new("get-project", "Get project", READ, "A project by id.")
            .entity(p::ENTITY)
            .output(Output::Record)
            .handler(|c, a: ById| {
                Box::pin(get(c, p::ENTITY, a, "find projects with search-projects"))
            }),
        ToolSpec::new(
            "search-tasks",
            "Search project tasks",
            READ,
            "Find project tasks (not tickets).",
        )
        .entity(t::ENTITY)
        .output(Output::Search)
        .search_handler(|c, a: SearchTasks, f| Box::pin(search(c, t::ENTITY, a.page, f))),
        ToolSpec::new(
            "get-task",
            "Get project task",
            READ,
            "A project task by id.",
        )
        .entity(t::ENTITY)
        .output(Output::Record)
        .handler(|c, a: ById| Box::pin(get(c, t::ENTITY, a, "find tasks with search-tasks"))),
    ]
}

/// `search-projects`: named filters and the page.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchProjects {
    #[serde(rename = "companyID")]
    #[schemars(extend("x-arg" = arg::eq(p::COMPANY_ID)))]
    pub company_id: Option<i64>,
    #[schemars(extend("x-arg" = arg::eq(p::STATUS)))]
    pub status: Option<Value>,
    #[schemars(extend("x-arg" = arg::contains(p::PROJECT_NAME)))]
    pub name_contains: Option<String>,
    #[serde(rename = "projectLeadResourceID")]
    #[schemars(extend("x-arg" = arg::eq(p::PROJECT_LEAD_RESOURCE_ID)))]
    pub project_lead_resource_id: Option<i64>,
    #[serde(flatten)]
    pub page: Page,
}

/// `search-tasks`: named filters and the page.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchTasks {
    #[serde(rename = "projectID")]
    #[schemars(extend("x-arg" = arg::eq(t::PROJECT_ID)))]
    pub project_id: Option<i64>,
    #[schemars(extend("x-arg" = arg::eq(t::STATUS)))]
    pub status: Option<Value>,
    #[serde(rename = "assignedResourceID")]
    #[schemars(extend("x-arg" = arg::eq(t::ASSIGNED_RESOURCE_ID)))]
    pub assigned_resource_id: Option<i64>,
    #[schemars(extend("x-arg" = arg::contains(t::TITLE)))]
    pub title_contains: Option<String>,
    #[serde(flatten)]
    pub page: Page,
}

async fn search(
    ctx: &Context,
    entity: Entity,
    page: Page,
    filter: Vec<Value>,
) -> Result<Value, ToolError> {
    records::search(
        &ctx.tenant,
        &ctx.limits,
        entity.def(),
        filter,
        page.max_records,
        page.projection(entity)?,
    )
    .await
}

async fn get(
    ctx: &Context,
    entity: Entity,
    a: ById,
    hint: &'static str,
) -> Result<Value, ToolError> {
    records::get_one(
        &ctx.tenant,
        &ctx.limits,
        entity.name(),
        entity.def(),
        a.id,
        hint,
    )
    .await
}
