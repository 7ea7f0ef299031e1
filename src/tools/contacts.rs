//! Contact tools: search, get, create and update. Contacts are read at the root collection but
//! written only under their company (`Companies/{companyID}/Contacts`), and their `isActive`
//! is the integer 0/1, not a boolean.

use serde_json::{Map, Value, json};

use super::{Args, CREATE, Kind, ParamSpec, READ, ToolError, ToolSpec, UPDATE, filters, written};
use crate::autotask::{ReadIntent, UpdateMethod};
use crate::server::ServerState;

pub fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "search-contacts",
            "Search contacts",
            READ,
            "Find contacts (people at companies) by company, name or e-mail, combined with AND; with none, contacts in id order. nameContains matches first name, last name or e-mail. The result carries count, hasMore and the filter applied.",
            |s, a| Box::pin(search_contacts(s, a)),
        )
        .params(vec![
            ParamSpec::new("companyID", Kind::Code, "Only contacts of this company id."),
            ParamSpec::new("nameContains", Kind::Text(100), "Text the first name, last name or e-mail address contains."),
            ParamSpec::new("lastNameContains", Kind::Text(50), "Text the last name contains."),
            ParamSpec::new("emailContains", Kind::Text(254), "Text the e-mail address contains."),
            ParamSpec::new("isActive", Kind::Bool, "true: active contacts only; false: inactive only."),
            super::max_records_param(),
        ]),
        ToolSpec::new(
            "get-contact",
            "Get contact",
            READ,
            "Fetch one contact by its numeric id. To find a contact by name or e-mail use search-contacts.",
            |s, a| Box::pin(get_contact(s, a)),
        )
        .params(vec![ParamSpec::new("id", Kind::Id, "The contact id.").required()]),
        ToolSpec::new(
            "create-contact",
            "Create contact",
            CREATE,
            "Create a contact at a company (sent to Companies/{companyID}/Contacts). companyID, firstName and lastName are required; the contact is active unless isActive is false. For other fields use create-entity with entity Contacts. Requires confirm: \"CREATE_CONTACT\".",
            |s, a| Box::pin(create_contact(s, a)),
        )
        .params(vec![
            ParamSpec::new("companyID", Kind::Code, "Id of the contact's company.").required(),
            ParamSpec::new("firstName", Kind::Text(50), "First name.").required(),
            ParamSpec::new("lastName", Kind::Text(50), "Last name.").required(),
            ParamSpec::new("title", Kind::Text(50), "Job title."),
            ParamSpec::new("emailAddress", Kind::Text(254), "E-mail address."),
            ParamSpec::new("phone", Kind::Text(25), "Phone number."),
            ParamSpec::new("mobilePhone", Kind::Text(25), "Mobile phone number."),
            ParamSpec::new("isActive", Kind::Bool, "false to create the contact inactive (default true)."),
        ]),
        ToolSpec::new(
            "update-contact",
            "Update contact",
            UPDATE,
            "Change fields of a contact; only the fields given change (sent to Companies/{companyID}/Contacts; companyID is looked up when left out). For other fields use update-entity with entity Contacts. Requires confirm: \"UPDATE_CONTACT\".",
            |s, a| Box::pin(update_contact(s, a)),
        )
        .params(vec![
            ParamSpec::new("id", Kind::Id, "Id of the contact to change.").required(),
            ParamSpec::new("companyID", Kind::Code, "The contact's company id (saves a lookup)."),
            ParamSpec::new("firstName", Kind::Text(50), "New first name."),
            ParamSpec::new("lastName", Kind::Text(50), "New last name."),
            ParamSpec::new("title", Kind::Text(50), "New job title."),
            ParamSpec::new("emailAddress", Kind::Text(254), "New e-mail address."),
            ParamSpec::new("phone", Kind::Text(25), "New phone number."),
            ParamSpec::new("mobilePhone", Kind::Text(25), "New mobile phone number."),
            ParamSpec::new("isActive", Kind::Bool, "true to activate, false to deactivate."),
        ]),
    ]
}

/// The filter `search-contacts` sends.
pub fn contact_filter(args: &Args) -> Vec<Value> {
    let mut clauses = Vec::new();
    if let Some(v) = args.int("companyID") {
        clauses.push(filters::eq("companyID", v));
    }
    if let Some(t) = args.text("nameContains") {
        clauses.push(filters::any_contains(
            &["firstName", "lastName", "emailAddress"],
            t,
        ));
    }
    if let Some(t) = args.text("lastNameContains") {
        clauses.push(filters::contains("lastName", t));
    }
    if let Some(t) = args.text("emailContains") {
        clauses.push(filters::contains("emailAddress", t));
    }
    if let Some(b) = args.bool("isActive") {
        clauses.push(filters::eq("isActive", i64::from(b)));
    }
    filters::or_match_all(clauses)
}

async fn search_contacts(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let max = args.int("maxRecords").unwrap_or(super::DEFAULT_MAX_RECORDS);
    super::search(state, "Contacts", contact_filter(&args), max, None).await
}

async fn get_contact(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let id = args.req_int("id")?;
    super::get_one(
        state,
        "Contacts",
        "Contacts",
        id,
        "find contacts with search-contacts",
    )
    .await
}

const CONTACT_FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "title",
    "emailAddress",
    "phone",
    "mobilePhone",
];

async fn create_contact(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let company = args.req_int("companyID")?;
    let mut body = Map::new();
    body.insert("companyID".into(), json!(company));
    super::copy_args(&args, &mut body, CONTACT_FIELDS);
    body.insert(
        "isActive".into(),
        json!(i64::from(args.bool("isActive").unwrap_or(true))),
    );
    let path = format!("Companies/{company}/Contacts");
    let id = state.client.create(&path, &Value::Object(body)).await?;
    Ok(written(
        "created",
        "Contacts",
        &path,
        id,
        &format!("get-contact {id} reads it back"),
        Vec::new(),
    ))
}

async fn update_contact(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let id = args.req_int("id")?;
    let mut body = Map::new();
    body.insert("id".into(), json!(id));
    super::copy_args(&args, &mut body, CONTACT_FIELDS);
    if let Some(b) = args.bool("isActive") {
        body.insert("isActive".into(), json!(i64::from(b)));
    }
    if body.len() < 2 {
        return Err(ToolError::Invalid(
            "update-contact has nothing to change: pass at least one field besides id and companyID. Nothing was sent.".into(),
        ));
    }
    let company = match args.int("companyID") {
        Some(c) => c,
        None => state
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
            })?,
    };
    let path = format!("Companies/{company}/Contacts");
    let id = state
        .client
        .update(&path, &Value::Object(body), UpdateMethod::Patch)
        .await?;
    Ok(written(
        "updated",
        "Contacts",
        &path,
        id,
        &format!("get-contact {id} reads it back"),
        Vec::new(),
    ))
}
