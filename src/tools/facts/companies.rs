//! Companies: a search's columns, the name, and the same name making a likely duplicate.

use super::model::{Duplicates, EntityFacts};
use crate::registry::companies as e;

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        e::ID,
        e::COMPANY_NAME,
        e::COMPANY_TYPE,
        e::PHONE,
        e::CITY,
        e::IS_ACTIVE,
        e::OWNER_RESOURCE_ID,
    ],
    name: &[e::COMPANY_NAME],
    duplicates: Some(Duplicates {
        keys: &[&[e::COMPANY_NAME]],
        shown: &[e::ID, e::COMPANY_NAME, e::COMPANY_TYPE],
    }),
    ..EntityFacts::of(e::ENTITY)
};
