//! The scope of one tool call, as the client sees it: what the call cost (Autotask requests,
//! answers served from a cache), how far a long read has got (rows collected, for MCP progress
//! notifications), and the resource its writes act as (`ImpersonationResourceId` from the
//! caller, over the static `AUTOTASK_IMPERSONATION_RESOURCE_ID`).
//!
//! The scope is a task-local set around the call's future with [`within`]; work outside any
//! scope (start-up, `/health`, tests) counts nowhere and uses the static setting. A tool call
//! awaits its requests inside its own task, so they always see its scope.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

tokio::task_local! {
    static SCOPE: Arc<CallScope>;
}

/// Called with the rows a paged read has collected so far.
pub type OnRows = Box<dyn Fn(u64) + Send + Sync>;

/// What one call's requests share.
#[derive(Default)]
pub struct CallScope {
    requests: AtomicU64,
    cache_hits: AtomicU64,
    acting_as: Option<i64>,
    on_rows: Option<OnRows>,
}

impl std::fmt::Debug for CallScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallScope")
            .field("requests", &self.requests())
            .field("cache_hits", &self.cache_hits())
            .field("acting_as", &self.acting_as)
            .finish()
    }
}

impl CallScope {
    /// A scope whose writes act as `acting_as` (the caller's resource), if given.
    pub fn new(acting_as: Option<i64>) -> Arc<CallScope> {
        Self::with_progress(acting_as, None)
    }

    /// Like [`new`](Self::new), relaying paging progress to `on_rows`.
    pub fn with_progress(acting_as: Option<i64>, on_rows: Option<OnRows>) -> Arc<CallScope> {
        Arc::new(CallScope {
            acting_as,
            on_rows,
            ..CallScope::default()
        })
    }

    /// Autotask requests sent inside the scope so far (zone lookups excluded: they are not
    /// counted against the tenant's budget).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Answers served from a cache (picklists, names) instead of Autotask so far.
    pub fn cache_hits(&self) -> u64 {
        self.cache_hits.load(Ordering::Relaxed)
    }

    /// The resource writes inside the scope act as.
    pub fn acting_as(&self) -> Option<i64> {
        self.acting_as
    }
}

/// Runs `f` inside `scope`.
pub async fn within<F: Future>(scope: Arc<CallScope>, f: F) -> F::Output {
    SCOPE.scope(scope, f).await
}

/// True inside a scope.
pub fn active() -> bool {
    SCOPE.try_with(|_| ()).is_ok()
}

/// Requests the current scope has counted so far (0 outside any scope).
pub fn requests() -> u64 {
    SCOPE.try_with(|s| s.requests()).unwrap_or(0)
}

/// Counts one request against the current scope, if any.
pub(crate) fn note_request() {
    let _ = SCOPE.try_with(|s| s.requests.fetch_add(1, Ordering::Relaxed));
}

/// Counts one answer served from a cache, if inside a scope.
pub fn note_cache_hit() {
    let _ = SCOPE.try_with(|s| s.cache_hits.fetch_add(1, Ordering::Relaxed));
}

/// A paged read has collected `rows` rows so far.
pub(crate) fn rows_collected(rows: usize) {
    let _ = SCOPE.try_with(|s| {
        if let Some(on_rows) = &s.on_rows {
            on_rows(rows as u64);
        }
    });
}

/// The resource the current scope's writes act as, if any.
pub(crate) fn acting_as() -> Option<i64> {
    SCOPE.try_with(|s| s.acting_as).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[tokio::test]
    async fn a_scope_counts_its_own_requests_only() {
        let scope = CallScope::new(Some(7));
        let seen = within(scope.clone(), async {
            note_request();
            note_request();
            note_cache_hit();
            (acting_as(), requests(), active())
        })
        .await;
        note_request();
        assert_eq!(seen, (Some(7), 2, true));
        assert!(!active());
        assert_eq!(scope.requests(), 2);
        assert_eq!(scope.cache_hits(), 1);
        assert_eq!(acting_as(), None);
    }

    #[tokio::test]
    async fn paging_progress_reaches_the_callback() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let scope = CallScope::with_progress(
            None,
            Some(Box::new(move |n| {
                if let Ok(mut s) = sink.lock() {
                    s.push(n);
                }
            })),
        );
        within(scope, async {
            rows_collected(500);
            rows_collected(1000);
        })
        .await;
        rows_collected(7);
        assert_eq!(*seen.lock().unwrap(), [500, 1000]);
    }
}
