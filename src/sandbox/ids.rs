//! Where the ids of each entity start: the seeded records use these ranges, and a record
//! created through the API continues after the last id of its entity (or starts at its base
//! when the table is empty). Ids are distinct per entity, so an id of the wrong entity is not
//! found rather than silently wrong. The ranges are listed in `seed`'s documentation.

/// The first id of `entity` (collection name).
pub fn id_base(entity: &str) -> i64 {
    match entity {
        "Companies" => 1001,
        "Contacts" => 2001,
        "Contracts" => 3001,
        "ContractBlocks" => 3501,
        "ContractBlockHourFactors" => 3601,
        "ContractServices" => 3701,
        "ConfigurationItems" => 4001,
        "ContractRates" => 4201,
        "ConfigurationItemCategories" => 4601,
        "Projects" => 5001,
        "Phases" => 5501,
        "Tasks" => 6001,
        "ServiceCalls" => 7001,
        "ServiceCallTickets" => 7501,
        "ServiceCallTicketResources" => 7801,
        "Products" => 8001,
        "Services" => 8501,
        "BillingCodes" => 9001,
        "Tickets" => 10001,
        "TicketNotes" => 20001,
        "TimeEntries" => 30001,
        "TicketAttachments" => 40001,
        "TicketHistory" => 45001,
        "BillingItems" => 50001,
        "Invoices" => 60001,
        "Resources" => 29682886,
        "Roles" => 29683400,
        _ => 1,
    }
}
