//! End to end over HTTP in gateway mode: two sandboxes with different seeds play two tenants,
//! each MCP client sending its tenant's credentials and zone in the X-Autotask-* headers.
//! Interleaved and concurrent calls each see their own tenant's records and names only;
//! idempotency keys, the API budget and metrics are per tenant; a request without the headers
//! or aimed at a zone that is not allowed is refused before anything is sent; a wrong secret
//! never rides on another request's tenant; the pool holds a bounded number of tenants.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::http_support::*;
use crate::mcp_support::writes_seen;
use autotask_mcp::config::{AutotaskConfig, Credentials, GatewayConfig, HttpConfig};
use autotask_mcp::sandbox::{Sandbox, SandboxOptions};
use autotask_mcp::server::tenants::TenantPool;
use autotask_mcp::server::{AutotaskServer, ServerState};
use autotask_mcp::tools::Settings;
use autotask_mcp::transport::health::HealthSource;
use autotask_mcp::transport::http::{Extras, serve_on_with};
use http::{HeaderName, HeaderValue};
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ReadResourceRequestParams, ResourceContents,
};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

struct Gateway {
    a: Sandbox,
    b: Sandbox,
    server: Running,
    state: Arc<ServerState>,
}

async fn gateway(max_tenants: u64) -> Gateway {
    let a = Sandbox::start(SandboxOptions {
        seed: 42,
        ..Default::default()
    })
    .await
    .unwrap();
    let b = Sandbox::start(SandboxOptions {
        seed: 7,
        ..Default::default()
    })
    .await
    .unwrap();
    let config = GatewayConfig {
        allowed_api_urls: vec![a.base_url(), b.base_url()],
        max_tenants,
        tenant_idle: Duration::from_secs(600),
    };
    let http = HttpConfig {
        gateway: Some(config.clone()),
        ..http_config()
    };
    let settings = Settings::new(vec![5], false);
    let template = AutotaskConfig::with_defaults(Credentials::new("", "", ""), None);
    let pool = TenantPool::new(
        &config,
        template,
        settings.clone(),
        Duration::from_secs(300),
    );
    let state = Arc::new(ServerState::gateway(pool, &settings));
    let pool = state.pool().unwrap().clone();
    let extras = Extras {
        metrics: Some(Arc::new(move || pool.render_metrics())),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    let served = state.clone();
    let task = tokio::spawn(async move {
        serve_on_with(
            listener,
            &http,
            move || Ok(AutotaskServer::new(served.clone())),
            HealthSource::liveness_only(),
            token,
            extras,
        )
        .await
    });
    Gateway {
        a,
        b,
        server: Running {
            base: format!("http://{addr}"),
            shutdown,
            task,
        },
        state,
    }
}

fn headers_for(sandbox: &Sandbox, secret: Option<&str>) -> Vec<(&'static str, String)> {
    let creds = sandbox.credentials();
    vec![
        ("x-autotask-username", creds.username),
        (
            "x-autotask-secret",
            secret.map_or(creds.secret, str::to_string),
        ),
        ("x-autotask-integration-code", creds.integration_code),
        ("x-autotask-api-url", sandbox.base_url()),
    ]
}

async fn client_for(
    url: &str,
    headers: &[(&'static str, String)],
) -> RunningService<RoleClient, ()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut map = HashMap::new();
    for (name, value) in headers {
        map.insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url.to_string())
            .auth_header(TOKEN)
            .custom_headers(map),
    );
    ().serve(transport).await.expect("MCP client connects")
}

async fn call(c: &RunningService<RoleClient, ()>, tool: &str, a: Value) -> CallToolResult {
    c.call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(args(a)))
        .await
        .unwrap()
}

async fn ok(c: &RunningService<RoleClient, ()>, tool: &str, a: Value) -> Value {
    let result = call(c, tool, a).await;
    assert_ne!(result.is_error, Some(true), "{tool}: {}", text_of(&result));
    result.structured_content.unwrap()
}

async fn rest_get(sandbox: &Sandbox, path: &str) -> Value {
    let creds = sandbox.credentials();
    let body: Value = reqwest::Client::new()
        .get(format!("{}V1.0/{path}", sandbox.base_url()))
        .header("UserName", creds.username)
        .header("Secret", creds.secret)
        .header("ApiIntegrationCode", creds.integration_code)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["item"].clone()
}

async fn threshold(c: &RunningService<RoleClient, ()>) -> Value {
    let read = c
        .read_resource(ReadResourceRequestParams::new("autotask://threshold"))
        .await
        .unwrap();
    match &read.contents[0] {
        ResourceContents::TextResourceContents { text, .. } => serde_json::from_str(text).unwrap(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_never_see_each_other() {
    let g = gateway(10).await;
    let url = g.server.mcp_url();
    let ca = client_for(&url, &headers_for(&g.a, None)).await;
    let cb = client_for(&url, &headers_for(&g.b, None)).await;

    // The two tenants differ where it shows.
    let mut truth_a = Vec::new();
    let mut truth_b = Vec::new();
    for id in 1001..=1010 {
        truth_a.push(rest_get(&g.a, &format!("Companies/{id}")).await["companyName"].clone());
        truth_b.push(rest_get(&g.b, &format!("Companies/{id}")).await["companyName"].clone());
    }
    assert_ne!(truth_a, truth_b, "the seeds must give different tenants");

    // Interleaved: each client sees its own tenant.
    for (i, id) in (1001..=1004).enumerate() {
        let a = ok(&ca, "get-company", json!({"id": id})).await;
        let b = ok(&cb, "get-company", json!({"id": id})).await;
        assert_eq!(a["companyName"], truth_a[i]);
        assert_eq!(b["companyName"], truth_b[i]);
    }

    // Names beside ids come from each tenant's own names cache.
    for (sandbox, client) in [(&g.a, &ca), (&g.b, &cb)] {
        let ticket = ok(client, "get-ticket", json!({"id": 10007})).await;
        let stored = rest_get(sandbox, "Tickets/10007").await;
        assert_eq!(ticket["companyID"], stored["companyID"]);
        let company = rest_get(sandbox, &format!("Companies/{}", stored["companyID"])).await;
        assert_eq!(ticket["company"], company["companyName"], "{ticket}");
    }

    // Concurrent: twenty calls at once, alternating tenants.
    let calls = (0..20).map(|i| {
        let (client, truth) = if i % 2 == 0 {
            (&ca, &truth_a)
        } else {
            (&cb, &truth_b)
        };
        let index = (i / 2) % 10;
        async move {
            let got = ok(client, "get-company", json!({"id": 1001 + index as i64})).await;
            (got["companyName"].clone(), truth[index].clone())
        }
    });
    let answers = futures::future::join_all(calls).await;
    assert_eq!(answers.len(), 20);
    for (got, expected) in answers {
        assert_eq!(got, expected);
    }

    // Idempotency keys are per tenant: the same key makes one ticket in each, and a repeat on
    // one replays there only.
    let ticket = json!({"title": "Printer on fire", "companyID": 1001, "idempotencyKey": "same-key-in-both", "confirm": "CREATE_TICKET"});
    let made_a = ok(&ca, "create-ticket", ticket.clone()).await;
    let made_b = ok(&cb, "create-ticket", ticket.clone()).await;
    assert_eq!((writes_seen(&g.a), writes_seen(&g.b)), (1, 1));
    assert_eq!(
        rest_get(&g.a, &format!("Tickets/{}", made_a["id"])).await["title"],
        "Printer on fire"
    );
    assert_eq!(
        rest_get(&g.b, &format!("Tickets/{}", made_b["id"])).await["title"],
        "Printer on fire"
    );
    let again = ok(&ca, "create-ticket", ticket).await;
    assert_eq!(again["replayed"], true);
    assert_eq!(again["id"], made_a["id"]);
    assert_eq!((writes_seen(&g.a), writes_seen(&g.b)), (1, 1));

    // The API budget is each tenant's own.
    g.a.set_request_count(9_000);
    let budget_a = threshold(&ca).await;
    let budget_b = threshold(&cb).await;
    let used = |b: &Value| b["currentTimeframeRequestCount"].as_u64().unwrap();
    assert!(used(&budget_a) >= 9_000, "{budget_a}");
    assert!(used(&budget_b) < 1_000, "{budget_b}");

    // Metrics per tenant fingerprint, without any credential.
    let metrics = plain_client()
        .get(format!("{}/metrics", g.server.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let tenants: std::collections::BTreeSet<&str> = metrics
        .lines()
        .filter(|l| {
            l.starts_with("autotask_mcp_gateway_tenant_tool_calls_total{tenant=\"sha256:")
                && l.contains("outcome=\"ok\"")
        })
        .collect();
    assert_eq!(tenants.len(), 2, "{metrics}");
    assert!(
        metrics.contains("autotask_mcp_gateway_tenants 2"),
        "{metrics}"
    );
    // Each tenant's budget governor knows its own usage.
    let mut budgets: Vec<u64> = metrics
        .lines()
        .filter(|l| {
            l.starts_with("autotask_mcp_gateway_tenant_budget_used_requests{tenant=\"sha256:")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
        .collect();
    budgets.sort_unstable();
    assert_eq!(budgets.len(), 2, "{metrics}");
    assert!(budgets[0] < 1_000 && budgets[1] >= 9_000, "{budgets:?}");
    for sandbox in [&g.a, &g.b] {
        let creds = sandbox.credentials();
        for secret in [&creds.username, &creds.secret, &creds.integration_code] {
            assert!(!metrics.contains(secret.as_str()));
        }
    }
    for c in [ca, cb] {
        c.cancel().await.unwrap();
    }
    g.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_headers_are_required_and_cannot_aim_elsewhere() {
    let g = gateway(2).await;
    let url = g.server.mcp_url();
    let post = |headers: Vec<(&'static str, String)>| {
        let url = url.clone();
        async move {
            let mut request = plain_client()
                .post(&url)
                .bearer_auth(TOKEN)
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .body(TOOLS_LIST);
            for (name, value) in headers {
                request = request.header(name, value);
            }
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, body) = post(vec![]).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("x-autotask-username header is missing"),
        "{body}"
    );
    let mut elsewhere = headers_for(&g.a, None);
    elsewhere[3].1 = "http://127.0.0.1:1/ATServicesRest/".into();
    let (status, body) = post(elsewhere).await;
    assert_eq!(status, 400);
    assert!(body.contains("is not an Autotask zone"), "{body}");
    let secret = g.a.credentials().secret;
    assert!(!body.contains(&secret));
    let mut off_autotask = headers_for(&g.a, None);
    off_autotask[3].1 = "https://webservices2.autotask.net.attacker.example/ATServicesRest/".into();
    assert_eq!(post(off_autotask).await.0, 400);
    let requests = g.a.stats().count(None, "");
    assert_eq!(requests, 0, "nothing reached the tenant");

    // The right tenant first, then its username with a wrong secret: another tenant, which
    // Autotask refuses; the error names neither.
    let right = client_for(&url, &headers_for(&g.a, None)).await;
    assert_eq!(
        ok(&right, "get-company", json!({"id": 1001})).await["id"],
        1001
    );
    let wrong = client_for(&url, &headers_for(&g.a, Some("not-the-secret-0000"))).await;
    let refused = call(&wrong, "get-company", json!({"id": 1001})).await;
    assert_eq!(
        refused.is_error,
        Some(true),
        "a wrong secret must not reach the tenant"
    );
    let said = text_of(&refused);
    assert!(
        !said.contains("not-the-secret-0000") && !said.contains(&secret),
        "{said}"
    );
    let b = client_for(&url, &headers_for(&g.b, None)).await;
    assert_eq!(ok(&b, "get-company", json!({"id": 1001})).await["id"], 1001);
    // Three credential sets seen, at most two tenants held.
    assert!(g.state.pool().unwrap().tenants_held().await <= 2);
    for c in [right, wrong, b] {
        c.cancel().await.unwrap();
    }
    g.server.stop().await;
}
