//! Contact tools: search, get, create and update. Contacts are read at the root collection but
//! written only under their company (`Companies/{companyID}/Contacts`), and their `isActive`
//! is the integer 0/1, not a boolean (the tools take `true`/`false`).

use serde_json::{Value, json};

use super::args::{ById, Page};
use crate::autotask::ReadIntent;
use crate::entities::Contact;
use crate::tools::call::context::Context;
use crate::tools::call::def::{Handles, ToolDef};
use crate::tools::present::records;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::hints::{CREATE, READ, UPDATE};
use crate::tools::spec::kind::{ID, Kind};
use crate::tools::spec::output::Output;
use crate::tools::spec::param::{Op, Param, fields_param, max_records_param, udf_param};
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
        .entity("Contacts")
        .filter("companyID", "companyID", Op::Eq, "")
        .filter_as(
            "nameContains",
            &["firstName", "lastName", "emailAddress"],
            Op::Contains,
            None,
            "In first name, last name or e-mail.",
        )
        .filter("lastNameContains", "lastName", Op::Contains, "")
        .filter("emailContains", "emailAddress", Op::Contains, "")
        .filter_as("isActive", &["isActive"], Op::Eq, Some(Kind::Flag), "")
        .param(udf_param())
        .param(max_records_param())
        .param(fields_param())
        .output(Output::Search)
        .search_handler(|c, a: Page, f| Box::pin(search_contacts(c, a, f))),
        ToolSpec::new("get-contact", "Get contact", READ, "A contact by id.")
            .entity("Contacts")
            .param(Param::own("id", ID, "").required())
            .output(Output::Record)
            .handler(|c, a: ById| Box::pin(get_contact(c, a))),
        ToolSpec::new(
            "create-contact",
            "Create contact",
            CREATE,
            "Create a contact at a company (active unless isActive is false).",
        )
        .entity("Contacts")
        .field("companyID", "")
        .field("firstName", "")
        .field("lastName", "")
        .field("title", "")
        .field("emailAddress", "")
        .field("phone", "")
        .field("mobilePhone", "")
        .field_as("isActive", Some(Kind::Flag), "")
        .optional("isActive")
        .param(udf_param())
        .output(Output::Written)
        .write_handler(|c, contact: Contact| Box::pin(create_contact(c, contact))),
        ToolSpec::new(
            "update-contact",
            "Update contact",
            UPDATE,
            "Change a contact's fields.",
        )
        .entity("Contacts")
        .param(Param::own("id", ID, "").required())
        .field("companyID", "")
        .field("firstName", "")
        .field("lastName", "")
        .field("title", "")
        .field("emailAddress", "")
        .field("phone", "")
        .field("mobilePhone", "")
        .field_as("isActive", Some(Kind::Flag), "")
        .param(udf_param())
        .output(Output::Written)
        .write_handler(|c, contact: Contact| Box::pin(update_contact(c, contact))),
    ]
}

async fn search_contacts(ctx: &Context, a: Page, filter: Vec<Value>) -> Result<Value, ToolError> {
    records::search(
        &ctx.tenant,
        &ctx.limits,
        "Contacts",
        filter,
        a.max_records,
        a.projection("Contacts")?,
    )
    .await
}

async fn get_contact(ctx: &Context, a: ById) -> Result<Value, ToolError> {
    records::get_one(
        &ctx.tenant,
        &ctx.limits,
        "Contacts",
        "Contacts",
        a.id,
        "find contacts with search-contacts",
    )
    .await
}

async fn create_contact(_ctx: &Context, contact: Contact) -> Result<WritePlan, ToolError> {
    let Some(company) = contact.company_id.flatten() else {
        return Err(ToolError::Invalid(
            "`companyID` is required: contacts are created under their company.".into(),
        ));
    };
    let mut body = body_of(&contact)?;
    body.entry("isActive").or_insert(json!(1));
    Ok(WritePlan::new(
        WriteOp::Create,
        "Contacts",
        format!("Companies/{company}/Contacts"),
    )
    .body(body)
    .read_with("get-contact"))
}

/// The company a contact belongs to: given, or read from the contact.
async fn company_of(ctx: &Context, contact: &Contact, id: i64) -> Result<i64, ToolError> {
    if let Some(company) = contact.company_id.flatten() {
        return Ok(i64::from(company));
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

async fn update_contact(ctx: &Context, contact: Contact) -> Result<WritePlan, ToolError> {
    let id = contact.id.flatten().unwrap_or_default();
    let mut body = body_of(&contact)?;
    body.remove("companyID");
    let body = changes(body, "update-contact")?;
    let company = company_of(ctx, &contact, id).await?;
    Ok(WritePlan::new(
        WriteOp::Update,
        "Contacts",
        format!("Companies/{company}/Contacts"),
    )
    .body(body)
    .read_with("get-contact"))
}
