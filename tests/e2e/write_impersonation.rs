//! End to end over HTTP against the sandbox: with `AUTOTASK_HTTP_IMPERSONATION_HEADER`, a
//! call's writes carry the resource id its trusted front end put in that header as
//! `ImpersonationResourceId` (the sandbox stamps it as the creator), a call without it writes
//! as the API user, and a malformed one refuses writes. The audit line carries the bearer
//! token's fingerprint and the acting resource, never the token.

use std::collections::HashMap;
use std::sync::Arc;

use crate::common::assert_every;
use crate::http_support::*;
use crate::mcp_support::writes_seen;
use autotask_mcp::audit::AuditLog;
use autotask_mcp::caller::Authenticated;
use autotask_mcp::sandbox::{Sandbox, SandboxOptions};
use autotask_mcp::server::ServerState;
use autotask_mcp::tools::Settings;
use autotask_mcp::transport::health::HealthSource;
use http::{HeaderName, HeaderValue};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};

const HEADER: &str = "x-acting-resource";
const API_USER: i64 = 29_682_885;
const TECHNICIAN: i64 = 29_682_887;

async fn client_as(url: &str, acting: Option<&str>) -> RunningService<RoleClient, ()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut headers = HashMap::new();
    if let Some(value) = acting {
        headers.insert(
            HeaderName::from_static(HEADER),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url.to_string())
            .auth_header(TOKEN)
            .custom_headers(headers),
    );
    ().serve(transport).await.expect("MCP client connects")
}

async fn call(client: &RunningService<RoleClient, ()>, tool: &str, a: Value) -> CallToolResult {
    client
        .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(args(a)))
        .await
        .unwrap()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_act_as_the_resource_the_trusted_header_names() {
    let sandbox = Sandbox::start(SandboxOptions::default()).await.unwrap();
    let creds = sandbox.credentials();
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let mut settings = Settings::new(vec![5], false);
    settings.impersonation_header = Some(HeaderName::from_static(HEADER));
    settings.audit = AuditLog::open(
        Some(audit.to_str().unwrap()),
        vec![
            creds.username.clone(),
            creds.secret.clone(),
            creds.integration_code.clone(),
            TOKEN.to_string(),
        ],
    )
    .unwrap();
    let state = Arc::new(ServerState::with_settings(
        sandbox_client(&sandbox),
        settings,
    ));
    let server = serve_real(state, HealthSource::liveness_only()).await;
    let url = server.mcp_url();
    let company = 1001;
    let ticket = |title: &str, confirm: bool| {
        let mut a = json!({"title": title, "companyID": company});
        if confirm {
            a["confirm"] = json!("CREATE_TICKET");
        }
        a
    };

    // A technician behind the front end: previewed with the header it will carry, then
    // written as the technician.
    let tech = client_as(&url, Some(&TECHNICIAN.to_string())).await;
    let preview = call(&tech, "create-ticket", ticket("As technician", false)).await;
    assert_ne!(preview.is_error, Some(true), "{}", text_of(&preview));
    let preview = preview.structured_content.unwrap();
    assert_eq!(preview["request"]["impersonationResourceId"], TECHNICIAN);
    assert_eq!(writes_seen(&sandbox), 0);
    let made = call(&tech, "create-ticket", ticket("As technician", true)).await;
    assert_ne!(made.is_error, Some(true), "{}", text_of(&made));
    let id = made.structured_content.unwrap()["id"].as_i64().unwrap();
    let record = rest_get(&sandbox, &format!("Tickets/{id}")).await;
    assert_eq!(record["creatorResourceID"], TECHNICIAN, "{record}");

    // No header: the API user.
    let plain = client_as(&url, None).await;
    let made = call(&plain, "create-ticket", ticket("As API user", true)).await;
    assert_ne!(made.is_error, Some(true), "{}", text_of(&made));
    let id = made.structured_content.unwrap()["id"].as_i64().unwrap();
    let record = rest_get(&sandbox, &format!("Tickets/{id}")).await;
    assert_eq!(record["creatorResourceID"], API_USER, "{record}");
    assert_eq!(writes_seen(&sandbox), 2);

    // A header that is not a resource id: writes refused, reads served.
    let broken = client_as(&url, Some("jdoe")).await;
    let refused = call(&broken, "create-ticket", ticket("Never", true)).await;
    assert_eq!(refused.is_error, Some(true));
    let said = text_of(&refused);
    assert!(
        said.contains("the x-acting-resource header is `jdoe`")
            && said.contains("Nothing was sent"),
        "{said}"
    );
    assert_eq!(writes_seen(&sandbox), 2);
    let read = call(&broken, "get-company", json!({"id": company})).await;
    assert_ne!(read.is_error, Some(true), "{}", text_of(&read));

    for c in [tech, plain, broken] {
        c.cancel().await.unwrap();
    }
    server.stop().await;

    let text = std::fs::read_to_string(&audit).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let fingerprint = Authenticated::for_token(TOKEN).token_fingerprint;
    // Each write's attempt line comes first (write-ahead); the outcomes are checked here.
    let seen: Vec<(&str, Value)> = lines
        .iter()
        .filter(|l| l["outcome"] != "sending")
        .map(|l| (l["outcome"].as_str().unwrap(), l["actingAs"].clone()))
        .collect();
    assert_eq!(
        lines.iter().filter(|l| l["outcome"] == "sending").count(),
        2,
        "one attempt line per write sent: {lines:?}"
    );
    assert_eq!(
        seen,
        [
            ("created", json!(TECHNICIAN)),
            ("created", Value::Null),
            ("refused", Value::Null)
        ]
    );
    assert_every(&lines, "audit lines name the caller and transport", |l| {
        l["caller"] == fingerprint.as_str() && l["transport"] == "http"
    });
    for secret in [
        TOKEN,
        creds.username.as_str(),
        creds.secret.as_str(),
        creds.integration_code.as_str(),
    ] {
        assert!(!text.contains(secret), "a secret is in the audit log");
    }
}
