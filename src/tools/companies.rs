//! Company tools: search with named filters, get, create and update (companies live at the
//! root collection `Companies`; they cannot be deleted through the API).

use serde_json::Value;

use super::output::Output;
use super::records::{self, ById, Page, body_of, changes, max_records_param};
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
            "Find companies (customers, prospects, vendors) by name and other named filters, combined with AND; with none, companies in id order. companyType takes the tenant's code or label (e.g. \"Customer\"). The result carries count, hasMore and the filter applied. Use the company id from here for search-tickets, search-contacts or create-ticket.",
        )
        .entity("Companies")
        .filter("nameContains", "companyName", Op::Contains, "Text the company name contains (case-insensitive).")
        .filter("companyType", "companyType", Op::Eq, "Only this company type: label or code.")
        .filter("isActive", "isActive", Op::Eq, "true: active companies only; false: inactive only.")
        .filter("ownerResourceID", "ownerResourceID", Op::Eq, "Only companies owned by this resource id.")
        .filter("createdAfter", "createDate", Op::From, "Only companies created at or after this UTC date/date-time.")
        .param(max_records_param())
        .output(Output::Search)
        .search_handler(|c, a: Page, f| Box::pin(search_companies(c, a, f))),
        ToolDef::new(
            "get-company",
            "Get company",
            READ,
            "Fetch one company by its numeric id, with picklist labels. To find a company by name use search-companies.",
        )
        .entity("Companies")
        .param(Param::own("id", ID, "The company id (0 is the tenant's own company).").required())
        .output(Output::Record)
        .handler(|c, a: ById| Box::pin(get_company(c, a))),
        ToolDef::new(
            "create-company",
            "Create company",
            CREATE,
            "Create a company. describe-entity-fields Companies lists the tenant's company types. For other fields use create-entity with entity Companies.",
        )
        .entity("Companies")
        .field("companyName", "Company name.")
        .field("companyType", "Company type label or code (e.g. \"Customer\", \"Prospect\").")
        .field("ownerResourceID", "Resource id of the account owner.")
        .field("phone", "Main phone number.")
        .field("address1", "Street address.")
        .field("city", "")
        .field("postalCode", "")
        .output(Output::Written)
        .write_handler(|c, co: Company| Box::pin(create_company(c, co))),
        ToolDef::new(
            "update-company",
            "Update company",
            UPDATE,
            "Change fields of a company; only the fields given change. For other fields use update-entity with entity Companies.",
        )
        .entity("Companies")
        .param(Param::own("id", ID, "Id of the company to change.").required())
        .field("companyName", "New company name.")
        .field("companyType", "New company type label or code.")
        .field("phone", "New phone number.")
        .field("isActive", "true to activate, false to deactivate.")
        .field("ownerResourceID", "New owner resource id.")
        .field("address1", "New street address.")
        .field("city", "New city.")
        .field("postalCode", "New postal code.")
        .output(Output::Written)
        .write_handler(|c, co: Company| Box::pin(update_company(c, co))),
    ]
}

async fn search_companies(ctx: &Context, a: Page, filter: Vec<Value>) -> Result<Value, ToolError> {
    records::search(ctx, "Companies", filter, a.max_records, None).await
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
