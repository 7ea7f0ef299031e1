//! Contact tools: search, get, create and update. Contacts are read at the root collection but
//! written only under their company (`Companies/{companyID}/Contacts`), and their `isActive`
//! is the integer 0/1, not a boolean (the tools take `true`/`false`).

use serde_json::{Value, json};

use super::output::Output;
use super::records::{self, ById, Page, body_of, changes, max_records_param};
use super::value::{ID, Kind};
use super::writes::{WriteOp, WritePlan};
use super::{CREATE, Context, Op, Param, READ, ToolDef, ToolError, UPDATE};
use crate::autotask::ReadIntent;
use crate::entities::Contact;

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolDef::new(
            "search-contacts",
            "Search contacts",
            READ,
            "Find contacts (people at companies) by company, name or e-mail, combined with AND; with none, contacts in id order. nameContains matches first name, last name or e-mail. The result carries count, hasMore and the filter applied.",
        )
        .entity("Contacts")
        .filter("companyID", "companyID", Op::Eq, "Only contacts of this company id.")
        .filter_as("nameContains", &["firstName", "lastName", "emailAddress"], Op::Contains, None, "Text the first name, last name or e-mail address contains.")
        .filter("lastNameContains", "lastName", Op::Contains, "Text the last name contains.")
        .filter("emailContains", "emailAddress", Op::Contains, "Text the e-mail address contains.")
        .filter_as("isActive", &["isActive"], Op::Eq, Some(Kind::Flag), "true: active contacts only; false: inactive only.")
        .param(max_records_param())
        .output(Output::Search)
        .search_handler(|c, a: Page, f| Box::pin(search_contacts(c, a, f))),
        ToolDef::new(
            "get-contact",
            "Get contact",
            READ,
            "Fetch one contact by its numeric id. To find a contact by name or e-mail use search-contacts.",
        )
        .entity("Contacts")
        .param(Param::own("id", ID, "The contact id.").required())
        .output(Output::Record)
        .handler(|c, a: ById| Box::pin(get_contact(c, a))),
        ToolDef::new(
            "create-contact",
            "Create contact",
            CREATE,
            "Create a contact at a company (sent to Companies/{companyID}/Contacts). companyID, firstName and lastName are required; the contact is active unless isActive is false. For other fields use create-entity with entity Contacts.",
        )
        .entity("Contacts")
        .field("companyID", "Id of the contact's company.")
        .field("firstName", "")
        .field("lastName", "")
        .field("title", "Job title.")
        .field("emailAddress", "")
        .field("phone", "")
        .field("mobilePhone", "")
        .field_as("isActive", Some(Kind::Flag), "false to create the contact inactive (default true).")
        .optional("isActive")
        .output(Output::Written)
        .write_handler(|c, contact: Contact| Box::pin(create_contact(c, contact))),
        ToolDef::new(
            "update-contact",
            "Update contact",
            UPDATE,
            "Change fields of a contact; only the fields given change (sent to Companies/{companyID}/Contacts; companyID is looked up when left out). For other fields use update-entity with entity Contacts.",
        )
        .entity("Contacts")
        .param(Param::own("id", ID, "Id of the contact to change.").required())
        .field("companyID", "The contact's company id (saves a lookup).")
        .field("firstName", "New first name.")
        .field("lastName", "New last name.")
        .field("title", "New job title.")
        .field("emailAddress", "New e-mail address.")
        .field("phone", "New phone number.")
        .field("mobilePhone", "New mobile phone number.")
        .field_as("isActive", Some(Kind::Flag), "true to activate, false to deactivate.")
        .output(Output::Written)
        .write_handler(|c, contact: Contact| Box::pin(update_contact(c, contact))),
    ]
}

async fn search_contacts(ctx: &Context, a: Page, filter: Vec<Value>) -> Result<Value, ToolError> {
    records::search(ctx, "Contacts", filter, a.max_records, None).await
}

async fn get_contact(ctx: &Context, a: ById) -> Result<Value, ToolError> {
    records::get_one(
        ctx,
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
            "`companyID` is required: contacts are created under their company. Nothing was sent."
                .into(),
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
    ctx.client
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
