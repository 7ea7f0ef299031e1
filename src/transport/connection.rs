//! One HTTP connection's lifetime: it is closed after a bounded time without a request in
//! progress, whatever the client sent (nothing, a few bytes of a request line, an HTTP/2
//! preface, or nothing more after its last answer), and at once on shutdown when no request is
//! in progress.
//!
//! hyper's header read timeout only starts once a connection is known to be HTTP/1, so
//! without this an idle socket stays open indefinitely: enough of them exhaust the file
//! descriptors (`/health` then fails), and one of them held shutdown for the whole drain
//! time. [`Activity`] counts the requests in progress on one connection (a request lasts until
//! its response body has been sent, so a long answer is never cut) and [`idle`] resolves when
//! the connection should be closed; the caller then drops the connection, which closes the
//! socket.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Requests in progress on one connection, and when the last one started or ended.
#[derive(Debug)]
pub struct Activity {
    state: Mutex<(usize, Instant)>,
    changed: Notify,
}

impl Default for Activity {
    fn default() -> Self {
        Activity {
            state: Mutex::new((0, Instant::now())),
            changed: Notify::new(),
        }
    }
}

impl Activity {
    /// Marks a request as started; it ends when the guard drops.
    pub fn start(self: &Arc<Self>) -> RequestGuard {
        self.update(|n| n + 1);
        RequestGuard(Arc::clone(self))
    }

    fn update(&self, f: impl FnOnce(usize) -> usize) {
        if let Ok(mut state) = self.state.lock() {
            *state = (f(state.0), Instant::now());
        }
        self.changed.notify_one();
    }

    fn snapshot(&self) -> (usize, Instant) {
        self.state.lock().map_or((0, Instant::now()), |s| *s)
    }
}

/// A request in progress (see [`Activity::start`]).
#[derive(Debug)]
pub struct RequestGuard(Arc<Activity>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.update(|n| n.saturating_sub(1));
    }
}

/// Resolves when the connection should be closed: no request in progress and none for
/// `limit`, or `shutdown` fired while none is in progress.
pub async fn idle(activity: Arc<Activity>, limit: Duration, shutdown: CancellationToken) {
    loop {
        let (in_progress, since) = activity.snapshot();
        if in_progress > 0 {
            // A request runs: wait for it to end (shutdown waits for it too).
            activity.changed.notified().await;
            continue;
        }
        if shutdown.is_cancelled() || since.elapsed() >= limit {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep_until(since + limit) => {}
            () = activity.changed.notified() => {}
            () = shutdown.cancelled() => {}
        }
    }
}

/// A response body holding `G` until it has been sent (or dropped): a [`RequestGuard`] keeps
/// its request counted as in progress, so a connection streaming a long answer is never closed
/// as idle; `mcp_gate` keeps an answer's memory reservation this way.
pub struct Guarded<G> {
    inner: Body,
    _guard: G,
}

impl<G> Guarded<G> {
    pub fn new(inner: Body, guard: G) -> Guarded<G> {
        Guarded {
            inner,
            _guard: guard,
        }
    }
}

impl<G: Unpin> http_body::Body for Guarded<G> {
    type Data = <Body as http_body::Body>::Data;
    type Error = <Body as http_body::Body>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn idle_waits_for_requests_and_for_the_limit() {
        let activity = Arc::new(Activity::default());
        let limit = Duration::from_secs(5);
        let never = CancellationToken::new();
        let guard = activity.start();
        let waiting = tokio::spawn(idle(activity.clone(), limit, never.clone()));
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(
            !waiting.is_finished(),
            "a request in progress keeps it open"
        );
        drop(guard);
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert!(!waiting.is_finished(), "not idle for the limit yet");
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(
            matches!(waiting.await, Ok(())),
            "closed after the limit without a request"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_closes_an_idle_connection_at_once_but_not_a_busy_one() {
        let activity = Arc::new(Activity::default());
        let shutdown = CancellationToken::new();
        let guard = activity.start();
        let waiting = tokio::spawn(idle(
            activity.clone(),
            Duration::from_secs(3600),
            shutdown.clone(),
        ));
        shutdown.cancel();
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiting.is_finished(), "the request in progress finishes");
        drop(guard);
        let closed = tokio::time::timeout(Duration::from_millis(10), waiting).await;
        assert!(
            matches!(closed, Ok(Ok(()))),
            "closed once the request ended"
        );
    }
}
