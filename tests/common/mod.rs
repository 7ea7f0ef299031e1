//! Shared helpers for the sandbox end-to-end tests: start a sandbox, talk to it over real HTTP
//! with the Autotask headers; and the assertions every end-to-end test may use.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use autotask_mcp::sandbox::{Sandbox, SandboxCredentials, SandboxOptions};
use reqwest::Method;
use serde_json::Value;

pub struct Env {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
    pub base: String,
    pub creds: SandboxCredentials,
}

/// A status and the body parsed as JSON (`Value::Null` when the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub text: String,
    pub headers: reqwest::header::HeaderMap,
}

pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("client")
}

impl Env {
    pub async fn start() -> Env {
        Env::with(SandboxOptions::default()).await
    }

    pub async fn with(options: SandboxOptions) -> Env {
        let sandbox = Sandbox::start(options).await.expect("sandbox starts");
        let base = sandbox.base_url();
        let creds = sandbox.credentials();
        Env {
            sandbox,
            http: client(),
            base,
            creds,
        }
    }

    /// `{base}V1.0/{path}`
    pub fn url(&self, path: &str) -> String {
        format!("{}V1.0/{}", self.base, path.trim_start_matches('/'))
    }

    pub fn authed(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .header("ApiIntegrationCode", &self.creds.integration_code)
            .header("UserName", &self.creds.username)
            .header("Secret", &self.creds.secret)
    }

    /// An authenticated request to `V1.0/{path}` with an optional JSON body.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let url = self.url(path);
        self.call_url(method, &url, body).await
    }

    pub async fn call_url(&self, method: Method, url: &str, body: Option<Value>) -> Answer {
        let mut req = self.authed(method, url);
        if let Some(body) = body {
            req = req.json(&body);
        }
        answer(req.send().await.expect("request is answered")).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }

    /// A GET query with `search` in the URL.
    pub async fn get_query(&self, entity: &str, search: &Value) -> Answer {
        let url = self.url(&format!("{entity}/query"));
        let req = self
            .authed(Method::GET, &url)
            .query(&[("search", search.to_string())]);
        answer(req.send().await.expect("request is answered")).await
    }

    /// A record by id, which must exist (Autotask answers a missing id with 200 and
    /// `{"item": null}`: this fails on that instead of handing back a null to compare).
    pub async fn item(&self, entity: &str, id: i64) -> Value {
        let a = self.get(&format!("{entity}/{id}")).await;
        assert_eq!(a.status, 200, "GET {entity}/{id}: {}", a.text);
        let item = a.body["item"].clone();
        assert_eq!(
            item["id"].as_i64(),
            Some(id),
            "GET {entity}/{id}: no such record: {}",
            a.text
        );
        item
    }

    /// Asserts that no record has this id: Autotask's 200 with `{"item": null}`.
    pub async fn assert_missing(&self, entity: &str, id: i64) {
        let a = self.get(&format!("{entity}/{id}")).await;
        assert_eq!(a.status, 200, "GET {entity}/{id}: {}", a.text);
        assert_eq!(
            a.body,
            serde_json::json!({"item": null}),
            "GET {entity}/{id} should find nothing"
        );
    }
}

pub async fn answer(resp: reqwest::Response) -> Answer {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        body,
        text,
        headers,
    }
}

/// The single message of an `{"errors": [...]}` body.
pub fn error_text(a: &Answer) -> String {
    a.body["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_else(|| panic!("expected an errors body, got {} {}", a.status, a.text))
}

/// The items of a successful query or list (status 200, `items` an array), at least one.
pub fn items_of(a: &Answer) -> Vec<Value> {
    assert_eq!(a.status, 200, "{}", a.text);
    let items = a.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items array: {}", a.text))
        .clone();
    assert!(!items.is_empty(), "no items: {}", a.text);
    items
}

/// Asserts Autotask's refusal: HTTP 500 with an `errors` body whose text contains `reason`
/// (a 500 alone says nothing about why; a crash is a 500 too).
pub fn assert_refused(a: &Answer, reason: &str) {
    assert_eq!(a.status, 500, "wanted a refusal ({reason}): {}", a.text);
    let said = error_text(a);
    assert!(said.contains(reason), "wanted `{reason}` in: {said}");
}

/// Asserts that `items` holds at least one element and that `check` holds for each of them:
/// `all` over an empty list is true without checking anything.
#[track_caller]
pub fn assert_every<T: std::fmt::Debug>(items: &[T], what: &str, check: impl Fn(&T) -> bool) {
    assert!(
        !items.is_empty(),
        "{what}: nothing to check (the list is empty)"
    );
    let failing: Vec<&T> = items.iter().filter(|i| !check(i)).collect();
    assert!(
        failing.is_empty(),
        "{what}: {} of {} fail, the first: {:?}",
        failing.len(),
        items.len(),
        failing[0]
    );
}
