//! Shared harness of the end-to-end MCP tests: a sandbox in the test process, the real
//! `autotask-mcp` binary spawned over stdio with the sandbox's credentials, rmcp's client on
//! the other end, and a direct REST client to cross-check what the tools report against the
//! sandbox's data.

#![allow(dead_code)]

use std::collections::{BTreeSet, HashMap};
use std::process::Stdio;
use std::sync::Mutex;

use autotask_mcp::sandbox::{Sandbox, SandboxOptions};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::process::{ChildStderr, Command};

pub struct Harness {
    pub sandbox: Sandbox,
    pub client: RunningService<RoleClient, ()>,
    /// The server's stderr, read continuously (a full pipe would stall a logging server)
    /// until the process exits.
    pub stderr: Option<tokio::task::JoinHandle<String>>,
    http: reqwest::Client,
    /// Each tool's declared `outputSchema`, from `tools/list`.
    output_schemas: HashMap<String, Value>,
    /// The tools whose successful results were validated against their `outputSchema`.
    pub validated: Mutex<BTreeSet<String>>,
}

/// The binary, with a clean environment for our variables.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_autotask-mcp"));
    for (key, _) in std::env::vars() {
        if key.starts_with("AUTOTASK_") || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd.args(args).env("RUST_LOG", "warn");
    cmd
}

pub async fn start_sandbox() -> Sandbox {
    Sandbox::start(SandboxOptions::default())
        .await
        .expect("sandbox starts")
}

/// The binary with `args` and `env`, pointed at `sandbox` with its credentials.
pub fn pointed_at(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Command {
    let creds = sandbox.credentials();
    let mut cmd = command(args);
    cmd.env("AUTOTASK_API_URL", sandbox.base_url())
        .env("AUTOTASK_USERNAME", &creds.username)
        .env("AUTOTASK_SECRET", &creds.secret)
        .env("AUTOTASK_INTEGRATION_CODE", &creds.integration_code);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Starts a sandbox and the binary pointed at it with its credentials.
pub async fn start(args: &[&str], env: &[(&str, &str)], capture_stderr: bool) -> Harness {
    let sandbox = start_sandbox().await;
    let cmd = pointed_at(&sandbox, args, env);
    let (transport, stderr) = TokioChildProcess::builder(cmd)
        .stderr(if capture_stderr {
            Stdio::piped()
        } else {
            Stdio::inherit()
        })
        .spawn()
        .expect("binary spawns");
    let stderr = stderr.map(drain);
    let client = ().serve(transport).await.expect("MCP initialize");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let output_schemas = client
        .list_all_tools()
        .await
        .expect("tools/list")
        .into_iter()
        .filter_map(|t| {
            t.output_schema
                .map(|s| (t.name.to_string(), Value::Object((*s).clone())))
        })
        .collect();
    Harness {
        sandbox,
        client,
        stderr,
        http: reqwest::Client::new(),
        output_schemas,
        validated: Mutex::new(BTreeSet::new()),
    }
}

/// Reads `stderr` to its end in the background.
fn drain(mut stderr: ChildStderr) -> tokio::task::JoinHandle<String> {
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes).await;
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

impl Harness {
    pub async fn call(&self, tool: &str, args: Value) -> CallToolResult {
        let mut params = CallToolRequestParams::new(tool.to_string());
        if let Value::Object(map) = args {
            params = params.with_arguments(map);
        }
        // Generous: a stuck server fails the test instead of hanging it.
        tokio::time::timeout(
            std::time::Duration::from_secs(120),
            self.client.call_tool(params),
        )
        .await
        .unwrap_or_else(|_| panic!("{tool}: no answer within 120 s"))
        .unwrap_or_else(|e| panic!("{tool}: protocol error {e}"))
    }

    /// A successful call's structured result, validated against the tool's declared
    /// `outputSchema`; its text copy must say the same.
    pub async fn ok(&self, tool: &str, args: Value) -> Value {
        let result = self.call(tool, args.clone()).await;
        assert_ne!(
            result.is_error,
            Some(true),
            "{tool} {args} failed: {}",
            text(&result)
        );
        let structured = result
            .structured_content
            .clone()
            .unwrap_or_else(|| panic!("{tool} {args}: no structuredContent"));
        let copy: Value = serde_json::from_str(&text(&result)).unwrap();
        assert_eq!(copy, structured, "{tool}: the text copy differs");
        if let Some(schema) = self.output_schemas.get(tool) {
            let validator = jsonschema::validator_for(schema)
                .unwrap_or_else(|e| panic!("{tool}: outputSchema is not a valid schema: {e}"));
            let problems: Vec<String> = validator
                .iter_errors(&structured)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                problems.is_empty(),
                "{tool} {args}: result does not match its outputSchema: {problems:?}"
            );
            self.validated.lock().unwrap().insert(tool.to_string());
        }
        structured
    }

    /// The tools that declare an `outputSchema`.
    pub fn tools_with_output_schema(&self) -> BTreeSet<String> {
        self.output_schemas.keys().cloned().collect()
    }

    /// A failed call's message.
    pub async fn err(&self, tool: &str, args: Value) -> String {
        let result = self.call(tool, args.clone()).await;
        assert_eq!(
            result.is_error,
            Some(true),
            "{tool} {args} should fail: {}",
            text(&result)
        );
        text(&result)
    }

    /// Direct REST call to the sandbox (not through the server).
    pub async fn rest(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let creds = self.sandbox.credentials();
        let url = format!("{}V1.0/{path}", self.sandbox.base_url());
        let mut req = self
            .http
            .request(method.parse().unwrap(), url)
            .header("UserName", creds.username)
            .header("Secret", creds.secret)
            .header("ApiIntegrationCode", creds.integration_code);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// The record at `path` (`Entity/{id}` or `Parent/{id}/Child/{id}`), which must exist:
    /// Autotask answers a missing id with 200 and `{"item": null}`.
    pub async fn rest_get(&self, path: &str) -> Value {
        let item = self.rest("GET", path, None).await["item"].clone();
        assert!(item.is_object(), "GET {path}: no such record ({item})");
        if let Some(id) = path.rsplit('/').next().and_then(|s| s.parse::<i64>().ok()) {
            assert_eq!(item["id"].as_i64(), Some(id), "GET {path}: {item}");
        }
        item
    }

    /// Asserts that nothing is found at `path` (Autotask's 200 with `{"item": null}`).
    pub async fn rest_missing(&self, path: &str) {
        let answer = self.rest("GET", path, None).await;
        assert_eq!(
            answer,
            json!({"item": null}),
            "GET {path} should find nothing"
        );
    }

    /// The records matching `filter` (up to 500; possibly none).
    pub async fn rest_query(&self, entity: &str, filter: Value) -> Vec<Value> {
        let body = json!({"filter": filter, "maxRecords": 500});
        let answer = self
            .rest("POST", &format!("{entity}/query"), Some(body))
            .await;
        answer["items"]
            .as_array()
            .cloned()
            .unwrap_or_else(|| panic!("{entity}/query: no items array in {answer}"))
    }

    pub async fn rest_count(&self, entity: &str, filter: Value) -> u64 {
        self.rest(
            "POST",
            &format!("{entity}/query/count"),
            Some(json!({"filter": filter})),
        )
        .await["queryCount"]
            .as_u64()
            .unwrap()
    }

    pub fn requests(&self) -> usize {
        self.sandbox.stats().total()
    }

    /// Writes the sandbox received: PATCH, PUT, DELETE and every POST that is not a query.
    pub fn writes(&self) -> usize {
        writes_seen(&self.sandbox)
    }
}

/// Writes `sandbox` received: PATCH, PUT, DELETE and every POST that is not a query.
pub fn writes_seen(sandbox: &Sandbox) -> usize {
    let stats = sandbox.stats();
    stats.count(Some("POST"), "") - stats.count(Some("POST"), "/query")
        + stats.count(Some("PATCH"), "")
        + stats.count(Some("PUT"), "")
        + stats.count(Some("DELETE"), "")
}

pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rows of a search result as objects (a table's `columns` + `rows`), null cells left
/// out.
/// A result without a table fails: an empty list would let `all(...)` pass unchecked.
pub fn items(v: &Value) -> Vec<Value> {
    let columns: Vec<String> = v["columns"]
        .as_array()
        .unwrap_or_else(|| panic!("not a table (no columns): {v}"))
        .iter()
        .map(|x| {
            x.as_str()
                .unwrap_or_else(|| panic!("a column name is not a string: {x}"))
                .to_string()
        })
        .collect();
    v["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("not a table (no rows): {v}"))
        .iter()
        .map(|row| {
            let cells = row
                .as_array()
                .unwrap_or_else(|| panic!("a row is not an array: {row}"));
            assert_eq!(cells.len(), columns.len(), "a row of another width: {row}");
            let mut obj = serde_json::Map::new();
            for (c, cell) in columns.iter().zip(cells) {
                if !cell.is_null() {
                    obj.insert(c.clone(), cell.clone());
                }
            }
            Value::Object(obj)
        })
        .collect()
}
