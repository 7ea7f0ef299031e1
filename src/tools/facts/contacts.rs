//! Contacts: a search's columns, the name, and what makes a likely duplicate: the same e-mail
//! address anywhere, or the same first and last name at the same company.

use super::model::{Duplicates, EntityFacts};
use crate::registry::contacts as e;

pub const FACTS: EntityFacts = EntityFacts {
    summary: &[
        e::ID,
        e::FIRST_NAME,
        e::LAST_NAME,
        e::EMAIL_ADDRESS,
        e::PHONE,
        e::TITLE,
        e::COMPANY_ID,
        e::IS_ACTIVE,
    ],
    name: &[e::FIRST_NAME, e::LAST_NAME],
    duplicates: Some(Duplicates {
        keys: &[
            &[e::EMAIL_ADDRESS],
            &[e::COMPANY_ID, e::FIRST_NAME, e::LAST_NAME],
        ],
        shown: &[
            e::ID,
            e::COMPANY_ID,
            e::FIRST_NAME,
            e::LAST_NAME,
            e::EMAIL_ADDRESS,
        ],
    }),
    ..EntityFacts::of(e::ENTITY)
};
