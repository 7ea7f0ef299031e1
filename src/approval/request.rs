//! What an approval code is bound to: the SHA-256 of the exact request ([`RequestHash`]:
//! method, path, canonical body, impersonated resource) and of the caller ([`CallerKey`]:
//! transport, bearer token fingerprint, signed-in user). Every part is length-prefixed, so no
//! two different requests hash the same input.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The SHA-256 of one exact write request.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RequestHash([u8; 32]);

/// The SHA-256 of who makes a call.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CallerKey([u8; 32]);

impl std::fmt::Debug for RequestHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RequestHash({})", hex(&self.0[..8]))
    }
}

impl std::fmt::Debug for CallerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CallerKey({})", hex(&self.0[..8]))
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds `part` to `hasher` with its length first.
fn part(hasher: &mut Sha256, part: &[u8]) {
    hasher.update((part.len() as u64).to_be_bytes());
    hasher.update(part);
}

/// `value` with every object's keys sorted, recursively.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let sorted: Map<String, Value> = keys
                .into_iter()
                .map(|k| (k.clone(), canonical(&map[k])))
                .collect();
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

impl RequestHash {
    /// The hash of the request `method path` with `body` (keys sorted at every level, compact
    /// JSON; `Value::Null` for none), sent acting as resource `impersonation` (none: the API
    /// user). The method's case is ignored; the path is taken as sent.
    pub fn of(method: &str, path: &str, body: &Value, impersonation: Option<i64>) -> RequestHash {
        let mut hasher = Sha256::new();
        part(&mut hasher, b"autotask-mcp request v1");
        part(&mut hasher, method.to_ascii_uppercase().as_bytes());
        part(&mut hasher, path.as_bytes());
        part(&mut hasher, canonical(body).to_string().as_bytes());
        match impersonation {
            Some(id) => part(&mut hasher, id.to_string().as_bytes()),
            None => part(&mut hasher, b"-"),
        }
        RequestHash(hasher.finalize().into())
    }

    /// Equal, compared in constant time.
    pub fn same(&self, other: &RequestHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl CallerKey {
    /// The key of a caller over `transport` (`stdio`, `http`) with the bearer token's
    /// fingerprint and the signed-in user, when there are.
    pub fn new(transport: &str, token_fingerprint: Option<&str>, user: Option<&str>) -> CallerKey {
        let mut hasher = Sha256::new();
        part(&mut hasher, b"autotask-mcp caller v1");
        part(&mut hasher, transport.as_bytes());
        for value in [token_fingerprint, user] {
            match value {
                Some(v) => {
                    hasher.update([1]);
                    part(&mut hasher, v.as_bytes());
                }
                None => hasher.update([0]),
            }
        }
        CallerKey(hasher.finalize().into())
    }

    /// Equal, compared in constant time.
    pub fn same(&self, other: &CallerKey) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_request_hash_ignores_key_order_and_method_case_only() {
        let body =
            json!({"title": "Printer", "status": 1, "udf": {"b": 1, "a": [1, {"y": 2, "x": 1}]}});
        let same =
            json!({"udf": {"a": [1, {"x": 1, "y": 2}], "b": 1}, "status": 1, "title": "Printer"});
        let base = RequestHash::of("PATCH", "Tickets", &body, Some(29_682_885));
        assert!(base.same(&RequestHash::of(
            "patch",
            "Tickets",
            &same,
            Some(29_682_885)
        )));
        for other in [
            RequestHash::of("POST", "Tickets", &body, Some(29_682_885)),
            RequestHash::of("PATCH", "Tickets/1/Notes", &body, Some(29_682_885)),
            RequestHash::of(
                "PATCH",
                "Tickets",
                &json!({"title": "Printer", "status": 2}),
                Some(29_682_885),
            ),
            RequestHash::of(
                "PATCH",
                "Tickets",
                &json!({"title": "Printer ", "status": 1, "udf": {"b": 1, "a": [1, {"y": 2, "x": 1}]}}),
                Some(29_682_885),
            ),
            RequestHash::of("PATCH", "Tickets", &body, None),
            RequestHash::of("PATCH", "Tickets", &body, Some(29_682_886)),
        ] {
            assert!(!base.same(&other), "{other:?}");
        }
        // Length prefixes: moving a character from one part to the next changes the hash.
        assert!(
            !RequestHash::of("POST", "Ticketsx", &Value::Null, None).same(&RequestHash::of(
                "POSTT",
                "icketsx",
                &Value::Null,
                None
            ))
        );
    }

    #[test]
    fn a_caller_key_tells_transports_tokens_and_users_apart() {
        let a = CallerKey::new("http", Some("sha256:0123"), Some("jo@example.com"));
        assert!(a.same(&CallerKey::new(
            "http",
            Some("sha256:0123"),
            Some("jo@example.com")
        )));
        for other in [
            CallerKey::new("stdio", Some("sha256:0123"), Some("jo@example.com")),
            CallerKey::new("http", Some("sha256:0124"), Some("jo@example.com")),
            CallerKey::new("http", Some("sha256:0123"), None),
            CallerKey::new("http", None, Some("sha256:0123")),
            CallerKey::new("http", Some("jo@example.com"), Some("sha256:0123")),
        ] {
            assert!(!a.same(&other));
        }
        assert!(!format!("{a:?}").contains("sha256:0123"));
    }
}
