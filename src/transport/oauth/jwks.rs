//! The issuer's signing keys (its JWKS), cached: fetched on first need, again when older than
//! [`MAX_AGE`], and again when a token names a key id the cache does not know (the issuer
//! rotated its keys). Fetches are single-flight and at least the floor
//! (`AUTOTASK_OAUTH_JWKS_REFETCH_SECS`) apart, so a stream of tokens with invented key ids
//! costs the issuer one request per floor, not one per token. A failed fetch keeps the keys
//! already known.
//!
//! Only signature keys this server verifies are kept: RSA (RS256, at least 2048 bits) and
//! P-256 (ES256). Symmetric (`oct`) keys are never taken from a JWKS, so a token "signed" with
//! HS256 and a public key as the secret has no key to match.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use futures::future::BoxFuture;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

use super::discovery;
use super::fetch::Fetcher;

/// Keys older than this are fetched again on next use.
pub const MAX_AGE: Duration = Duration::from_secs(10 * 60);
/// The smallest RSA modulus accepted, in bytes (2048 bits).
const MIN_RSA_MODULUS_BYTES: usize = 256;

/// One verification key.
pub struct Key {
    pub alg: Algorithm,
    pub key: DecodingKey,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// Why no key could be had for a key id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// The issuer's keys are known, and none has this id.
    Unknown,
    /// The issuer's keys could not be fetched at all yet.
    Unavailable(String),
}

/// What loads the key set (discovery then the JWKS; tests give their own).
pub type Load = Arc<dyn Fn() -> BoxFuture<'static, Result<Value, String>> + Send + Sync>;

struct Snapshot {
    keys: HashMap<String, Arc<Key>>,
    fetched: Instant,
}

/// The cache.
pub struct Jwks {
    load: Load,
    floor: Duration,
    max_age: Duration,
    current: std::sync::RwLock<Option<Snapshot>>,
    /// Held while fetching (single flight); holds the time of the last attempt.
    attempt: tokio::sync::Mutex<Option<Instant>>,
    last_error: std::sync::Mutex<Option<String>>,
    fetches: AtomicU64,
}

impl std::fmt::Debug for Jwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwks")
            .field("floor", &self.floor)
            .field("fetches", &self.fetches())
            .finish_non_exhaustive()
    }
}

/// Discovers the issuer's `jwks_uri` (once it succeeds) and fetches the key set from it.
pub fn issuer_loader(fetcher: Fetcher, issuer: String) -> Load {
    let metadata: Arc<tokio::sync::Mutex<Option<discovery::IssuerMetadata>>> = Arc::default();
    Arc::new(move || {
        let (fetcher, issuer, metadata) = (fetcher.clone(), issuer.clone(), metadata.clone());
        Box::pin(async move {
            let mut known = metadata.lock().await;
            let found = match known.as_ref() {
                Some(m) => m.clone(),
                None => discovery::discover(&fetcher, &issuer).await?,
            };
            match fetcher.json(&found.jwks_uri).await {
                Ok(set) => {
                    *known = Some(found);
                    Ok(set)
                }
                Err(e) => {
                    // Look the metadata up again next time: the issuer may have moved its keys.
                    *known = None;
                    Err(format!("the issuer's keys: {e}"))
                }
            }
        })
    })
}

impl Jwks {
    pub fn new(load: Load, floor: Duration) -> Jwks {
        Jwks::with_max_age(load, floor, MAX_AGE)
    }

    pub fn with_max_age(load: Load, floor: Duration, max_age: Duration) -> Jwks {
        Jwks {
            load,
            floor,
            max_age,
            current: std::sync::RwLock::new(None),
            attempt: tokio::sync::Mutex::new(None),
            last_error: std::sync::Mutex::new(None),
            fetches: AtomicU64::new(0),
        }
    }

    /// Key sets fetched (or attempted) so far.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// Looks `kid` up: `(key, fresh)`, `None` when there is no snapshot.
    fn lookup(&self, kid: &str) -> Option<(Option<Arc<Key>>, bool)> {
        let current = self
            .current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        current
            .as_ref()
            .map(|s| (s.keys.get(kid).cloned(), s.fetched.elapsed() < self.max_age))
    }

    /// The key with id `kid`, fetching the set when needed and allowed (see the module doc).
    pub async fn key(&self, kid: &str) -> Result<Arc<Key>, KeyError> {
        if let Some((Some(key), true)) = self.lookup(kid) {
            return Ok(key);
        }
        let mut attempt = self.attempt.lock().await;
        // Another caller may have fetched while this one waited.
        if let Some((Some(key), true)) = self.lookup(kid) {
            return Ok(key);
        }
        if attempt.is_none_or(|at| at.elapsed() >= self.floor) {
            *attempt = Some(Instant::now());
            self.refresh().await;
        }
        drop(attempt);
        match self.lookup(kid) {
            Some((Some(key), _)) => Ok(key),
            Some((None, _)) => Err(KeyError::Unknown),
            None => Err(KeyError::Unavailable(
                self.last_error
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .clone()
                    .unwrap_or_else(|| "the issuer's keys have not been fetched yet".into()),
            )),
        }
    }

    /// Fetches the set now (start-up warm-up): the number of usable keys.
    pub async fn warm(&self) -> Result<usize, String> {
        let mut attempt = self.attempt.lock().await;
        *attempt = Some(Instant::now());
        self.refresh().await;
        drop(attempt);
        let current = self
            .current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match current.as_ref() {
            Some(s) => Ok(s.keys.len()),
            None => Err(self
                .last_error
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
                .unwrap_or_default()),
        }
    }

    async fn refresh(&self) {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let outcome = (self.load)().await.map(|set| parse_set(&set));
        match outcome {
            Ok((keys, skipped)) => {
                if !skipped.is_empty() {
                    tracing::debug!(skipped = ?skipped, "issuer keys not used (only RS256 and ES256 signature keys are)");
                }
                tracing::info!(keys = keys.len(), "fetched the OAuth issuer's signing keys");
                *self
                    .current
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Snapshot {
                    keys,
                    fetched: Instant::now(),
                });
                *self
                    .last_error
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot fetch the OAuth issuer's signing keys; keeping the keys already known");
                *self
                    .last_error
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(e);
            }
        }
    }
}

fn text<'a>(jwk: &'a Value, name: &str) -> Option<&'a str> {
    jwk.get(name).and_then(Value::as_str)
}

/// One JWK as a verification key, or why it is not used.
fn parse_key(jwk: &Value) -> Result<(String, Key), String> {
    let kid = text(jwk, "kid").ok_or("no kid")?;
    if text(jwk, "use").is_some_and(|u| u != "sig") {
        return Err(format!("{kid}: not a signature key"));
    }
    let declared = text(jwk, "alg");
    let (alg, key) = match text(jwk, "kty") {
        Some("RSA") => {
            if declared.is_some_and(|a| a != "RS256") {
                return Err(format!("{kid}: RSA key for another algorithm"));
            }
            let (n, e) = (text(jwk, "n").ok_or("no n")?, text(jwk, "e").ok_or("no e")?);
            let modulus = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(n.trim_end_matches('='))
                .map_err(|_| format!("{kid}: n is not base64url"))?;
            let significant = modulus.iter().skip_while(|b| **b == 0).count();
            if significant < MIN_RSA_MODULUS_BYTES {
                return Err(format!("{kid}: RSA key shorter than 2048 bits"));
            }
            let key = DecodingKey::from_rsa_components(n, e).map_err(|e| format!("{kid}: {e}"))?;
            (Algorithm::RS256, key)
        }
        Some("EC") => {
            if text(jwk, "crv") != Some("P-256") || declared.is_some_and(|a| a != "ES256") {
                return Err(format!("{kid}: EC key off P-256/ES256"));
            }
            let (x, y) = (text(jwk, "x").ok_or("no x")?, text(jwk, "y").ok_or("no y")?);
            let key = DecodingKey::from_ec_components(x, y).map_err(|e| format!("{kid}: {e}"))?;
            (Algorithm::ES256, key)
        }
        _ => return Err(format!("{kid}: key type not used")),
    };
    Ok((kid.to_string(), Key { alg, key }))
}

/// The usable keys of a JWKS document, and why the others were skipped.
pub fn parse_set(set: &Value) -> (HashMap<String, Arc<Key>>, Vec<String>) {
    let mut keys = HashMap::new();
    let mut skipped = Vec::new();
    for jwk in set
        .get("keys")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        match parse_key(jwk) {
            Ok((kid, key)) => {
                keys.insert(kid, Arc::new(key));
            }
            Err(why) => skipped.push(why),
        }
    }
    (keys, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A 2048-bit modulus (any bytes do for parsing) and the usual exponent.
    fn rsa_jwk(kid: &str) -> Value {
        let n = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0xC5u8; 256]);
        json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": n, "e": "AQAB"})
    }

    fn counting(set: Value) -> (Load, Arc<AtomicU64>) {
        let count = Arc::new(AtomicU64::new(0));
        let seen = count.clone();
        let load: Load = Arc::new(move || {
            seen.fetch_add(1, Ordering::SeqCst);
            let set = set.clone();
            Box::pin(async move { Ok(set) })
        });
        (load, count)
    }

    #[test]
    fn only_signature_keys_we_verify_are_kept() {
        let short = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0xC5u8; 128]);
        let set = json!({"keys": [
            rsa_jwk("rsa1"),
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "short", "n": short, "e": "AQAB"},
            {"kty": "RSA", "kid": "rs512", "alg": "RS512", "n": "AQAB", "e": "AQAB"},
            {"kty": "EC", "kid": "p384", "crv": "P-384", "x": "AA", "y": "AA"},
            {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
        ]});
        let (keys, skipped) = parse_set(&set);
        assert_eq!(keys.keys().collect::<Vec<_>>(), ["rsa1"]);
        assert_eq!(skipped.len(), 6, "{skipped:?}");
        assert_eq!(keys["rsa1"].alg, Algorithm::RS256);
    }

    #[tokio::test]
    async fn unknown_key_ids_refetch_at_most_once_per_floor() {
        let (load, count) = counting(json!({"keys": [rsa_jwk("k1")]}));
        let jwks = Jwks::new(load, Duration::from_secs(3_600));
        assert!(jwks.key("k1").await.is_ok());
        assert_eq!(count.load(Ordering::SeqCst), 1);
        for i in 0..50 {
            assert_eq!(
                jwks.key(&format!("junk-{i}")).await.err(),
                Some(KeyError::Unknown)
            );
        }
        assert!(jwks.key("k1").await.is_ok());
        assert_eq!(
            count.load(Ordering::SeqCst),
            1,
            "junk key ids must not refetch within the floor"
        );
    }

    #[tokio::test]
    async fn a_floor_of_zero_refetches_for_each_unknown_key_id() {
        let (load, count) = counting(json!({"keys": [rsa_jwk("k1")]}));
        let jwks = Jwks::new(load, Duration::ZERO);
        assert!(jwks.key("k1").await.is_ok());
        assert_eq!(jwks.key("k2").await.err(), Some(KeyError::Unknown));
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn concurrent_misses_share_one_fetch() {
        let (load, count) = counting(json!({"keys": [rsa_jwk("k1")]}));
        let jwks = Arc::new(Jwks::new(load, Duration::from_secs(3_600)));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let jwks = jwks.clone();
                tokio::spawn(async move { jwks.key("k1").await.is_ok() })
            })
            .collect();
        for t in tasks {
            assert!(matches!(t.await, Ok(true)));
        }
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_fetch_reports_why_and_keeps_known_keys() {
        let fail: Load = Arc::new(|| Box::pin(async { Err("issuer down".to_string()) }));
        let jwks = Jwks::new(fail, Duration::ZERO);
        assert_eq!(
            jwks.key("k1").await.err(),
            Some(KeyError::Unavailable("issuer down".into()))
        );
        // Known keys survive a failing refresh (stale keys are refreshed on use).
        let flip = Arc::new(AtomicU64::new(0));
        let f = flip.clone();
        let load: Load = Arc::new(move || {
            let first = f.fetch_add(1, Ordering::SeqCst) == 0;
            Box::pin(async move {
                if first {
                    Ok(json!({"keys": [rsa_jwk("k1")]}))
                } else {
                    Err("issuer down".to_string())
                }
            })
        });
        let jwks = Jwks::with_max_age(load, Duration::ZERO, Duration::ZERO);
        assert!(jwks.key("k1").await.is_ok());
        assert!(
            jwks.key("k1").await.is_ok(),
            "a stale key is used while the issuer is down"
        );
        assert_eq!(flip.load(Ordering::SeqCst), 2);
    }
}
