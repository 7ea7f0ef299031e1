//! What the configuration items are: each seeded item gets its product (by type), its category
//! and, when its company's managed-services contract is a recurring service contract, that
//! contract. A few companies' items get warranties that run out soon (within 30, 60 and 90
//! days of the anchor, one just expired), so "warranties expiring" has answers; the rest keep
//! three years from installation. No randomness.

use chrono::Duration;
use serde_json::{Value, json};

use super::catalog::Catalog;
use super::customers::Customers;
use super::seeder::{Seeder, dt};

/// (customer index, n-th item of that customer, warranty end in days from the anchor).
const EXPIRING_WARRANTIES: &[(usize, usize, i64)] = &[
    (0, 0, 9),
    (0, 1, 38),
    (0, 2, 71),
    (1, 0, 21),
    (1, 1, 64),
    (2, 0, 47),
    (3, 0, 83),
    (3, 1, -5),
    (4, 1, 16),
];

pub(super) fn seed(s: &mut Seeder, base: &Customers, catalog: &Catalog) {
    let now = s.now;
    for (company, ci) in &base.cis_of {
        let Some(mut record) = s.data.get("ConfigurationItems", *ci).cloned() else {
            continue;
        };
        let kind = record
            .get("configurationItemType")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let products = catalog.products(kind);
        if !products.is_empty() {
            let product = products[(*ci as usize) % products.len()];
            record.insert("productID".into(), json!(product));
        }
        record.insert(
            "configurationItemCategoryID".into(),
            json!(catalog.category(kind)),
        );
        let contract = base
            .contract_of
            .iter()
            .find(|(c, _)| c == company)
            .map(|(_, k)| *k)
            .filter(|k| {
                s.data
                    .get("Contracts", *k)
                    .and_then(|c| c.get("contractType"))
                    .and_then(Value::as_i64)
                    == Some(7)
            });
        record.insert("contractID".into(), json!(contract));
        s.data.put("ConfigurationItems", record);
    }
    for (customer, nth, days) in EXPIRING_WARRANTIES {
        let Some((company, _)) = base.customers.get(*customer) else {
            continue;
        };
        let Some(ci) = base
            .cis_of
            .iter()
            .filter(|(c, _)| c == company)
            .nth(*nth)
            .map(|(_, id)| *id)
        else {
            continue;
        };
        if let Some(mut record) = s.data.get("ConfigurationItems", ci).cloned() {
            let end = (now + Duration::days(*days))
                .date_naive()
                .and_hms_opt(0, 0, 0)
                .map_or(now, |d| d.and_utc());
            record.insert("warrantyExpirationDate".into(), dt(end));
            s.data.put("ConfigurationItems", record);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::sandbox::seed::{anchor, generate};
    use crate::sandbox::wire::parse_datetime;

    #[test]
    fn items_have_products_categories_warranties_and_open_tickets() {
        let d = generate(42).data;
        let now = anchor();
        let items: Vec<_> = d
            .table("ConfigurationItems")
            .unwrap()
            .rows
            .values()
            .collect();
        for ci in &items {
            let product = d
                .get("Products", ci["productID"].as_i64().unwrap())
                .unwrap();
            // The product is one of the item's type.
            assert_eq!(
                product["defaultInstalledProductCategoryID"], ci["configurationItemCategoryID"],
                "{}",
                ci["id"]
            );
            let install = parse_datetime(ci["installDate"].as_str().unwrap()).unwrap();
            let warranty = parse_datetime(ci["warrantyExpirationDate"].as_str().unwrap()).unwrap();
            assert!(install < warranty, "{}", ci["id"]);
        }
        let expiring = |company: i64, days: i64| {
            items
                .iter()
                .filter(|ci| ci["companyID"] == json!(company))
                .filter(|ci| {
                    let w = parse_datetime(ci["warrantyExpirationDate"].as_str().unwrap()).unwrap();
                    w >= now && w <= now + Duration::days(days)
                })
                .count()
        };
        assert!(expiring(1001, 30) >= 1);
        assert!(expiring(1001, 90) >= 3);
        assert!(expiring(1002, 30) >= 1);
        let open_on_items = d
            .table("Tickets")
            .unwrap()
            .rows
            .values()
            .filter(|t| !t["configurationItemID"].is_null() && t["status"] != json!(5))
            .count();
        assert!(open_on_items >= 10, "{open_on_items}");
    }
}
