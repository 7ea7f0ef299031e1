//! The tenant's zone: `GET …/V1.0/zoneInformation?user=` once, cached for the life of the
//! client (or pinned by `AUTOTASK_API_URL`), and looked up again when a zone-relative call
//! gets a 401 (tenants move between zones). Concurrent callers share one lookup.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;
use tokio::sync::{Mutex, RwLock};

use super::error::AutotaskError;

/// The cached zone base (ending in `/ATServicesRest/`).
#[derive(Debug)]
pub struct ZoneCache {
    pinned: bool,
    current: RwLock<Option<String>>,
    /// Held while a lookup runs, so concurrent callers wait for it instead of asking too.
    lookup: Mutex<()>,
    lookups: AtomicU64,
    /// When a re-lookup after a 401 found the same zone (the 401 was about the credentials,
    /// not a move): further 401s on that zone within [`RELOOKUP_QUIET`] skip the re-lookup.
    confirmed: std::sync::Mutex<Option<(String, Instant)>>,
}

/// After a re-lookup confirmed the zone, 401s on it are not looked up again for this long.
pub const RELOOKUP_QUIET: Duration = Duration::from_secs(60);

#[derive(Deserialize)]
struct ZoneInformation {
    url: String,
}

impl ZoneCache {
    /// A cache, pinned to `api_url` when given (then never looked up).
    pub fn new(api_url: Option<String>) -> ZoneCache {
        ZoneCache {
            pinned: api_url.is_some(),
            current: RwLock::new(api_url),
            lookup: Mutex::new(()),
            lookups: AtomicU64::new(0),
            confirmed: std::sync::Mutex::new(None),
        }
    }

    /// True when `AUTOTASK_API_URL` pins the zone.
    pub fn is_pinned(&self) -> bool {
        self.pinned
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
        if let Some(zone) = self.current.read().await.clone() {
            return Ok(zone);
        }
        let _guard = self.lookup.lock().await;
        if let Some(zone) = self.current.read().await.clone() {
            return Ok(zone);
        }
        self.run(lookup).await
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
        if self.pinned {
            return None;
        }
        let _guard = self.lookup.lock().await;
        if let Some(zone) = self.current.read().await.clone()
            && zone != stale
        {
            return Some(Ok(zone));
        }
        if self
            .confirmed_lock()
            .as_ref()
            .is_some_and(|(zone, at)| zone == stale && at.elapsed() < RELOOKUP_QUIET)
        {
            return None;
        }
        let result = self.run(lookup).await;
        *self.confirmed_lock() = match &result {
            Ok(zone) if zone == stale => Some((zone.clone(), Instant::now())),
            _ => None,
        };
        Some(result)
    }

    fn confirmed_lock(&self) -> std::sync::MutexGuard<'_, Option<(String, Instant)>> {
        self.confirmed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn run<F, Fut>(&self, lookup: F) -> Result<String, AutotaskError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<String, AutotaskError>>,
    {
        self.lookups.fetch_add(1, Ordering::Relaxed);
        let zone = lookup().await?;
        *self.current.write().await = Some(zone.clone());
        Ok(zone)
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
    use std::sync::Arc;
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

    #[tokio::test]
    async fn concurrent_callers_share_one_lookup() {
        let cache = Arc::new(ZoneCache::new(None));
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let cache = cache.clone();
            let calls = calls.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .base(|| async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok("https://z1/ATServicesRest/".to_string())
                    })
                    .await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap(), "https://z1/ATServicesRest/");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(cache.lookups(), 1);
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
