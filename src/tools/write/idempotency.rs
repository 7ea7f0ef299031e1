//! No duplicates from retries: a create called with an `idempotencyKey` is remembered for a
//! window (`AUTOTASK_IDEMPOTENCY_WINDOW_SECS`, default a day) with a fingerprint of its tool
//! and arguments. A repeat with the same key and the same arguments answers the first
//! outcome without sending anything; the same key with other arguments is refused; a repeat
//! while the first is still running is refused; a first attempt whose outcome is unknown (a
//! timeout) blocks the key, because sending again could make the duplicate it exists to
//! prevent. A first attempt that Autotask rejected, or that was never sent, frees the key.
//!
//! Keys live in this process's memory, scoped to the caller (token fingerprint and acting
//! resource), at most [`MAX_KEYS`] at once (the oldest go first).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Most keys remembered at once.
pub const MAX_KEYS: usize = 10_000;

#[derive(Debug, Clone)]
enum State {
    InFlight,
    Done(Value),
    Unknown(String),
}

#[derive(Debug, Clone)]
struct Entry {
    payload: String,
    state: State,
    at: Instant,
}

type Map = HashMap<(String, String), Entry>;

/// The remembered keys. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Keys {
    inner: Arc<Mutex<Map>>,
    window: Duration,
}

/// What a claimed key means for the call.
#[derive(Debug)]
pub enum Claim {
    /// First use: send, then settle the claimed key.
    Fresh(ClaimedKey),
    /// Answered before with these arguments: this is the answer; nothing is sent.
    Replay(Value),
    /// The key cannot be used; the message says why and what to do.
    Refused(String),
}

/// A key claimed by a call that is about to send. Dropped without being settled, it frees
/// the key if nothing was sent and blocks it (outcome unknown) if the request had left.
#[derive(Debug)]
pub struct ClaimedKey {
    keys: Keys,
    id: (String, String),
    sent: bool,
    settled: bool,
}

/// The fingerprint of a call's tool and arguments.
pub fn payload(tool: &str, args: &Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(tool.as_bytes());
    hasher.update([0]);
    hasher.update(args.to_string().as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Keys {
    pub fn new(window: Duration) -> Keys {
        Keys {
            inner: Arc::new(Mutex::new(HashMap::new())),
            window,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Map> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets expired keys, then the oldest settled ones while over the cap.
    fn prune(&self, map: &mut Map, now: Instant) {
        map.retain(|_, e| {
            matches!(e.state, State::InFlight) || now.duration_since(e.at) < self.window
        });
        while map.len() >= MAX_KEYS {
            let oldest = map
                .iter()
                .filter(|(_, e)| !matches!(e.state, State::InFlight))
                .min_by_key(|(_, e)| e.at)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => {
                    map.remove(&k);
                }
                None => break,
            }
        }
    }

    /// What the key means for a call with this payload (see [`Claim`]).
    pub fn claim(&self, scope: &str, key: &str, payload: &str) -> Claim {
        let now = Instant::now();
        let id = (scope.to_string(), key.to_string());
        let mut map = self.lock();
        self.prune(&mut map, now);
        if let Some(entry) = map.get(&id) {
            return match &entry.state {
                _ if entry.payload != payload => Claim::Refused(format!(
                    "idempotencyKey `{key}` was already used with other arguments: use a new key for a different record, or repeat the first call's arguments exactly."
                )),
                State::InFlight => Claim::Refused(format!(
                    "a call with idempotencyKey `{key}` is still running: wait for its answer, then repeat the call to get it."
                )),
                State::Done(answer) => Claim::Replay(answer.clone()),
                State::Unknown(reason) => Claim::Refused(format!(
                    "the first call with idempotencyKey `{key}` has an unknown outcome ({reason}): check whether the record exists (search for it) before creating it with a new key."
                )),
            };
        }
        if map.len() >= MAX_KEYS {
            return Claim::Refused(format!(
                "{MAX_KEYS} calls with an idempotencyKey are running at once: try again shortly."
            ));
        }
        map.insert(
            id.clone(),
            Entry {
                payload: payload.to_string(),
                state: State::InFlight,
                at: now,
            },
        );
        Claim::Fresh(ClaimedKey {
            keys: self.clone(),
            id,
            sent: false,
            settled: false,
        })
    }

    /// What a preview should say about the key, without claiming it.
    pub fn peek(&self, scope: &str, key: &str, payload: &str) -> Option<String> {
        let map = self.lock();
        let entry = map.get(&(scope.to_string(), key.to_string()))?;
        if Instant::now().duration_since(entry.at) >= self.window
            && !matches!(entry.state, State::InFlight)
        {
            return None;
        }
        Some(match &entry.state {
            _ if entry.payload != payload => format!(
                "idempotencyKey `{key}` was already used with other arguments: confirming would be refused; use a new key"
            ),
            State::Done(_) => format!(
                "idempotencyKey `{key}` already made this write: confirming answers the first result and sends nothing"
            ),
            State::InFlight => format!("a call with idempotencyKey `{key}` is still running"),
            State::Unknown(_) => format!(
                "the first call with idempotencyKey `{key}` has an unknown outcome: confirming would be refused"
            ),
        })
    }

    fn set(&self, id: &(String, String), state: Option<State>) {
        let mut map = self.lock();
        match state {
            None => {
                map.remove(id);
            }
            Some(state) => {
                if let Some(entry) = map.get_mut(id) {
                    entry.state = state;
                    entry.at = Instant::now();
                }
            }
        }
    }
}

impl ClaimedKey {
    /// The request is about to leave: from now on a lost answer blocks the key.
    pub fn sending(&mut self) {
        self.sent = true;
    }

    /// Autotask applied the write: repeats answer `answer`.
    pub fn done(mut self, answer: &Value) {
        self.settled = true;
        self.keys.set(&self.id, Some(State::Done(answer.clone())));
    }

    /// Whether Autotask applied the write is unknown: repeats are refused.
    pub fn unknown(mut self, reason: &str) {
        self.settled = true;
        self.keys
            .set(&self.id, Some(State::Unknown(reason.to_string())));
    }

    /// Nothing was applied (never sent, or rejected): the key is free again.
    pub fn release(mut self) {
        self.settled = true;
        self.keys.set(&self.id, None);
    }
}

impl Drop for ClaimedKey {
    fn drop(&mut self) {
        if !self.settled {
            let state = self
                .sent
                .then(|| State::Unknown("the call ended before Autotask answered".to_string()));
            self.keys.set(&self.id, state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fresh(claim: Claim) -> ClaimedKey {
        match claim {
            Claim::Fresh(t) => t,
            other => panic!("expected a fresh claim, got {other:?}"),
        }
    }

    fn refused(claim: Claim) -> String {
        match claim {
            Claim::Refused(m) => m,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_repeat_replays_other_arguments_are_refused_and_failures_free_the_key() {
        let keys = Keys::new(Duration::from_secs(60));
        let a = payload("create-contact", &json!({"firstName": "Ann"}));
        let b = payload("create-contact", &json!({"firstName": "Bob"}));
        assert_ne!(a, b);
        assert_ne!(a, payload("create-company", &json!({"firstName": "Ann"})));

        let mut t = fresh(keys.claim("s", "k1", &a));
        assert!(refused(keys.claim("s", "k1", &a)).contains("still running"));
        t.sending();
        t.done(&json!({"id": 7}));
        assert!(matches!(keys.claim("s", "k1", &a), Claim::Replay(v) if v == json!({"id": 7})));
        assert!(refused(keys.claim("s", "k1", &b)).contains("other arguments"));
        assert!(
            keys.peek("s", "k1", &a)
                .is_some_and(|p| p.contains("sends nothing"))
        );
        // Another scope has its own keys.
        fresh(keys.claim("other", "k1", &b)).release();

        fresh(keys.claim("s", "k2", &a)).release();
        fresh(keys.claim("s", "k2", &b)).unknown("no answer within 30 s");
        assert!(refused(keys.claim("s", "k2", &b)).contains("unknown outcome"));

        // Dropped before sending: free; dropped after sending: unknown.
        drop(fresh(keys.claim("s", "k3", &a)));
        let mut t = fresh(keys.claim("s", "k3", &a));
        t.sending();
        drop(t);
        assert!(refused(keys.claim("s", "k3", &a)).contains("unknown outcome"));
    }

    #[test]
    fn keys_expire_after_the_window() {
        let keys = Keys::new(Duration::from_millis(1));
        let a = payload("t", &json!({}));
        fresh(keys.claim("s", "k", &a)).done(&json!({"id": 1}));
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(keys.peek("s", "k", &a), None);
        fresh(keys.claim("s", "k", &a)).release();
    }
}
