//! Structured logging with `tracing`, for stdio and HTTP alike: every line goes to stderr
//! (stdout belongs to JSON-RPC in stdio mode), filtered by `RUST_LOG` (default `info`), as
//! human-readable text or as one JSON object per line for log shippers.
//!
//! Nothing here ever formats a secret: the callers log redacted errors, and `Config`'s Debug
//! output hides credentials and the bearer token.

use std::io::IsTerminal;

use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::config::LogFormat;

/// The filter used when `RUST_LOG` is unset or invalid (rmcp logs every stateless request
/// at info, which would triple the access log).
pub const DEFAULT_FILTER: &str = "info,rmcp=warn";

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

/// Installs the process-wide subscriber (stderr, `RUST_LOG`, `format`). A second call is a
/// no-op, so tests and embedders may install their own first.
pub fn init(format: LogFormat) {
    let ansi = std::io::stderr().is_terminal();
    let _ = tracing::subscriber::set_global_default(subscriber(
        format,
        env_filter(),
        std::io::stderr,
        ansi,
    ));
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
