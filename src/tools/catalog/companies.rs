//! Company tools: search with named filters, get, create and update (companies live at the
//! root collection `Companies`; they cannot be deleted through the API).

use serde_json::Value;

use super::args::{ById, Page};
use crate::entities::Company;
use crate::tools::call::context::Context;
use crate::tools::call::def::{Handles, ToolDef};
use crate::tools::present::records;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::hints::{CREATE, READ, UPDATE};
use crate::tools::spec::kind::ID;
use crate::tools::spec::output::Output;
use crate::tools::spec::param::{Op, Param, fields_param, max_records_param, udf_param};
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
        .entity("Companies")
        .filter("nameContains", "companyName", Op::Contains, "")
        .filter("companyType", "companyType", Op::Eq, "")
        .filter("isActive", "isActive", Op::Eq, "")
        .filter("ownerResourceID", "ownerResourceID", Op::Eq, "")
        .filter("createdAfter", "createDate", Op::From, "")
        .param(udf_param())
        .param(max_records_param())
        .param(fields_param())
        .output(Output::Search)
        .search_handler(|c, a: Page, f| Box::pin(search_companies(c, a, f))),
        ToolSpec::new(
            "get-company",
            "Get company",
            READ,
            "A company by id (0: the tenant's own).",
        )
        .entity("Companies")
        .param(Param::own("id", ID, "").required())
        .output(Output::Record)
        .handler(|c, a: ById| Box::pin(get_company(c, a))),
        ToolSpec::new(
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
        .param(udf_param())
        .output(Output::Written)
        .write_handler(|c, co: Company| Box::pin(create_company(c, co))),
        ToolSpec::new(
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
        .param(udf_param())
        .output(Output::Written)
        .write_handler(|c, co: Company| Box::pin(update_company(c, co))),
    ]
}

async fn search_companies(ctx: &Context, a: Page, filter: Vec<Value>) -> Result<Value, ToolError> {
    records::search(
        &ctx.tenant,
        &ctx.limits,
        "Companies",
        filter,
        a.max_records,
        a.projection("Companies")?,
    )
    .await
}

async fn get_company(ctx: &Context, a: ById) -> Result<Value, ToolError> {
    records::get_one(
        &ctx.tenant,
        &ctx.limits,
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
