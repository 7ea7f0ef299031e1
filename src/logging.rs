//! Structured logging with `tracing`, for stdio and HTTP alike: every line goes to stderr
//! (stdout belongs to JSON-RPC in stdio mode), filtered by `RUST_LOG` (default `info`), as
//! human-readable text or as one JSON object per line for log shippers.
//!
//! Logging never blocks a tool call: lines go through `tracing-appender`'s lossy non-blocking
//! writer, a bounded queue drained by one thread. When stderr is a pipe nobody reads, that
//! thread blocks and the queue fills; further lines are dropped and counted
//! ([`dropped_lines`], exported as `autotask_mcp_log_lines_dropped_total` in `/metrics`),
//! never waited for. [`finish`] gives the queue a bounded time to drain at exit.
//!
//! Nothing here ever formats a secret: the callers log redacted errors, and `Config`'s Debug
//! output hides credentials and the bearer token.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tracing::Subscriber;
use tracing_appender::non_blocking::{ErrorCounter, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::config::LogFormat;

/// The filter used when `RUST_LOG` is unset or invalid (rmcp logs every stateless request
/// at info, which would triple the access log).
pub const DEFAULT_FILTER: &str = "info,rmcp=warn";

/// Lines the queue holds before new ones are dropped.
pub const QUEUE_LINES: usize = 4_096;

/// The filter from `RUST_LOG`, or [`DEFAULT_FILTER`].
pub fn env_filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER))
}

/// A subscriber writing to `writer` in `format` with `filter` (tests pass a buffer).
pub fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
    ansi: bool,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(true);
    match format {
        LogFormat::Text => Box::new(builder.with_ansi(ansi).finish()),
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
    }
}

/// Lines handed to the queue and lines the writer thread has written, to know when the queue
/// has drained.
#[derive(Default)]
struct Progress {
    queued: AtomicU64,
    written: AtomicU64,
}

/// The installed writer: its drop counter, its progress, and the guard of its thread.
struct Installed {
    dropped: ErrorCounter,
    progress: Arc<Progress>,
    guard: Mutex<Option<WorkerGuard>>,
}

fn installed() -> &'static OnceLock<Installed> {
    static INSTALLED: OnceLock<Installed> = OnceLock::new();
    &INSTALLED
}

/// stderr, counting the lines the writer thread has written.
struct CountingStderr(Arc<Progress>);

impl Write for CountingStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::io::stderr().write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        // One call per line (the writer thread writes each queued line whole); counted even
        // when stderr is closed, so `finish` does not wait for a line that will never go out.
        let result = std::io::stderr().write_all(buf);
        self.0.written.fetch_add(1, Ordering::Relaxed);
        result
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// The non-blocking writer, counting the lines it is handed.
#[derive(Clone)]
struct Queue {
    inner: tracing_appender::non_blocking::NonBlocking,
    progress: Arc<Progress>,
}

impl Write for Queue {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.progress.queued.fetch_add(1, Ordering::Relaxed);
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<'a> MakeWriter<'a> for Queue {
    type Writer = Queue;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Installs the process-wide subscriber (stderr through the lossy queue, `RUST_LOG`,
/// `format`). A second call is a no-op, so tests and embedders may install their own first.
pub fn init(format: LogFormat) {
    let ansi = std::io::stderr().is_terminal();
    let progress = Arc::new(Progress::default());
    let (inner, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(QUEUE_LINES)
        .thread_name("autotask-mcp-log")
        .finish(CountingStderr(progress.clone()));
    let dropped = inner.error_counter();
    let queue = Queue {
        inner,
        progress: progress.clone(),
    };
    if tracing::subscriber::set_global_default(subscriber(format, env_filter(), queue, ansi))
        .is_ok()
    {
        let _ = installed().set(Installed {
            dropped,
            progress,
            guard: Mutex::new(Some(guard)),
        });
    }
}

/// Log lines dropped because stderr did not keep up (0 before [`init`]).
pub fn dropped_lines() -> u64 {
    installed()
        .get()
        .map_or(0, |i| i.dropped.dropped_lines() as u64)
}

/// Waits at most `within` for the queued lines to be written, then lets the process exit
/// whatever stderr does. Called once, at the end of `main`.
pub fn finish(within: Duration) {
    let Some(installed) = installed().get() else {
        return;
    };
    let deadline = Instant::now() + within;
    let p = &installed.progress;
    let pending = || {
        let done = p.written.load(Ordering::Relaxed) + installed.dropped.dropped_lines() as u64;
        done < p.queued.load(Ordering::Relaxed)
    };
    while pending() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    // Dropping the guard would wait for the writer thread (and print to stdout when it is
    // stuck): the thread ends with the process instead.
    if let Ok(mut guard) = installed.guard.lock()
        && let Some(guard) = guard.take()
    {
        std::mem::forget(guard);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut b) = self.0.lock() {
                b.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    fn captured(format: LogFormat) -> String {
        let buffer = Buffer::default();
        let sub = subscriber(format, EnvFilter::new("info"), buffer.clone(), false);
        tracing::subscriber::with_default(sub, || {
            tracing::info!(route = "/health", status = 200u16, "request served");
            tracing::debug!("filtered out");
        });
        let bytes = buffer.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn json_lines_are_objects_with_fields() {
        let out = captured(LogFormat::Json);
        let line = out.lines().next().unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
        assert_eq!(value["message"], "request served", "{out}");
        assert_eq!(value["route"], "/health");
        assert_eq!(value["status"], 200);
        assert_eq!(value["level"], "INFO");
        assert_eq!(out.lines().count(), 1, "debug must be filtered: {out}");
    }

    #[test]
    fn text_lines_carry_the_fields() {
        let out = captured(LogFormat::Text);
        assert!(out.contains("request served"), "{out}");
        assert!(out.contains("route=\"/health\"") || out.contains("route=/health"));
        assert!(!out.contains("filtered out"));
    }
}
