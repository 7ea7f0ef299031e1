//! Walks every route of the registry against the sandbox over HTTP: each listed root and
//! parent-scoped route answers (neither 404 nor 405), and every route the registry does not
//! list is 404 (no such path) or 405 (path exists, method does not), as Autotask answers.

use crate::common::Env;
use autotask_mcp::registry;
use autotask_mcp::sandbox::SandboxOptions;
use reqwest::Method;
use serde_json::json;

/// What a route must answer: served (anything but 404/405), 405, or 404.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Want {
    Served,
    NotAllowed,
    NotFound,
}

fn want(listed: bool, path_has_any_method: bool) -> Want {
    if listed {
        Want::Served
    } else if path_has_any_method {
        Want::NotAllowed
    } else {
        Want::NotFound
    }
}

async fn check(env: &Env, failures: &mut Vec<String>, method: Method, path: &str, want: Want) {
    let body =
        matches!(method, Method::POST | Method::PATCH | Method::PUT).then(|| json!({"id": -1}));
    let a = env.call(method.clone(), path, body).await;
    let ok = match want {
        Want::Served => a.status != 404 && a.status != 405,
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
                    Want::Served,
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
        check(
            &env,
            &mut failures,
            Method::GET,
            &format!("{n}/1"),
            want(r.get, item),
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
            want(r.query, false),
        )
        .await;
        check(
            &env,
            &mut failures,
            Method::GET,
            &format!("{n}/query?search=%7B%7D"),
            want(r.query, false),
        )
        .await;
        check(
            &env,
            &mut failures,
            Method::POST,
            &format!("{n}/query/count"),
            want(r.count, false),
        )
        .await;
        check(&env, &mut failures, Method::POST, &format!("{n}/query/next?paging=%7B%22pageSize%22%3A500%2C%22previousIds%22%3A%5B-1%5D%2C%22nextIds%22%3A%5B0%5D%7D"), want(r.query, false)).await;
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
                    Want::Served,
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
