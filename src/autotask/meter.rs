//! What one tool call costs, and how far a long read has got. A tool call runs inside a
//! [`scope`]; the client counts every HTTP exchange into it, the caches count their hits, and
//! paging reports the rows collected so far (for MCP progress notifications). Outside a scope
//! (start-up, `/health`) nothing is counted.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Called with the rows collected so far by a paged read.
pub type OnRows = Box<dyn Fn(u64) + Send + Sync>;

/// The counters of one tool call.
#[derive(Default)]
pub struct Meter {
    requests: AtomicU64,
    cache_hits: AtomicU64,
    on_rows: Option<OnRows>,
}

impl Meter {
    /// A meter that reports paging progress to `on_rows`.
    pub fn with_progress(on_rows: OnRows) -> Meter {
        Meter {
            on_rows: Some(on_rows),
            ..Meter::default()
        }
    }

    /// Autotask requests made so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Answers served from a cache (picklists, names) so far.
    pub fn cache_hits(&self) -> u64 {
        self.cache_hits.load(Ordering::Relaxed)
    }
}

tokio::task_local! {
    static METER: Arc<Meter>;
}

/// Runs `f` with `meter` counting for it.
pub async fn scope<F: Future>(meter: Arc<Meter>, f: F) -> F::Output {
    METER.scope(meter, f).await
}

/// One HTTP exchange with Autotask.
pub fn count_request() {
    let _ = METER.try_with(|m| m.requests.fetch_add(1, Ordering::Relaxed));
}

/// One answer from a cache instead of Autotask.
pub fn count_cache_hit() {
    let _ = METER.try_with(|m| m.cache_hits.fetch_add(1, Ordering::Relaxed));
}

/// A paged read has collected `rows` rows so far.
pub fn rows_collected(rows: usize) {
    let _ = METER.try_with(|m| {
        if let Some(on_rows) = &m.on_rows {
            on_rows(rows as u64);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[tokio::test]
    async fn counts_inside_the_scope_only() {
        count_request();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let meter = Arc::new(Meter::with_progress(Box::new(move |n| {
            if let Ok(mut s) = sink.lock() {
                s.push(n);
            }
        })));
        scope(meter.clone(), async {
            count_request();
            count_request();
            count_cache_hit();
            rows_collected(500);
        })
        .await;
        assert_eq!(meter.requests(), 2);
        assert_eq!(meter.cache_hits(), 1);
        match seen.lock() {
            Ok(seen) => assert_eq!(*seen, [500]),
            Err(e) => panic!("{e}"),
        }
    }
}
