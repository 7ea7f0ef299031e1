//! Request statistics for tests: every request the sandbox received (faulted ones included)
//! and the most requests seen in flight at once per entity endpoint.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

/// Requests kept for `count` (the oldest are forgotten past this, so a long-running sandbox
/// does not grow without bound; `total` still counts them).
const KEPT: usize = 100_000;

#[derive(Debug, Default)]
struct Inner {
    total: usize,
    /// (method upper-case, path and query lower-case), the latest `KEPT` in arrival order.
    requests: VecDeque<(String, String)>,
    /// Per endpoint (lower-case): (in flight now, most at once).
    in_flight: HashMap<String, (usize, usize)>,
}

/// What the sandbox has seen.
#[derive(Debug, Default)]
pub struct Stats {
    inner: Mutex<Inner>,
}

impl Stats {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every request received.
    pub fn total(&self) -> usize {
        self.lock().total
    }

    /// Requests with this method (ignoring case; `None` = any) whose path and query contain
    /// `path_contains` (ignoring case), among the last 100,000.
    pub fn count(&self, method: Option<&str>, path_contains: &str) -> usize {
        let needle = path_contains.to_ascii_lowercase();
        self.lock()
            .requests
            .iter()
            .filter(|(m, p)| {
                method.is_none_or(|want| want.eq_ignore_ascii_case(m)) && p.contains(&needle)
            })
            .count()
    }

    /// The most requests for `entity` (an entity collection name such as `Tickets`, or an
    /// endpoint such as `ThresholdInformation`; ignoring case) that were in flight at once.
    pub fn max_in_flight(&self, entity: &str) -> usize {
        self.lock()
            .in_flight
            .get(&entity.to_ascii_lowercase())
            .map_or(0, |(_, max)| *max)
    }

    /// Forgets everything seen so far.
    pub fn reset(&self) {
        let mut inner = self.lock();
        inner.requests.clear();
        inner.total = 0;
        inner.in_flight.retain(|_, (now, max)| {
            *max = *now;
            *now > 0
        });
    }

    pub(crate) fn record(&self, method: &str, path_and_query: &str) {
        let mut inner = self.lock();
        inner.total += 1;
        if inner.requests.len() == KEPT {
            inner.requests.pop_front();
        }
        inner.requests.push_back((
            method.to_ascii_uppercase(),
            path_and_query.to_ascii_lowercase(),
        ));
    }

    pub(crate) fn enter(&self, endpoint: &str) {
        let mut inner = self.lock();
        let entry = inner
            .in_flight
            .entry(endpoint.to_ascii_lowercase())
            .or_default();
        entry.0 += 1;
        entry.1 = entry.1.max(entry.0);
    }

    pub(crate) fn leave(&self, endpoint: &str) {
        if let Some(entry) = self
            .lock()
            .in_flight
            .get_mut(&endpoint.to_ascii_lowercase())
        {
            entry.0 = entry.0.saturating_sub(1);
        }
    }
}
