//! Contact tools: search, get, create and update. Contacts are read at the root collection but
//! written only under their company (`Companies/{companyID}/Contacts`), and their `isActive`
//! is the integer 0/1, not a boolean (the tools take `true`/`false`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::args::{ById, Page};
use crate::autotask::ReadIntent;
use crate::registry::contacts as c;
use crate::tools::call::context::Context;
use crate::tools::call::def::{Handles, ToolDef};
use crate::tools::present::records;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::hints::{CREATE, READ, UPDATE};
use crate::tools::spec::input::arg;
use crate::tools::spec::output::Output;
use crate::tools::spec::param::Op;
use crate::tools::spec::tool::ToolSpec;
use crate::tools::write::plan::{WriteOp, WritePlan, body_of, changes};

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolSpec::new(
            "search-contacts",
            "Search contacts",
            READ,
            "Find contacts (people at companies).",
        )
        .entity(c::ENTITY)
        .output(Output::Search)
        .search_handler(|ctx, a: SearchContacts, f| Box::pin(search_contacts(ctx, a, f))),
        ToolSpec::new("get-contact", "Get contact", READ, "A contact by id.")
            .entity(c::ENTITY)
            .output(Output::Record)
            .handler(|ctx, a: ById| Box::pin(get_contact(ctx, a))),
        ToolSpec::new(
            "create-contact",
            "Create contact",
            CREATE,
            "Create a contact at a company (active unless isActive is false).",
        )
        .entity(c::ENTITY)
        .output(Output::Written)
        .write_handler(|ctx, a: CreateContact| Box::pin(create_contact(ctx, a))),
        ToolSpec::new(
            "update-contact",
            "Update contact",
            UPDATE,
            "Change a contact's fields.",
        )
        .entity(c::ENTITY)
        .output(Output::Written)
        .write_handler(|ctx, a: UpdateContact| Box::pin(update_contact(ctx, a))),
    ]
}

/// `search-contacts`: named filters, UDFs and the page.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchContacts {
    #[serde(rename = "companyID")]
    #[schemars(extend("x-arg" = arg::eq(c::COMPANY_ID)))]
    pub company_id: Option<i64>,
    /// In first name, last name or e-mail.
    #[schemars(extend("x-arg" = arg::any_of(Op::Contains, &[c::FIRST_NAME, c::LAST_NAME, c::EMAIL_ADDRESS])))]
    pub name_contains: Option<String>,
    #[schemars(extend("x-arg" = arg::contains(c::LAST_NAME)))]
    pub last_name_contains: Option<String>,
    #[schemars(extend("x-arg" = arg::contains(c::EMAIL_ADDRESS)))]
    pub email_contains: Option<String>,
    #[schemars(extend("x-arg" = arg::flag_eq(c::IS_ACTIVE)))]
    pub is_active: Option<i64>,
    #[schemars(extend("x-arg" = arg::udfs()))]
    pub user_defined_fields: Option<Value>,
    #[serde(flatten)]
    pub page: Page,
}

/// `create-contact`: the contact's fields; active unless `isActive` is false.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateContact {
    #[serde(rename = "companyID")]
    #[schemars(extend("x-arg" = arg::field(c::COMPANY_ID)))]
    pub company_id: i64,
    #[schemars(extend("x-arg" = arg::field(c::FIRST_NAME)))]
    pub first_name: String,
    #[schemars(extend("x-arg" = arg::field(c::LAST_NAME)))]
    pub last_name: String,
    #[schemars(extend("x-arg" = arg::field(c::TITLE)))]
    pub title: Option<String>,
    #[schemars(extend("x-arg" = arg::field(c::EMAIL_ADDRESS)))]
    pub email_address: Option<String>,
    #[schemars(extend("x-arg" = arg::field(c::PHONE)))]
    pub phone: Option<String>,
    #[schemars(extend("x-arg" = arg::field(c::MOBILE_PHONE)))]
    pub mobile_phone: Option<String>,
    #[schemars(extend("x-arg" = arg::filled_flag(c::IS_ACTIVE)))]
    pub is_active: Option<i64>,
    #[schemars(extend("x-arg" = arg::udfs()))]
    pub user_defined_fields: Option<Value>,
}

/// `update-contact`: the contact's id and the fields to change.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateContact {
    #[schemars(range(min = 0))]
    pub id: i64,
    #[serde(rename = "companyID")]
    #[schemars(extend("x-arg" = arg::field(c::COMPANY_ID)))]
    pub company_id: Option<i64>,
    #[schemars(extend("x-arg" = arg::field(c::FIRST_NAME)))]
    pub first_name: Option<String>,
    #[schemars(extend("x-arg" = arg::field(c::LAST_NAME)))]
    pub last_name: Option<String>,
    #[schemars(extend("x-arg" = arg::field(c::TITLE)))]
    pub title: Option<String>,
    #[schemars(extend("x-arg" = arg::field(c::EMAIL_ADDRESS)))]
    pub email_address: Option<String>,
    #[schemars(extend("x-arg" = arg::field(c::PHONE)))]
    pub phone: Option<String>,
    #[schemars(extend("x-arg" = arg::field(c::MOBILE_PHONE)))]
    pub mobile_phone: Option<String>,
    #[schemars(extend("x-arg" = arg::flag(c::IS_ACTIVE)))]
    pub is_active: Option<i64>,
    #[schemars(extend("x-arg" = arg::udfs()))]
    pub user_defined_fields: Option<Value>,
}

async fn search_contacts(
    ctx: &Context,
    a: SearchContacts,
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

async fn get_contact(ctx: &Context, a: ById) -> Result<Value, ToolError> {
    records::get_one(
        &ctx.tenant,
        &ctx.limits,
        "Contacts",
        c::ENTITY.def(),
        a.id,
        "find contacts with search-contacts",
    )
    .await
}

async fn create_contact(_ctx: &Context, contact: CreateContact) -> Result<WritePlan, ToolError> {
    let company = contact.company_id;
    let mut body = body_of(&contact)?;
    body.entry("isActive").or_insert(json!(1));
    Ok(WritePlan::new(
        WriteOp::Create,
        c::ENTITY.name(),
        format!("Companies/{company}/Contacts"),
    )
    .body(body)
    .read_with("get-contact"))
}

/// The company a contact belongs to: given, or read from the contact.
async fn company_of(ctx: &Context, contact: &UpdateContact, id: i64) -> Result<i64, ToolError> {
    if let Some(company) = contact.company_id {
        return Ok(company);
    }
    ctx.tenant
        .client
        .get("Contacts", id, ReadIntent::Explicit)
        .await?
        .ok_or_else(|| {
            ToolError::NotFound(format!(
                "Contacts has no record with id {id}; find contacts with search-contacts"
            ))
        })?
        .get("companyID")
        .and_then(Value::as_i64)
        .ok_or_else(|| {
            ToolError::Invalid(format!(
                "could not tell the company of contact {id}: pass companyID"
            ))
        })
}

async fn update_contact(ctx: &Context, contact: UpdateContact) -> Result<WritePlan, ToolError> {
    let id = contact.id;
    let mut body = body_of(&contact)?;
    body.remove("companyID");
    let body = changes(body, "update-contact")?;
    let company = company_of(ctx, &contact, id).await?;
    Ok(WritePlan::new(
        WriteOp::Update,
        c::ENTITY.name(),
        format!("Companies/{company}/Contacts"),
    )
    .body(body)
    .read_with("get-contact"))
}
