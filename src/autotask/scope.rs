//! The scope of one tool call, as the client sees it: how many Autotask requests the call
//! cost (for the audit log), and the resource its writes act as (`ImpersonationResourceId`
//! from the caller, over the static `AUTOTASK_IMPERSONATION_RESOURCE_ID`).
//!
//! The scope is a task-local set around the call's future with [`within`]; requests made
//! outside any scope (background work, tests) count nowhere and use the static setting. A
//! write is always awaited inside the call's own task, so it always sees its scope.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

tokio::task_local! {
    static SCOPE: Arc<CallScope>;
}

/// What one call's requests share.
#[derive(Debug, Default)]
pub struct CallScope {
    requests: AtomicU64,
    acting_as: Option<i64>,
}

impl CallScope {
    /// A scope whose writes act as `acting_as` (the caller's resource), if given.
    pub fn new(acting_as: Option<i64>) -> Arc<CallScope> {
        Arc::new(CallScope {
            requests: AtomicU64::new(0),
            acting_as,
        })
    }

    /// Autotask requests sent inside the scope so far (zone lookups excluded: they are not
    /// counted against the tenant's budget).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
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

/// The resource the current scope's writes act as, if any.
pub(crate) fn acting_as() -> Option<i64> {
    SCOPE.try_with(|s| s.acting_as).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_scope_counts_its_own_requests_only() {
        let scope = CallScope::new(Some(7));
        let seen = within(scope.clone(), async {
            note_request();
            note_request();
            (acting_as(), requests(), active())
        })
        .await;
        note_request();
        assert_eq!(seen, (Some(7), 2, true));
        assert!(!active());
        assert_eq!(scope.requests(), 2);
        assert_eq!(acting_as(), None);
    }
}
