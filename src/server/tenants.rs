//! One Autotask tenant's state, and gateway mode's bounded pool of them.
//!
//! A [`Tenant`] is everything that must never be shared between tenants: the tools' `Context`
//! (its Autotask client with the zone, the thread limit and the budget governor; picklists;
//! names; idempotency keys), the completions cache, and the signed-in people's resources.
//! Without gateway mode the server has one. In gateway mode each request names its tenant by
//! its credentials ([`TenantCredentials`], taken from the request's headers by the transport):
//! the pool keys tenants by the SHA-256 of all of them (zone URL included), so a request with
//! another secret never reaches a tenant built with the right one. At most
//! `AUTOTASK_GATEWAY_MAX_TENANTS` are held (the least recently used goes first) and one
//! without requests for `AUTOTASK_GATEWAY_TENANT_IDLE_SECS` is dropped with its credentials.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::technicians::Technicians;
use crate::autotask::AutotaskClient;
use crate::completions::Completer;
use crate::config::{AutotaskConfig, Credentials, GatewayConfig};
use crate::tools::{Context, Settings};

/// A tenant's credentials as one request brought them (gateway mode). Debug never shows
/// them; they are dropped (and zeroed) with the request.
#[derive(Clone)]
pub struct TenantCredentials {
    username: SecretString,
    secret: SecretString,
    integration_code: SecretString,
    /// The zone base the request named (already checked against the allow-list).
    api_url: Option<String>,
}

impl std::fmt::Debug for TenantCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantCredentials")
            .field("fingerprint", &self.fingerprint())
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

impl TenantCredentials {
    pub fn new(
        username: &str,
        secret: &str,
        integration_code: &str,
        api_url: Option<String>,
    ) -> Self {
        TenantCredentials {
            username: SecretString::from(username.to_string()),
            secret: SecretString::from(secret.to_string()),
            integration_code: SecretString::from(integration_code.to_string()),
            api_url,
        }
    }

    /// The SHA-256 of every part, each length-prefixed (no two sets share it).
    fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"autotask-mcp tenant v1");
        for part in [
            self.username.expose_secret(),
            self.secret.expose_secret(),
            self.integration_code.expose_secret(),
            self.api_url.as_deref().unwrap_or(""),
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().into()
    }

    /// `sha256:` and 16 hex digits of the digest: what logs and metrics name the tenant by.
    pub fn fingerprint(&self) -> String {
        let hex: String = self
            .digest()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("sha256:{hex}")
    }
}

/// Tool calls of one tenant, for its metrics.
#[derive(Debug, Default)]
struct Counters {
    ok: AtomicU64,
    errors: AtomicU64,
    autotask_requests: AtomicU64,
}

/// One tenant's state (see the module documentation). Cheap to share.
pub struct Tenant {
    pub tools: Context,
    pub completer: Completer,
    pub technicians: Technicians,
    /// Gateway mode: the fingerprint of its credentials.
    pub fingerprint: Option<String>,
    counters: Counters,
}

impl std::fmt::Debug for Tenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tenant")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl Tenant {
    pub fn new(client: AutotaskClient, settings: Settings, technician_ttl: Duration) -> Tenant {
        Tenant {
            tools: Context::new(client, settings),
            completer: Completer::default(),
            technicians: Technicians::new(technician_ttl),
            fingerprint: None,
            counters: Counters::default(),
        }
    }

    /// The Autotask client of this tenant.
    pub fn client(&self) -> &AutotaskClient {
        self.tools.client()
    }

    /// Counts one finished tool call and the Autotask requests it cost.
    pub fn record_call(&self, ok: bool, autotask_requests: u64) {
        let counter = if ok {
            &self.counters.ok
        } else {
            &self.counters.errors
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.counters
            .autotask_requests
            .fetch_add(autotask_requests, Ordering::Relaxed);
    }
}

/// Gateway mode's tenants.
pub struct TenantPool {
    cache: moka::future::Cache<[u8; 32], Arc<Tenant>>,
    /// Every setting of a tenant's client but its credentials and zone.
    template: AutotaskConfig,
    settings: Settings,
    technician_ttl: Duration,
    evictions: Arc<AtomicU64>,
}

impl std::fmt::Debug for TenantPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantPool")
            .field("tenants", &self.cache.entry_count())
            .finish_non_exhaustive()
    }
}

impl TenantPool {
    /// A pool for `config`; `template` gives every client setting but the credentials and the
    /// zone, `settings` the tools' settings of every tenant.
    pub fn new(
        config: &GatewayConfig,
        template: AutotaskConfig,
        settings: Settings,
        technician_ttl: Duration,
    ) -> TenantPool {
        let evictions = Arc::new(AtomicU64::new(0));
        let counted = evictions.clone();
        let cache = moka::future::Cache::builder()
            .max_capacity(config.max_tenants)
            .time_to_idle(config.tenant_idle)
            .eviction_policy(moka::policy::EvictionPolicy::lru())
            .eviction_listener(move |_key, tenant: Arc<Tenant>, cause| {
                counted.fetch_add(1, Ordering::Relaxed);
                tracing::info!(
                    tenant = tenant.fingerprint.as_deref().unwrap_or(""),
                    cause = ?cause,
                    "gateway: dropped a tenant and its credentials"
                );
            })
            .build();
        TenantPool {
            cache,
            template,
            settings,
            technician_ttl,
            evictions,
        }
    }

    /// The tenant of `credentials`, built on first use.
    pub async fn tenant(&self, credentials: &TenantCredentials) -> Result<Arc<Tenant>, String> {
        let built = self
            .cache
            .try_get_with(credentials.digest(), async {
                let config = AutotaskConfig {
                    credentials: Credentials {
                        username: credentials.username.clone(),
                        secret: credentials.secret.clone(),
                        integration_code: credentials.integration_code.clone(),
                    },
                    api_url: credentials.api_url.clone(),
                    ..self.template.clone()
                };
                let client = AutotaskClient::new(config).map_err(|e| e.to_string())?;
                let mut tenant = Tenant::new(client, self.settings.clone(), self.technician_ttl);
                tenant.fingerprint = Some(credentials.fingerprint());
                tracing::info!(
                    tenant = tenant.fingerprint.as_deref().unwrap_or(""),
                    "gateway: serving a new tenant"
                );
                Ok::<_, String>(Arc::new(tenant))
            })
            .await;
        built.map_err(|e| e.as_ref().clone())
    }

    /// Tenants held now (after pending evictions).
    pub async fn tenants_held(&self) -> u64 {
        self.cache.run_pending_tasks().await;
        self.cache.entry_count()
    }

    /// The per-tenant metrics in the Prometheus text format: the tenants held now (so the
    /// series stay as bounded as the pool), their tool calls, Autotask requests and budget.
    pub fn render_metrics(&self) -> String {
        type Labels = [(&'static str, String); 1];
        type Labels2 = [(&'static str, String); 2];
        let mut registry = Registry::with_prefix("autotask_mcp_gateway");
        let held = Gauge::<i64>::default();
        registry.register("tenants", "Tenants held now", held.clone());
        let evictions = Counter::<u64>::default();
        registry.register(
            "tenant_evictions",
            "Tenants dropped (least recently used, idle, or replaced)",
            evictions.clone(),
        );
        let calls = Family::<Labels2, Counter>::default();
        registry.register(
            "tenant_tool_calls",
            "Tool calls by tenant fingerprint and outcome (ok, error)",
            calls.clone(),
        );
        let requests = Family::<Labels, Counter>::default();
        registry.register(
            "tenant_autotask_requests",
            "Autotask requests by tenant fingerprint",
            requests.clone(),
        );
        let used = Family::<Labels, Gauge>::default();
        registry.register(
            "tenant_budget_used_requests",
            "Requests the tenant used this hour (last known) by tenant fingerprint",
            used.clone(),
        );
        let limit = Family::<Labels, Gauge>::default();
        registry.register(
            "tenant_budget_limit_requests",
            "The tenant's hourly threshold (last known) by tenant fingerprint",
            limit.clone(),
        );
        evictions.inc_by(self.evictions.load(Ordering::Relaxed));
        let mut count = 0;
        for (_, tenant) in self.cache.iter() {
            count += 1;
            let id = tenant.fingerprint.clone().unwrap_or_default();
            let c = &tenant.counters;
            calls
                .get_or_create(&[("tenant", id.clone()), ("outcome", "ok".into())])
                .inc_by(c.ok.load(Ordering::Relaxed));
            calls
                .get_or_create(&[("tenant", id.clone()), ("outcome", "error".into())])
                .inc_by(c.errors.load(Ordering::Relaxed));
            requests
                .get_or_create(&[("tenant", id.clone())])
                .inc_by(c.autotask_requests.load(Ordering::Relaxed));
            if let Some(usage) = tenant.client().budget_state().usage {
                used.get_or_create(&[("tenant", id.clone())])
                    .set(i64::try_from(usage.used).unwrap_or(i64::MAX));
                limit
                    .get_or_create(&[("tenant", id)])
                    .set(i64::try_from(usage.limit).unwrap_or(i64::MAX));
            }
        }
        held.set(count);
        let mut out = String::new();
        if prometheus_text::encode(&mut out, &registry).is_err() {
            out.push_str("# encoding error\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_cover_every_part_and_hide_them() {
        let a = TenantCredentials::new("api@a.example", "s3cretA", "CODE", None);
        let same = TenantCredentials::new("api@a.example", "s3cretA", "CODE", None);
        assert_eq!(a.fingerprint(), same.fingerprint());
        for other in [
            TenantCredentials::new("api@a.example", "s3cretB", "CODE", None),
            TenantCredentials::new("api@a.example", "s3cretA", "CODE2", None),
            TenantCredentials::new(
                "api@a.example",
                "s3cretA",
                "CODE",
                Some("http://127.0.0.1:1/ATServicesRest/".into()),
            ),
            // Length prefixes: moving a character between parts changes the digest.
            TenantCredentials::new("api@a.examples", "3cretA", "CODE", None),
        ] {
            assert_ne!(a.digest(), other.digest());
        }
        let shown = format!("{a:?}");
        assert!(
            !shown.contains("s3cretA")
                && !shown.contains("api@a.example")
                && !shown.contains("CODE")
        );
        assert!(shown.contains(&a.fingerprint()));
    }

    #[tokio::test]
    async fn the_pool_is_bounded_and_keys_by_all_credentials() {
        let config = GatewayConfig {
            allowed_api_urls: vec![],
            max_tenants: 2,
            tenant_idle: Duration::from_secs(600),
        };
        let template = AutotaskConfig::with_defaults(Credentials::new("", "", ""), None);
        let pool = TenantPool::new(
            &config,
            template,
            Settings::new(vec![5], false),
            Duration::from_secs(60),
        );
        let url = Some("http://127.0.0.1:9/ATServicesRest/".to_string());
        let a = TenantCredentials::new("a", "s", "c", url.clone());
        let a_wrong_secret = TenantCredentials::new("a", "x", "c", url.clone());
        let first = pool.tenant(&a).await.unwrap_or_else(|e| panic!("{e}"));
        let again = pool.tenant(&a).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(Arc::ptr_eq(&first, &again));
        let other = pool
            .tenant(&a_wrong_secret)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !Arc::ptr_eq(&first, &other),
            "another secret is another tenant"
        );
        for i in 0..5 {
            let t = TenantCredentials::new(&format!("u{i}"), "s", "c", url.clone());
            assert!(pool.tenant(&t).await.is_ok());
        }
        assert!(pool.tenants_held().await <= 2);
        assert!(
            pool.render_metrics()
                .contains("autotask_mcp_gateway_tenant_evictions_total")
        );
        let bad = TenantCredentials::new("a\nb", "s", "c", url);
        assert!(
            pool.tenant(&bad)
                .await
                .is_err_and(|e| e.contains("AUTOTASK_USERNAME"))
        );
    }
}
