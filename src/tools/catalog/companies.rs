//! Company tools: search with named filters, get, create and update (companies live at the
//! root collection `Companies`; they cannot be deleted through the API).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::args::{ById, Page};
use crate::registry::companies as c;
use crate::tools::call::context::Context;
use crate::tools::call::def::{Handles, ToolDef};
use crate::tools::present::records;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::hints::{CREATE, READ, UPDATE};
use crate::tools::spec::input::arg;
use crate::tools::spec::output::Output;
use crate::tools::spec::tool::ToolSpec;
use crate::tools::write::plan::{WriteOp, WritePlan, body_of, changes};

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolSpec::new(
            "search-companies",
            "Search companies",
            READ,
            "Find companies.",
        )
        .entity(c::ENTITY)
        .output(Output::Search)
        .search_handler(|ctx, a: SearchCompanies, f| Box::pin(search_companies(ctx, a, f))),
        ToolSpec::new(
            "get-company",
            "Get company",
            READ,
            "A company by id (0: the tenant's own).",
        )
        .entity(c::ENTITY)
        .output(Output::Record)
        .handler(|ctx, a: ById| Box::pin(get_company(ctx, a))),
        ToolSpec::new(
            "create-company",
            "Create company",
            CREATE,
            "Create a company.",
        )
        .entity(c::ENTITY)
        .output(Output::Written)
        .write_handler(|ctx, a: CreateCompany| Box::pin(create_company(ctx, a))),
        ToolSpec::new(
            "update-company",
            "Update company",
            UPDATE,
            "Change a company's fields.",
        )
        .entity(c::ENTITY)
        .output(Output::Written)
        .write_handler(|ctx, a: UpdateCompany| Box::pin(update_company(ctx, a))),
    ]
}

/// `search-companies`: named filters, UDFs and the page.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchCompanies {
    #[schemars(extend("x-arg" = arg::contains(c::COMPANY_NAME)))]
    pub name_contains: Option<String>,
    #[schemars(extend("x-arg" = arg::eq(c::COMPANY_TYPE)))]
    pub company_type: Option<Value>,
    #[schemars(extend("x-arg" = arg::eq(c::IS_ACTIVE)))]
    pub is_active: Option<bool>,
    #[serde(rename = "ownerResourceID")]
    #[schemars(extend("x-arg" = arg::eq(c::OWNER_RESOURCE_ID)))]
    pub owner_resource_id: Option<i64>,
    #[schemars(extend("x-arg" = arg::from(c::CREATE_DATE)))]
    pub created_after: Option<String>,
    #[schemars(extend("x-arg" = arg::udfs()))]
    pub user_defined_fields: Option<Value>,
    #[serde(flatten)]
    pub page: Page,
}

/// `create-company`: the company's fields.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateCompany {
    #[schemars(extend("x-arg" = arg::field(c::COMPANY_NAME)))]
    pub company_name: String,
    #[schemars(extend("x-arg" = arg::field(c::COMPANY_TYPE)))]
    pub company_type: i64,
    #[serde(rename = "ownerResourceID")]
    #[schemars(extend("x-arg" = arg::field(c::OWNER_RESOURCE_ID)))]
    pub owner_resource_id: i64,
    #[schemars(extend("x-arg" = arg::field(c::PHONE)))]
    pub phone: String,
    #[schemars(extend("x-arg" = arg::field(c::ADDRESS1)))]
    pub address1: Option<String>,
    #[schemars(extend("x-arg" = arg::field(c::CITY)))]
    pub city: Option<String>,
    #[schemars(extend("x-arg" = arg::field(c::POSTAL_CODE)))]
    pub postal_code: Option<String>,
    #[schemars(extend("x-arg" = arg::udfs()))]
    pub user_defined_fields: Option<Value>,
}

/// `update-company`: the company's id and the fields to change.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCompany {
    #[schemars(range(min = 0))]
    pub id: i64,
    #[schemars(extend("x-arg" = arg::field(c::COMPANY_NAME)))]
    pub company_name: Option<String>,
    #[schemars(extend("x-arg" = arg::field(c::COMPANY_TYPE)))]
    pub company_type: Option<i64>,
    #[schemars(extend("x-arg" = arg::field(c::PHONE)))]
    pub phone: Option<String>,
    #[schemars(extend("x-arg" = arg::field(c::IS_ACTIVE)))]
    pub is_active: Option<bool>,
    #[serde(rename = "ownerResourceID")]
    #[schemars(extend("x-arg" = arg::field(c::OWNER_RESOURCE_ID)))]
    pub owner_resource_id: Option<i64>,
    #[schemars(extend("x-arg" = arg::field(c::ADDRESS1)))]
    pub address1: Option<String>,
    #[schemars(extend("x-arg" = arg::field(c::CITY)))]
    pub city: Option<String>,
    #[schemars(extend("x-arg" = arg::field(c::POSTAL_CODE)))]
    pub postal_code: Option<String>,
    #[schemars(extend("x-arg" = arg::udfs()))]
    pub user_defined_fields: Option<Value>,
}

async fn search_companies(
    ctx: &Context,
    a: SearchCompanies,
    filter: Vec<Value>,
) -> Result<Value, ToolError> {
    records::search(
        &ctx.tenant,
        &ctx.limits,
        c::ENTITY.def(),
        filter,
        a.page.max_records,
        a.page.projection(c::ENTITY)?,
    )
    .await
}

async fn get_company(ctx: &Context, a: ById) -> Result<Value, ToolError> {
    records::get_one(
        &ctx.tenant,
        &ctx.limits,
        "Companies",
        c::ENTITY.def(),
        a.id,
        "find companies with search-companies",
    )
    .await
}

async fn create_company(_ctx: &Context, company: CreateCompany) -> Result<WritePlan, ToolError> {
    Ok(
        WritePlan::new(WriteOp::Create, c::ENTITY.name(), "Companies")
            .body(body_of(&company)?)
            .read_with("get-company"),
    )
}

async fn update_company(_ctx: &Context, company: UpdateCompany) -> Result<WritePlan, ToolError> {
    let body = changes(body_of(&company)?, "update-company")?;
    Ok(
        WritePlan::new(WriteOp::Update, c::ENTITY.name(), "Companies")
            .body(body)
            .read_with("get-company"),
    )
}
