//! What a tool call may use: the Autotask client, the tenant's picklist cache, the names
//! cache, the settings that shape answers and writes (sizes, allow-list, audit log,
//! impersonation header), and the remembered idempotency keys. The server builds one
//! `Context` per process and hands it to every call; tools never reach into the server or the
//! transport.

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;

use super::audit::AuditLog;
use super::idempotency::Keys;
use super::names::{self, NameCache};
use super::policy::WritePolicy;
use crate::autotask::AutotaskClient;
use crate::config::{Config, Credentials};
use crate::picklists::{DEFAULT_TTL, PicklistCache};

/// Default cap on `maxRecords` (rows one call may page through).
pub const DEFAULT_MAX_RECORDS_CAP: usize = crate::config::DEFAULT_MAX_RECORDS;
/// Default size budget of one result, in bytes of JSON: well under what common clients accept
/// (Claude Code refuses a tool result above 25,000 tokens).
pub const DEFAULT_RESULT_MAX_BYTES: usize = crate::config::DEFAULT_RESULT_BUDGET_BYTES;
/// How long an idempotency key is remembered unless configured.
pub const DEFAULT_IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// Settings of the tools, from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Ticket status codes that count as closed (`openOnly`).
    pub closed_status_ids: Arc<[i64]>,
    /// True when write tools are not offered.
    pub read_only: bool,
    /// Most rows one call may page through.
    pub max_records_cap: usize,
    /// Most bytes of JSON one result carries.
    pub result_max_bytes: usize,
    /// How long names of referenced records are reused.
    pub names_ttl: Duration,
    /// The entities writes may touch.
    pub policy: WritePolicy,
    /// Where write attempts are logged.
    pub audit: AuditLog,
    /// How long a create's idempotency key is remembered.
    pub idempotency_window: Duration,
    /// The HTTP header a trusted front end sets to the resource a call's writes act as.
    pub impersonation_header: Option<http::HeaderName>,
    /// `AUTOTASK_IMPERSONATION_RESOURCE_ID`: the resource every write acts as otherwise.
    pub static_acting_as: Option<i64>,
}

impl Settings {
    /// Settings with every entity writable, no audit log and no impersonation header.
    pub fn new(closed_status_ids: Vec<i64>, read_only: bool) -> Settings {
        Settings {
            closed_status_ids: closed_status_ids.into(),
            read_only,
            max_records_cap: DEFAULT_MAX_RECORDS_CAP,
            result_max_bytes: DEFAULT_RESULT_MAX_BYTES,
            names_ttl: names::DEFAULT_TTL,
            policy: WritePolicy::all(),
            audit: AuditLog::off(),
            idempotency_window: DEFAULT_IDEMPOTENCY_WINDOW,
            impersonation_header: None,
            static_acting_as: None,
        }
    }

    /// The settings of `config`, for a client using `credentials`: the allow-list checked
    /// against the registry and the audit log opened (the errors name the variable).
    pub fn from_config(config: &Config, credentials: &Credentials) -> Result<Settings, String> {
        let mut secrets: Vec<String> = credentials.values().iter().map(|s| s.to_string()).collect();
        if let Some(token) = &config.http.token {
            secrets.push(token.expose_secret().to_string());
        }
        Ok(Settings {
            policy: WritePolicy::only(&config.writes.entities)?,
            audit: AuditLog::open(config.writes.audit_log.as_deref(), secrets)?,
            idempotency_window: config.writes.idempotency_window,
            impersonation_header: config.writes.impersonation_header.clone(),
            static_acting_as: config.autotask.impersonation_resource_id,
            max_records_cap: config.results.max_records,
            result_max_bytes: config.results.budget_bytes,
            names_ttl: config.results.names_ttl,
            ..Settings::new(config.closed_status_ids.clone(), config.read_only)
        })
    }
}

/// Everything a tool call needs. Cheap to clone (all shared).
#[derive(Clone)]
pub struct Context {
    pub client: AutotaskClient,
    pub picklists: PicklistCache,
    pub names: NameCache,
    pub settings: Settings,
    /// The idempotency keys of recent creates.
    pub keys: Keys,
}

impl Context {
    pub fn new(client: AutotaskClient, settings: Settings) -> Context {
        Context {
            picklists: PicklistCache::new(client.clone(), DEFAULT_TTL),
            names: NameCache::new(client.clone(), settings.names_ttl),
            keys: Keys::new(settings.idempotency_window),
            client,
            settings,
        }
    }
}
