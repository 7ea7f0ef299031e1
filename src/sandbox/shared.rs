//! How a sandbox behaves (`SandboxOptions`), its API user's credentials
//! (`SandboxCredentials`) and the state every request of one sandbox
//! shares: options, the API user, addresses, the data
//! store, fault rules, statistics and the throttle. Its own module so the request pipeline and
//! the handlers depend on it without depending on `mod` (which depends on them).

use chrono::{DateTime, Utc};

use super::auth::ApiUser;
use super::faults::Faults;
use super::seed;
use super::stats::Stats;
use super::store::Store;
use super::throttle::Throttle;

/// State shared by the request handlers.
pub(crate) struct Shared {
    pub(super) options: SandboxOptions,
    pub(super) user: ApiUser,
    /// `http://127.0.0.1:PORT`
    pub(super) origin: String,
    /// `http://127.0.0.1:PORT/ATServicesRest/`
    pub(super) base_url: String,
    pub(super) store: Store,
    pub(super) faults: Faults,
    pub(super) stats: Stats,
    pub(super) throttle: Throttle,
}

impl Shared {
    /// The API user's credentials.
    pub(super) fn credentials(&self) -> SandboxCredentials {
        SandboxCredentials {
            username: self.user.username.clone(),
            secret: self.user.secret.clone(),
            integration_code: self.user.integration_code.clone(),
        }
    }

    /// Seeds the demo tenant of `options.seed`; `origin` is `http://127.0.0.1:PORT`.
    pub(super) fn new(options: SandboxOptions, origin: String) -> Shared {
        let anchor = options.anchor.unwrap_or_else(seed::anchor);
        let mut seeded = seed::cached(options.seed, anchor);
        let user = match &options.credentials {
            Some(c) => ApiUser {
                username: c.username.clone(),
                secret: c.secret.clone(),
                integration_code: c.integration_code.clone(),
            },
            None => ApiUser::random(),
        };
        // The API user's resource carries its user name, as in Autotask (who-am-i finds it).
        if let Some(mut me) = seeded
            .data
            .get("Resources", seed::API_USER_RESOURCE_ID)
            .cloned()
        {
            me.insert("userName".into(), serde_json::json!(user.username));
            seeded.data.put("Resources", me);
        }
        Shared {
            user,
            base_url: format!("{origin}/ATServicesRest/"),
            origin,
            store: Store::new(seeded.data),
            faults: Faults::default(),
            stats: Stats::default(),
            throttle: Throttle::new(options.hourly_threshold),
            options,
        }
    }
}

/// How a sandbox behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxOptions {
    /// Seed of the demo tenant. The API user's credentials are random per sandbox, whatever
    /// the seed.
    pub seed: u64,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Add Autotask's latency tiers (+0.5 s from 50 % of the threshold, +1 s from 75 %).
    pub latency_tiers: bool,
    /// Requests per rolling hour before 429.
    pub hourly_threshold: u64,
    /// Concurrent requests per (integration code, entity endpoint).
    pub thread_limit: usize,
    /// HTTP status of a thread-limit rejection (`Itgenatr005`).
    pub thread_limit_status: u16,
    /// `Retry-After` seconds on 429 and thread-limit answers; `None` sends none.
    pub retry_after_secs: Option<u64>,
    /// The API user's credentials; `None` (the default) draws random ones. Tests that play
    /// one tenant on two sandboxes (a zone move) give the second the first one's.
    pub credentials: Option<SandboxCredentials>,
    /// Entities (collection names, any case) the API user's security level cannot reach: every
    /// data route of theirs (query, count, get, list, writes, at the root and under a parent)
    /// answers `permission_denied_status` with Autotask's permission error, and their
    /// `entityInformation` shows `userAccessFor*` 0 (None). Their field metadata still answers.
    /// `SandboxOptions::restricted_security_level()` refuses `ResourceRoles`.
    pub refused_entities: Vec<String>,
    /// HTTP status of a refusal: 403 (the contract's status for a security-level denial, the
    /// default) or 500 (what some permission cases answered as of 2021, per API-FACTS §2).
    pub permission_denied_status: u16,
    /// The instant the demo tenant's data is relative to (`seed::anchor()` when `None`): a
    /// demo re-anchored at the clock has "today" in it; tests keep the fixed default.
    pub anchor: Option<DateTime<Utc>>,
}

/// The error message of a refused request (API-FACTS §5.1).
pub const PERMISSION_DENIED: &str = "The logged in Resource does not have the adequate permissions";

/// The entities a restricted security level cannot read (`--restricted-security-level`): the
/// resources' roles, which some API users' security levels do not grant.
pub const RESTRICTED_SECURITY_LEVEL: &[&str] = &["ResourceRoles"];

impl SandboxOptions {
    /// The defaults, for an API user whose security level cannot read `ResourceRoles`.
    pub fn restricted_security_level() -> SandboxOptions {
        SandboxOptions {
            refused_entities: RESTRICTED_SECURITY_LEVEL
                .iter()
                .map(|e| (*e).to_string())
                .collect(),
            ..SandboxOptions::default()
        }
    }

    /// Whether the API user may not reach `entity` (collection name).
    pub fn refuses(&self, entity: &str) -> bool {
        self.refused_entities
            .iter()
            .any(|e| e.eq_ignore_ascii_case(entity))
    }

    /// Checks the options: every refused entity must be one the registry knows, and the
    /// refusal status 403 or 500.
    pub fn check(&self) -> Result<(), String> {
        for name in &self.refused_entities {
            if crate::registry::find(name).is_none() {
                return Err(format!(
                    "refused entity `{}` is not an Autotask entity: use collection names such as ResourceRoles",
                    name.chars().take(60).collect::<String>()
                ));
            }
        }
        if !matches!(self.permission_denied_status, 403 | 500) {
            return Err(format!(
                "permission-denied status {} is not one Autotask answers: use 403 or 500",
                self.permission_denied_status
            ));
        }
        Ok(())
    }
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            seed: 42,
            port: 0,
            latency_tiers: false,
            hourly_threshold: 10_000,
            thread_limit: 3,
            thread_limit_status: 429,
            retry_after_secs: None,
            credentials: None,
            refused_entities: Vec::new(),
            permission_denied_status: 403,
            anchor: None,
        }
    }
}

/// The sandbox's API user. Not secret-grade, but still never logged; `Debug` redacts.
#[derive(Clone, PartialEq, Eq)]
pub struct SandboxCredentials {
    pub username: String,
    pub secret: String,
    pub integration_code: String,
}

impl std::fmt::Debug for SandboxCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SandboxCredentials { .. }")
    }
}
