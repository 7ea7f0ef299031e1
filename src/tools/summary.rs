//! Which fields a page of records shows. By default the fields a technician works with (for
//! tickets: number, title, status, priority, queue, company, contact, assignee, dates), sent
//! to Autotask as `includeFields` so nothing else travels; `fields` picks others, and
//! `fields: ["*"]` shows everything. Entities without a curated summary show all fields.

use super::ToolError;
use super::filters;
use super::names;
use super::params::Param;
use super::shape;
use super::value::Kind;
use crate::autotask::error::join_sentences;
use crate::registry::EntityDef;

/// The default fields of each entity's searches, in display order.
const SUMMARY: &[(&str, &[&str])] = &[
    (
        "Companies",
        &[
            "id",
            "companyName",
            "companyType",
            "phone",
            "city",
            "isActive",
            "ownerResourceID",
        ],
    ),
    (
        "Contacts",
        &[
            "id",
            "firstName",
            "lastName",
            "emailAddress",
            "phone",
            "title",
            "companyID",
            "isActive",
        ],
    ),
    (
        "Projects",
        &[
            "id",
            "projectNumber",
            "projectName",
            "status",
            "companyID",
            "projectLeadResourceID",
            "startDateTime",
            "endDateTime",
        ],
    ),
    (
        "Resources",
        &["id", "firstName", "lastName", "email", "title", "isActive"],
    ),
    (
        "Tasks",
        &[
            "id",
            "taskNumber",
            "title",
            "status",
            "projectID",
            "assignedResourceID",
            "startDateTime",
            "endDateTime",
        ],
    ),
    (
        "TicketNotes",
        &[
            "id",
            "ticketID",
            "title",
            "noteType",
            "publish",
            "createDateTime",
            "creatorResourceID",
            "description",
        ],
    ),
    (
        "Tickets",
        &[
            "id",
            "ticketNumber",
            "title",
            "status",
            "priority",
            "queueID",
            "companyID",
            "contactID",
            "assignedResourceID",
            "createDate",
            "lastActivityDate",
            "dueDateTime",
        ],
    ),
    (
        "TimeEntries",
        &[
            "id",
            "dateWorked",
            "hoursWorked",
            "resourceID",
            "roleID",
            "ticketID",
            "taskID",
            "summaryNotes",
        ],
    ),
];

/// The curated summary fields of `entity`, if it has some.
pub fn summary_of(entity: &str) -> Option<&'static [&'static str]> {
    SUMMARY
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(entity))
        .map(|(_, f)| *f)
}

/// The `fields` parameter of the searches.
pub fn fields_param() -> Param {
    Param::own("fields", Kind::Names, "")
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
            if names::named_reference(entity, f).is_some() {
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
            fields: summary_of(entity.name).map(<[&str]>::to_vec),
        });
    };
    if fields.iter().any(|f| f.trim() == "*") {
        return Ok(Projection { fields: None });
    }
    let mut chosen = vec!["id"];
    let mut problems = Vec::new();
    for f in fields {
        match filters::field_name(entity, f.trim()) {
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
        Err(ToolError::Invalid(join_sentences(
            &format!("`fields`: {}", problems.join("; ")),
            "Nothing was sent.",
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    #[test]
    fn summaries_name_real_queryable_fields_starting_with_id() {
        for (entity, fields) in SUMMARY {
            let e = registry::find(entity).unwrap_or_else(|| panic!("{entity} missing"));
            assert_eq!(fields.first(), Some(&"id"), "{entity}");
            for f in *fields {
                assert!(e.field(f).is_some(), "{entity}.{f} missing");
            }
        }
    }

    #[test]
    fn fields_choose_the_projection() -> Result<(), ToolError> {
        let tickets = registry::find("Tickets").unwrap_or_else(|| panic!("Tickets missing"));
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
