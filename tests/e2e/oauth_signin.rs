//! End to end over HTTP against the sandbox with signing in on (a test-local OAuth issuer on
//! loopback, its keys generated here): the protected-resource metadata and challenges, every
//! refused token (expired, not yet valid, wrong issuer, wrong audience, bad signature,
//! `alg: none`, HS256 keyed with the public key, unknown key id, no scope), a read-only token
//! that neither lists nor calls a write tool, a key rotation and the refetch floor, writes the
//! sandbox records as made by the signed-in technician (a note and a time entry), users
//! without a usable resource, and the static token beside signing in.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::http_support::*;
use crate::mcp_support::writes_seen;
use crate::oauth_support::*;
use autotask_mcp::config::HttpConfig;
use autotask_mcp::sandbox::{Sandbox, SandboxOptions};
use autotask_mcp::server::{AutotaskServer, ServerState};
use autotask_mcp::tools::Settings;
use autotask_mcp::transport::health::HealthSource;
use autotask_mcp::transport::http::serve_on;
use http::{HeaderName, HeaderValue};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

const API_USER: i64 = 29_682_885;
const TECHNICIAN: i64 = 29_682_889;
const TRUSTED_HEADER: &str = "x-acting-resource";

/// The keys of the tests: generated once per test binary (RSA generation takes a while).
struct Keys {
    rsa: SigningKey,
    ec: SigningKey,
    /// Never published: signs forgeries.
    attacker: SigningKey,
    /// Published by the rotation test only.
    next: SigningKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        rsa: SigningKey::rsa("rsa-2026-01"),
        ec: SigningKey::ec("ec-2026-01"),
        attacker: SigningKey::ec("ec-2026-01"),
        next: SigningKey::ec("ec-2026-07"),
    })
}

/// A sandbox, the issuer and the real server trusting it (with the static token too).
struct World {
    sandbox: Sandbox,
    issuer: Issuer,
    server: Running,
    /// `http://127.0.0.1:PORT/mcp`: the resource and the audience.
    resource: String,
}

async fn world(floor: Duration) -> World {
    let sandbox = Sandbox::start(SandboxOptions::default()).await.unwrap();
    let k = keys();
    let issuer = Issuer::start(&[&k.rsa, &k.ec]).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let resource = format!("http://{addr}/mcp");
    let http = HttpConfig {
        oauth: Some(oauth_config(&issuer.issuer, &resource, floor)),
        ..http_config()
    };
    let mut settings = Settings::new(vec![5], false);
    settings.impersonation_header = Some(HeaderName::from_static(TRUSTED_HEADER));
    let state = Arc::new(ServerState::with_settings(
        sandbox_client(&sandbox),
        settings,
    ));
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    let task = tokio::spawn(async move {
        serve_on(
            listener,
            &http,
            move || Ok(AutotaskServer::new(state.clone())),
            HealthSource::liveness_only(),
            token,
        )
        .await
    });
    World {
        sandbox,
        issuer,
        server: Running {
            base: format!("http://{addr}"),
            shutdown,
            task,
        },
        resource,
    }
}

impl World {
    fn token(&self, email: Option<&str>, scope: &str) -> String {
        keys()
            .rsa
            .sign(&self.issuer.claims(&self.resource, email, scope))
    }

    async fn rest(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let creds = self.sandbox.credentials();
        let mut request = reqwest::Client::new()
            .request(method, format!("{}V1.0/{path}", self.sandbox.base_url()))
            .header("UserName", creds.username)
            .header("Secret", creds.secret)
            .header("ApiIntegrationCode", creds.integration_code);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap().json().await.unwrap()
    }

    async fn record(&self, path: &str) -> Value {
        self.rest(reqwest::Method::GET, path, None).await["item"].clone()
    }

    async fn email_of(&self, resource: i64) -> String {
        self.record(&format!("Resources/{resource}")).await["email"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// A raw `POST /mcp` with `bearer`: (status, `WWW-Authenticate`, body).
async fn post(url: &str, bearer: Option<&str>, body: &str) -> (u16, String, String) {
    let mut request = plain_client()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_string());
    if let Some(b) = bearer {
        request = request.bearer_auth(b);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, challenge, response.text().await.unwrap())
}

async fn signed_in(
    url: &str,
    token: &str,
    extra: &[(&'static str, &str)],
) -> RunningService<RoleClient, ()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut headers = HashMap::new();
    for (name, value) in extra {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url.to_string())
            .auth_header(token)
            .custom_headers(headers),
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

async fn tool_names(c: &RunningService<RoleClient, ()>) -> Vec<String> {
    c.list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect()
}

fn call_body(tool: &str, arguments: Value) -> String {
    json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
           "params": {"name": tool, "arguments": arguments}})
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metadata_and_every_refused_token() {
    let w = world(Duration::from_secs(60)).await;
    let url = w.server.mcp_url();
    let k = keys();
    let metadata_url = format!("{}/.well-known/oauth-protected-resource/mcp", w.server.base);

    // RFC 9728 metadata, at the path-suffixed form and the root form, without a token.
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let response = plain_client()
            .get(format!("{}{path}", w.server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let doc: Value = response.json().await.unwrap();
        assert_eq!(doc["resource"], w.resource.as_str());
        assert_eq!(doc["authorization_servers"], json!([w.issuer.issuer]));
        assert_eq!(
            doc["scopes_supported"],
            json!(["autotask.read", "autotask.write"])
        );
    }

    // No token: 401 naming the metadata and the scopes.
    let (status, challenge, _) = post(&url, None, TOOLS_LIST).await;
    assert_eq!(status, 401);
    assert_eq!(
        challenge,
        format!(
            "Bearer resource_metadata=\"{metadata_url}\", scope=\"autotask.read autotask.write\""
        )
    );

    let email = w.email_of(TECHNICIAN).await;
    let good = w
        .issuer
        .claims(&w.resource, Some(&email), "autotask.read autotask.write");
    let with = |f: &dyn Fn(&mut Value)| {
        let mut c = good.clone();
        f(&mut c);
        c
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "expired",
            k.rsa.sign(&with(&|c| c["exp"] = json!(now() - 3_600))),
            "the token has expired",
        ),
        (
            "not yet valid",
            k.rsa.sign(&with(&|c| c["nbf"] = json!(now() + 3_600))),
            "the token is not valid yet (nbf)",
        ),
        (
            "wrong issuer",
            k.rsa.sign(&with(&|c| {
                c["iss"] = json!("https://login.example.com/other/v2.0")
            })),
            "the token is from another issuer",
        ),
        (
            "wrong audience",
            k.rsa.sign(&with(&|c| {
                c["aud"] = json!("https://other-mcp.example.com/mcp")
            })),
            "the token is for another audience (aud)",
        ),
        (
            "no audience",
            k.rsa.sign(&with(&|c| {
                c.as_object_mut().unwrap().remove("aud");
            })),
            "the token has no audience (aud)",
        ),
        (
            "bad signature",
            k.attacker.sign_as(&k.ec.kid, &good),
            "the token's signature is invalid",
        ),
        (
            "tampered claims",
            {
                let t = k.rsa.sign(&good);
                let mut parts: Vec<String> = t.split('.').map(str::to_string).collect();
                let forged = with(&|c| c["scp"] = json!("autotask.read autotask.write admin"));
                parts[1] = base64::Engine::encode(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                    forged.to_string(),
                );
                parts.join(".")
            },
            "the token's signature is invalid",
        ),
        (
            "alg none",
            unsigned(&k.rsa.kid, &good),
            "the token's algorithm is not accepted (RS256 or ES256)",
        ),
        (
            "HS256 keyed with the public key",
            hmac_with_public_key(&k.rsa, &good),
            "the token's algorithm is not accepted (RS256 or ES256)",
        ),
        (
            "unknown key id",
            k.attacker.sign_as("ec-unknown", &good),
            "the token's signing key (kid) is not one of the issuer's keys",
        ),
        (
            "ES256 under an RSA key id",
            k.ec.sign_as(&k.rsa.kid, &good),
            "the token's algorithm does not match its signing key",
        ),
        (
            "not a JWT",
            "0123456789abcdef-not-a-jwt".to_string(),
            "the token is not a well-formed JWT",
        ),
    ];
    for (name, token, reason) in &cases {
        let (status, challenge, body) = post(&url, Some(token), TOOLS_LIST).await;
        assert_eq!(status, 401, "{name}: {body}");
        assert_eq!(
            challenge,
            format!(
                "Bearer error=\"invalid_token\", error_description=\"{reason}\", resource_metadata=\"{metadata_url}\""
            ),
            "{name}"
        );
        assert!(
            !body.contains(token.as_str()),
            "{name}: the token is echoed"
        );
    }
    // A real MCP client with a refused token cannot even connect.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let refused = ().serve(StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url.clone()).auth_header(cases[0].1.clone()),
    ));
    assert!(refused.await.is_err(), "an expired token must not connect");

    // A valid token without an autotask scope: 403 insufficient_scope.
    let (status, challenge, _) = post(
        &url,
        Some(&w.token(Some(&email), "openid profile")),
        TOOLS_LIST,
    )
    .await;
    assert_eq!(status, 403);
    assert!(
        challenge.starts_with(&format!(
            "Bearer error=\"insufficient_scope\", scope=\"autotask.read autotask.write\", resource_metadata=\"{metadata_url}\""
        )),
        "{challenge}"
    );

    // The good token passes, RS256 and ES256 alike.
    for token in [k.rsa.sign(&good), k.ec.sign(&good)] {
        let (status, _, body) = post(&url, Some(&token), TOOLS_LIST).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("create-ticket"), "{body}");
    }
    assert_eq!(writes_seen(&w.sandbox), 0);
    w.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_technicians_write_as_themselves() {
    let w = world(Duration::from_secs(60)).await;
    let url = w.server.mcp_url();
    let email = w.email_of(TECHNICIAN).await;
    // The claim's case differs from the resource's e-mail: still the same person.
    let tech = signed_in(
        &url,
        &w.token(Some(&email.to_uppercase()), "autotask.write"),
        &[],
    )
    .await;

    let me = ok(&tech, "who-am-i", json!({})).await;
    assert_eq!(me["signedIn"]["user"], email.to_uppercase());
    assert_eq!(me["signedIn"]["resourceID"], TECHNICIAN);
    assert_eq!(me["signedIn"]["mayWrite"], true);
    assert_eq!(me["actingAs"]["id"], TECHNICIAN, "{me}");

    // A note: previewed as the technician, then recorded as made by them.
    let note = json!({"ticketID": 10007, "title": "Signed in", "description": "Checked the backups", "noteType": 1, "publish": 1});
    let preview = ok(&tech, "create-ticket-note", note.clone()).await;
    assert_eq!(
        preview["request"]["impersonationResourceId"], TECHNICIAN,
        "{preview}"
    );
    let mut confirmed = note.clone();
    confirmed["confirm"] = json!("CREATE_TICKET_NOTE");
    let made = ok(&tech, "create-ticket-note", confirmed).await;
    let stored = w.record(&format!("TicketNotes/{}", made["id"])).await;
    assert_eq!(stored["creatorResourceID"], TECHNICIAN, "{stored}");
    assert_eq!(
        stored["impersonatorCreatorResourceID"], API_USER,
        "{stored}"
    );

    // A time entry, the same way.
    let made = ok(
        &tech,
        "create-time-entry",
        json!({"ticketID": 10007, "resourceID": TECHNICIAN, "hoursWorked": 0.5,
               "summaryNotes": "Backups checked", "confirm": "CREATE_TIME_ENTRY"}),
    )
    .await;
    let stored = w.record(&format!("TimeEntries/{}", made["id"])).await;
    assert_eq!(stored["creatorUserID"], TECHNICIAN, "{stored}");
    assert_eq!(
        stored["impersonatorCreatorResourceID"], API_USER,
        "{stored}"
    );
    assert_eq!(writes_seen(&w.sandbox), 2);

    // The trusted impersonation header is not trusted from a signed-in caller.
    let sneaky = signed_in(
        &url,
        &w.token(Some(&email), "autotask.write"),
        &[(TRUSTED_HEADER, &API_USER.to_string())],
    )
    .await;
    let made = ok(
        &sneaky,
        "create-ticket-note",
        json!({"ticketID": 10007, "description": "Header ignored", "noteType": 1, "publish": 1, "confirm": "CREATE_TICKET_NOTE"}),
    )
    .await;
    let stored = w.record(&format!("TicketNotes/{}", made["id"])).await;
    assert_eq!(stored["creatorResourceID"], TECHNICIAN, "{stored}");

    // The static token stays: full access, writes as the API user or the header's resource.
    let service = client(&url, TOKEN).await;
    assert!(
        tool_names(&service)
            .await
            .contains(&"create-ticket-note".to_string())
    );
    let made = ok(
        &service,
        "create-ticket-note",
        json!({"ticketID": 10007, "description": "As the API user", "noteType": 1, "publish": 1, "confirm": "CREATE_TICKET_NOTE"}),
    )
    .await;
    let stored = w.record(&format!("TicketNotes/{}", made["id"])).await;
    assert_eq!(stored["creatorResourceID"], API_USER, "{stored}");
    let front_end = signed_in(&url, TOKEN, &[(TRUSTED_HEADER, "29682891")]).await;
    let made = ok(
        &front_end,
        "create-ticket-note",
        json!({"ticketID": 10007, "description": "Via the front end", "noteType": 1, "publish": 1, "confirm": "CREATE_TICKET_NOTE"}),
    )
    .await;
    let stored = w.record(&format!("TicketNotes/{}", made["id"])).await;
    assert_eq!(stored["creatorResourceID"], 29_682_891, "{stored}");
    let me = ok(&service, "who-am-i", json!({})).await;
    assert!(me.get("signedIn").is_none(), "{me}");

    for c in [tech, sneaky, service, front_end] {
        c.cancel().await.unwrap();
    }
    w.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_token_neither_lists_nor_calls_a_write_tool() {
    let w = world(Duration::from_secs(60)).await;
    let url = w.server.mcp_url();
    let email = w.email_of(TECHNICIAN).await;
    let token = w.token(Some(&email), "autotask.read");
    let reader = signed_in(&url, &token, &[]).await;
    let names = tool_names(&reader).await;
    assert!(names.contains(&"get-company".to_string()), "{names:?}");
    assert!(names.contains(&"who-am-i".to_string()));
    for write in [
        "create-ticket",
        "create-ticket-note",
        "create-time-entry",
        "update-ticket",
        "create-entity",
        "delete-entity",
    ] {
        assert!(
            !names.contains(&write.to_string()),
            "{write} listed for a read-only token"
        );
    }
    let writer = signed_in(&url, &w.token(Some(&email), "autotask.write"), &[]).await;
    let all = tool_names(&writer).await;
    assert!(all.len() > names.len() && all.contains(&"create-ticket".to_string()));

    // Reads work.
    let company = ok(&reader, "get-company", json!({"id": 1001})).await;
    assert_eq!(company["id"], 1001);
    let me = ok(&reader, "who-am-i", json!({})).await;
    assert_eq!(me["signedIn"]["mayWrite"], false);

    // A write call: 403 insufficient_scope over HTTP, an error to the MCP client, nothing sent.
    let body = call_body(
        "create-ticket",
        json!({"title": "Never", "companyID": 1001, "confirm": "CREATE_TICKET"}),
    );
    let (status, challenge, _) = post(&url, Some(&token), &body).await;
    assert_eq!(status, 403);
    assert!(
        challenge.starts_with(
            "Bearer error=\"insufficient_scope\", scope=\"autotask.read autotask.write\""
        ),
        "{challenge}"
    );
    let refused = reader
        .call_tool(
            CallToolRequestParams::new("create-ticket").with_arguments(args(
                json!({"title": "Never", "companyID": 1001, "confirm": "CREATE_TICKET"}),
            )),
        )
        .await;
    assert!(
        refused.is_err(),
        "a read-only token called a write tool: {refused:?}"
    );
    assert_eq!(writes_seen(&w.sandbox), 0);
    for c in [reader, writer] {
        c.cancel().await.unwrap();
    }
    w.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_one_active_resource_reads_work_and_writes_say_why() {
    let w = world(Duration::from_secs(60)).await;
    let url = w.server.mcp_url();
    let note = json!({"ticketID": 10007, "description": "Never", "noteType": 1, "publish": 1, "confirm": "CREATE_TICKET_NOTE"});

    // No resource has this e-mail.
    let stranger = signed_in(
        &url,
        &w.token(Some("stranger@elsewhere.example"), "autotask.write"),
        &[],
    )
    .await;
    assert_eq!(
        ok(&stranger, "get-company", json!({"id": 1001})).await["id"],
        1001
    );
    let refused = call(&stranger, "create-ticket-note", note.clone()).await;
    assert_eq!(refused.is_error, Some(true));
    let said = text_of(&refused);
    assert!(
        said.contains("no Autotask resource has the e-mail stranger@elsewhere.example")
            && said.contains("Nothing was sent"),
        "{said}"
    );
    let me = ok(&stranger, "who-am-i", json!({})).await;
    assert_eq!(me["signedIn"]["resourceID"], Value::Null);
    assert!(
        me["writesRefused"]
            .as_str()
            .unwrap()
            .contains("no Autotask resource")
    );

    // An inactive resource.
    let inactive = 29_682_895;
    let email = w.email_of(inactive).await;
    let patched = w
        .rest(
            reqwest::Method::PATCH,
            "Resources",
            Some(json!({"id": inactive, "isActive": false})),
        )
        .await;
    assert_eq!(patched["itemId"], inactive, "{patched}");
    let former = signed_in(&url, &w.token(Some(&email), "autotask.write"), &[]).await;
    let refused = call(&former, "create-ticket-note", note.clone()).await;
    assert_eq!(refused.is_error, Some(true));
    let said = text_of(&refused);
    assert!(
        said.contains(&format!("({inactive}) is inactive")),
        "{said}"
    );
    assert!(ok(&former, "get-company", json!({"id": 1001})).await["id"] == 1001);

    // A token without the user claim.
    let nameless = signed_in(&url, &w.token(None, "autotask.write"), &[]).await;
    let refused = call(&nameless, "create-ticket-note", note).await;
    assert!(
        text_of(&refused).contains("no `email` claim"),
        "{}",
        text_of(&refused)
    );
    assert_eq!(
        writes_seen(&w.sandbox),
        1,
        "only the PATCH of the test itself"
    );
    for c in [stranger, former, nameless] {
        c.cancel().await.unwrap();
    }
    w.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_rotation_is_followed_and_junk_key_ids_do_not_hammer_the_issuer() {
    let k = keys();
    // Floor 0: every unknown key id may fetch again (the rotation).
    let w = world(Duration::ZERO).await;
    let url = w.server.mcp_url();
    let email = w.email_of(TECHNICIAN).await;
    let claims = w.issuer.claims(&w.resource, Some(&email), "autotask.read");
    assert_eq!(
        post(&url, Some(&k.rsa.sign(&claims)), TOOLS_LIST).await.0,
        200
    );
    // The issuer rotates: the new key is published, the old one retired.
    w.issuer.publish(&[&k.next]);
    let (status, _, body) = post(&url, Some(&k.next.sign(&claims)), TOOLS_LIST).await;
    assert_eq!(status, 200, "a token from the rotated key: {body}");
    let client = signed_in(&url, &k.next.sign(&claims), &[]).await;
    assert_eq!(
        ok(&client, "get-company", json!({"id": 1001})).await["id"],
        1001
    );
    client.cancel().await.unwrap();
    let (status, challenge, _) = post(&url, Some(&k.rsa.sign(&claims)), TOOLS_LIST).await;
    assert_eq!(status, 401, "the retired key");
    assert!(
        challenge.contains("is not one of the issuer's keys"),
        "{challenge}"
    );
    w.server.stop().await;

    // The default floor: a burst of tokens with invented key ids costs at most one fetch.
    let w = world(Duration::from_secs(60)).await;
    let url = w.server.mcp_url();
    let claims = w.issuer.claims(&w.resource, Some(&email), "autotask.read");
    assert_eq!(
        post(&url, Some(&k.rsa.sign(&claims)), TOOLS_LIST).await.0,
        200
    );
    let before = w.issuer.jwks_fetches();
    assert!(before >= 1);
    for i in 0..25 {
        let junk = k.attacker.sign_as(&format!("junk-{i}"), &claims);
        assert_eq!(post(&url, Some(&junk), TOOLS_LIST).await.0, 401);
    }
    assert!(
        w.issuer.jwks_fetches() <= before + 1,
        "{} JWKS fetches for 25 junk tokens",
        w.issuer.jwks_fetches() - before
    );
    assert_eq!(
        post(&url, Some(&k.rsa.sign(&claims)), TOOLS_LIST).await.0,
        200
    );
    w.server.stop().await;
}
