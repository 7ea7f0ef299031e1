//! Autotask's throttling: the tenant's rolling-hour request counter (10,000 by default) with its
//! latency tiers (+0.5 s from 50 %, +1 s from 75 %; off unless enabled) and HTTP 429 once the
//! threshold is reached, and the thread limit of 3 concurrent requests per (API integration
//! code, entity endpoint).

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The rolling window.
pub const WINDOW: Duration = Duration::from_secs(3600);

#[derive(Debug, Default)]
struct Window {
    /// (when, how many requests) in arrival order.
    events: VecDeque<(Instant, u64)>,
    total: u64,
}

impl Window {
    fn prune(&mut self, now: Instant) {
        while let Some((at, n)) = self.events.front().copied() {
            if now.duration_since(at) < WINDOW {
                break;
            }
            self.events.pop_front();
            self.total -= n;
        }
    }
}

/// The counters.
#[derive(Debug)]
pub struct Throttle {
    window: Mutex<Window>,
    in_flight: Mutex<HashMap<(String, String), usize>>,
    threshold: u64,
}

/// Whether a request may proceed under the hourly threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Counted; the count including this request.
    Admitted(u64),
    /// The threshold is reached: refuse with 429 (not counted).
    OverThreshold,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Throttle {
    pub fn new(threshold: u64) -> Self {
        Throttle {
            window: Mutex::default(),
            in_flight: Mutex::default(),
            threshold,
        }
    }

    pub fn threshold(&self) -> u64 {
        self.threshold
    }

    /// Requests in the last hour.
    pub fn current(&self) -> u64 {
        let mut w = lock(&self.window);
        w.prune(Instant::now());
        w.total
    }

    /// Counts a request unless the threshold is reached.
    pub fn admit(&self) -> Admission {
        self.admit_at(Instant::now())
    }

    fn admit_at(&self, now: Instant) -> Admission {
        let mut w = lock(&self.window);
        w.prune(now);
        if w.total >= self.threshold {
            return Admission::OverThreshold;
        }
        w.total += 1;
        match w.events.back_mut() {
            Some((at, n)) if *at == now => *n += 1,
            _ => w.events.push_back((now, 1)),
        }
        Admission::Admitted(w.total)
    }

    /// Sets the rolling-hour count to `n` (as if `n` requests had just been made).
    pub fn set(&self, n: u64) {
        let mut w = lock(&self.window);
        w.events.clear();
        w.total = n;
        if n > 0 {
            w.events.push_back((Instant::now(), n));
        }
    }

    /// Autotask's added latency at this usage: +0.5 s from 50 %, +1 s from 75 %.
    pub fn latency_for(&self, count: u64) -> Duration {
        let used = count.saturating_mul(100) / self.threshold.max(1);
        if used >= 75 {
            Duration::from_millis(1000)
        } else if used >= 50 {
            Duration::from_millis(500)
        } else {
            Duration::ZERO
        }
    }

    /// Marks a request in flight for (integration code, endpoint); returns how many are now.
    pub fn enter(&self, code: &str, endpoint: &str) -> usize {
        let mut map = lock(&self.in_flight);
        let n = map
            .entry((code.to_string(), endpoint.to_ascii_lowercase()))
            .or_default();
        *n += 1;
        *n
    }

    pub fn leave(&self, code: &str, endpoint: &str) {
        let mut map = lock(&self.in_flight);
        let key = (code.to_string(), endpoint.to_ascii_lowercase());
        if let Some(n) = map.get_mut(&key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_refuses_and_latency_tiers_follow_usage() {
        let t = Throttle::new(4);
        assert_eq!(t.admit(), Admission::Admitted(1));
        t.set(3);
        assert_eq!(t.admit(), Admission::Admitted(4));
        assert_eq!(t.admit(), Admission::OverThreshold);
        assert_eq!(t.current(), 4);
        let t = Throttle::new(10_000);
        assert_eq!(t.latency_for(4_999), Duration::ZERO);
        assert_eq!(t.latency_for(5_000), Duration::from_millis(500));
        assert_eq!(t.latency_for(7_500), Duration::from_millis(1000));
    }

    #[test]
    fn the_window_rolls_over_the_hour() {
        let t = Throttle::new(3);
        let start = Instant::now();
        assert_eq!(t.admit_at(start), Admission::Admitted(1));
        assert_eq!(
            t.admit_at(start + Duration::from_secs(1800)),
            Admission::Admitted(2)
        );
        assert_eq!(
            t.admit_at(start + Duration::from_secs(1801)),
            Admission::Admitted(3)
        );
        assert_eq!(
            t.admit_at(start + Duration::from_secs(3599)),
            Admission::OverThreshold
        );
        // The first request leaves the window an hour after it was made.
        assert_eq!(
            t.admit_at(start + Duration::from_secs(3600)),
            Admission::Admitted(3)
        );
        assert_eq!(
            t.admit_at(start + Duration::from_secs(5402)),
            Admission::Admitted(2)
        );
    }

    #[test]
    fn in_flight_is_per_code_and_endpoint() {
        let t = Throttle::new(10);
        assert_eq!(t.enter("A", "Tickets"), 1);
        assert_eq!(t.enter("A", "tickets"), 2);
        assert_eq!(t.enter("B", "Tickets"), 1);
        assert_eq!(t.enter("A", "Companies"), 1);
        t.leave("A", "Tickets");
        assert_eq!(t.enter("A", "Tickets"), 2);
    }
}
