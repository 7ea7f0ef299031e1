//! Sign-in tokens and gateway tenants' credentials never reach the logs: every log line (TRACE,
//! JSON) of a server with signing in (valid, expired, forged and read-only tokens, a write as
//! the technician) and of a gateway (two tenants, a wrong secret, a refused zone) is captured
//! and searched for every token and every tenant credential. Its own binary: it installs the
//! process-wide log subscriber.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_support;
mod oauth_support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use autotask_mcp::config::{AutotaskConfig, Credentials, GatewayConfig, HttpConfig, LogFormat};
use autotask_mcp::logging;
use autotask_mcp::sandbox::{Sandbox, SandboxOptions};
use autotask_mcp::server::tenants::TenantPool;
use autotask_mcp::server::{AutotaskServer, ServerState};
use autotask_mcp::tools::Settings;
use autotask_mcp::transport::health::HealthSource;
use autotask_mcp::transport::http::serve_on;
use http::{HeaderName, HeaderValue};
use http_support::*;
use oauth_support::*;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::json;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

async fn serve(
    http: HttpConfig,
    state: Arc<ServerState>,
) -> (String, CancellationToken, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let stop = CancellationToken::new();
    let token = stop.clone();
    let task = tokio::spawn(async move {
        let served = serve_on(
            listener,
            &http,
            move || Ok(AutotaskServer::new(state.clone())),
            HealthSource::liveness_only(),
            token,
        )
        .await;
        if let Err(e) = served {
            panic!("the server failed: {e}");
        }
    });
    (base, stop, task)
}

async fn connect(
    url: &str,
    token: &str,
    headers: &[(&'static str, String)],
) -> rmcp::service::RunningService<rmcp::RoleClient, ()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut map = HashMap::new();
    for (name, value) in headers {
        map.insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    ().serve(StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url.to_string())
            .auth_header(token)
            .custom_headers(map),
    ))
    .await
    .expect("MCP client connects")
}

async fn raw(url: &str, token: &str, headers: &[(&'static str, String)]) -> u16 {
    let mut request = plain_client()
        .post(url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(TOOLS_LIST);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_tenant_credentials_are_never_logged() {
    let captured = Captured::default();
    let subscriber = logging::subscriber(
        LogFormat::Json,
        EnvFilter::new("trace"),
        captured.clone(),
        false,
    );
    tracing::subscriber::set_global_default(subscriber).unwrap();

    // Signing in.
    let rsa = SigningKey::rsa("rsa-log-1");
    let forger = SigningKey::ec("rsa-log-1");
    let issuer = Issuer::start(&[&rsa]).await;
    let sandbox = Sandbox::start(SandboxOptions::default()).await.unwrap();
    let state = Arc::new(ServerState::with_settings(
        sandbox_client(&sandbox),
        Settings::new(vec![5], false),
    ));
    // The audience is fixed here: the server's port is not known before it binds.
    let audience = "https://mcp.example.com/mcp";
    let http = HttpConfig {
        oauth: Some(oauth_config(
            &issuer.issuer,
            audience,
            Duration::from_secs(60),
        )),
        ..http_config()
    };
    let (base, stop, task) = serve(http, state).await;
    let url = format!("{base}/mcp");
    let creds = sandbox.credentials();
    let technician: serde_json::Value = plain_client()
        .get(format!("{}V1.0/Resources/29682889", sandbox.base_url()))
        .header("UserName", creds.username)
        .header("Secret", creds.secret)
        .header("ApiIntegrationCode", creds.integration_code)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let email = technician["item"]["email"].as_str().unwrap().to_string();
    let email = email.as_str();
    let now = now();
    let writer = rsa.sign(&issuer.claims(audience, Some(email), "autotask.write"));
    let reader = rsa.sign(&issuer.claims(audience, Some(email), "autotask.read"));
    let mut expired_claims = issuer.claims(audience, Some(email), "autotask.read");
    expired_claims["exp"] = json!(now - 3_600);
    let expired = rsa.sign(&expired_claims);
    let forged = forger.sign(&issuer.claims(audience, Some(email), "autotask.write"));
    let signed_in = connect(&url, &writer, &[]).await;
    let note = signed_in
        .call_tool(CallToolRequestParams::new("create-ticket-note").with_arguments(args(
            json!({"ticketID": 10007, "description": "Logged", "noteType": 1, "publish": 1, "confirm": "CREATE_TICKET_NOTE"}),
        )))
        .await
        .unwrap();
    assert_ne!(note.is_error, Some(true), "{}", text_of(&note));
    for (tool, arguments) in [
        ("who-am-i", json!({})),
        ("get-company", json!({"id": 1001})),
    ] {
        signed_in
            .call_tool(CallToolRequestParams::new(tool).with_arguments(args(arguments)))
            .await
            .unwrap();
    }
    signed_in.cancel().await.unwrap();
    assert_eq!(raw(&url, &expired, &[]).await, 401);
    assert_eq!(raw(&url, &forged, &[]).await, 401);
    let read_only = connect(&url, &reader, &[]).await;
    let refused = read_only
        .call_tool(
            CallToolRequestParams::new("create-ticket").with_arguments(args(
                json!({"title": "x", "companyID": 1001, "confirm": "CREATE_TICKET"}),
            )),
        )
        .await;
    assert!(refused.is_err());
    read_only.cancel().await.unwrap();
    stop.cancel();
    task.await.unwrap();

    // A gateway with two tenants.
    let other = Sandbox::start(SandboxOptions {
        seed: 7,
        ..Default::default()
    })
    .await
    .unwrap();
    let gateway = GatewayConfig {
        allowed_api_urls: vec![sandbox.base_url(), other.base_url()],
        max_tenants: 4,
        tenant_idle: Duration::from_secs(600),
    };
    let settings = Settings::new(vec![5], false);
    let pool = TenantPool::new(
        &gateway,
        AutotaskConfig::with_defaults(Credentials::new("", "", ""), None),
        settings.clone(),
        Duration::from_secs(300),
    );
    let state = Arc::new(ServerState::gateway(pool, &settings));
    let http = HttpConfig {
        gateway: Some(gateway),
        ..http_config()
    };
    let (base, stop, task) = serve(http, state).await;
    let url = format!("{base}/mcp");
    let tenant = |s: &Sandbox, secret: Option<&str>| {
        let c = s.credentials();
        vec![
            ("x-autotask-username", c.username),
            ("x-autotask-secret", secret.map_or(c.secret, str::to_string)),
            ("x-autotask-integration-code", c.integration_code),
            ("x-autotask-api-url", s.base_url()),
        ]
    };
    let wrong_secret = "wrong-secret-for-the-log-test";
    for headers in [
        tenant(&sandbox, None),
        tenant(&other, None),
        tenant(&sandbox, Some(wrong_secret)),
    ] {
        let c = connect(&url, TOKEN, &headers).await;
        c.call_tool(
            CallToolRequestParams::new("get-company").with_arguments(args(json!({"id": 1001}))),
        )
        .await
        .unwrap();
        c.cancel().await.unwrap();
    }
    let mut aimed = tenant(&other, None);
    aimed[3].1 = "http://127.0.0.1:1/ATServicesRest/".into();
    assert_eq!(raw(&url, TOKEN, &aimed).await, 400);
    stop.cancel();
    task.await.unwrap();

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).to_string();
    // The capture worked.
    for expected in [
        "fetched the OAuth issuer's signing keys",
        "refused a sign-in token",
        "the token has expired",
        "refused a write tool call: the sign-in lacks autotask.write",
        "gateway: serving a new tenant",
        "refused a gateway request",
        "create-ticket-note",
    ] {
        assert!(
            logs.contains(expected),
            "`{expected}` is not in the logs: {logs}"
        );
    }
    let mut secrets = vec![
        writer.clone(),
        reader.clone(),
        expired.clone(),
        forged.clone(),
        TOKEN.to_string(),
        wrong_secret.to_string(),
    ];
    // Each token's signature alone must not show either.
    for t in [&writer, &reader, &expired, &forged] {
        secrets.push(t.rsplit('.').next().unwrap().to_string());
    }
    for s in [&sandbox, &other] {
        let c = s.credentials();
        secrets.extend([c.username, c.secret, c.integration_code]);
    }
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a secret appears in the logs: {}",
            logs.lines()
                .find(|l| l.contains(secret.as_str()))
                .unwrap_or_default()
        );
    }
    sandbox.shutdown().await;
    other.shutdown().await;
}
