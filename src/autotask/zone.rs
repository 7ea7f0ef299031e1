//! The tenant's zone: `GET …/V1.0/zoneInformation?user=` once, cached for the life of the
//! client (or pinned by `AUTOTASK_API_URL`), and looked up again when a zone-relative call
//! gets a 401 (tenants move between zones). Concurrent callers share one lookup.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moka::ops::compute::Op;
use serde::Deserialize;
use serde_json::Value;

use super::error::AutotaskError;

/// The cached zone base (ending in `/ATServicesRest/`).
///
/// A single value, so the cache crate's smallest shape: one key (`()`) in a cache of one
/// entry with no time-to-live (a zone is kept until a 401 says it moved). Every lookup runs
/// under that key's compute lock, which makes loads single-flight: a caller that waited finds
/// the zone the lookup before it stored and does not ask again. A failed lookup stores
/// nothing, and the next caller tries its own.
pub struct ZoneCache {
    /// The zone `AUTOTASK_API_URL` pins, never looked up.
    pinned: Option<String>,
    current: moka::future::Cache<(), String>,
    lookups: AtomicU64,
    /// When a re-lookup after a 401 found the same zone (the 401 was about the credentials,
    /// not a move), that zone for [`RELOOKUP_QUIET`]: further 401s on it skip the re-lookup.
    confirmed: moka::future::Cache<(), String>,
}

impl std::fmt::Debug for ZoneCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZoneCache")
            .field("pinned", &self.pinned)
            .field("lookups", &self.lookups())
            .finish_non_exhaustive()
    }
}

/// After a re-lookup confirmed the zone, 401s on it are not looked up again for this long.
pub const RELOOKUP_QUIET: Duration = Duration::from_secs(60);

#[derive(Deserialize)]
struct ZoneInformation {
    url: String,
}

/// What a re-lookup decided, under the zone's lock.
enum Relookup {
    /// Another caller already replaced the stale zone: retry on this one.
    Replaced(String),
    /// The stale zone was confirmed moments ago: do not retry.
    Quiet,
    /// Looked up now.
    Looked(Result<String, AutotaskError>),
}

impl ZoneCache {
    /// A cache, pinned to `api_url` when given (then never looked up).
    pub fn new(api_url: Option<String>) -> ZoneCache {
        ZoneCache {
            pinned: api_url,
            current: moka::future::Cache::new(1),
            lookups: AtomicU64::new(0),
            confirmed: moka::future::Cache::builder()
                .max_capacity(1)
                .time_to_live(RELOOKUP_QUIET)
                .build(),
        }
    }

    /// True when `AUTOTASK_API_URL` pins the zone.
    pub fn is_pinned(&self) -> bool {
        self.pinned.is_some()
    }

    /// How many lookups this cache has made.
    pub fn lookups(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }

    /// The zone base, looking it up with `lookup` the first time.
    pub async fn base<F, Fut>(&self, lookup: F) -> Result<String, AutotaskError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<String, AutotaskError>>,
    {
        if let Some(zone) = &self.pinned {
            return Ok(zone.clone());
        }
        if let Some(zone) = self.current.get(&()).await {
            return Ok(zone);
        }
        // Boxed here and in `relookup`: every request awaits the zone, and the cache's future
        // types nested in every request's future overflowed the compiler's query depth.
        let stored = Box::pin(
            self.current
                .entry(())
                .and_try_compute_with(|current| async move {
                    Ok::<_, AutotaskError>(match current {
                        Some(_) => Op::Nop,
                        None => Op::Put(self.run(lookup).await?),
                    })
                }),
        )
        .await?;
        stored
            .into_entry()
            .map(|entry| entry.into_value())
            .ok_or_else(|| AutotaskError::InvalidResponse {
                reason: "the zone lookup stored no zone".into(),
            })
    }

    /// Looks the zone up again because `stale` answered 401, and returns the zone to retry
    /// on. If another caller already replaced `stale`, its result is used and no new lookup
    /// is made. `None` (do not retry) for a pinned zone, and for a zone a re-lookup confirmed
    /// less than [`RELOOKUP_QUIET`] ago (wrong credentials must not cost three requests a call).
    pub async fn relookup<F, Fut>(
        &self,
        stale: &str,
        lookup: F,
    ) -> Option<Result<String, AutotaskError>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<String, AutotaskError>>,
    {
        if self.pinned.is_some() {
            return None;
        }
        let mut decided = Relookup::Quiet;
        let decision = &mut decided;
        Box::pin(
            self.current
                .entry(())
                .and_compute_with(|current| async move {
                    if let Some(zone) = current.map(|c| c.into_value())
                        && zone != stale
                    {
                        *decision = Relookup::Replaced(zone);
                        return Op::Nop;
                    }
                    if self.confirmed.get(&()).await.as_deref() == Some(stale) {
                        return Op::Nop;
                    }
                    let result = self.run(lookup).await;
                    match &result {
                        Ok(zone) if zone == stale => {
                            self.confirmed.insert((), zone.clone()).await;
                        }
                        _ => self.confirmed.invalidate(&()).await,
                    }
                    let op = match &result {
                        Ok(zone) => Op::Put(zone.clone()),
                        Err(_) => Op::Nop,
                    };
                    *decision = Relookup::Looked(result);
                    op
                }),
        )
        .await;
        match decided {
            Relookup::Replaced(zone) => Some(Ok(zone)),
            Relookup::Quiet => None,
            Relookup::Looked(result) => Some(result),
        }
    }

    async fn run<F, Fut>(&self, lookup: F) -> Result<String, AutotaskError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<String, AutotaskError>>,
    {
        self.lookups.fetch_add(1, Ordering::Relaxed);
        lookup().await
    }
}

/// Domains of Autotask's zone hosts.
const AUTOTASK_DOMAINS: [&str; 4] = [
    ".autotask.net",
    ".autotask.com",
    ".autotask.com.au",
    ".autotask.co.uk",
];

/// The zone base from a `zoneInformation` answer (asked at `lookup_url`), normalised to end in
/// `/ATServicesRest/`. The credentials will go there, so a zone that downgrades an https lookup
/// to http, or that leaves Autotask's domains when the lookup was in them, is refused.
pub fn parse_zone_information(body: &Value, lookup_url: &str) -> Result<String, AutotaskError> {
    let info: ZoneInformation =
        serde_json::from_value(body.clone()).map_err(|e| AutotaskError::InvalidResponse {
            reason: format!("zoneInformation has no url ({e})"),
        })?;
    let base = crate::config::normalize_base_url(&info.url).map_err(|reason| {
        AutotaskError::InvalidResponse {
            reason: format!("zoneInformation url: {reason}"),
        }
    })?;
    let parsed = url::Url::parse(&base).map_err(|e| AutotaskError::InvalidResponse {
        reason: format!("zoneInformation url: {e}"),
    })?;
    let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
    if host.is_empty() {
        return Err(AutotaskError::InvalidResponse {
            reason: "zoneInformation url has no host".into(),
        });
    }
    let lookup = url::Url::parse(lookup_url).ok();
    let lookup_https = lookup.as_ref().is_some_and(|u| u.scheme() == "https");
    let in_autotask = |h: &str| AUTOTASK_DOMAINS.iter().any(|d| h.ends_with(d));
    let lookup_in_autotask = lookup
        .as_ref()
        .and_then(|u| u.host_str())
        .is_some_and(|h| in_autotask(&h.to_ascii_lowercase()));
    if (lookup_https && parsed.scheme() != "https") || (lookup_in_autotask && !in_autotask(&host)) {
        return Err(AutotaskError::Refused {
            reason: format!(
                "zone detection answered {}, which is not an Autotask https host; credentials are not sent there (pin the zone with AUTOTASK_API_URL)",
                parsed.origin().ascii_serialization()
            ),
        });
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::atomic::AtomicUsize;

    const LOOKUP: &str = "https://webservices.autotask.net/ATServicesRest/";

    #[test]
    fn parses_and_normalises_the_zone_url() {
        let zone = parse_zone_information(
            &json!({
                "zoneName": "America West", "url": "https://webservices5.autotask.net/atservicesrest", "ci": 5
            }),
            LOOKUP,
        );
        assert_eq!(
            zone.as_deref(),
            Ok("https://webservices5.autotask.net/atservicesrest/")
        );
        assert!(parse_zone_information(&json!({"zoneName": "x"}), LOOKUP).is_err());
        assert!(parse_zone_information(&json!({"url": "not a url"}), LOOKUP).is_err());
    }

    #[test]
    fn a_zone_off_autotask_or_downgraded_to_http_is_refused() {
        for url in [
            "http://webservices5.autotask.net/ATServicesRest/",
            "https://evil.example.com/ATServicesRest/",
            "https://webservices5.autotask.net.evil.com/ATServicesRest/",
        ] {
            let err = parse_zone_information(&json!({ "url": url }), LOOKUP).unwrap_err();
            assert!(matches!(err, AutotaskError::Refused { .. }), "{url}: {err}");
        }
        // A stand-in lookup (the sandbox, a test server) may name any host it serves.
        let local = "http://127.0.0.1:8080/ATServicesRest/";
        assert_eq!(
            parse_zone_information(&json!({ "url": local }), local).as_deref(),
            Ok(local)
        );
    }

    /// A lookup that waits once before answering, so every caller joined with it misses the
    /// zone before it is stored (`join_all` polls each caller once before any completes).
    async fn counted_lookup(calls: &AtomicUsize, zone: &str) -> Result<String, AutotaskError> {
        calls.fetch_add(1, Ordering::SeqCst);
        tokio::task::yield_now().await;
        Ok(zone.to_string())
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_lookup() {
        let cache = ZoneCache::new(None);
        let calls = AtomicUsize::new(0);
        let zones = futures::future::join_all(
            (0..10).map(|_| cache.base(|| counted_lookup(&calls, "https://z1/ATServicesRest/"))),
        )
        .await;
        for zone in zones {
            assert_eq!(zone.unwrap(), "https://z1/ATServicesRest/");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(cache.lookups(), 1);
    }

    #[tokio::test]
    async fn concurrent_relookups_of_one_stale_zone_share_one_lookup() {
        let cache = ZoneCache::new(None);
        let stale = cache
            .base(|| async { Ok("https://z1/ATServicesRest/".to_string()) })
            .await
            .unwrap();
        let calls = AtomicUsize::new(0);
        let zones = futures::future::join_all((0..5).map(|_| {
            cache.relookup(&stale, || {
                counted_lookup(&calls, "https://z2/ATServicesRest/")
            })
        }))
        .await;
        for zone in zones {
            assert_eq!(zone.unwrap().unwrap(), "https://z2/ATServicesRest/");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(cache.lookups(), 2);
    }

    #[tokio::test]
    async fn a_failed_lookup_is_not_kept() {
        let cache = ZoneCache::new(None);
        let failed = cache
            .base(|| async {
                Err(AutotaskError::Transport {
                    reason: "down".into(),
                })
            })
            .await;
        assert!(failed.is_err());
        let zone = cache
            .base(|| async { Ok("https://z1/ATServicesRest/".to_string()) })
            .await;
        assert_eq!(zone.unwrap(), "https://z1/ATServicesRest/");
        assert_eq!(cache.lookups(), 2);
    }

    #[tokio::test]
    async fn relookup_replaces_a_stale_zone_once() {
        let cache = ZoneCache::new(None);
        let z1 = cache
            .base(|| async { Ok("https://z1/ATServicesRest/".to_string()) })
            .await
            .unwrap();
        let z2 = cache
            .relookup(&z1, || async {
                Ok("https://z2/ATServicesRest/".to_string())
            })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(z2, "https://z2/ATServicesRest/");
        // A second caller that also saw z1 fail gets z2 without a new lookup.
        let again = cache
            .relookup(&z1, || async { panic!("must not look up again") })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again, z2);
        assert_eq!(cache.lookups(), 2);
    }

    #[tokio::test]
    async fn a_confirmed_zone_is_not_looked_up_again_for_a_while() {
        let cache = ZoneCache::new(None);
        let zone = "https://z1/ATServicesRest/".to_string();
        let z = zone.clone();
        cache.base(|| async move { Ok(z) }).await.unwrap();
        // A 401 (bad secret): the re-lookup finds the same zone, and the caller retries once.
        let z = zone.clone();
        let first = cache.relookup(&zone, || async move { Ok(z) }).await;
        assert_eq!(first.unwrap().unwrap(), zone);
        // The next 401 on that zone neither looks up nor retries.
        let second = cache
            .relookup(&zone, || async { panic!("must not look up again") })
            .await;
        assert!(second.is_none());
        assert_eq!(cache.lookups(), 2);
    }

    #[tokio::test]
    async fn a_pinned_zone_is_never_looked_up() {
        let cache = ZoneCache::new(Some("https://pinned/ATServicesRest/".into()));
        assert!(cache.is_pinned());
        let base = cache
            .base(|| async { panic!("pinned zones are not looked up") })
            .await
            .unwrap();
        assert_eq!(base, "https://pinned/ATServicesRest/");
        assert!(
            cache
                .relookup(&base, || async { panic!("pinned") })
                .await
                .is_none()
        );
        assert_eq!(cache.lookups(), 0);
    }
}
