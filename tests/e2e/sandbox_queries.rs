//! Sandbox over real HTTP: queries (operators, grouping, UDFs, Autotask's quirks and errors),
//! counts, and paging through all 1,200 tickets by POST and by GET.

use crate::common::{Env, assert_every, assert_refused, error_text, items_of};
use reqwest::Method;
use serde_json::{Value, json};

fn ids(items: &Value) -> Vec<i64> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

async fn count(env: &Env, entity: &str, filter: Value) -> i64 {
    let a = env
        .post(
            &format!("{entity}/query/count"),
            json!({ "filter": filter }),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.body["queryCount"].as_i64().unwrap()
}

#[tokio::test]
async fn paging_all_tickets_by_post_continues_by_post_with_the_same_body() {
    let env = Env::start().await;
    let body = json!({"filter": [{"op": "exist", "field": "id"}]});
    let first = env.post("Tickets/query", body.clone()).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let details = &first.body["pageDetails"];
    assert_eq!(details["count"], json!(500));
    assert_eq!(details["requestCount"], json!(500));
    assert_eq!(details["prevPageUrl"], Value::Null);
    let mut all = ids(&first.body["items"]);
    let mut next = details["nextPageUrl"].as_str().map(str::to_string);
    let first_next = next.clone().unwrap();
    assert!(
        first_next.starts_with(&format!("{}V1.0/Tickets/query/next?paging=", env.base)),
        "{first_next}"
    );
    assert!(!first_next.contains("search="));
    // GET on a POST query's next page is 405 with the ASP.NET body.
    let get_next = env.call_url(Method::GET, &first_next, None).await;
    assert_eq!(get_next.status, 405);
    assert_eq!(
        get_next.body,
        json!({"Message": "The requested resource does not support http method 'GET'."})
    );
    let mut pages = 1;
    let mut last_page = Value::Null;
    while let Some(url) = next {
        let page = env.call_url(Method::POST, &url, Some(body.clone())).await;
        assert_eq!(page.status, 200, "{}", page.text);
        all.extend(ids(&page.body["items"]));
        next = page.body["pageDetails"]["nextPageUrl"]
            .as_str()
            .map(str::to_string);
        last_page = page.body;
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(all.len(), 1200);
    assert!(
        all.windows(2).all(|w| w[0] < w[1]),
        "sorted by id, no duplicates"
    );
    assert_eq!(last_page["pageDetails"]["count"], json!(200));
    // The last page can go back.
    let prev = last_page["pageDetails"]["prevPageUrl"]
        .as_str()
        .unwrap()
        .to_string();
    let back = env.call_url(Method::POST, &prev, Some(body.clone())).await;
    assert_eq!(ids(&back.body["items"]), all[500..1000].to_vec());
}

#[tokio::test]
async fn paging_by_get_carries_search_and_continues_by_get() {
    let env = Env::start().await;
    let search = json!({"filter": [{"op": "gte", "field": "id", "value": 0}], "MaxRecords": 400});
    let first = env.get_query("Tickets", &search).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["pageDetails"]["requestCount"], json!(400));
    let mut all = ids(&first.body["items"]);
    let mut next = first.body["pageDetails"]["nextPageUrl"]
        .as_str()
        .map(str::to_string);
    assert!(next.as_deref().unwrap().contains("&search="));
    while let Some(url) = next {
        let page = env.call_url(Method::GET, &url, None).await;
        assert_eq!(page.status, 200, "{}", page.text);
        all.extend(ids(&page.body["items"]));
        next = page.body["pageDetails"]["nextPageUrl"]
            .as_str()
            .map(str::to_string);
    }
    assert_eq!(all.len(), 1200);
    assert!(all.windows(2).all(|w| w[0] < w[1]));
    // Query-string keys are case-insensitive too.
    let url = env.url("tickets/QUERY");
    let resp = env
        .authed(Method::GET, &url)
        .query(&[("Search", search.to_string())])
        .send()
        .await
        .unwrap();
    let upper = crate::common::answer(resp).await;
    assert_eq!(upper.body["pageDetails"]["count"], json!(400));
    let counted = env.get_query_count(&search).await;
    assert_eq!(counted, 1200);
}

trait CountByGet {
    async fn get_query_count(&self, search: &Value) -> i64;
}

impl CountByGet for Env {
    async fn get_query_count(&self, search: &Value) -> i64 {
        let url = self.url("Tickets/query/count");
        let resp = self
            .authed(Method::GET, &url)
            .query(&[("search", search.to_string())])
            .send()
            .await
            .unwrap();
        let a = crate::common::answer(resp).await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.body["queryCount"].as_i64().unwrap()
    }
}

#[tokio::test]
async fn operators_grouping_and_udfs_filter_like_autotask() {
    let env = Env::start().await;
    let total = count(&env, "Tickets", json!([])).await;
    assert_eq!(total, 1200);
    let complete = count(
        &env,
        "Tickets",
        json!([{"op": "eq", "field": "status", "value": 5}]),
    )
    .await;
    let not_complete = count(
        &env,
        "Tickets",
        json!([{"op": "noteq", "field": "Status", "value": 5}]),
    )
    .await;
    assert!(complete > 0 && not_complete > 0);
    assert_eq!(complete + not_complete, total);
    let open_in = count(
        &env,
        "Tickets",
        json!([{"op": "in", "field": "status", "value": [1, 7, 8]}]),
    )
    .await;
    let open_or = count(
        &env,
        "Tickets",
        json!([{"op": "or", "items": [
        {"op": "eq", "field": "status", "value": 1},
        {"op": "eq", "field": "status", "value": 7},
        {"op": "eq", "field": "status", "value": 8}]}]),
    )
    .await;
    assert_eq!(open_in, open_or);
    let not_in = count(
        &env,
        "Tickets",
        json!([{"op": "notIn", "field": "status", "value": [1, 7, 8]}]),
    )
    .await;
    assert_eq!(open_in + not_in, total);
    let gt = count(
        &env,
        "Tickets",
        json!([{"op": "gt", "field": "id", "value": 11000}]),
    )
    .await;
    let lte = count(
        &env,
        "Tickets",
        json!([{"op": "lte", "field": "id", "value": 11000}]),
    )
    .await;
    assert_eq!((gt, gt + lte), (200, total));
    let gte_lt = count(&env, "Tickets", json!([{"op": "gte", "field": "id", "value": 10100}, {"op": "lt", "field": "id", "value": 10200}])).await;
    assert_eq!(gte_lt, 100);
    let assigned = count(
        &env,
        "Tickets",
        json!([{"op": "exist", "field": "assignedResourceID"}]),
    )
    .await;
    let unassigned = count(
        &env,
        "Tickets",
        json!([{"op": "notExist", "field": "assignedResourceID"}]),
    )
    .await;
    assert!(unassigned > 0);
    assert_eq!(assigned + unassigned, total);
    // Case-insensitive string matching.
    let upper = count(
        &env,
        "Tickets",
        json!([{"op": "contains", "field": "title", "value": "PRINTER"}]),
    )
    .await;
    let lower = count(
        &env,
        "Tickets",
        json!([{"op": "contains", "field": "TITLE", "value": "printer"}]),
    )
    .await;
    assert!(upper > 0);
    assert_eq!(upper, lower);
    let begins = count(
        &env,
        "Tickets",
        json!([{"op": "beginsWith", "field": "title", "value": "printer"}]),
    )
    .await;
    let ends = count(
        &env,
        "Tickets",
        json!([{"op": "endsWith", "field": "title", "value": "OFFLINE"}]),
    )
    .await;
    assert!(begins > 0 && ends > 0 && begins <= upper);
    // Datetimes in any accepted form.
    let recent_z = count(
        &env,
        "Tickets",
        json!([{"op": "gt", "field": "createDate", "value": "2026-11-01T00:00:00Z"}]),
    )
    .await;
    let recent_naive = count(
        &env,
        "Tickets",
        json!([{"op": "gt", "field": "createDate", "value": "2026-11-01T00:00:00.000"}]),
    )
    .await;
    assert!(recent_z > 0 && recent_z < total);
    assert_eq!(recent_z, recent_naive);
    // Nested and/or.
    let nested = count(&env, "Tickets", json!([{"op": "or", "items": [
        {"op": "and", "items": [{"op": "eq", "field": "priority", "value": 4}, {"op": "noteq", "field": "status", "value": 5}]},
        {"op": "eq", "field": "status", "value": 1}]}])).await;
    assert!(nested > 0);
    // UDFs.
    let golden = count(
        &env,
        "Companies",
        json!([{"op": "eq", "field": "CustomerRanking", "udf": true, "value": "1"}]),
    )
    .await;
    let any_ranking = count(
        &env,
        "Companies",
        json!([{"op": "exist", "field": "customerranking", "udf": true}]),
    )
    .await;
    assert!(golden > 0 && golden < any_ranking);
    // Booleans (Contacts.isActive is an integer, Companies.isActive a boolean).
    let active = count(
        &env,
        "Companies",
        json!([{"op": "eq", "field": "isActive", "value": true}]),
    )
    .await;
    assert!(active > 50);
    let active_contacts = count(
        &env,
        "Contacts",
        json!([{"op": "eq", "field": "isActive", "value": 1}]),
    )
    .await;
    assert!(active_contacts > 150);
}

#[tokio::test]
async fn autotask_quirks_and_errors() {
    let env = Env::start().await;
    // An unknown operator is dropped: the query returns unfiltered rows.
    let dropped = env
        .post(
            "Tickets/query",
            json!({"filter": [{"op": "ne", "field": "status", "value": 5}], "maxRecords": 10}),
        )
        .await;
    assert_eq!(dropped.status, 200);
    assert_eq!(
        ids(&dropped.body["items"]),
        (10001..=10010).collect::<Vec<_>>()
    );
    let unknown = env
        .post(
            "TimeEntries/query",
            json!({"filter": [{"op": "eq", "field": "projectID", "value": 1}]}),
        )
        .await;
    assert_eq!(unknown.status, 500);
    assert_eq!(
        error_text(&unknown),
        "Unable to find projectID in the TimeEntry Entity"
    );
    let not_bool = env
        .post(
            "Companies/query",
            json!({"filter": [{"op": "eq", "field": "isActive", "value": "true"}]}),
        )
        .await;
    assert_eq!(not_bool.status, 500);
    let null_bool = env
        .post(
            "Companies/query",
            json!({"filter": [{"op": "eq", "field": "isActive", "value": null}]}),
        )
        .await;
    assert_eq!(null_bool.status, 500);
    let not_queryable = env
        .post(
            "Tickets/query",
            json!({"filter": [{"op": "eq", "field": "creatorType", "value": 1}]}),
        )
        .await;
    assert_eq!(not_queryable.status, 500);
    let ors: Vec<Value> = (0..501)
        .map(|i| json!({"op": "eq", "field": "id", "value": 10001 + i}))
        .collect();
    let too_many = env
        .post(
            "Tickets/query",
            json!({"filter": [{"op": "or", "items": ors}]}),
        )
        .await;
    assert_eq!(too_many.status, 500);
    assert!(error_text(&too_many).contains("500 or fewer 'OR' conditions"));
    let ors: Vec<Value> = (0..500)
        .map(|i| json!({"op": "eq", "field": "id", "value": 10001 + i}))
        .collect();
    let just_enough = env
        .post(
            "Tickets/query/count",
            json!({"filter": [{"op": "or", "items": ors}]}),
        )
        .await;
    assert_eq!(just_enough.body["queryCount"], json!(500));
    for max in [0, 501, -1] {
        let a = env.post("Tickets/query", json!({"MaxRecords": max})).await;
        assert_eq!(a.status, 500);
        assert_eq!(
            error_text(&a),
            "maxCountOfRecordsToReturn must be between 1 and 500"
        );
    }
    let small = env
        .post(
            "Tickets/query",
            json!({"maxrecords": 25, "FILTER": [{"OP": "exist", "FIELD": "id"}]}),
        )
        .await;
    assert_eq!(small.body["pageDetails"]["count"], json!(25));
    assert!(small.body["pageDetails"]["nextPageUrl"].is_string());
}

#[tokio::test]
async fn include_fields_keeps_only_the_named_fields_and_id() {
    let env = Env::start().await;
    let a = env.post("Companies/query", json!({"IncludeFields": ["CompanyName", "city"], "filter": [{"op": "eq", "field": "id", "value": 0}]})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let item = a.body["items"][0].as_object().unwrap();
    let keys: Vec<&str> = item.keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "city", "companyName", "userDefinedFields"]);
    let bad = env
        .post("Companies/query", json!({"IncludeFields": ["nope"]}))
        .await;
    assert_eq!(bad.status, 500);
}

#[tokio::test]
async fn children_list_under_their_parent_only() {
    let env = Env::start().await;
    let notes = env
        .post(
            "TicketNotes/query",
            json!({"filter": [{"op": "exist", "field": "id"}], "maxRecords": 1}),
        )
        .await;
    let ticket = notes.body["items"][0]["ticketID"].as_i64().unwrap();
    let listed = env.get(&format!("Tickets/{ticket}/Notes")).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let items = listed.body["items"].as_array().unwrap();
    assert_every(items, "notes listed under their ticket", |n| {
        n["ticketID"] == json!(ticket)
    });
    let counted = count(
        &env,
        "TicketNotes",
        json!([{"op": "eq", "field": "ticketID", "value": ticket}]),
    )
    .await;
    assert_eq!(items.len() as i64, counted);
    let missing_parent = env.get("Tickets/999999/Notes").await;
    assert_refused(
        &missing_parent,
        "Unable to find the parent Ticket with id 999999.",
    );
    let contacts = items_of(&env.get("Companies/1001/Contacts").await);
    assert_every(&contacts, "contacts listed under their company", |c| {
        c["companyID"] == json!(1001)
    });
}
