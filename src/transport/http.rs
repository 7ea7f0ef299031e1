//! MCP streamable HTTP transport: an axum router with
//! * `/mcp`: rmcp's `StreamableHttpService` in stateless mode (no sessions, JSON answers), so
//!   any replica behind any load balancer can serve any request; POST carries JSON-RPC, GET
//!   and DELETE answer 405 as the protocol allows for a server without sessions;
//! * `/metrics`: Prometheus text format;
//! * `/health`: unauthenticated liveness, Autotask reachability and budget state;
//! * with signing in, `/.well-known/oauth-protected-resource[/mcp]`: the protected-resource
//!   metadata (unauthenticated, see `oauth`).
//!
//! `/mcp` and `/metrics` sit behind, outermost first: Host/Origin allow-lists (403), the bearer
//! token or a signed-in user's access token (401 + `WWW-Authenticate: Bearer …`, see
//! `oauth::middleware`), in gateway mode the tenant's credential headers (400 when missing or
//! aimed elsewhere, see `gateway`), a request body limit (413), a request timeout (503), and a
//! concurrency limit (requests wait for a slot). Connections are served by
//! hyper with a header read timeout (slow-header clients are cut off), and closed after the
//! same time without a request in progress whatever they sent (`connection`). Shutdown is graceful:
//! on the shutdown token the listener closes, `/health` turns 503 `draining`, in-flight
//! requests finish (bounded by the request timeout), then rmcp's own token is cancelled.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, StatusCode, header};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder as AutoBuilder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;
use tower::ServiceBuilder;
use tower::limit::ConcurrencyLimitLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use super::auth::BearerToken;
use super::connection::{self, Activity, Guarded};
use super::gateway;
use super::health::HealthSource;
use super::mcp_gate::{self, Gate, ScopeCheck};
use super::oauth::challenge::jsonrpc_error;
use super::oauth::middleware::Authenticator;
use super::oauth::{ResourceServer, metadata};
use super::origin::AllowLists;
use crate::config::{Config, GatewayConfig, HttpConfig};
use crate::metrics;

/// Extra time granted after the request timeout for in-flight requests to finish on shutdown.
const DRAIN_MARGIN: Duration = Duration::from_secs(5);
/// Longest time a client may take to send a request's headers (slow-header clients).
const MAX_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The header read timeout: 30 s, or the request timeout when that is shorter.
fn header_read_timeout(http: &HttpConfig) -> Duration {
    http.request_timeout.min(MAX_HEADER_READ_TIMEOUT)
}

/// Why the HTTP transport could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// A setting is unusable; the text names the variable.
    #[error("{0}")]
    Config(String),
    #[error(
        "cannot listen on {addr}: {source} (check AUTOTASK_HTTP_HOST and PORT; is another process using the port?)"
    )]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the HTTP server failed: {0}")]
    Serve(#[source] std::io::Error),
}

#[derive(Clone)]
struct Guard {
    allow: Arc<AllowLists>,
    authn: Authenticator,
    gateway: Option<Arc<GatewayConfig>>,
}

/// What the process adds to the transport beyond the MCP handler.
#[derive(Clone, Default)]
pub struct Extras {
    /// More `/metrics` text (gateway mode: the metrics of each tenant held).
    pub metrics: Option<Arc<dyn Fn() -> String + Send + Sync>>,
}

/// Host/Origin first (a browser on a foreign page gets 403 whatever it sends), then who the
/// caller is, then (gateway mode, `/mcp`) the tenant. `/metrics` skips the Host check only:
/// Prometheus scrapes pods by IP address, and a rebinding browser has neither the token nor
/// an allowed Origin.
async fn guard(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    let checked = AllowLists::check_single(req.headers()).and_then(|()| {
        if req.uri().path() == "/metrics" {
            guard.allow.check_origin(req.headers())
        } else {
            guard.allow.check(req.uri(), req.headers())
        }
    });
    if let Err(rejection) = checked {
        tracing::warn!(
            path = req.uri().path(),
            reason = ?rejection,
            "refused a request: Host or Origin not allowed or repeated (possible DNS rebinding)"
        );
        return jsonrpc_error(rejection.status(), -32600, rejection.message());
    }
    let principal = match guard
        .authn
        .authenticate(req.headers(), route_label(req.uri().path()))
        .await
    {
        Ok(principal) => principal,
        Err(refusal) => return refusal,
    };
    // The tools record who wrote: the token's fingerprint (and the signed-in user), never the
    // token.
    let mut req = req;
    req.extensions_mut().insert(principal);
    if req.uri().path() == "/mcp" {
        match &guard.gateway {
            Some(config) if req.method() == http::Method::POST => {
                match gateway::tenant_of(req.headers_mut(), config) {
                    Ok(tenant) => {
                        req.extensions_mut().insert(tenant);
                    }
                    Err(why) => {
                        tracing::warn!(reason = %why, "refused a gateway request");
                        return jsonrpc_error(StatusCode::BAD_REQUEST, -32600, &why);
                    }
                }
            }
            _ => gateway::strip(req.headers_mut()),
        }
    }
    next.run(req).await
}

/// Refuses a body whose declared `Content-Length` is over the limit with 413 before reading
/// it. Bodies without a length (chunked) are counted while streaming by rmcp, which answers
/// 413 as well once the limit is passed.
async fn declared_body_limit(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        tracing::warn!(
            path = req.uri().path(),
            declared,
            limit,
            "refused a request body over the limit"
        );
        return jsonrpc_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            -32600,
            &format!(
                "Payload too large: the limit is {limit} bytes (AUTOTASK_HTTP_MAX_BODY_BYTES)"
            ),
        );
    }
    next.run(req).await
}

fn route_label(path: &str) -> &'static str {
    match path {
        "/mcp" => "/mcp",
        "/health" => "/health",
        "/metrics" => "/metrics",
        _ => "other",
    }
}

/// One structured line per request (method, route, status, latency, peer) and the
/// `http_requests_total` counter. Headers are never logged: they carry the token.
async fn access_log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = route_label(req.uri().path());
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string())
        .unwrap_or_default();
    let response = next.run(req).await;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    metrics::record_http_request(route, status, elapsed);
    let elapsed_ms = elapsed.as_millis() as u64;
    if route == "/health" {
        tracing::debug!(method = %method, route, status, elapsed_ms, peer, "http request");
    } else {
        tracing::info!(method = %method, route, status, elapsed_ms, peer, "http request");
    }
    response
}

async fn health(State(source): State<HealthSource>) -> Response {
    let report = source.report().await;
    let status = if report.status == "draining" {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let body = serde_json::to_string(&report).unwrap_or_else(|_| "{}".into());
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn metrics_text(State(extras): State<Extras>) -> Response {
    let mut text = metrics::render();
    if let Some(more) = &extras.metrics {
        text.push_str(&more());
    }
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(metrics::CONTENT_TYPE),
    );
    response
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        "Not found: MCP is served at /mcp, health at /health, metrics at /metrics\n",
    )
        .into_response()
}

/// The rmcp service configuration matching `http` and the allow-lists.
fn rmcp_config(
    http: &HttpConfig,
    allow: &AllowLists,
    mcp_shutdown: CancellationToken,
) -> StreamableHttpServerConfig {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_max_request_body_bytes(http.max_body_bytes)
        .with_allowed_origins(allow.rmcp_origins())
        .with_cancellation_token(mcp_shutdown);
    // rmcp checks Host and Origin again inside the service, with the same lists.
    match allow.rmcp_hosts() {
        Some(hosts) => config.with_allowed_hosts(hosts),
        None => config.disable_allowed_hosts(),
    }
}

/// Checks the settings the router needs: a token of at least 16 characters or signing in
/// (the server never runs unauthenticated, whatever it binds to), valid allow-lists, limits
/// above zero.
fn validate(http: &HttpConfig) -> Result<Guard, TransportError> {
    let token = match (&http.token, &http.oauth) {
        (Some(token), _) => Some(BearerToken::new(token).map_err(TransportError::Config)?),
        (None, Some(_)) => None,
        (None, None) => {
            return Err(TransportError::Config(
                "AUTOTASK_HTTP_TOKEN is not set: the HTTP transport needs a bearer token of at least 16 characters (e.g. `openssl rand -hex 32`), or signing in (AUTOTASK_OAUTH_ISSUER)".into(),
            ));
        }
    };
    let oauth = match &http.oauth {
        Some(config) => Some(Arc::new(
            ResourceServer::new(config).map_err(TransportError::Config)?,
        )),
        None => None,
    };
    // A specific bind address is a name clients use by definition: allow it as a Host.
    let mut hosts = http.allowed_hosts.clone();
    let bind = http.host.trim();
    if !matches!(bind, "" | "0.0.0.0" | "::" | "[::]") {
        hosts.push(bind.to_string());
    }
    let allow = AllowLists::new(&hosts, &http.allowed_origins).map_err(TransportError::Config)?;
    if http.max_concurrency == 0 {
        return Err(TransportError::Config(
            "AUTOTASK_HTTP_MAX_CONCURRENCY must be at least 1".into(),
        ));
    }
    if http.max_result_bytes == 0 || http.max_bytes_in_flight < http.max_result_bytes {
        return Err(TransportError::Config(format!(
            "AUTOTASK_HTTP_MAX_BYTES_IN_FLIGHT ({}) must be at least AUTOTASK_MAX_RESULT_BYTES ({}), which must be above 0",
            http.max_bytes_in_flight, http.max_result_bytes
        )));
    }
    if http.max_body_bytes == 0 {
        return Err(TransportError::Config(
            "AUTOTASK_HTTP_MAX_BODY_BYTES must be at least 1".into(),
        ));
    }
    Ok(Guard {
        allow: Arc::new(allow),
        authn: Authenticator { token, oauth },
        gateway: http.gateway.clone().map(Arc::new),
    })
}

/// The full router. `factory` builds the MCP handler; in stateless mode it runs once per
/// request, so it must be cheap (clone `Arc`s). `mcp_shutdown` cancels rmcp's in-flight work
/// when fired: [`serve_on`] fires it only after the drain.
pub fn router<S, F>(
    http: &HttpConfig,
    factory: F,
    health_source: HealthSource,
    mcp_shutdown: CancellationToken,
) -> Result<Router, TransportError>
where
    F: Fn() -> Result<S, std::io::Error> + Send + Sync + 'static,
    S: rmcp::ServerHandler + Send + 'static,
{
    router_with(
        http,
        factory,
        health_source,
        mcp_shutdown,
        Extras::default(),
    )
}

/// [`router`] with the process's [`Extras`].
pub fn router_with<S, F>(
    http: &HttpConfig,
    factory: F,
    health_source: HealthSource,
    mcp_shutdown: CancellationToken,
    extras: Extras,
) -> Result<Router, TransportError>
where
    F: Fn() -> Result<S, std::io::Error> + Send + Sync + 'static,
    S: rmcp::ServerHandler + Send + 'static,
{
    let guard_state = validate(http)?;
    let mcp = StreamableHttpService::new(
        factory,
        Arc::new(NeverSessionManager::default()),
        rmcp_config(http, guard_state.allow.as_ref(), mcp_shutdown),
    );
    let oauth = guard_state.authn.oauth.clone();
    let scopes = oauth
        .as_ref()
        .map(|o| Arc::new(ScopeCheck::new(o.challenges.clone())));
    let gate = Gate::new(
        http.max_body_bytes,
        http.max_result_bytes,
        http.max_bytes_in_flight,
    )
    .with_scopes(scopes);
    let protected = Router::new()
        .route_service("/mcp", mcp)
        .route_layer(middleware::from_fn_with_state(gate, mcp_gate::gate))
        .route("/metrics", get(metrics_text).with_state(extras))
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(guard_state, guard))
                .layer(middleware::from_fn_with_state(
                    http.max_body_bytes,
                    declared_body_limit,
                ))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    http.request_timeout,
                ))
                .layer(RequestBodyTimeoutLayer::new(http.request_timeout))
                .layer(ConcurrencyLimitLayer::new(http.max_concurrency)),
        );
    let mut app = Router::new().route("/health", get(health).with_state(health_source));
    if let Some(oauth) = oauth {
        for path in &oauth.metadata.paths {
            app = app.route(
                path,
                get(metadata::serve).with_state(oauth.metadata.clone()),
            );
        }
        // Fetch the issuer's metadata and keys now: a wrong issuer shows in the log at once.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { oauth.warm().await });
        }
    }
    Ok(app
        .merge(protected)
        .fallback(not_found)
        .layer(middleware::from_fn(access_log)))
}

/// Binds `AUTOTASK_HTTP_HOST:PORT` and serves until `shutdown` fires (see [`serve_on`]).
pub async fn serve<S, F>(
    http: &HttpConfig,
    factory: F,
    health_source: HealthSource,
    shutdown: CancellationToken,
) -> Result<(), TransportError>
where
    F: Fn() -> Result<S, std::io::Error> + Send + Sync + 'static,
    S: rmcp::ServerHandler + Send + 'static,
{
    serve_with(http, factory, health_source, shutdown, Extras::default()).await
}

/// [`serve`] with the process's [`Extras`].
pub async fn serve_with<S, F>(
    http: &HttpConfig,
    factory: F,
    health_source: HealthSource,
    shutdown: CancellationToken,
    extras: Extras,
) -> Result<(), TransportError>
where
    F: Fn() -> Result<S, std::io::Error> + Send + Sync + 'static,
    S: rmcp::ServerHandler + Send + 'static,
{
    // Validate everything before binding, so a bad setting never opens a port.
    validate(http)?;
    let addr = if http.host.contains(':') && !http.host.starts_with('[') {
        format!("[{}]:{}", http.host, http.port)
    } else {
        format!("{}:{}", http.host, http.port)
    };
    let listener = tokio::net::TcpListener::bind(addr.as_str())
        .await
        .map_err(|source| TransportError::Bind { addr, source })?;
    serve_on_with(listener, http, factory, health_source, shutdown, extras).await
}

/// Serves on an already bound listener (tests bind `127.0.0.1:0`) until `shutdown` fires,
/// then drains: no new connections, `/health` answers 503, in-flight requests finish within
/// the request timeout plus a margin.
pub async fn serve_on<S, F>(
    listener: tokio::net::TcpListener,
    http: &HttpConfig,
    factory: F,
    health_source: HealthSource,
    shutdown: CancellationToken,
) -> Result<(), TransportError>
where
    F: Fn() -> Result<S, std::io::Error> + Send + Sync + 'static,
    S: rmcp::ServerHandler + Send + 'static,
{
    serve_on_with(
        listener,
        http,
        factory,
        health_source,
        shutdown,
        Extras::default(),
    )
    .await
}

/// [`serve_on`] with the process's [`Extras`].
pub async fn serve_on_with<S, F>(
    listener: tokio::net::TcpListener,
    http: &HttpConfig,
    factory: F,
    health_source: HealthSource,
    shutdown: CancellationToken,
    extras: Extras,
) -> Result<(), TransportError>
where
    F: Fn() -> Result<S, std::io::Error> + Send + Sync + 'static,
    S: rmcp::ServerHandler + Send + 'static,
{
    let mcp_shutdown = CancellationToken::new();
    let app = router_with(
        http,
        factory,
        health_source.clone(),
        mcp_shutdown.clone(),
        extras,
    )?;
    let local = listener.local_addr().map_err(TransportError::Serve)?;
    let allowed_hosts = std::iter::once("loopback")
        .chain(http.allowed_hosts.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(",");
    tracing::info!(
        addr = %local,
        endpoint = %format!("http://{local}/mcp"),
        allowed_hosts,
        max_body_bytes = http.max_body_bytes,
        request_timeout_secs = http.request_timeout.as_secs(),
        max_concurrency = http.max_concurrency,
        "MCP streamable HTTP transport listening"
    );
    if local.ip().is_unspecified() && http.allowed_hosts.is_empty() {
        tracing::warn!(
            "listening beyond loopback while only loopback Host names are allowed: set AUTOTASK_HTTP_ALLOWED_HOSTS to the name clients use (e.g. mcp.example.com), or they get 403"
        );
    }
    let mut builder = AutoBuilder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout(http));
    let graceful = GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.cancelled() => break,
        };
        let (stream, peer) = match accepted {
            Ok(connection) => connection,
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!(error = %e, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // Every request counts as in progress on its connection until its answer has been
        // sent; a connection without one for the header read timeout is closed.
        let activity = Arc::new(Activity::default());
        let (app, counted) = (app.clone(), Arc::clone(&activity));
        let service = tower::service_fn(move |mut req: http::Request<hyper::body::Incoming>| {
            let guard = counted.start();
            req.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            async move {
                let response = tower::ServiceExt::oneshot(app, req).await?;
                Ok::<_, std::convert::Infallible>(
                    response.map(|body| Body::new(Guarded::new(body, guard))),
                )
            }
        });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        let idle = connection::idle(activity, header_read_timeout(http), shutdown.clone());
        tokio::spawn(async move {
            tokio::select! {
                result = connection => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, %peer, "connection ended with an error");
                    }
                }
                () = idle => {
                    tracing::debug!(%peer, "closed a connection without a request in progress");
                }
            }
        });
    }
    drop(listener);
    health_source.set_draining();
    tracing::info!("shutting down: no new connections, finishing in-flight requests");
    let drain_limit = http.request_timeout + DRAIN_MARGIN;
    let result = tokio::select! {
        _ = graceful.shutdown() => Ok(()),
        _ = tokio::time::sleep(drain_limit) => {
            tracing::warn!(
                drain_secs = drain_limit.as_secs(),
                "shutdown: requests still running after the drain time are abandoned"
            );
            Ok(())
        }
    };
    mcp_shutdown.cancel();
    tracing::info!("HTTP transport stopped");
    result
}

/// The `--transport http` process: logging, the backend (the tenant, or an in-process sandbox
/// with `--sandbox`), `/health` on the backend's client, and [`serve`] until SIGTERM/SIGINT.
pub async fn run(config: Config) -> Result<(), String> {
    super::init_logging(config.log_format);
    let backend = super::backend(&config).await?;
    let target = if config.sandbox { "sandbox" } else { "tenant" };
    // Gateway mode has no tenant of its own to probe: /health tells liveness only.
    let health = match backend.state.client() {
        Some(client) => HealthSource::with_client(client.clone(), target),
        None => HealthSource::liveness_only(),
    };
    if config.sandbox {
        tracing::info!("serving the sandbox's demo tenant: no real Autotask data is reachable");
    }
    let extras = Extras {
        metrics: backend.state.pool().map(|pool| {
            let pool = pool.clone();
            Arc::new(move || pool.render_metrics()) as Arc<dyn Fn() -> String + Send + Sync>
        }),
    };
    let state = backend.state.clone();
    let shutdown = CancellationToken::new();
    cancel_on_signal(shutdown.clone());
    let result = serve_with(
        &config.http,
        move || Ok(crate::server::AutotaskServer::new(state.clone())),
        health,
        shutdown,
        extras,
    )
    .await;
    drop(backend);
    result.map_err(|e| e.to_string())
}

/// Waits for SIGTERM or SIGINT (Ctrl-C); on other platforms for Ctrl-C.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("received SIGTERM"),
                    _ = tokio::signal::ctrl_c() => tracing::info!("received SIGINT"),
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only SIGINT stops the server");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Cancels `token` on SIGTERM or SIGINT.
pub fn cancel_on_signal(token: CancellationToken) {
    tokio::spawn(async move {
        shutdown_signal().await;
        token.cancel();
    });
}
