//! Company tools: search with named filters, get, create and update (companies live at the
//! root collection `Companies`; they cannot be deleted through the API).

use serde_json::Value;

use super::output::Output;
use super::records::{self, ById, Page, body_of, changes, max_records_param};
use super::summary::fields_param;
use super::udfs;
use super::value::ID;
use super::writes::{WriteOp, WritePlan};
use super::{CREATE, Context, Op, Param, READ, ToolDef, ToolError, UPDATE};
use crate::entities::Company;

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolDef::new(
            "search-companies",
            "Search companies",
            READ,
            "Find companies.",
        )
        .entity("Companies")
        .filter("nameContains", "companyName", Op::Contains, "")
        .filter("companyType", "companyType", Op::Eq, "")
        .filter("isActive", "isActive", Op::Eq, "")
        .filter("ownerResourceID", "ownerResourceID", Op::Eq, "")
        .filter("createdAfter", "createDate", Op::From, "")
        .param(udfs::param())
        .param(max_records_param())
        .param(fields_param())
        .output(Output::Search)
        .search_handler(|c, a: Page, f| Box::pin(search_companies(c, a, f))),
        ToolDef::new(
            "get-company",
            "Get company",
            READ,
            "A company by id (0: the tenant's own).",
        )
        .entity("Companies")
        .param(Param::own("id", ID, "").required())
        .output(Output::Record)
        .handler(|c, a: ById| Box::pin(get_company(c, a))),
        ToolDef::new(
            "create-company",
            "Create company",
            CREATE,
            "Create a company.",
        )
        .entity("Companies")
        .field("companyName", "")
        .field("companyType", "")
        .field("ownerResourceID", "")
        .field("phone", "")
        .field("address1", "")
        .field("city", "")
        .field("postalCode", "")
        .param(udfs::param())
        .output(Output::Written)
        .write_handler(|c, co: Company| Box::pin(create_company(c, co))),
        ToolDef::new(
            "update-company",
            "Update company",
            UPDATE,
            "Change a company's fields.",
        )
        .entity("Companies")
        .param(Param::own("id", ID, "").required())
        .field("companyName", "")
        .field("companyType", "")
        .field("phone", "")
        .field("isActive", "")
        .field("ownerResourceID", "")
        .field("address1", "")
        .field("city", "")
        .field("postalCode", "")
        .param(udfs::param())
        .output(Output::Written)
        .write_handler(|c, co: Company| Box::pin(update_company(c, co))),
    ]
}

async fn search_companies(ctx: &Context, a: Page, filter: Vec<Value>) -> Result<Value, ToolError> {
    records::search(
        ctx,
        "Companies",
        filter,
        a.max_records,
        a.projection("Companies")?,
    )
    .await
}

async fn get_company(ctx: &Context, a: ById) -> Result<Value, ToolError> {
    records::get_one(
        ctx,
        "Companies",
        "Companies",
        a.id,
        "find companies with search-companies",
    )
    .await
}

async fn create_company(_ctx: &Context, company: Company) -> Result<WritePlan, ToolError> {
    Ok(WritePlan::new(WriteOp::Create, "Companies", "Companies")
        .body(body_of(&company)?)
        .read_with("get-company"))
}

async fn update_company(_ctx: &Context, company: Company) -> Result<WritePlan, ToolError> {
    let body = changes(body_of(&company)?, "update-company")?;
    Ok(WritePlan::new(WriteOp::Update, "Companies", "Companies")
        .body(body)
        .read_with("get-company"))
}
