//! One error type for every Autotask call. It keeps the HTTP status and Autotask's own
//! messages, says what to do next, and can never contain the credentials: every message is
//! redacted when the error is built.

use std::time::Duration;

/// An Autotask call that failed.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub enum AutotaskError {
    /// Autotask answered with an error status; `messages` are its `errors` (or `Message`).
    #[error("Autotask answered HTTP {status}: {}", messages.join("; "))]
    Api { status: u16, messages: Vec<String> },
    /// The tenant's API budget is exhausted or Autotask throttled us; retry after the delay.
    #[error("Autotask is rate limiting this tenant (HTTP 429): retry in {} s", retry_after.as_secs())]
    RateLimited { retry_after: Duration },
    /// The server refuses a background read to protect the tenant's hourly budget.
    #[error(
        "the tenant has used {used} of {limit} API requests this hour ({percent}%): the server skips optional reads; retry later or ask for exactly what you need"
    )]
    BudgetExhausted { used: u64, limit: u64, percent: u8 },
    /// A write whose outcome is unknown (timeout or lost connection after sending). It is never
    /// repeated automatically.
    #[error(
        "outcome unknown: {method} {path} was sent but {reason}; it may or may not have been applied, so check (query the entity) before trying again"
    )]
    OutcomeUnknown {
        method: String,
        path: String,
        reason: String,
    },
    /// Autotask could not be reached (after retries for reads).
    #[error("cannot reach Autotask: {reason}")]
    Transport { reason: String },
    /// Autotask answered something that is not what the API contract says.
    #[error("unexpected answer from Autotask: {reason}")]
    InvalidResponse { reason: String },
    /// The client refused to send a request (for example credentials to a foreign origin).
    #[error("request refused: {reason}")]
    Refused { reason: String },
}

impl std::fmt::Debug for AutotaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Debug is Display: the fields are already redacted, and one form is easier to audit.
        write!(f, "AutotaskError({self})")
    }
}

impl AutotaskError {
    /// The HTTP status, when Autotask answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            AutotaskError::Api { status, .. } => Some(*status),
            AutotaskError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }
}

/// Replaces every occurrence of each secret in `text` by `[redacted]`.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret, "[redacted]");
    }
    out
}
