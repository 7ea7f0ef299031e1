//! Sandbox over real HTTP: zone lookup and version endpoints, case-insensitive paths and
//! headers, Autotask's authentication outcomes, 404/405 shapes, and the metadata endpoints
//! (entity info, fields with tenant picklists, UDFs).

use crate::common::{Env, answer, assert_every, error_text};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn zone_lookup_needs_no_auth_and_points_at_the_sandbox() {
    let env = Env::start().await;
    let url = format!("{}V1.0/zoneInformation", env.base);
    let resp = env
        .http
        .get(&url)
        .query(&[("user", env.creds.username.as_str())])
        .send()
        .await
        .unwrap();
    let a = answer(resp).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["url"], json!(env.base));
    assert!(env.base.ends_with("/ATServicesRest/"));
    for key in ["zoneName", "webUrl", "ci"] {
        assert!(!a.body[key].is_null(), "{key} in {}", a.text);
    }
    // Lower-case path, unknown and blank user: 500 with an errors body.
    for user in ["someone-else@example.com", ""] {
        let url = format!("{}v1.0/zoneinformation", env.base.to_lowercase());
        let a = answer(
            env.http
                .get(&url)
                .query(&[("user", user)])
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(a.status, 500, "{}", a.text);
        assert!(!error_text(&a).is_empty());
    }
    let version = answer(
        env.http
            .get(format!("{}versioninformation", env.base.to_lowercase()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(version.status, 200);
    assert_eq!(version.body, json!({"apiVersions": ["v1.0"]}));
}

#[tokio::test]
async fn version_threshold_and_entity_descriptions() {
    let env = Env::start().await;
    let v = env.get("Version").await;
    assert_eq!(v.status, 200);
    for key in ["majorVersion", "minorVersion", "build", "customerType"] {
        assert!(v.body.get(key).is_some(), "{key}");
    }
    let t = env.get("ThresholdInformation").await;
    assert_eq!(t.body["externalRequestThreshold"], json!(10_000));
    assert_eq!(t.body["requestThresholdTimeframe"], json!(60));
    // Version and ThresholdInformation were both counted.
    assert_eq!(t.body["currentTimeframeRequestCount"], json!(2));
    let all = env.get("EntityInformation").await;
    let list = all.body["entityDescriptions"].as_array().unwrap();
    assert_eq!(list.len(), autotask_mcp::registry::entities().len());
    assert!(list.iter().any(|e| e["info"]["name"] == json!("Ticket")));
}

#[tokio::test]
async fn paths_and_header_names_are_case_insensitive() {
    let env = Env::start().await;
    let lower = format!("{}v1.0/tickets/10001", env.base.to_lowercase());
    let resp = env
        .http
        .get(&lower)
        .header("apiintegrationcode", &env.creds.integration_code)
        .header("USERNAME", &env.creds.username)
        .header("secret", &env.creds.secret)
        .send()
        .await
        .unwrap();
    let a = answer(resp).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["item"]["id"], json!(10001));
    let upper = env.get("TICKETS/ENTITYINFORMATION/FIELDS").await;
    assert_eq!(upper.status, 200);
}

#[tokio::test]
async fn authentication_fails_the_way_autotask_does() {
    let env = Env::start().await;
    let url = env.url("Companies/0");
    let send = |user: String, secret: String, code: String| {
        let req = env
            .http
            .get(&url)
            .header("UserName", user)
            .header("Secret", secret)
            .header("ApiIntegrationCode", code);
        async move { answer(req.send().await.unwrap()).await }
    };
    let c = env.creds.clone();
    let unknown_user = send(
        "nobody@example.com".into(),
        c.secret.clone(),
        c.integration_code.clone(),
    )
    .await;
    assert_eq!(unknown_user.status, 500);
    let wrong_secret = send(
        c.username.clone(),
        "wrong".into(),
        c.integration_code.clone(),
    )
    .await;
    assert_eq!(wrong_secret.status, 401);
    let wrong_code = send(c.username.clone(), c.secret.clone(), "NOTACODE".into()).await;
    assert_eq!(wrong_code.status, 500);
    for a in [&unknown_user, &wrong_secret, &wrong_code] {
        let text = error_text(a);
        assert!(
            !text.contains(&c.secret)
                && !text.contains(&c.username)
                && !text.contains(&c.integration_code)
        );
    }
    for debug in [format!("{c:?}"), format!("{:?}", env.sandbox)] {
        assert!(
            !debug.contains(&c.secret)
                && !debug.contains(&c.username)
                && !debug.contains(&c.integration_code),
            "{debug}"
        );
    }
    let none = answer(env.http.get(&url).send().await.unwrap()).await;
    assert_eq!(none.status, 500);
    let ok = send(
        c.username.clone(),
        c.secret.clone(),
        c.integration_code.clone(),
    )
    .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body["item"]["id"], json!(0));
}

#[tokio::test]
async fn wrong_methods_are_405_and_unknown_routes_404() {
    let env = Env::start().await;
    let item_patch = env
        .call(Method::PATCH, "Tickets/10001", Some(json!({"title": "x"})))
        .await;
    assert_eq!(item_patch.status, 405);
    assert_eq!(
        item_patch.body,
        json!({"Message": "The requested resource does not support http method 'PATCH'."})
    );
    let delete_ticket = env.delete("Tickets/10001").await;
    assert_eq!(delete_ticket.status, 405);
    let get_collection = env.get("Tickets").await;
    assert_eq!(get_collection.status, 405);
    assert!(
        get_collection.body["Message"]
            .as_str()
            .unwrap()
            .contains("'GET'")
    );
    for (method, path) in [
        (Method::POST, "TicketNotes"),
        (Method::POST, "Tickets/10001/TimeEntries"),
        (Method::GET, "NoSuchEntity/query"),
        (Method::GET, "Tickets/10001/NoSuchChild"),
        (Method::PATCH, "Contacts"),
    ] {
        let a = env.call(method.clone(), path, Some(json!({}))).await;
        assert_eq!(a.status, 404, "{method} {path}: {}", a.text);
    }
    // A 404 names the path but never echoes the query string (it can hold the user name).
    let with_user = answer(
        env.http
            .get(format!("{}V1.0/zoneInfo", env.base))
            .query(&[("user", env.creds.username.as_str())])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(with_user.status, 404);
    assert!(
        with_user.body["Message"]
            .as_str()
            .unwrap()
            .contains("/ATServicesRest/V1.0/zoneInfo")
    );
    assert!(!with_user.text.contains(&env.creds.username));
    let outside = answer(
        env.http
            .get(format!("{}V2.0/Tickets/query", env.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(outside.status, 404);
}

#[tokio::test]
async fn entity_information_and_fields_come_in_the_live_shape() {
    let env = Env::start().await;
    let info = env.get("Tickets/entityInformation").await;
    assert_eq!(info.body["info"]["name"], json!("Ticket"));
    assert_eq!(info.body["info"]["canDelete"], json!(false));
    assert_eq!(info.body["info"]["hasUserDefinedFields"], json!(true));
    let fields = env.get("Tickets/entityInformation/fields").await;
    let list = fields.body["fields"].as_array().unwrap();
    let keys: Vec<&str> = list[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "name",
            "dataType",
            "length",
            "isRequired",
            "isReadOnly",
            "isQueryable",
            "isReference",
            "referenceEntityType",
            "isPickList",
            "picklistValues",
            "picklistParentValueField",
            "isSupportedWebhookField"
        ]
    );
    let field = |name: &str| {
        list.iter()
            .find(|f| f["name"] == json!(name))
            .unwrap()
            .clone()
    };
    assert_eq!(field("title")["picklistValues"], Value::Null);
    let status = field("status")["picklistValues"]
        .as_array()
        .unwrap()
        .clone();
    let label = |v: &str| {
        status
            .iter()
            .find(|p| p["value"] == json!(v))
            .map(|p| p["label"].clone())
    };
    assert_eq!(label("1"), Some(json!("New")));
    assert_eq!(label("5"), Some(json!("Complete")));
    assert_eq!(label("7"), Some(json!("Waiting Customer")));
    assert_eq!(label("8"), Some(json!("In Progress")));
    let priority = field("priority")["picklistValues"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        priority
            .iter()
            .any(|p| p["value"] == json!("4") && p["label"] == json!("Critical"))
    );
    let sub = field("subIssueType");
    assert_eq!(sub["picklistParentValueField"], json!("issueType"));
    assert_every(
        sub["picklistValues"].as_array().unwrap(),
        "sub-issue types name their issue type",
        |p| p["parentValue"] != json!(""),
    );
    assert_eq!(field("companyID")["referenceEntityType"], json!("Company"));
    let note_fields = env
        .get("Tickets/10001/Notes/entityInformation/fields")
        .await;
    let note_list = note_fields.body["fields"].as_array().unwrap();
    for name in ["noteType", "publish"] {
        let f = note_list.iter().find(|f| f["name"] == json!(name)).unwrap();
        assert!(
            !f["picklistValues"].as_array().unwrap().is_empty(),
            "{name}"
        );
    }
    let company_type = env.get("Companies/entityInformation/fields").await;
    let ct = company_type.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == json!("companyType"))
        .unwrap()
        .clone();
    let values: Vec<(String, String)> = ct["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["value"].as_str().unwrap().to_string(),
                p["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (v, l) in [("1", "Customer"), ("3", "Prospect"), ("7", "Vendor")] {
        assert!(
            values.contains(&(v.to_string(), l.to_string())),
            "{values:?}"
        );
    }
    let udfs = env
        .get("Companies/entityInformation/userDefinedFields")
        .await;
    let udf_list = udfs.body["fields"].as_array().unwrap();
    let ranking = udf_list
        .iter()
        .find(|f| f["name"] == json!("CustomerRanking"))
        .unwrap();
    assert_eq!(ranking["isPickList"], json!(true));
    assert!(ranking.get("defaultValue").is_some() && ranking.get("label").is_some());
    let none = env
        .get("TimeEntries/entityInformation/userDefinedFields")
        .await;
    assert_eq!(none.body, json!({"fields": []}));
}

#[tokio::test]
async fn records_come_out_in_the_wire_shape() {
    let env = Env::start().await;
    let ticket = env.item("Tickets", 10001).await;
    let obj = ticket.as_object().unwrap();
    let tickets = autotask_mcp::registry::find("Tickets").unwrap();
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    let mut expected: Vec<&str> = tickets.fields.iter().map(|f| f.name).collect();
    expected.push("userDefinedFields");
    assert_eq!(
        keys, expected,
        "every field, registry order, nulls included"
    );
    let created = ticket["createDate"].as_str().unwrap();
    assert_eq!(created.len(), "2026-11-25T09:30:00.000".len(), "{created}");
    assert!(!created.ends_with('Z'));
    let udfs = ticket["userDefinedFields"].as_array().unwrap();
    assert_every(udfs, "UDFs in the wire shape", |u| {
        u.get("name").is_some() && u.get("value").is_some()
    });
    assert!(ticket["ticketNumber"].as_str().unwrap().starts_with('T'));
    // A missing id is 200 with a null item.
    let missing = env.get("Tickets/999999999").await;
    assert_eq!(missing.status, 200);
    assert_eq!(missing.body, json!({"item": null}));
}
