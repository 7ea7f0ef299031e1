//! The retry policy for reads (writes are never retried): which failures are retried, how long
//! to wait (exponential backoff with jitter from `backon`, or the server's `Retry-After`), and
//! when a 429 becomes a rate-limited error instead of a wait.
//!
//! Retried: 429 (honouring `Retry-After` up to a cap), 502/503/504, and connection errors
//! (refused, reset, closed mid-answer). Not retried: timeouts (the server may be overloaded:
//! retrying would add load), every other status, and 500 (Autotask's business errors).

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBuilder};

/// What the client does with read failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (the first one included).
    pub max_attempts: u32,
    /// First backoff delay (jitter adds up to as much again).
    pub base_delay: Duration,
    /// Largest backoff delay before jitter.
    pub max_delay: Duration,
    /// Longest `Retry-After` the client waits; longer ones become a rate-limited error.
    pub max_wait: Duration,
}

/// When a 429 carries no `Retry-After` and attempts ran out, callers are told to wait this long
/// (what other Autotask clients fall back to).
pub const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

/// How one failed read attempt is classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// HTTP 429, with the server's `Retry-After` when it sent one.
    RateLimited { retry_after: Option<Duration> },
    /// 502, 503 or 504.
    Unavailable,
    /// Connection refused, reset or closed before the answer was complete.
    Connection,
    /// No answer within the request timeout.
    Timeout,
    /// Anything else: another status, or an answer that is not what the contract says.
    Final,
}

impl FailureKind {
    /// Classifies an HTTP status that is not a success.
    pub fn from_status(status: u16, retry_after: Option<Duration>) -> FailureKind {
        match status {
            429 => FailureKind::RateLimited { retry_after },
            502..=504 => FailureKind::Unavailable,
            _ => FailureKind::Final,
        }
    }
}

impl RetryPolicy {
    /// The backoff schedule of one read: `max_attempts - 1` delays, doubling from
    /// `base_delay`, capped at `max_delay`, each with random jitter.
    pub fn backoff(&self) -> impl Iterator<Item = Duration> + Send + use<> {
        ExponentialBuilder::default()
            .with_min_delay(self.base_delay)
            .with_max_delay(self.max_delay.max(self.base_delay))
            .with_factor(2.0)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize)
            .with_jitter()
            .build()
    }

    /// Whether a failure of this kind is retried at all (budget permitting).
    pub fn is_retryable(&self, kind: FailureKind) -> bool {
        match kind {
            FailureKind::RateLimited { retry_after } => {
                retry_after.is_none_or(|wait| wait <= self.max_wait)
            }
            FailureKind::Unavailable | FailureKind::Connection => true,
            FailureKind::Timeout | FailureKind::Final => false,
        }
    }

    /// The wait before the next attempt, given the next backoff delay (`None` when attempts
    /// ran out). A `Retry-After` replaces the backoff delay.
    pub fn wait(&self, kind: FailureKind, backoff: Option<Duration>) -> Option<Duration> {
        let backoff = backoff?;
        match kind {
            FailureKind::RateLimited {
                retry_after: Some(wait),
            } if wait <= self.max_wait => Some(wait),
            FailureKind::RateLimited { .. } => Some(backoff.min(self.max_wait)),
            _ => Some(backoff),
        }
    }
}

/// Parses a `Retry-After` value: delay seconds (`"120"`) or an HTTP date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`), relative to `now`. A date in the past means zero.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        return Some(Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
            max_wait: Duration::from_secs(30),
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stops_after_the_attempts() {
        for _ in 0..50 {
            let delays: Vec<Duration> = policy().backoff().collect();
            assert_eq!(delays.len(), 2, "3 attempts means 2 waits");
            assert!(delays[0] >= Duration::from_secs(1) && delays[0] < Duration::from_secs(2));
            assert!(delays[1] >= Duration::from_secs(2) && delays[1] < Duration::from_secs(4));
        }
        let capped = RetryPolicy {
            max_attempts: 10,
            ..policy()
        };
        let waits: Vec<Duration> = capped.backoff().collect();
        assert_eq!(waits.len(), 9, "10 attempts means 9 waits");
        assert!(
            waits.iter().all(|d| *d < Duration::from_secs(16)),
            "{waits:?}"
        );
        let once = RetryPolicy {
            max_attempts: 1,
            ..policy()
        };
        assert_eq!(once.backoff().count(), 0);
    }

    #[test]
    fn jitter_spreads_the_delays() {
        let firsts: std::collections::BTreeSet<Duration> =
            (0..20).filter_map(|_| policy().backoff().next()).collect();
        assert!(
            firsts.len() > 1,
            "20 clients must not all wait the same time"
        );
    }

    #[test]
    fn classifies_statuses() {
        assert_eq!(
            FailureKind::from_status(503, None),
            FailureKind::Unavailable
        );
        assert_eq!(
            FailureKind::from_status(502, None),
            FailureKind::Unavailable
        );
        assert_eq!(
            FailureKind::from_status(504, None),
            FailureKind::Unavailable
        );
        assert_eq!(FailureKind::from_status(500, None), FailureKind::Final);
        assert_eq!(FailureKind::from_status(401, None), FailureKind::Final);
        let p = policy();
        assert!(p.is_retryable(FailureKind::Unavailable));
        assert!(p.is_retryable(FailureKind::Connection));
        assert!(!p.is_retryable(FailureKind::Final));
        assert!(!p.is_retryable(FailureKind::Timeout));
        assert!(p.is_retryable(FailureKind::RateLimited { retry_after: None }));
        assert!(p.is_retryable(FailureKind::RateLimited {
            retry_after: Some(Duration::from_secs(30))
        }));
        assert!(!p.is_retryable(FailureKind::RateLimited {
            retry_after: Some(Duration::from_secs(31))
        }));
    }

    #[test]
    fn retry_after_replaces_the_backoff() {
        let p = policy();
        let ra = FailureKind::RateLimited {
            retry_after: Some(Duration::from_secs(5)),
        };
        assert_eq!(
            p.wait(ra, Some(Duration::from_secs(1))),
            Some(Duration::from_secs(5))
        );
        assert_eq!(p.wait(ra, None), None, "no attempts left");
        assert_eq!(
            p.wait(FailureKind::Unavailable, Some(Duration::from_millis(1200))),
            Some(Duration::from_millis(1200))
        );
    }

    #[test]
    fn parses_retry_after_seconds_and_dates() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:45 GMT", now),
            Some(Duration::from_secs(45))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }
}
