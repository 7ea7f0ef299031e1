//! Which fields a page of records shows. By default the fields a technician works with (for
//! tickets: number, title, status, priority, queue, company, contact, assignee, dates), sent
//! to Autotask as `includeFields` so nothing else travels; `fields` picks others, and
//! `fields: ["*"]` shows everything. Entities without a curated summary show all fields.

use super::shape;
use crate::registry::EntityDef;
use crate::tools::facts;
use crate::tools::facts::model::names;
use crate::tools::facts::naming::named_reference;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::query;

/// The curated summary fields of `entity`, if it has some.
pub fn summary_of(entity: &str) -> Option<Vec<&'static str>> {
    facts::of(entity)
        .map(|f| names(f.summary))
        .filter(|f| !f.is_empty())
}

/// The fields a page shows: `None` for all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    pub fields: Option<Vec<&'static str>>,
}

impl Projection {
    /// The columns in display order: each field, then the name of what it references.
    pub fn columns(&self, entity: &EntityDef) -> Vec<String> {
        let Some(fields) = &self.fields else {
            return Vec::new();
        };
        let mut columns = Vec::new();
        for f in fields {
            columns.push((*f).to_string());
            if named_reference(entity, f).is_some() {
                columns.push(shape::name_key(entity, f));
            }
        }
        columns
    }

    /// `includeFields` for Autotask, when not all fields are wanted.
    pub fn include_fields(&self) -> Option<serde_json::Value> {
        self.fields.as_ref().map(|f| serde_json::json!(f))
    }
}

/// What `fields` asks for on `entity`: the summary when not given, everything for `["*"]`,
/// else the named fields (checked against the registry, `id` always included).
pub fn projection(entity: &EntityDef, fields: Option<&[String]>) -> Result<Projection, ToolError> {
    let Some(fields) = fields else {
        return Ok(Projection {
            fields: summary_of(entity.name),
        });
    };
    if fields.iter().any(|f| f.trim() == "*") {
        return Ok(Projection { fields: None });
    }
    let mut chosen = vec!["id"];
    let mut problems = Vec::new();
    for f in fields {
        match query::field_name(entity, f.trim()) {
            Ok(name) if !chosen.contains(&name) => chosen.push(name),
            Ok(_) => {}
            Err(e) => problems.push(e.to_string()),
        }
    }
    if problems.is_empty() {
        Ok(Projection {
            fields: Some(chosen),
        })
    } else {
        Err(ToolError::Invalid(format!(
            "`fields`: {}",
            problems.join("; ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    #[test]
    fn fields_choose_the_projection() -> Result<(), ToolError> {
        let tickets = registry::find("Tickets").expect("Tickets missing");
        let summary = projection(tickets, None)?;
        assert_eq!(summary.fields.as_ref().map(Vec::len), Some(12));
        assert_eq!(
            &summary.columns(tickets)[6..8],
            ["companyID".to_string(), "company".to_string()]
        );
        assert_eq!(projection(tickets, Some(&["*".into()]))?.fields, None);
        assert_eq!(
            projection(tickets, Some(&["Title".into(), "status".into()]))?.fields,
            Some(vec!["id", "title", "status"])
        );
        match projection(tickets, Some(&["titel".into()])) {
            Err(e) => assert!(e.to_string().contains("did you mean title"), "{e}"),
            Ok(p) => panic!("accepted {p:?}"),
        }
        Ok(())
    }
}
