//! Companies: a search's columns, the name, and the same name making a likely duplicate.

use super::model::{Duplicates, EntityFacts};

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        "id",
        "companyName",
        "companyType",
        "phone",
        "city",
        "isActive",
        "ownerResourceID",
    ],
    name: &["companyName"],
    duplicates: Some(Duplicates {
        keys: &[&["companyName"]],
        shown: &["id", "companyName", "companyType"],
    }),
    ..EntityFacts::of("Companies")
};
