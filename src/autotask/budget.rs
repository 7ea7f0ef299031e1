//! The tenant's shared API budget.
//!
//! * [`EndpointLimiter`]: at most N requests in flight per entity endpoint (Autotask's thread
//!   limit is 3 per tracking identifier and endpoint). Queries, counts and gets of one entity
//!   share a key; a parent route keys on `parent/segment`; zoneInformation is exempt.
//! * [`Governor`]: reads `ThresholdInformation` at most once a minute, adds the requests sent
//!   since, warns from the warn percentage and refuses background reads from the refuse
//!   percentage. Writes and explicit reads are never refused by it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::AutotaskError;

/// Shortest interval between two `ThresholdInformation` reads by the governor.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(60);

/// The thread-limit key of a path relative to `…/V1.0/` (query string ignored, case-folded):
/// `Tickets/query` → `tickets`, `Tickets/5/Notes/7` → `tickets/notes`. `None` for
/// zoneInformation, which Autotask does not thread-limit.
pub fn endpoint_key(relative: &str) -> Option<String> {
    let path = relative.split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let first = segments.first()?.to_ascii_lowercase();
    if first == "zoneinformation" {
        return None;
    }
    match segments.as_slice() {
        [_, id, child, ..] if id.parse::<i64>().is_ok() => {
            Some(format!("{first}/{}", child.to_ascii_lowercase()))
        }
        _ => Some(first),
    }
}

/// Per-endpoint semaphores.
#[derive(Debug)]
pub struct EndpointLimiter {
    per_endpoint: usize,
    semaphores: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl EndpointLimiter {
    pub fn new(per_endpoint: usize) -> EndpointLimiter {
        EndpointLimiter {
            per_endpoint: per_endpoint.max(1),
            semaphores: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a slot on `key`'s endpoint; the slot is freed when the permit drops.
    pub async fn acquire(&self, key: &str) -> Result<OwnedSemaphorePermit, AutotaskError> {
        let semaphore = {
            let mut map = self
                .semaphores
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            map.entry(key.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_endpoint)))
                .clone()
        };
        semaphore
            .acquire_owned()
            .await
            .map_err(|_| AutotaskError::Transport {
                reason: "the client is shutting down".into(),
            })
    }
}

/// How close the tenant is to its hourly limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BudgetLevel {
    Ok,
    Warn,
    Refuse,
}

/// The last known budget, for `/health` and for warnings appended to tool results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetState {
    /// Requests used in the current hour: the last `ThresholdInformation` count plus the
    /// requests this client sent since. `None` until the first read.
    pub used: Option<u64>,
    pub limit: Option<u64>,
    pub percent: Option<u8>,
    pub level: BudgetLevel,
    /// Seconds since `ThresholdInformation` was last read.
    pub age_secs: Option<u64>,
}

#[derive(Debug, Default)]
struct Snapshot {
    used: u64,
    limit: u64,
    at: Option<Instant>,
    /// Value of the sent-requests counter when the snapshot was taken.
    sent_at_snapshot: u64,
    warned_level: Option<BudgetLevel>,
}

/// The budget governor.
#[derive(Debug)]
pub struct Governor {
    warn_percent: u8,
    refuse_percent: u8,
    snapshot: Mutex<Snapshot>,
    /// Requests this client sent (every attempt), to estimate usage between reads.
    sent: AtomicU64,
    /// Last refresh attempt (successful or not), to read at most once per interval.
    last_attempt: Mutex<Option<Instant>>,
}

impl Governor {
    pub fn new(warn_percent: u8, refuse_percent: u8) -> Governor {
        Governor {
            warn_percent,
            refuse_percent,
            snapshot: Mutex::new(Snapshot::default()),
            sent: AtomicU64::new(0),
            last_attempt: Mutex::new(None),
        }
    }

    fn snapshot(&self) -> std::sync::MutexGuard<'_, Snapshot> {
        self.snapshot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts one request sent to Autotask.
    pub fn note_request(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// True when `ThresholdInformation` was not read (or tried) within the interval; marks the
    /// attempt, so only one caller per interval gets `true`.
    pub fn claim_refresh(&self, now: Instant) -> bool {
        let mut last = self
            .last_attempt
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match *last {
            Some(at) if now.saturating_duration_since(at) < REFRESH_INTERVAL => false,
            _ => {
                *last = Some(now);
                true
            }
        }
    }

    /// Records a `ThresholdInformation` answer. Returns the new level and whether it changed
    /// upwards into warn or refuse since the last warning (so the caller logs once).
    pub fn record(&self, used: u64, limit: u64, now: Instant) -> (BudgetLevel, bool) {
        let sent = self.sent.load(Ordering::Relaxed);
        let mut snap = self.snapshot();
        snap.used = used;
        snap.limit = limit;
        snap.at = Some(now);
        snap.sent_at_snapshot = sent;
        let level = self.level_for(used, limit);
        let newly = level != BudgetLevel::Ok && snap.warned_level != Some(level);
        snap.warned_level = (level != BudgetLevel::Ok).then_some(level);
        (level, newly)
    }

    fn level_for(&self, used: u64, limit: u64) -> BudgetLevel {
        let percent = percent(used, limit);
        if percent >= u64::from(self.refuse_percent) {
            BudgetLevel::Refuse
        } else if percent >= u64::from(self.warn_percent) {
            BudgetLevel::Warn
        } else {
            BudgetLevel::Ok
        }
    }

    /// The last known state (usage estimated with the requests sent since the last read).
    pub fn state(&self, now: Instant) -> BudgetState {
        let sent = self.sent.load(Ordering::Relaxed);
        let snap = self.snapshot();
        let Some(at) = snap.at else {
            return BudgetState {
                used: None,
                limit: None,
                percent: None,
                level: BudgetLevel::Ok,
                age_secs: None,
            };
        };
        let used = snap
            .used
            .saturating_add(sent.saturating_sub(snap.sent_at_snapshot));
        BudgetState {
            used: Some(used),
            limit: Some(snap.limit),
            percent: Some(percent(used, snap.limit).min(255) as u8),
            level: self.level_for(used, snap.limit),
            age_secs: Some(now.saturating_duration_since(at).as_secs()),
        }
    }

    /// Admits a read: refuses a background read from the refuse percentage.
    pub fn admit_read(&self, explicit: bool, now: Instant) -> Result<(), AutotaskError> {
        let state = self.state(now);
        match (
            state.level,
            explicit,
            state.used,
            state.limit,
            state.percent,
        ) {
            (BudgetLevel::Refuse, false, Some(used), Some(limit), Some(percent)) => {
                Err(AutotaskError::BudgetExhausted {
                    used,
                    limit,
                    percent,
                })
            }
            _ => Ok(()),
        }
    }
}

/// `used` as a whole percentage of `limit` (100 when the limit is 0).
fn percent(used: u64, limit: u64) -> u64 {
    if limit == 0 {
        return 100;
    }
    used.saturating_mul(100) / limit
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn endpoint_keys() {
        assert_eq!(endpoint_key("Tickets").as_deref(), Some("tickets"));
        assert_eq!(endpoint_key("Tickets/query").as_deref(), Some("tickets"));
        assert_eq!(
            endpoint_key("tickets/query/count").as_deref(),
            Some("tickets")
        );
        assert_eq!(endpoint_key("Tickets/123").as_deref(), Some("tickets"));
        assert_eq!(
            endpoint_key("Tickets/query/next?paging=%7B%7D").as_deref(),
            Some("tickets")
        );
        assert_eq!(
            endpoint_key("Tickets/entityInformation/fields").as_deref(),
            Some("tickets")
        );
        assert_eq!(
            endpoint_key("Tickets/5/Notes").as_deref(),
            Some("tickets/notes")
        );
        assert_eq!(
            endpoint_key("/Tickets/5/Notes/9").as_deref(),
            Some("tickets/notes")
        );
        assert_eq!(
            endpoint_key("ThresholdInformation").as_deref(),
            Some("thresholdinformation")
        );
        assert_eq!(endpoint_key("zoneInformation?user=x"), None);
        assert_eq!(endpoint_key(""), None);
    }

    #[tokio::test]
    async fn limiter_holds_n_per_endpoint_and_endpoints_are_independent() {
        let limiter = EndpointLimiter::new(3);
        let held: Vec<_> = futures::future::join_all((0..3).map(|_| limiter.acquire("tickets")))
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let fourth =
            tokio::time::timeout(Duration::from_millis(50), limiter.acquire("tickets")).await;
        assert!(fourth.is_err(), "a fourth ticket request must wait");
        let other =
            tokio::time::timeout(Duration::from_secs(5), limiter.acquire("companies")).await;
        assert!(other.is_ok_and(|p| p.is_ok()), "another endpoint is free");
        drop(held);
        let after = tokio::time::timeout(Duration::from_secs(5), limiter.acquire("tickets")).await;
        assert!(after.is_ok_and(|p| p.is_ok()));
    }

    #[test]
    fn governor_levels_and_refusals() {
        let g = Governor::new(75, 90);
        let now = Instant::now();
        assert_eq!(g.state(now).level, BudgetLevel::Ok);
        assert!(g.admit_read(false, now).is_ok(), "unknown budget: admit");
        assert_eq!(g.record(7_400, 10_000, now), (BudgetLevel::Ok, false));
        assert_eq!(g.record(7_500, 10_000, now), (BudgetLevel::Warn, true));
        assert_eq!(
            g.record(7_600, 10_000, now),
            (BudgetLevel::Warn, false),
            "warn once"
        );
        assert!(g.admit_read(false, now).is_ok());
        assert_eq!(g.record(9_000, 10_000, now), (BudgetLevel::Refuse, true));
        let err = g.admit_read(false, now).unwrap_err();
        assert!(matches!(
            err,
            AutotaskError::BudgetExhausted {
                used: 9_000,
                limit: 10_000,
                percent: 90
            }
        ));
        assert!(g.admit_read(true, now).is_ok(), "explicit reads pass");
        let state = g.state(now);
        assert_eq!(state.percent, Some(90));
        assert_eq!(
            serde_json::to_value(&state).unwrap()["level"],
            serde_json::json!("refuse")
        );
    }

    #[test]
    fn usage_between_reads_is_estimated_from_requests_sent() {
        let g = Governor::new(75, 90);
        let now = Instant::now();
        g.record(8_990, 10_000, now);
        assert_eq!(g.state(now).level, BudgetLevel::Warn);
        for _ in 0..10 {
            g.note_request();
        }
        let state = g.state(now);
        assert_eq!(state.used, Some(9_000));
        assert_eq!(state.level, BudgetLevel::Refuse);
    }

    #[test]
    fn refresh_is_claimed_at_most_once_per_interval() {
        let g = Governor::new(75, 90);
        let t0 = Instant::now();
        assert!(g.claim_refresh(t0));
        assert!(!g.claim_refresh(t0 + Duration::from_secs(59)));
        assert!(g.claim_refresh(t0 + Duration::from_secs(61)));
    }
}
