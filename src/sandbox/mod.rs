//! The sandbox: an in-process emulator of the Autotask REST API, driven by the generated entity
//! registry, serving a deterministic demo tenant over HTTP on 127.0.0.1. Tests, benchmarks and
//! users run against it instead of a live tenant.
//!
//! Files, one concern each: `endpoint` (path → endpoint), `routes` (the request pipeline),
//! `handlers` (metadata, queries, reads, writes), `shared` (the state they share), `auth`,
//! `store`, `query`, `validate`, `picklists`, `seed`, `ids` (where each entity's ids start),
//! `history` (ticket history), `faults`, `stats`, `throttle`, `wire` (datetimes and error
//! shapes), `cli`. Dependencies run one way: `mod` → `routes` →
//! `handlers` → `endpoint`, `shared` and the data modules; none of them imports `mod`.

pub mod attachments;
mod auth;
pub mod cli;
mod endpoint;
mod faults;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod handlers;
mod history;
mod ids;
pub mod picklists;
mod query;
mod routes;
pub mod seed;
mod shared;
mod stats;
mod store;
mod throttle;
mod validate;
mod wire;

use std::sync::Arc;
use std::time::Duration;

pub use faults::{FaultResponse, FaultRule, Faults};
use shared::Shared;
pub use shared::{
    PERMISSION_DENIED, RESTRICTED_SECURITY_LEVEL, SandboxCredentials, SandboxOptions,
};
pub use stats::Stats;

/// A running sandbox. Dropping it stops the server too; `shutdown` waits for it.
pub struct Sandbox {
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Seeds the demo tenant and serves it on 127.0.0.1.
    /// Options that `SandboxOptions::check` refuses are an `InvalidInput` error.
    pub async fn start(options: SandboxOptions) -> std::io::Result<Sandbox> {
        options
            .check()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port)).await?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared::new(options, format!("http://127.0.0.1:{port}")));
        let app = routes::router(Arc::clone(&shared));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "sandbox server stopped with an error");
            }
        });
        Ok(Sandbox {
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT/ATServicesRest/`
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The API user's credentials.
    pub fn credentials(&self) -> SandboxCredentials {
        self.shared.credentials()
    }

    /// Fault injection rules.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Every request received, faulted ones included.
    pub fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    /// Sets the rolling-hour request counter (for threshold tests).
    pub fn set_request_count(&self, n: u64) {
        self.shared.throttle.set(n);
    }

    /// The rolling-hour request counter.
    pub fn request_count(&self) -> u64 {
        self.shared.throttle.current()
    }

    /// Stops serving and waits (up to 5 s) for open requests to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
