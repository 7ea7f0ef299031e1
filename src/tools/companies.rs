//! Company tools: search with named filters, get, create and update (companies live at the
//! root collection `Companies`; they cannot be deleted through the API).

use serde_json::{Map, Value, json};

use super::{Args, CREATE, Kind, ParamSpec, READ, ToolError, ToolSpec, UPDATE, filters, written};
use crate::server::ServerState;

const PICK_COMPANY_TYPE: Kind = Kind::Pick {
    entity: "Companies",
    field: "companyType",
};

pub fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "search-companies",
            "Search companies",
            READ,
            "Find companies (customers, prospects, vendors) by name and other named filters, combined with AND; with none, companies in id order. companyType takes the tenant's code or label (e.g. \"Customer\"). The result carries count, hasMore and the filter applied. Use the company id from here for search-tickets, search-contacts or create-ticket.",
            |s, a| Box::pin(search_companies(s, a)),
        )
        .params(vec![
            ParamSpec::new("nameContains", Kind::Text(100), "Text the company name contains (case-insensitive)."),
            ParamSpec::new("companyType", PICK_COMPANY_TYPE, "Only this company type: code or label."),
            ParamSpec::new("isActive", Kind::Bool, "true: active companies only; false: inactive only."),
            ParamSpec::new("ownerResourceID", Kind::Code, "Only companies owned by this resource id."),
            ParamSpec::new("createdAfter", Kind::DateTime, "Only companies created at or after this UTC date/date-time."),
            super::max_records_param(),
        ]),
        ToolSpec::new(
            "get-company",
            "Get company",
            READ,
            "Fetch one company by its numeric id, with picklist labels. To find a company by name use search-companies.",
            |s, a| Box::pin(get_company(s, a)),
        )
        .params(vec![ParamSpec::new("id", Kind::Id, "The company id (0 is the tenant's own company).").required()]),
        ToolSpec::new(
            "create-company",
            "Create company",
            CREATE,
            "Create a company. companyName and companyType are required; Autotask usually also requires ownerResourceID and phone (describe-entity-fields Companies says what this tenant needs). For other fields use create-entity with entity Companies. Requires confirm: \"CREATE_COMPANY\".",
            |s, a| Box::pin(create_company(s, a)),
        )
        .params(vec![
            ParamSpec::new("companyName", Kind::Text(100), "Company name (up to 100 characters).").required(),
            ParamSpec::new("companyType", PICK_COMPANY_TYPE, "Company type code or label (e.g. \"Customer\", \"Prospect\").").required(),
            ParamSpec::new("ownerResourceID", Kind::Code, "Resource id of the account owner."),
            ParamSpec::new("phone", Kind::Text(25), "Main phone number."),
            ParamSpec::new("address1", Kind::Text(255), "Street address."),
            ParamSpec::new("city", Kind::Text(255), "City."),
            ParamSpec::new("postalCode", Kind::Text(255), "Postal code."),
        ]),
        ToolSpec::new(
            "update-company",
            "Update company",
            UPDATE,
            "Change fields of a company; only the fields given change. For other fields use update-entity with entity Companies. Requires confirm: \"UPDATE_COMPANY\".",
            |s, a| Box::pin(update_company(s, a)),
        )
        .params(vec![
            ParamSpec::new("id", Kind::Id, "Id of the company to change.").required(),
            ParamSpec::new("companyName", Kind::Text(100), "New company name."),
            ParamSpec::new("companyType", PICK_COMPANY_TYPE, "New company type code or label."),
            ParamSpec::new("phone", Kind::Text(25), "New phone number."),
            ParamSpec::new("isActive", Kind::Bool, "true to activate, false to deactivate."),
            ParamSpec::new("ownerResourceID", Kind::Code, "New owner resource id."),
            ParamSpec::new("address1", Kind::Text(255), "New street address."),
            ParamSpec::new("city", Kind::Text(255), "New city."),
            ParamSpec::new("postalCode", Kind::Text(255), "New postal code."),
        ]),
    ]
}

fn spec_params(name: &str) -> Vec<ParamSpec> {
    tools()
        .into_iter()
        .find(|t| t.name == name)
        .map(|t| t.params)
        .unwrap_or_default()
}

/// The filter `search-companies` sends.
pub fn company_filter(args: &Args) -> Vec<Value> {
    let mut clauses = Vec::new();
    if let Some(t) = args.text("nameContains") {
        clauses.push(filters::contains("companyName", t));
    }
    for field in ["companyType", "ownerResourceID"] {
        if let Some(v) = args.int(field) {
            clauses.push(filters::eq(field, v));
        }
    }
    if let Some(b) = args.bool("isActive") {
        clauses.push(filters::eq("isActive", b));
    }
    if let Some(d) = args.text("createdAfter") {
        clauses.push(filters::gte("createDate", d));
    }
    filters::or_match_all(clauses)
}

async fn search_companies(state: &ServerState, mut args: Args) -> Result<Value, ToolError> {
    super::resolve_labels(state, &spec_params("search-companies"), &mut args).await?;
    let max = args.int("maxRecords").unwrap_or(super::DEFAULT_MAX_RECORDS);
    super::search(state, "Companies", company_filter(&args), max, None).await
}

async fn get_company(state: &ServerState, args: Args) -> Result<Value, ToolError> {
    let id = args.req_int("id")?;
    super::get_one(
        state,
        "Companies",
        "Companies",
        id,
        "find companies with search-companies",
    )
    .await
}

const COMPANY_FIELDS: &[&str] = &[
    "companyName",
    "companyType",
    "ownerResourceID",
    "phone",
    "isActive",
    "address1",
    "city",
    "postalCode",
];

async fn create_company(state: &ServerState, mut args: Args) -> Result<Value, ToolError> {
    super::resolve_labels(state, &spec_params("create-company"), &mut args).await?;
    let mut body = Map::new();
    super::copy_args(&args, &mut body, COMPANY_FIELDS);
    let id = state
        .client
        .create("Companies", &Value::Object(body))
        .await?;
    Ok(written(
        "created",
        "Companies",
        "Companies",
        id,
        &format!("get-company {id} reads it back"),
        Vec::new(),
    ))
}

async fn update_company(state: &ServerState, mut args: Args) -> Result<Value, ToolError> {
    let id = args.req_int("id")?;
    if !COMPANY_FIELDS.iter().any(|f| args.has(f)) {
        return Err(ToolError::Invalid(
            "update-company has nothing to change: pass at least one field besides id. Nothing was sent.".into(),
        ));
    }
    super::resolve_labels(state, &spec_params("update-company"), &mut args).await?;
    let mut body = Map::new();
    body.insert("id".into(), json!(id));
    super::copy_args(&args, &mut body, COMPANY_FIELDS);
    let id = state
        .client
        .update(
            "Companies",
            &Value::Object(body),
            crate::autotask::UpdateMethod::Patch,
        )
        .await?;
    Ok(written(
        "updated",
        "Companies",
        "Companies",
        id,
        &format!("get-company {id} reads it back"),
        Vec::new(),
    ))
}
