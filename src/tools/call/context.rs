//! What a tool call may use, built once per process from the [`Settings`]: the tenant (the
//! Autotask client with its picklist and name caches), the limits that shape answers, and what
//! writes need (allow-list, audit log, remembered idempotency keys). Each layer below takes
//! only its own handle ([`Tenant`], [`Limits`], [`WriteDeps`]); tools never reach into the
//! server or the transport.

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;

use crate::approval::{ApprovalMode, Approvals};
use crate::audit::AuditLog;
use crate::autotask::AutotaskClient;
use crate::config::{Config, Credentials};
use crate::tools::present::Limits;
use crate::tools::tenant::Tenant;
use crate::tools::tenant::names;
use crate::tools::write::idempotency::Keys;
use crate::tools::write::policy::WritePolicy;
use crate::tools::write::{WriteDeps, Writes};

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
    /// How writes are approved (`AUTOTASK_WRITE_APPROVAL`).
    pub approval: ApprovalMode,
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
            approval: ApprovalMode::Token,
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
            policy: match &config.writes.entities {
                None => WritePolicy::all(),
                Some(names) => WritePolicy::only(names)?,
            },
            audit: AuditLog::open(config.writes.audit_log.as_deref(), secrets)
                .map_err(|e| e.to_string())?,
            approval: config.writes.approval,
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
    /// The Autotask client and what it knows of the tenant.
    pub tenant: Tenant,
    /// How much one answer may read and carry.
    pub limits: Limits,
    /// What the write pipeline needs.
    pub writes: Writes,
    pub settings: Settings,
}

impl Context {
    pub fn new(client: AutotaskClient, settings: Settings) -> Context {
        Context {
            tenant: Tenant::new(client, settings.names_ttl),
            limits: Limits {
                max_records_cap: settings.max_records_cap,
                result_max_bytes: settings.result_max_bytes,
            },
            writes: Writes {
                policy: settings.policy.clone(),
                audit: settings.audit.clone(),
                approval: settings.approval,
                approvals: Approvals::default(),
                keys: Keys::new(settings.idempotency_window),
                static_acting_as: settings.static_acting_as,
            },
            settings,
        }
    }

    /// The Autotask client.
    pub fn client(&self) -> &AutotaskClient {
        &self.tenant.client
    }

    /// What the write pipeline takes.
    pub fn write_deps(&self) -> WriteDeps<'_> {
        WriteDeps {
            tenant: &self.tenant,
            limits: &self.limits,
            writes: &self.writes,
        }
    }
}
