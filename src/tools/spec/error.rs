//! Why a tool call did not succeed: [`ToolError`], the one error type of every layer of the
//! tools. Every message says what to do next, and whether anything reached Autotask is decided
//! here, by the kind of error, not repeated in each message.

use crate::autotask::AutotaskError;
use crate::autotask::error::join_sentences;

/// What every error that stopped a call before anything was sent ends with.
pub const NOTHING_SENT: &str = "Nothing was sent.";
/// What a write tool adds when a read it needed before the write failed.
const WRITE_NOT_ATTEMPTED: &str =
    "Nothing was sent and nothing was changed in Autotask: the write was not attempted.";

/// Why a tool call did not succeed. Every message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The caller's arguments are wrong (or name something that does not exist, or that
    /// Autotask would refuse); nothing was sent.
    #[error("{}", join_sentences(.0, NOTHING_SENT))]
    Invalid(String),
    /// The server refused the call (confirm token, allow-list, idempotency key, impersonation,
    /// audit log); nothing was sent.
    #[error("{}", join_sentences(.0, NOTHING_SENT))]
    Refused(String),
    /// The record does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Autotask refused or failed (already redacted by the client).
    #[error("{0}")]
    Autotask(#[from] AutotaskError),
    /// A write tool's read before the write failed (after the read's retries): the write was
    /// never sent.
    #[error("{}", join_sentences(&.0.to_string(), WRITE_NOT_ATTEMPTED))]
    NotSent(AutotaskError),
    /// Not an error: a write that waits for a person's approval (the `elicit` mode with a
    /// 2026-07-28 client). The call path answers with an input request asking `message`; the
    /// client calls again with the answer and `state`. Nothing was sent.
    #[error("{}", join_sentences(&format!("waiting for a person's approval: {}", .message), NOTHING_SENT))]
    AwaitingApproval { message: String, state: String },
    /// A bug of this server, not of the call; nothing was sent. Counted apart in the metrics.
    #[error("{}", join_sentences(&format!("internal error (a bug in autotask-mcp, please report it): {}", .0), NOTHING_SENT))]
    Internal(String),
}

impl ToolError {
    /// The same error, from a write tool that failed before sending: an Autotask error
    /// becomes [`ToolError::NotSent`] (the others already say nothing was sent).
    pub fn before_write(self) -> ToolError {
        match self {
            ToolError::Autotask(e) => ToolError::NotSent(e),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_before_sending_say_so_once_and_read_as_one_text() {
        for e in [
            ToolError::Invalid("`id` is -1: pass a non-negative whole number".into()),
            ToolError::Refused("writes to Companies are not allowed.".into()),
            ToolError::Internal("no entity Nope in the registry".into()),
        ] {
            let text = e.to_string();
            assert_eq!(text.matches("Nothing was sent").count(), 1, "{text}");
            assert!(text.ends_with(NOTHING_SENT), "{text}");
            assert!(!text.contains("..") && !text.contains("?."), "{text}");
        }
        let internal = ToolError::Internal("x".into()).to_string();
        assert!(internal.starts_with("internal error"), "{internal}");
        assert_eq!(
            ToolError::NotFound("Tickets has no record with id 5".into()).to_string(),
            "Tickets has no record with id 5"
        );
    }
}
