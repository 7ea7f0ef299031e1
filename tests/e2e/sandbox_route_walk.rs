//! Walks every route of the registry against the sandbox over HTTP: each listed read answers
//! 200, each other listed route 200 or the refusal the walk provokes (never another 500), and
//! every route the registry does not list is 404 (no such path) or 405 (path exists, method
//! does not), as Autotask answers.

use crate::common::Env;
use autotask_mcp::registry;
use autotask_mcp::sandbox::SandboxOptions;
use reqwest::Method;
use serde_json::json;

/// What a route must answer: a read 200; any other listed route 200 or one of the refusals
/// the walk provokes ([`PROVOKED_REFUSALS`]); an unlisted method 405; an unknown path 404.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Want {
    Read,
    Served,
    NotAllowed,
    NotFound,
}

/// The business refusals (HTTP 500, Autotask's `errors` body) the walk provokes on purpose:
/// it writes `{"id": -1}`, deletes id 1, uses parent id 0 and queries without a filter
/// (which `TicketHistory` refuses, as Autotask does: it is read one ticket at a time). Any
/// other 500 is the route failing (a crash answers 500 too).
const PROVOKED_REFUSALS: [&str; 4] = [
    "A new entity cannot have an id",
    "No matching records found",
    "Unable to find the parent",
    "can only be queried by one ticket",
];

/// Entities whose query routes refuse a query without their one required filter.
const QUERY_NEEDS_A_FILTER: [&str; 1] = ["TicketHistory"];

fn want(listed: bool, path_has_any_method: bool) -> Want {
    if listed {
        Want::Served
    } else if path_has_any_method {
        Want::NotAllowed
    } else {
        Want::NotFound
    }
}

/// A listed read (`want(listed, _)` for a GET or a query): it must answer 200.
fn read(listed: bool, path_has_any_method: bool) -> Want {
    match want(listed, path_has_any_method) {
        Want::Served => Want::Read,
        other => other,
    }
}

async fn check(env: &Env, failures: &mut Vec<String>, method: Method, path: &str, want: Want) {
    let body =
        matches!(method, Method::POST | Method::PATCH | Method::PUT).then(|| json!({"id": -1}));
    let a = env.call(method.clone(), path, body).await;
    let refusal = || {
        a.body["errors"].as_array().is_some_and(|errors| {
            errors.len() == 1
                && errors[0]
                    .as_str()
                    .is_some_and(|e| PROVOKED_REFUSALS.iter().any(|r| e.contains(r)))
        })
    };
    let ok = match want {
        Want::Read => a.status == 200 && a.body.is_object(),
        Want::Served => (a.status == 200 && a.body.is_object()) || (a.status == 500 && refusal()),
        Want::NotAllowed => a.status == 405,
        Want::NotFound => a.status == 404,
    };
    if !ok {
        failures.push(format!(
            "{method} {path}: wanted {want:?}, got {} {}",
            a.status,
            a.text.chars().take(120).collect::<String>()
        ));
    }
}

#[tokio::test]
async fn every_registry_route_is_served_and_nothing_else() {
    // The walk makes a few thousand requests: lift the hourly threshold out of the way.
    let env = Env::with(SandboxOptions {
        hourly_threshold: 1_000_000,
        ..SandboxOptions::default()
    })
    .await;
    let mut failures = Vec::new();
    let mut walked = 0usize;
    for e in registry::entities() {
        let r = e.root;
        let n = e.name;
        if !r.is_empty() {
            for meta in [
                "entityInformation",
                "entityInformation/fields",
                "entityInformation/userDefinedFields",
            ] {
                check(
                    &env,
                    &mut failures,
                    Method::GET,
                    &format!("{n}/{meta}"),
                    Want::Read,
                )
                .await;
            }
        }
        let collection = r.create || r.patch || r.put;
        check(
            &env,
            &mut failures,
            Method::POST,
            n,
            want(r.create, collection),
        )
        .await;
        check(
            &env,
            &mut failures,
            Method::PATCH,
            n,
            want(r.patch, collection),
        )
        .await;
        check(&env, &mut failures, Method::PUT, n, want(r.put, collection)).await;
        check(&env, &mut failures, Method::GET, n, want(false, collection)).await;
        let item = r.get || r.delete;
        // A query read: 200, or for an entity that needs a filter, that refusal.
        let query_read = |listed: bool| {
            if QUERY_NEEDS_A_FILTER.contains(&n) {
                want(listed, false)
            } else {
                read(listed, false)
            }
        };
        check(
            &env,
            &mut failures,
            Method::GET,
            &format!("{n}/1"),
            read(r.get, item),
        )
        .await;
        check(
            &env,
            &mut failures,
            Method::DELETE,
            &format!("{n}/1"),
            want(r.delete, item),
        )
        .await;
        check(
            &env,
            &mut failures,
            Method::PATCH,
            &format!("{n}/1"),
            want(false, item),
        )
        .await;
        check(
            &env,
            &mut failures,
            Method::POST,
            &format!("{n}/query"),
            query_read(r.query),
        )
        .await;
        check(
            &env,
            &mut failures,
            Method::GET,
            &format!("{n}/query?search=%7B%7D"),
            query_read(r.query),
        )
        .await;
        check(
            &env,
            &mut failures,
            Method::POST,
            &format!("{n}/query/count"),
            query_read(r.count),
        )
        .await;
        check(&env, &mut failures, Method::POST, &format!("{n}/query/next?paging=%7B%22pageSize%22%3A500%2C%22previousIds%22%3A%5B-1%5D%2C%22nextIds%22%3A%5B0%5D%7D"), query_read(r.query)).await;
        walked += 1;
        for p in e.parents {
            let base = format!("{}/0/{}", p.parent, p.segment);
            for meta in [
                "entityInformation",
                "entityInformation/fields",
                "entityInformation/userDefinedFields",
            ] {
                check(
                    &env,
                    &mut failures,
                    Method::GET,
                    &format!("{base}/{meta}"),
                    Want::Read,
                )
                .await;
            }
            let coll = p.list || p.create || p.patch || p.put;
            check(&env, &mut failures, Method::GET, &base, want(p.list, coll)).await;
            check(
                &env,
                &mut failures,
                Method::POST,
                &base,
                want(p.create, coll),
            )
            .await;
            check(
                &env,
                &mut failures,
                Method::PATCH,
                &base,
                want(p.patch, coll),
            )
            .await;
            check(&env, &mut failures, Method::PUT, &base, want(p.put, coll)).await;
            let child_item = p.get || p.delete;
            check(
                &env,
                &mut failures,
                Method::GET,
                &format!("{base}/1"),
                want(p.get, child_item),
            )
            .await;
            check(
                &env,
                &mut failures,
                Method::DELETE,
                &format!("{base}/1"),
                want(p.delete, child_item),
            )
            .await;
            check(
                &env,
                &mut failures,
                Method::PATCH,
                &format!("{base}/1"),
                want(false, child_item),
            )
            .await;
            check(
                &env,
                &mut failures,
                Method::POST,
                &format!("{base}/query"),
                Want::NotFound,
            )
            .await;
        }
    }
    for path in [
        "NotAnEntity",
        "NotAnEntity/query",
        "Tickets/0/NotASegment",
        "Tickets/abc",
        "Tickets/query/other",
        "Tickets/1/2/3/4/5",
    ] {
        check(&env, &mut failures, Method::GET, path, Want::NotFound).await;
    }
    assert_eq!(walked, registry::entities().len());
    assert!(
        failures.is_empty(),
        "{} route(s) misbehave:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
