//! Entities we know only the name of: the fields shown beside a reference to one of their
//! records.

use super::model::EntityFacts;

const fn named(entity: &'static str, name: &'static [&'static str]) -> EntityFacts {
    EntityFacts {
        name,
        ..EntityFacts::of(entity)
    }
}

pub const BILLING_CODES: EntityFacts = named("BillingCodes", &["name"]);
pub const COMPANY_LOCATIONS: EntityFacts = named("CompanyLocations", &["name"]);
pub const CONFIGURATION_ITEMS: EntityFacts = named("ConfigurationItems", &["referenceTitle"]);
pub const CONTRACTS: EntityFacts = named("Contracts", &["contractName"]);
pub const DEPARTMENTS: EntityFacts = named("Departments", &["name"]);
pub const OPPORTUNITIES: EntityFacts = named("Opportunities", &["title"]);
pub const PHASES: EntityFacts = named("Phases", &["title"]);
pub const ROLES: EntityFacts = named("Roles", &["name"]);
