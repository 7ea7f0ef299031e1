//! Shared pieces of the HTTP transport tests: a small MCP handler (an `echo` tool and a `slow`
//! tool), a server started on an ephemeral loopback port, and rmcp clients for it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use autotask_mcp::config::HttpConfig;
use autotask_mcp::metrics::{self, ToolOutcome};
use autotask_mcp::transport::health::HealthSource;
use autotask_mcp::transport::http::{TransportError, serve_on};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use secrecy::SecretString;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The `ms` of every `slow` call that has started (tests wait for theirs before shutting
/// down; each test uses its own `ms` value).
pub static SLOW_STARTED: std::sync::Mutex<Vec<u64>> = std::sync::Mutex::new(Vec::new());
/// Notified each time a `slow` call starts.
static SLOW_STARTS: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Waits (bounded) until a `slow` call with this `ms` has reached the handler.
pub async fn wait_for_slow(ms: u64) {
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            // Listen before looking, so a start between the two is not missed.
            let started = SLOW_STARTS.notified();
            tokio::pin!(started);
            started.as_mut().enable();
            if SLOW_STARTED.lock().unwrap().contains(&ms) {
                return;
            }
            started.await;
        }
    })
    .await
    .expect("the slow call reaches the handler");
}

/// `hold` calls running now, and the most seen at once (only the bytes-in-flight test uses
/// `hold`).
pub static HOLD_RUNNING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
pub static HOLD_MAX: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub const TOKEN: &str = "test-token-0123456789abcdef";
pub const WRONG_TOKEN: &str = "wrong-token-9876543210fedcba";

fn schema(value: serde_json::Value) -> Arc<JsonObject> {
    Arc::new(value.as_object().cloned().unwrap_or_default())
}

/// The test handler: `echo {text}` answers the text, `slow {ms}` sleeps then answers `done`.
#[derive(Clone, Default)]
pub struct TestServer;

impl TestServer {
    fn tools() -> Vec<Tool> {
        vec![
            Tool::new(
                "echo",
                "Answers the text it is given",
                schema(serde_json::json!({
                    "type": "object",
                    "properties": {"text": {"type": "string"}},
                    "required": ["text"]
                })),
            ),
            Tool::new(
                "hold",
                "Holds for `ms` milliseconds, counting how many run at once",
                schema(serde_json::json!({
                    "type": "object",
                    "properties": {"ms": {"type": "integer"}},
                    "required": ["ms"]
                })),
            ),
            Tool::new(
                "slow",
                "Sleeps `ms` milliseconds, then answers done",
                schema(serde_json::json!({
                    "type": "object",
                    "properties": {"ms": {"type": "integer"}},
                    "required": ["ms"]
                })),
            ),
        ]
    }
}

impl ServerHandler for TestServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("http-test-server", "0.0.1"))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(Self::tools()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        Self::tools().into_iter().find(|t| t.name == name)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let started = Instant::now();
        let args = request.arguments.clone().unwrap_or_default();
        let result = match request.name.as_ref() {
            "echo" => {
                let text = args
                    .get("text")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string();
                CallToolResult::success(vec![ContentBlock::text(text)])
            }
            "hold" => {
                use std::sync::atomic::Ordering;
                let ms = args.get("ms").and_then(|v| v.as_u64()).unwrap_or(0);
                let now = HOLD_RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
                HOLD_MAX.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(ms)).await;
                HOLD_RUNNING.fetch_sub(1, Ordering::SeqCst);
                CallToolResult::success(vec![ContentBlock::text("held")])
            }
            "slow" => {
                let ms = args.get("ms").and_then(|v| v.as_u64()).unwrap_or(0);
                SLOW_STARTED.lock().unwrap().push(ms);
                SLOW_STARTS.notify_waiters();
                tokio::time::sleep(Duration::from_millis(ms)).await;
                CallToolResult::success(vec![ContentBlock::text("done")])
            }
            other => {
                return Err(ErrorData::invalid_params(
                    format!("tool not found: {other}"),
                    None,
                ));
            }
        };
        metrics::record_tool_call(&request.name, ToolOutcome::Ok, started.elapsed());
        Ok(result.into())
    }
}

pub fn http_config() -> HttpConfig {
    HttpConfig {
        host: "127.0.0.1".into(),
        port: 0,
        token: Some(SecretString::from(TOKEN.to_string())),
        allowed_hosts: vec![],
        allowed_origins: vec!["https://chat.example.com".into()],
        max_body_bytes: 4 * 1024 * 1024,
        request_timeout: Duration::from_secs(60),
        max_concurrency: 64,
        max_result_bytes: autotask_mcp::config::DEFAULT_MAX_RESULT_BYTES,
        max_bytes_in_flight: autotask_mcp::config::DEFAULT_MAX_BYTES_IN_FLIGHT,
        oauth: None,
        gateway: None,
    }
}

/// A running server on `127.0.0.1:<ephemeral>`.
pub struct Running {
    pub base: String,
    pub shutdown: CancellationToken,
    pub task: JoinHandle<Result<(), TransportError>>,
}

impl Running {
    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.base)
    }

    /// Fires the shutdown token and waits (bounded) for the server to stop.
    pub async fn stop(self) {
        self.shutdown.cancel();
        let stopped = tokio::time::timeout(Duration::from_secs(60), self.task).await;
        assert!(
            matches!(stopped, Ok(Ok(Ok(())))),
            "server did not stop cleanly"
        );
    }
}

pub async fn start(http: HttpConfig, health: HealthSource) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    let task =
        tokio::spawn(
            async move { serve_on(listener, &http, || Ok(TestServer), health, token).await },
        );
    Running {
        base: format!("http://{addr}"),
        shutdown,
        task,
    }
}

pub async fn start_default() -> Running {
    start(http_config(), HealthSource::liveness_only()).await
}

/// An rmcp client (legacy `initialize` lifecycle) over streamable HTTP with the token.
pub async fn client(url: &str, token: &str) -> RunningService<RoleClient, ()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url.to_string()).auth_header(token),
    );
    ().serve(transport).await.expect("MCP client connects")
}

pub fn args(value: serde_json::Value) -> JsonObject {
    value.as_object().cloned().unwrap_or_default()
}

pub fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("")
}

pub fn plain_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A JSON-RPC `tools/list` body as a raw HTTP client would send it.
pub const TOOLS_LIST: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}"#;

/// An Autotask client for `sandbox`, with its credentials.
pub fn sandbox_client(
    sandbox: &autotask_mcp::sandbox::Sandbox,
) -> autotask_mcp::autotask::AutotaskClient {
    let creds = sandbox.credentials();
    autotask_mcp::autotask::AutotaskClient::new(
        autotask_mcp::config::AutotaskConfig::with_defaults(
            autotask_mcp::config::Credentials::new(
                &creds.username,
                &creds.secret,
                &creds.integration_code,
            ),
            Some(sandbox.base_url()),
        ),
    )
    .unwrap()
}

/// The real server over `state` on `127.0.0.1:<ephemeral>` with [`http_config`].
pub async fn serve_real(
    state: Arc<autotask_mcp::server::ServerState>,
    health: HealthSource,
) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    let task = tokio::spawn(async move {
        serve_on(
            listener,
            &http_config(),
            move || Ok(autotask_mcp::server::AutotaskServer::new(state.clone())),
            health,
            token,
        )
        .await
    });
    Running {
        base: format!("http://{addr}"),
        shutdown,
        task,
    }
}
