//! Configuration: command-line flags and environment variables → one validated `Config`.
//! Every error names the variable or flag at fault and how to fix it. Secrets are held as
//! `SecretString` and never appear in Debug output.

use std::time::Duration;

use clap::{Args, ValueEnum};
use secrecy::{ExposeSecret, SecretString};

use crate::approval::ApprovalMode;
use crate::budget_usage::{BudgetPercents, DEFAULT_BUDGET_PERCENTS};

pub mod access;
pub mod basics;
pub use access::{GatewayArgs, GatewayConfig, OAuthArgs, OAuthConfig};
pub(crate) use basics::csv;
pub use basics::{ConfigError, Transport, normalize_base_url};

/// Default zone-lookup base (zone detection asks `…/V1.0/zoneInformation?user=`).
pub const DEFAULT_ZONE_LOOKUP_URL: &str = "https://webservices.autotask.net/ATServicesRest/";

/// First backoff delay between read attempts (tests shorten it through `AutotaskConfig`).
pub const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_secs(1);
/// Largest backoff delay between read attempts, before jitter.
pub const DEFAULT_RETRY_MAX_DELAY: Duration = Duration::from_secs(8);

/// Default of `AUTOTASK_MAX_RESPONSE_BYTES`: a 500-row page of tickets is 1 to 5 MB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// Default of `AUTOTASK_MAX_RESULT_BYTES`.
pub const DEFAULT_MAX_RESULT_BYTES: usize = 4 * 1024 * 1024;
/// Default of `AUTOTASK_HTTP_MAX_BYTES_IN_FLIGHT`: 16 calls at the full result cap.
pub const DEFAULT_MAX_BYTES_IN_FLIGHT: usize = 64 * 1024 * 1024;

/// Default of `AUTOTASK_MAX_RECORDS`.
pub const DEFAULT_MAX_RECORDS: usize = 2_000;
/// Largest accepted `AUTOTASK_MAX_RECORDS` (the `maxRecords` parameter's own maximum).
pub const MAX_MAX_RECORDS: usize = 100_000;
/// Default of `AUTOTASK_RESULT_BUDGET_BYTES`: about 10,000 tokens.
pub const DEFAULT_RESULT_BUDGET_BYTES: usize = 40_000;
/// Default of `AUTOTASK_NAMES_TTL_SECS`.
pub const DEFAULT_NAMES_TTL_SECS: u64 = 300;
/// Smallest accepted `AUTOTASK_RESULT_BUDGET_BYTES`: a handful of rows.
pub const MIN_RESULT_BUDGET_BYTES: usize = 4_096;

/// Smallest accepted `AUTOTASK_MAX_RESPONSE_BYTES` / `AUTOTASK_MAX_RESULT_BYTES`.
pub const MIN_BYTE_LIMIT: usize = 64 * 1024;

/// Log line format on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Flags of `autotask-mcp` (serve). Each has an environment variable.
#[derive(Clone, Args)]
pub struct ServeArgs {
    /// Talk to a built-in Autotask sandbox (demo tenant) instead of a real tenant; no
    /// credentials needed.
    #[arg(long, env = "AUTOTASK_SANDBOX", default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub sandbox: bool,
    /// Seed of the sandbox's demo tenant.
    #[arg(long, env = "AUTOTASK_SANDBOX_SEED", default_value_t = 42)]
    pub sandbox_seed: u64,
    /// Register read tools only: the write tools do not exist for clients.
    #[arg(long, env = "AUTOTASK_READ_ONLY", default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub read_only: bool,
    /// Transport: stdio or http.
    #[arg(long, env = "AUTOTASK_TRANSPORT", value_enum, default_value_t = Transport::Stdio)]
    pub transport: Transport,

    /// API user name (an API-only user's e-mail form username).
    #[arg(skip)]
    pub username: Option<String>,
    /// API user's secret.
    #[arg(skip)]
    pub secret: Option<String>,
    /// API tracking identifier (integration code).
    #[arg(skip)]
    pub integration_code: Option<String>,
    /// Pin the zone base URL (e.g. https://webservices2.autotask.net/atservicesrest/), skipping
    /// zone detection.
    #[arg(long, env = "AUTOTASK_API_URL")]
    pub api_url: Option<String>,
    /// Where zone detection asks.
    #[arg(long, env = "AUTOTASK_ZONE_LOOKUP_URL", default_value = DEFAULT_ZONE_LOOKUP_URL)]
    pub zone_lookup_url: String,
    /// Resource id to act as on writes (sent as ImpersonationResourceId on writes only).
    #[arg(long, env = "AUTOTASK_IMPERSONATION_RESOURCE_ID")]
    pub impersonation_resource_id: Option<String>,
    /// Ticket status ids that count as closed (for `openOnly`).
    #[arg(long, env = "AUTOTASK_CLOSED_STATUS_IDS", default_value = "5,16")]
    pub closed_status_ids: String,

    /// Per-request timeout towards Autotask, in seconds.
    #[arg(long, env = "AUTOTASK_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Connect timeout towards Autotask, in seconds.
    #[arg(long, env = "AUTOTASK_CONNECT_TIMEOUT_SECS", default_value_t = 10)]
    pub connect_timeout_secs: u64,
    /// Longest wait the client accepts for a 429 Retry-After before returning a rate-limited
    /// error instead, in seconds.
    #[arg(long, env = "AUTOTASK_MAX_RETRY_WAIT_SECS", default_value_t = 30)]
    pub max_retry_wait_secs: u64,
    /// Attempts for a read that meets 502/503/504 or a connection error.
    #[arg(long, env = "AUTOTASK_MAX_READ_ATTEMPTS", default_value_t = 3)]
    pub max_read_attempts: u32,
    /// Requests in flight per entity endpoint (Autotask's thread limit is 3).
    #[arg(long, env = "AUTOTASK_THREADS_PER_ENDPOINT", default_value_t = 3)]
    pub threads_per_endpoint: usize,
    /// Percent of the hourly API budget from which the server warns.
    #[arg(long, env = "AUTOTASK_BUDGET_WARN_PERCENT", default_value_t = DEFAULT_BUDGET_PERCENTS.warn)]
    pub budget_warn_percent: u8,
    /// Percent of the hourly API budget from which reads the agent did not ask for explicitly
    /// are refused.
    #[arg(long, env = "AUTOTASK_BUDGET_REFUSE_PERCENT", default_value_t = DEFAULT_BUDGET_PERCENTS.refuse)]
    pub budget_refuse_percent: u8,

    /// HTTP bind address.
    #[arg(long, env = "AUTOTASK_HTTP_HOST", default_value = "127.0.0.1")]
    pub http_host: String,
    /// HTTP port.
    #[arg(long, env = "PORT", default_value_t = 3000)]
    pub port: u16,
    /// Bearer token HTTP clients must send (at least 16 characters).
    #[arg(skip)]
    pub http_token: Option<String>,
    /// Extra allowed Host header values, comma-separated (loopback is always allowed).
    #[arg(long, env = "AUTOTASK_HTTP_ALLOWED_HOSTS", default_value = "")]
    pub http_allowed_hosts: String,
    /// Extra allowed Origin values, comma-separated (loopback origins are always allowed).
    #[arg(long, env = "AUTOTASK_HTTP_ALLOWED_ORIGINS", default_value = "")]
    pub http_allowed_origins: String,
    /// Largest accepted HTTP request body, in bytes.
    #[arg(long, env = "AUTOTASK_HTTP_MAX_BODY_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub http_max_body_bytes: usize,
    /// Per-request timeout of the HTTP transport, in seconds.
    #[arg(
        long,
        env = "AUTOTASK_HTTP_REQUEST_TIMEOUT_SECS",
        default_value_t = 120
    )]
    pub http_request_timeout_secs: u64,
    /// Requests the HTTP transport serves at once.
    #[arg(long, env = "AUTOTASK_HTTP_MAX_CONCURRENCY", default_value_t = 256)]
    pub http_max_concurrency: usize,

    /// Largest answer read from Autotask, in bytes; a larger one is refused with an error
    /// saying how to narrow the request.
    #[arg(long, env = "AUTOTASK_MAX_RESPONSE_BYTES", default_value_t = DEFAULT_MAX_RESPONSE_BYTES)]
    pub max_response_bytes: usize,
    /// Largest answer one MCP call may carry back to the client, in bytes (stdio and HTTP); a
    /// larger one is replaced by an error saying how to narrow the request.
    #[arg(long, env = "AUTOTASK_MAX_RESULT_BYTES", default_value_t = DEFAULT_MAX_RESULT_BYTES)]
    pub max_result_bytes: usize,
    /// Most records one search or query call may page through (`maxRecords` above it is
    /// capped, and the answer says so).
    #[arg(long, env = "AUTOTASK_MAX_RECORDS", default_value_t = DEFAULT_MAX_RECORDS)]
    pub max_records: usize,
    /// Size budget of one tool result in bytes of JSON: longer pages are cut (the answer says
    /// how to get the rest) and long single records are shortened. Keep it well under what
    /// the client accepts (Claude Code: 25,000 tokens unless MAX_MCP_OUTPUT_TOKENS is raised).
    #[arg(long, env = "AUTOTASK_RESULT_BUDGET_BYTES", default_value_t = DEFAULT_RESULT_BUDGET_BYTES)]
    pub result_budget_bytes: usize,
    /// How long the names shown beside references (company, contact, resource, …) are
    /// reused before they are read again, in seconds; 0 reads them on every call.
    #[arg(long, env = "AUTOTASK_NAMES_TTL_SECS", default_value_t = DEFAULT_NAMES_TTL_SECS)]
    pub names_ttl_secs: u64,
    /// Bytes of answers the HTTP transport may be producing or sending at once: each call
    /// reserves AUTOTASK_MAX_RESULT_BYTES while it runs, then the size of its answer until it
    /// is sent; further calls wait.
    #[arg(long, env = "AUTOTASK_HTTP_MAX_BYTES_IN_FLIGHT", default_value_t = DEFAULT_MAX_BYTES_IN_FLIGHT)]
    pub http_max_bytes_in_flight: usize,

    /// Log format on stderr: text or json.
    #[arg(long, env = "AUTOTASK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Entities the write tools may change, comma-separated (e.g. Tickets,TicketNotes); unset:
    /// every entity. Set but naming none is an error, never "every entity".
    #[arg(long, env = "AUTOTASK_WRITE_ENTITIES")]
    pub write_entities: Option<String>,
    /// How writes are approved: token (the confirm token, the default), preview (the one-time
    /// code the preview returned) or elicit (the person is asked through the MCP client).
    #[arg(long, env = "AUTOTASK_WRITE_APPROVAL")]
    pub write_approval: Option<String>,
    /// Audit log of write attempts: a file (JSON lines, appended) or `-` for stderr.
    #[arg(long, env = "AUTOTASK_AUDIT_LOG")]
    pub audit_log: Option<String>,
    /// How long a create's idempotencyKey is remembered, in seconds.
    #[arg(
        long,
        env = "AUTOTASK_IDEMPOTENCY_WINDOW_SECS",
        default_value_t = 86_400
    )]
    pub idempotency_window_secs: u64,
    /// HTTP header a trusted front end sets to the resource id a call's writes act as.
    #[arg(long, env = "AUTOTASK_HTTP_IMPERSONATION_HEADER")]
    pub http_impersonation_header: Option<String>,

    /// Signing in (OAuth 2.1, HTTP only): see `config::access`.
    #[command(flatten)]
    pub oauth: OAuthArgs,
    /// Gateway mode (HTTP only): see `config::access`.
    #[command(flatten)]
    pub gateway: GatewayArgs,
}

/// Debug shows the settings but never the credentials or the HTTP token.
impl std::fmt::Debug for ServeArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "[redacted]");
        f.debug_struct("ServeArgs")
            .field("sandbox", &self.sandbox)
            .field("read_only", &self.read_only)
            .field("transport", &self.transport)
            .field("username", &hidden(&self.username))
            .field("secret", &hidden(&self.secret))
            .field("integration_code", &hidden(&self.integration_code))
            .field("http_token", &hidden(&self.http_token))
            .field("api_url", &self.api_url)
            .field("http_host", &self.http_host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl ServeArgs {
    /// Reads the credential variables, which are never taken from the command line (a flag
    /// would show in `ps`).
    pub fn with_secret_env(mut self) -> Self {
        self.username = std::env::var("AUTOTASK_USERNAME").ok();
        self.secret = std::env::var("AUTOTASK_SECRET").ok();
        self.integration_code = std::env::var("AUTOTASK_INTEGRATION_CODE").ok();
        self.http_token = std::env::var("AUTOTASK_HTTP_TOKEN").ok();
        self
    }
}

/// Credentials of the API user. Debug never shows them.
#[derive(Clone)]
pub struct Credentials {
    pub username: SecretString,
    pub secret: SecretString,
    pub integration_code: SecretString,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials { username: [redacted], secret: [redacted], integration_code: [redacted] }")
    }
}

impl Credentials {
    pub fn new(username: &str, secret: &str, integration_code: &str) -> Self {
        Credentials {
            username: SecretString::from(username.to_string()),
            secret: SecretString::from(secret.to_string()),
            integration_code: SecretString::from(integration_code.to_string()),
        }
    }

    /// The three values, for redaction of anything that leaves the process.
    pub fn values(&self) -> [&str; 3] {
        [
            self.username.expose_secret(),
            self.secret.expose_secret(),
            self.integration_code.expose_secret(),
        ]
    }
}

/// Everything the Autotask client needs.
#[derive(Debug, Clone)]
pub struct AutotaskConfig {
    pub credentials: Credentials,
    /// Pinned zone base ending in `/ATServicesRest/` (normalised), if any.
    pub api_url: Option<String>,
    /// Zone-lookup base ending in `/` (normalised).
    pub zone_lookup_url: String,
    pub impersonation_resource_id: Option<i64>,
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    pub max_retry_wait: Duration,
    pub max_read_attempts: u32,
    /// First backoff delay between read attempts (doubles each time, plus jitter).
    pub retry_base_delay: Duration,
    /// Largest backoff delay between read attempts (before jitter).
    pub retry_max_delay: Duration,
    pub threads_per_endpoint: usize,
    /// `AUTOTASK_BUDGET_WARN_PERCENT` and `AUTOTASK_BUDGET_REFUSE_PERCENT`.
    pub budget: BudgetPercents,
    /// Largest answer read from Autotask (`AUTOTASK_MAX_RESPONSE_BYTES`).
    pub max_response_bytes: usize,
}

/// The HTTP transport's settings.
#[derive(Clone)]
pub struct HttpConfig {
    pub host: String,
    pub port: u16,
    pub token: Option<SecretString>,
    pub allowed_hosts: Vec<String>,
    pub allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub max_concurrency: usize,
    /// Largest answer one call may carry (`AUTOTASK_MAX_RESULT_BYTES`).
    pub max_result_bytes: usize,
    /// Answer bytes reserved by calls in progress at most (`AUTOTASK_HTTP_MAX_BYTES_IN_FLIGHT`).
    pub max_bytes_in_flight: usize,
    /// Signing in (`AUTOTASK_OAUTH_*`); `None`: the static token only.
    pub oauth: Option<OAuthConfig>,
    /// Gateway mode (`AUTOTASK_GATEWAY*`); `None`: the configured tenant.
    pub gateway: Option<GatewayConfig>,
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("allowed_hosts", &self.allowed_hosts)
            .field("allowed_origins", &self.allowed_origins)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("request_timeout", &self.request_timeout)
            .field("max_concurrency", &self.max_concurrency)
            .field("max_result_bytes", &self.max_result_bytes)
            .field("max_bytes_in_flight", &self.max_bytes_in_flight)
            .field("oauth", &self.oauth)
            .field("gateway", &self.gateway)
            .finish()
    }
}

/// How big answers get: rows per call, bytes per result, how long names are reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultsConfig {
    /// `AUTOTASK_MAX_RECORDS`.
    pub max_records: usize,
    /// `AUTOTASK_RESULT_BUDGET_BYTES`.
    pub budget_bytes: usize,
    /// `AUTOTASK_NAMES_TTL_SECS`.
    pub names_ttl: Duration,
}

impl Default for ResultsConfig {
    fn default() -> Self {
        ResultsConfig {
            max_records: DEFAULT_MAX_RECORDS,
            budget_bytes: DEFAULT_RESULT_BUDGET_BYTES,
            names_ttl: Duration::from_secs(DEFAULT_NAMES_TTL_SECS),
        }
    }
}

/// What write tools may do and what they leave behind.
#[derive(Debug, Clone, Default)]
pub struct WritesConfig {
    /// Entities the write tools may change (as given; the tools check them against the
    /// registry); `None`: every entity.
    pub entities: Option<Vec<String>>,
    /// `AUTOTASK_WRITE_APPROVAL`.
    pub approval: ApprovalMode,
    /// `AUTOTASK_AUDIT_LOG`: a file path or `-` (stderr).
    pub audit_log: Option<String>,
    pub idempotency_window: Duration,
    /// The header a trusted front end sets to the resource id a call's writes act as (HTTP).
    pub impersonation_header: Option<http::HeaderName>,
}

/// The validated configuration of one server process.
#[derive(Debug, Clone)]
pub struct Config {
    /// The Autotask client's settings. In sandbox mode the credentials are blank until the
    /// sandbox has started and supplies its own (see `transport::backend`).
    pub autotask: AutotaskConfig,
    pub sandbox: bool,
    pub sandbox_seed: u64,
    pub read_only: bool,
    pub closed_status_ids: Vec<i64>,
    pub transport: Transport,
    pub http: HttpConfig,
    pub log_format: LogFormat,
    pub writes: WritesConfig,
    pub results: ResultsConfig,
    /// Largest answer one MCP call may carry, stdio and HTTP (`AUTOTASK_MAX_RESULT_BYTES`).
    pub max_result_bytes: usize,
}

fn required(value: Option<&str>, name: &str) -> Result<String, ConfigError> {
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v.to_string()),
        Some(_) => Err(ConfigError(format!(
            "{name} is blank: set it to your Autotask API user's value, or run with --sandbox to try the demo tenant"
        ))),
        None => Err(ConfigError(format!(
            "{name} is not set: set it to your Autotask API user's value, or run with --sandbox to try the demo tenant"
        ))),
    }
}

impl Config {
    /// Validates flags and environment into a `Config`.
    pub fn from_args(args: ServeArgs) -> Result<Config, ConfigError> {
        let closed_status_ids = csv(&args.closed_status_ids)
            .iter()
            .map(|s| {
                s.parse::<i64>().map_err(|_| {
                    ConfigError(format!(
                        "AUTOTASK_CLOSED_STATUS_IDS has `{s}`, which is not a number: use comma-separated status ids like 5,16"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let impersonation_resource_id = match args.impersonation_resource_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => Some(v.parse::<i64>().map_err(|_| {
                ConfigError(format!(
                    "AUTOTASK_IMPERSONATION_RESOURCE_ID is `{v}`, which is not a resource id: use a number or unset it"
                ))
            })?),
        };
        if args.threads_per_endpoint == 0 {
            return Err(ConfigError(
                "AUTOTASK_THREADS_PER_ENDPOINT must be at least 1 (Autotask allows 3)".into(),
            ));
        }
        if args.http_max_concurrency == 0 {
            return Err(ConfigError(
                "AUTOTASK_HTTP_MAX_CONCURRENCY is 0, so no request could ever be served: use at least 1 (default 256)".into(),
            ));
        }
        for (variable, value) in [
            ("AUTOTASK_MAX_RESPONSE_BYTES", args.max_response_bytes),
            ("AUTOTASK_MAX_RESULT_BYTES", args.max_result_bytes),
        ] {
            if value < MIN_BYTE_LIMIT {
                return Err(ConfigError(format!(
                    "{variable} is {value}: use at least {MIN_BYTE_LIMIT} bytes (an Autotask answer or a tool result of a few records needs that much)"
                )));
            }
        }
        if args.http_max_bytes_in_flight < args.max_result_bytes {
            return Err(ConfigError(format!(
                "AUTOTASK_HTTP_MAX_BYTES_IN_FLIGHT ({}) is below AUTOTASK_MAX_RESULT_BYTES ({}): no call could ever run; raise the first or lower the second",
                args.http_max_bytes_in_flight, args.max_result_bytes
            )));
        }
        if args.max_read_attempts == 0 {
            return Err(ConfigError(
                "AUTOTASK_MAX_READ_ATTEMPTS must be at least 1".into(),
            ));
        }
        if args.budget_warn_percent > 100 || args.budget_refuse_percent > 100 {
            return Err(ConfigError(
                "AUTOTASK_BUDGET_WARN_PERCENT and AUTOTASK_BUDGET_REFUSE_PERCENT are percentages (0-100)".into(),
            ));
        }
        if args.budget_warn_percent > args.budget_refuse_percent {
            return Err(ConfigError(format!(
                "AUTOTASK_BUDGET_WARN_PERCENT ({}) is above AUTOTASK_BUDGET_REFUSE_PERCENT ({}): the server must warn before it refuses",
                args.budget_warn_percent, args.budget_refuse_percent
            )));
        }
        let zone_lookup_url = normalize_base_url(&args.zone_lookup_url)
            .map_err(|e| ConfigError(format!("AUTOTASK_ZONE_LOOKUP_URL: {e}")))?;
        let api_url = match args.api_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => Some(
                normalize_base_url(v).map_err(|e| ConfigError(format!("AUTOTASK_API_URL: {e}")))?,
            ),
        };
        // In sandbox mode the credentials stay blank here: the sandbox supplies them when it
        // starts (`transport::backend`); every other setting applies to it as to a tenant.
        let gateway = access::gateway_config(
            &args.gateway,
            args.transport,
            &access::Exclusive {
                sandbox: args.sandbox,
                credentials: [
                    ("AUTOTASK_USERNAME", args.username.as_deref()),
                    ("AUTOTASK_SECRET", args.secret.as_deref()),
                    (
                        "AUTOTASK_INTEGRATION_CODE",
                        args.integration_code.as_deref(),
                    ),
                ],
                api_url: args.api_url.as_deref(),
                impersonation_resource_id: args.impersonation_resource_id.as_deref(),
            },
        )?;
        let oauth = access::oauth_config(&args.oauth, args.transport, args.read_only)?;
        // In gateway mode each request brings its tenant's credentials (`server::tenants`).
        let credentials = if args.sandbox || gateway.is_some() {
            Credentials::new("", "", "")
        } else {
            let username = required(args.username.as_deref(), "AUTOTASK_USERNAME")?;
            let secret = required(args.secret.as_deref(), "AUTOTASK_SECRET")?;
            let code = required(
                args.integration_code.as_deref(),
                "AUTOTASK_INTEGRATION_CODE",
            )?;
            Credentials::new(&username, &secret, &code)
        };
        let autotask = AutotaskConfig {
            credentials,
            api_url,
            zone_lookup_url,
            impersonation_resource_id,
            request_timeout: Duration::from_secs(args.request_timeout_secs.max(1)),
            connect_timeout: Duration::from_secs(args.connect_timeout_secs.max(1)),
            max_retry_wait: Duration::from_secs(args.max_retry_wait_secs),
            max_read_attempts: args.max_read_attempts,
            retry_base_delay: DEFAULT_RETRY_BASE_DELAY,
            retry_max_delay: DEFAULT_RETRY_MAX_DELAY,
            threads_per_endpoint: args.threads_per_endpoint,
            budget: BudgetPercents {
                warn: args.budget_warn_percent,
                refuse: args.budget_refuse_percent,
            },
            max_response_bytes: args.max_response_bytes,
        };
        let token = match args.http_token.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(t) => Some(SecretString::from(t.to_string())),
        };
        if args.transport == Transport::Http {
            match &token {
                // Signed-in callers need no shared token; one set anyway is checked below.
                None if oauth.is_some() => {}
                None => {
                    return Err(ConfigError(
                        "AUTOTASK_HTTP_TOKEN is not set: the HTTP transport needs a bearer token of at least 16 characters (e.g. `openssl rand -hex 32`), or signing in (AUTOTASK_OAUTH_ISSUER)".into(),
                    ));
                }
                Some(t) if t.expose_secret().chars().count() < 16 => {
                    return Err(ConfigError(
                        "AUTOTASK_HTTP_TOKEN is too short: use at least 16 characters (e.g. `openssl rand -hex 32`)".into(),
                    ));
                }
                Some(_) => {}
            }
        }
        let writes = writes_config(&args)?;
        let results = results_config(&args)?;
        Ok(Config {
            autotask,
            sandbox: args.sandbox,
            sandbox_seed: args.sandbox_seed,
            read_only: args.read_only,
            closed_status_ids,
            transport: args.transport,
            http: HttpConfig {
                host: args.http_host,
                port: args.port,
                token,
                allowed_hosts: csv(&args.http_allowed_hosts),
                allowed_origins: csv(&args.http_allowed_origins),
                max_body_bytes: args.http_max_body_bytes,
                request_timeout: Duration::from_secs(args.http_request_timeout_secs.max(1)),
                max_concurrency: args.http_max_concurrency,
                max_result_bytes: args.max_result_bytes,
                max_bytes_in_flight: args.http_max_bytes_in_flight,
                oauth,
                gateway,
            },
            log_format: args.log_format,
            writes,
            results,
            max_result_bytes: args.max_result_bytes,
        })
    }
}

/// The answer sizes: a record cap within the parameter's range, a budget between a handful of
/// rows and the hard cap on a result.
fn results_config(args: &ServeArgs) -> Result<ResultsConfig, ConfigError> {
    if !(1..=MAX_MAX_RECORDS).contains(&args.max_records) {
        return Err(ConfigError(format!(
            "AUTOTASK_MAX_RECORDS is {}: use 1 to {MAX_MAX_RECORDS} (rows one call may page through; default {DEFAULT_MAX_RECORDS})",
            args.max_records
        )));
    }
    if args.result_budget_bytes < MIN_RESULT_BUDGET_BYTES
        || args.result_budget_bytes > args.max_result_bytes
    {
        return Err(ConfigError(format!(
            "AUTOTASK_RESULT_BUDGET_BYTES is {}: use {MIN_RESULT_BUDGET_BYTES} to AUTOTASK_MAX_RESULT_BYTES ({}); default {DEFAULT_RESULT_BUDGET_BYTES}",
            args.result_budget_bytes, args.max_result_bytes
        )));
    }
    Ok(ResultsConfig {
        max_records: args.max_records,
        budget_bytes: args.result_budget_bytes,
        names_ttl: Duration::from_secs(args.names_ttl_secs),
    })
}

/// The write settings: a window of at least one second, a valid header name.
fn writes_config(args: &ServeArgs) -> Result<WritesConfig, ConfigError> {
    if args.idempotency_window_secs == 0 {
        return Err(ConfigError(
            "AUTOTASK_IDEMPOTENCY_WINDOW_SECS must be at least 1 (seconds an idempotencyKey is remembered; default 86400)".into(),
        ));
    }
    let impersonation_header = match args.http_impersonation_header.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            ConfigError(format!(
                "AUTOTASK_HTTP_IMPERSONATION_HEADER is `{name}`, which is not an HTTP header name: use letters, digits and dashes, e.g. X-Autotask-Resource-Id"
            ))
        })?),
    };
    if let Some(name) = &impersonation_header
        && matches!(
            name.as_str(),
            "authorization" | "host" | "origin" | "cookie" | "content-type" | "content-length"
        )
    {
        return Err(ConfigError(format!(
            "AUTOTASK_HTTP_IMPERSONATION_HEADER cannot be `{name}`: name a header of its own that your front end sets, e.g. X-Autotask-Resource-Id"
        )));
    }
    let entities = match args.write_entities.as_deref() {
        None => None,
        Some(list) => {
            let names = csv(list);
            if names.is_empty() {
                return Err(ConfigError(format!(
                    "AUTOTASK_WRITE_ENTITIES is set but names no entity (`{}`): unset it to let writes reach every entity, or list the entities writes may change, e.g. Tickets,TicketNotes,TimeEntries",
                    list.chars().take(40).collect::<String>()
                )));
            }
            Some(names)
        }
    };
    let approval = ApprovalMode::parse(args.write_approval.as_deref()).map_err(ConfigError)?;
    Ok(WritesConfig {
        entities,
        approval,
        audit_log: args
            .audit_log
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        idempotency_window: Duration::from_secs(args.idempotency_window_secs),
        impersonation_header,
    })
}

impl AutotaskConfig {
    /// A client configuration with the defaults of every tunable, for the given credentials
    /// and zone (used by the sandbox wiring and by tests).
    pub fn with_defaults(credentials: Credentials, api_url: Option<String>) -> Self {
        AutotaskConfig {
            credentials,
            api_url,
            zone_lookup_url: DEFAULT_ZONE_LOOKUP_URL.to_string(),
            impersonation_resource_id: None,
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retry_wait: Duration::from_secs(30),
            max_read_attempts: 3,
            retry_base_delay: DEFAULT_RETRY_BASE_DELAY,
            retry_max_delay: DEFAULT_RETRY_MAX_DELAY,
            threads_per_endpoint: 3,
            budget: DEFAULT_BUDGET_PERCENTS,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct TestCli {
        #[command(flatten)]
        args: ServeArgs,
    }

    fn parse(flags: &[&str]) -> ServeArgs {
        let mut argv = vec!["autotask-mcp"];
        argv.extend_from_slice(flags);
        TestCli::try_parse_from(argv)
            .expect("flags did not parse")
            .args
    }

    #[test]
    fn base_urls_are_normalised() {
        for input in [
            "https://webservices2.autotask.net/atservicesrest",
            "https://webservices2.autotask.net/atservicesrest/",
            "https://webservices2.autotask.net/atservicesrest/V1.0",
            "https://webservices2.autotask.net/atservicesrest/v1.0/",
        ] {
            assert_eq!(
                normalize_base_url(input).as_deref(),
                Ok("https://webservices2.autotask.net/atservicesrest/")
            );
        }
        assert!(normalize_base_url("webservices2").is_err());
    }

    #[test]
    fn missing_and_blank_credentials_name_the_variable() {
        let mut args = parse(&[]);
        args.username = Some("api@example.com".into());
        args.secret = Some("   ".into());
        args.integration_code = Some("CODE".into());
        let err = Config::from_args(args)
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(err.starts_with("AUTOTASK_SECRET is blank"), "{err}");
        let mut args = parse(&[]);
        args.username = Some("api@example.com".into());
        args.secret = Some("s3cret".into());
        let err = Config::from_args(args)
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(
            err.starts_with("AUTOTASK_INTEGRATION_CODE is not set"),
            "{err}"
        );
    }

    #[test]
    fn answer_sizes_come_from_flags_and_bad_ones_are_named() {
        let c = Config::from_args(parse(&[
            "--sandbox",
            "--max-records",
            "750",
            "--result-budget-bytes",
            "20000",
            "--names-ttl-secs",
            "0",
        ]))
        .expect("valid sizes refused");
        assert_eq!(
            c.results,
            ResultsConfig {
                max_records: 750,
                budget_bytes: 20_000,
                names_ttl: Duration::ZERO,
            }
        );
        let c = Config::from_args(parse(&["--sandbox"])).expect("defaults refused");
        assert_eq!(c.results, ResultsConfig::default());
        for (flags, variable) in [
            (["--max-records", "0"], "AUTOTASK_MAX_RECORDS is 0"),
            (
                ["--max-records", "100001"],
                "AUTOTASK_MAX_RECORDS is 100001",
            ),
            (
                ["--result-budget-bytes", "100"],
                "AUTOTASK_RESULT_BUDGET_BYTES is 100",
            ),
            (
                ["--result-budget-bytes", "99999999"],
                "AUTOTASK_RESULT_BUDGET_BYTES is 99999999",
            ),
        ] {
            let mut argv = vec!["--sandbox"];
            argv.extend(flags);
            match Config::from_args(parse(&argv)) {
                Ok(_) => panic!("{flags:?} must be refused"),
                Err(e) => assert!(e.0.starts_with(variable), "{}", e.0),
            }
        }
    }

    #[test]
    fn budget_percentages_must_warn_before_refusing() {
        let mut args = parse(&["--sandbox"]);
        args.budget_warn_percent = 95;
        let err = Config::from_args(args)
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(
            err.starts_with("AUTOTASK_BUDGET_WARN_PERCENT (95) is above"),
            "{err}"
        );
    }

    #[test]
    fn a_concurrency_of_zero_is_refused_by_name() {
        match Config::from_args(parse(&["--sandbox", "--http-max-concurrency", "0"])) {
            Ok(c) => panic!(
                "0 must be refused, got max_concurrency {}",
                c.http.max_concurrency
            ),
            Err(e) => assert!(e.0.starts_with("AUTOTASK_HTTP_MAX_CONCURRENCY is 0"), "{e}"),
        }
        let c = Config::from_args(parse(&["--sandbox", "--http-max-concurrency", "7"]))
            .expect("7 is a valid concurrency");
        assert_eq!(c.http.max_concurrency, 7);
    }

    #[test]
    fn sandbox_needs_no_credentials_and_http_needs_a_long_token() {
        let c = Config::from_args(parse(&["--sandbox"])).expect("--sandbox needs no credentials");
        assert!(c.sandbox);
        assert_eq!(c.autotask.credentials.values(), ["", "", ""]);
        let mut args = parse(&["--sandbox", "--transport", "http"]);
        args.http_token = Some("short".into());
        let err = Config::from_args(args)
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(err.contains("AUTOTASK_HTTP_TOKEN is too short"), "{err}");
    }

    #[test]
    fn write_settings_are_checked() {
        let mut args = parse(&[
            "--sandbox",
            "--write-entities",
            "Tickets, TicketNotes",
            "--http-impersonation-header",
            "X-Acting-Resource",
        ]);
        let config = Config::from_args(args.clone()).unwrap();
        assert_eq!(
            config.writes.entities,
            Some(vec!["Tickets".to_string(), "TicketNotes".to_string()])
        );
        assert_eq!(
            config
                .writes
                .impersonation_header
                .as_ref()
                .map(|h| h.as_str()),
            Some("x-acting-resource")
        );
        assert_eq!(
            config.writes.idempotency_window,
            Duration::from_secs(86_400)
        );
        args.http_impersonation_header = Some("Bad Header".into());
        let err = Config::from_args(args.clone())
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(
            err.starts_with("AUTOTASK_HTTP_IMPERSONATION_HEADER is `Bad Header`"),
            "{err}"
        );
        args.http_impersonation_header = Some("Authorization".into());
        let err = Config::from_args(args.clone())
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(err.contains("cannot be `authorization`"), "{err}");
        args.http_impersonation_header = None;
        args.idempotency_window_secs = 0;
        let err = Config::from_args(args)
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(
            err.starts_with("AUTOTASK_IDEMPOTENCY_WINDOW_SECS must be at least 1"),
            "{err}"
        );
    }

    #[test]
    fn signing_in_makes_the_token_optional_and_a_gateway_takes_no_credentials() {
        let mut args = parse(&[
            "--sandbox",
            "--transport",
            "http",
            "--oauth-issuer",
            "https://login.example.com/t/v2.0",
            "--oauth-audience",
            "https://mcp.example.com/mcp",
        ]);
        match Config::from_args(args.clone()) {
            Ok(c) => {
                assert!(c.http.token.is_none());
                assert_eq!(
                    c.http.oauth.map(|o| o.resource),
                    Some("https://mcp.example.com/mcp".to_string())
                );
            }
            Err(e) => panic!("signing in needs no static token: {e}"),
        }
        args.http_token = Some("short".into());
        let err = Config::from_args(args)
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(err.contains("AUTOTASK_HTTP_TOKEN is too short"), "{err}");
        let err = Config::from_args(parse(&["--sandbox", "--transport", "http"]))
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(err.starts_with("AUTOTASK_HTTP_TOKEN is not set"), "{err}");

        let mut gateway = parse(&["--transport", "http", "--gateway"]);
        gateway.http_token = Some("0123456789abcdef0123".into());
        match Config::from_args(gateway.clone()) {
            Ok(c) => {
                assert!(c.http.gateway.is_some());
                assert_eq!(c.autotask.credentials.values(), ["", "", ""]);
            }
            Err(e) => panic!("a gateway needs no credentials of its own: {e}"),
        }
        gateway.username = Some("api@example.com".into());
        let err = Config::from_args(gateway)
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(
            err.starts_with("AUTOTASK_USERNAME is set, but AUTOTASK_GATEWAY=true"),
            "{err}"
        );
    }

    #[test]
    fn debug_output_hides_credentials() {
        let mut args = parse(&["--transport", "http"]);
        args.username = Some("api-user@example.com".into());
        args.secret = Some("TOPSECRETVALUE".into());
        args.integration_code = Some("INTEGRATIONCODE123".into());
        args.http_token = Some("bearer-token-0123456789".into());
        let args_debug = format!("{args:?}");
        let config = Config::from_args(args)
            .map(|c| format!("{c:?}"))
            .unwrap_or_default();
        assert!(config.contains("Config") && args_debug.contains("ServeArgs"));
        for secret in [
            "api-user@example.com",
            "TOPSECRETVALUE",
            "INTEGRATIONCODE123",
            "bearer-token-0123456789",
        ] {
            assert!(!config.contains(secret), "{secret} leaked in {config}");
            assert!(
                !args_debug.contains(secret),
                "{secret} leaked in {args_debug}"
            );
        }
    }
}
