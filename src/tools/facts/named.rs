//! Entities we know only the name of: the fields shown beside a reference to one of their
//! records.

use super::model::EntityFacts;
use crate::registry::{Entity, Field};
use crate::registry::{
    billing_codes, company_locations, configuration_items, contracts, departments, opportunities,
    phases, roles,
};

const fn named(entity: Entity, name: &'static [Field]) -> EntityFacts {
    EntityFacts {
        name,
        ..EntityFacts::of(entity)
    }
}

pub const BILLING_CODES: EntityFacts = named(billing_codes::ENTITY, &[billing_codes::NAME]);
pub const COMPANY_LOCATIONS: EntityFacts =
    named(company_locations::ENTITY, &[company_locations::NAME]);
pub const CONFIGURATION_ITEMS: EntityFacts = named(
    configuration_items::ENTITY,
    &[configuration_items::REFERENCE_TITLE],
);
pub const CONTRACTS: EntityFacts = named(contracts::ENTITY, &[contracts::CONTRACT_NAME]);
pub const DEPARTMENTS: EntityFacts = named(departments::ENTITY, &[departments::NAME]);
pub const OPPORTUNITIES: EntityFacts = named(opportunities::ENTITY, &[opportunities::TITLE]);
pub const PHASES: EntityFacts = named(phases::ENTITY, &[phases::TITLE]);
pub const ROLES: EntityFacts = named(roles::ENTITY, &[roles::NAME]);
