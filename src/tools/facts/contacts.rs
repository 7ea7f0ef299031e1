//! Contacts: a search's columns, the name, and what makes a likely duplicate: the same e-mail
//! address anywhere, or the same first and last name at the same company.

use super::model::{Duplicates, EntityFacts};

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        "id",
        "firstName",
        "lastName",
        "emailAddress",
        "phone",
        "title",
        "companyID",
        "isActive",
    ],
    name: &["firstName", "lastName"],
    duplicates: Some(Duplicates {
        keys: &[&["emailAddress"], &["companyID", "firstName", "lastName"]],
        shown: &["id", "companyID", "firstName", "lastName", "emailAddress"],
    }),
    ..EntityFacts::of("Contacts")
};
