//! The tenant's shared API budget, in one place.
//!
//! * [`Threshold`]: Autotask's `ThresholdInformation` answer, which [`BudgetPercents::of`]
//!   turns into a [`BudgetUsage`] (`crate::budget_usage`: used, limit, remaining, percent and
//!   level). Every reader of the budget (the governor, `/health`, the
//!   `get-threshold-information` tool) uses that one computation.
//! * [`EndpointLimiter`]: at most N requests in flight per entity endpoint (Autotask's thread
//!   limit is 3 per tracking identifier and endpoint). Queries, counts and gets of one entity
//!   share a key; a parent route keys on `parent/segment`; zoneInformation is exempt.
//! * [`Governor`]: reads `ThresholdInformation` at most once a minute, adds the requests sent
//!   since, warns from the warn percentage and refuses background reads from the refuse
//!   percentage. Writes and explicit reads are never refused by it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::AutotaskError;
pub use crate::budget_usage::{BudgetLevel, BudgetPercents, BudgetUsage, DEFAULT_BUDGET_PERCENTS};

/// Shortest interval between two `ThresholdInformation` reads by the governor.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(60);

/// `GET /V1.0/ThresholdInformation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Threshold {
    pub external_request_threshold: u64,
    pub request_threshold_timeframe: u64,
    pub current_timeframe_request_count: u64,
}

impl BudgetPercents {
    /// The usage a `ThresholdInformation` answer reports.
    pub fn of(self, threshold: &Threshold) -> BudgetUsage {
        self.usage(
            threshold.current_timeframe_request_count,
            threshold.external_request_threshold,
        )
    }
}

/// The thread-limit key of a path relative to `…/V1.0/` (query string ignored, case-folded):
/// the entity the request is about. `Tickets/query` → `tickets`; a parent route is keyed on
/// its child entity, so `Tickets/5/Notes/7` shares `ticketnotes` with `TicketNotes/query`
/// (an unknown parent route falls back to `tickets/notes`). `None` for zoneInformation, which
/// Autotask does not thread-limit.
pub fn endpoint_key(relative: &str) -> Option<String> {
    let path = relative.split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let first = segments.first()?.to_ascii_lowercase();
    if first == "zoneinformation" {
        return None;
    }
    match segments.as_slice() {
        [_, id, child, ..] if id.parse::<i64>().is_ok() => {
            let segment = child.to_ascii_lowercase();
            Some(child_entity(&first, &segment).unwrap_or_else(|| format!("{first}/{segment}")))
        }
        _ => Some(first),
    }
}

/// The child entity (lower case) served at `{parent}/{id}/{segment}`, from the registry.
fn child_entity(parent: &str, segment: &str) -> Option<String> {
    static CHILDREN: OnceLock<HashMap<(String, String), String>> = OnceLock::new();
    CHILDREN
        .get_or_init(|| {
            let mut map = HashMap::new();
            for entity in crate::registry::entities() {
                for route in entity.parents {
                    map.insert(
                        (
                            route.parent.to_ascii_lowercase(),
                            route.segment.to_ascii_lowercase(),
                        ),
                        entity.name.to_ascii_lowercase(),
                    );
                }
            }
            map
        })
        .get(&(parent.to_string(), segment.to_string()))
        .cloned()
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

/// The governor's last known budget, for tool warnings and diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetState {
    /// The usage: the last `ThresholdInformation` count plus the requests this client sent
    /// since. `None` until the first read.
    pub usage: Option<BudgetUsage>,
    /// Seconds since `ThresholdInformation` was last read.
    pub age_secs: Option<u64>,
}

impl BudgetState {
    /// The level (`Ok` while the budget is unknown).
    pub fn level(&self) -> BudgetLevel {
        self.usage.map_or(BudgetLevel::Ok, |u| u.level)
    }
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
    percents: BudgetPercents,
    snapshot: Mutex<Snapshot>,
    /// Requests this client sent (every attempt), to estimate usage between reads.
    sent: AtomicU64,
    /// Last refresh attempt (successful or not), to read at most once per interval.
    last_attempt: Mutex<Option<Instant>>,
}

impl Governor {
    pub fn new(percents: BudgetPercents) -> Governor {
        Governor {
            percents,
            snapshot: Mutex::new(Snapshot::default()),
            sent: AtomicU64::new(0),
            last_attempt: Mutex::new(None),
        }
    }

    /// The percentages the levels are computed with.
    pub fn percents(&self) -> BudgetPercents {
        self.percents
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
        let level = self.percents.usage(used, limit).level;
        let newly = level != BudgetLevel::Ok && snap.warned_level != Some(level);
        snap.warned_level = (level != BudgetLevel::Ok).then_some(level);
        (level, newly)
    }

    /// The last known state (usage estimated with the requests sent since the last read).
    pub fn state(&self, now: Instant) -> BudgetState {
        let sent = self.sent.load(Ordering::Relaxed);
        let snap = self.snapshot();
        let Some(at) = snap.at else {
            return BudgetState {
                usage: None,
                age_secs: None,
            };
        };
        let used = snap
            .used
            .saturating_add(sent.saturating_sub(snap.sent_at_snapshot));
        BudgetState {
            usage: Some(self.percents.usage(used, snap.limit)),
            age_secs: Some(now.saturating_duration_since(at).as_secs()),
        }
    }

    /// Admits a read: refuses a background read from the refuse percentage.
    pub fn admit_read(&self, explicit: bool, now: Instant) -> Result<(), AutotaskError> {
        match self.state(now).usage {
            Some(usage) if usage.level == BudgetLevel::Refuse && !explicit => {
                Err(AutotaskError::BudgetExhausted {
                    used: usage.used,
                    limit: usage.limit,
                    percent: usage.percent.clamp(0.0, 255.0) as u8,
                })
            }
            _ => Ok(()),
        }
    }
}

/// Autotask's attachment traffic limit: bytes of attachment files per rolling window.
pub const ATTACHMENT_BYTES_LIMIT: usize = 10_000_000;
/// The attachment limit's window.
pub const ATTACHMENT_WINDOW: Duration = Duration::from_secs(5 * 60);

/// The attachment bytes sent in the last five minutes, tracked like the request budget:
/// Autotask refuses attachment creates for five minutes once 10,000,000 bytes pass, so an
/// upload that would pass the limit is refused here first, before anything is sent.
#[derive(Debug, Default)]
pub struct AttachmentBudget {
    sent: std::sync::Mutex<std::collections::VecDeque<(Instant, usize)>>,
}

impl AttachmentBudget {
    /// Bytes sent within the window before `now`.
    pub fn used(&self, now: Instant) -> usize {
        let Ok(mut sent) = self.sent.lock() else {
            return 0;
        };
        while sent
            .front()
            .is_some_and(|(at, _)| now.saturating_duration_since(*at) >= ATTACHMENT_WINDOW)
        {
            sent.pop_front();
        }
        sent.iter().map(|(_, n)| n).sum()
    }

    /// Admits an upload of `bytes` and counts it, or says when there is room again.
    pub fn admit(&self, bytes: usize, now: Instant) -> Result<(), AutotaskError> {
        let used = self.used(now);
        if used.saturating_add(bytes) > ATTACHMENT_BYTES_LIMIT {
            let wait = self
                .sent
                .lock()
                .ok()
                .and_then(|s| s.front().map(|(at, _)| *at))
                .map_or(ATTACHMENT_WINDOW, |at| {
                    ATTACHMENT_WINDOW.saturating_sub(now.saturating_duration_since(at))
                });
            return Err(AutotaskError::Refused {
                reason: format!(
                    "Autotask takes at most {ATTACHMENT_BYTES_LIMIT} bytes of attachments per 5 minutes and {used} were sent; this file has {bytes}: try again in about {} s",
                    wait.as_secs().max(1)
                ),
            });
        }
        if let Ok(mut sent) = self.sent.lock() {
            sent.push_back((now, bytes));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
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
            Some("ticketnotes")
        );
        assert_eq!(
            endpoint_key("/Tickets/5/Notes/9").as_deref(),
            Some("ticketnotes")
        );
        assert_eq!(
            endpoint_key("TicketNotes/query").as_deref(),
            Some("ticketnotes")
        );
        assert_eq!(
            endpoint_key("Companies/7/Contacts").as_deref(),
            Some("contacts")
        );
        assert_eq!(
            endpoint_key("Nope/7/Things").as_deref(),
            Some("nope/things"),
            "unknown parent routes get their own key"
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

    fn threshold(used: u64, limit: u64) -> Threshold {
        Threshold {
            external_request_threshold: limit,
            request_threshold_timeframe: 60,
            current_timeframe_request_count: used,
        }
    }

    #[test]
    fn a_threshold_answer_is_read_as_used_out_of_limit() {
        let u = DEFAULT_BUDGET_PERCENTS.of(&threshold(7_500, 10_000));
        assert_eq!(
            (u.used, u.limit, u.level),
            (7_500, 10_000, BudgetLevel::Warn)
        );
    }

    #[test]
    fn governor_levels_and_refusals() {
        let g = Governor::new(DEFAULT_BUDGET_PERCENTS);
        let now = Instant::now();
        assert_eq!(g.state(now).level(), BudgetLevel::Ok);
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
        assert_eq!(state.usage.map(|u| u.percent), Some(90.0));
        assert_eq!(
            serde_json::to_value(&state).unwrap()["usage"]["state"],
            serde_json::json!("refuse")
        );
    }

    #[test]
    fn usage_between_reads_is_estimated_from_requests_sent() {
        let g = Governor::new(DEFAULT_BUDGET_PERCENTS);
        let now = Instant::now();
        g.record(8_990, 10_000, now);
        assert_eq!(g.state(now).level(), BudgetLevel::Warn);
        for _ in 0..10 {
            g.note_request();
        }
        let state = g.state(now);
        assert_eq!(state.usage.map(|u| u.used), Some(9_000));
        assert_eq!(state.level(), BudgetLevel::Refuse);
    }

    #[test]
    fn refresh_is_claimed_at_most_once_per_interval() {
        let g = Governor::new(DEFAULT_BUDGET_PERCENTS);
        let t0 = Instant::now();
        assert!(g.claim_refresh(t0));
        assert!(!g.claim_refresh(t0 + Duration::from_secs(59)));
        assert!(g.claim_refresh(t0 + Duration::from_secs(61)));
    }

    #[test]
    fn attachment_bytes_are_limited_per_five_minutes() {
        let b = AttachmentBudget::default();
        let t0 = Instant::now();
        assert!(b.admit(6_000_000, t0).is_ok());
        assert!(b.admit(3_000_000, t0).is_ok());
        let refused = b.admit(2_000_000, t0 + Duration::from_secs(60));
        assert!(matches!(refused, Err(AutotaskError::Refused { .. })));
        assert_eq!(b.used(t0 + Duration::from_secs(60)), 9_000_000);
        assert!(b.admit(2_000_000, t0 + ATTACHMENT_WINDOW).is_ok());
    }
}
