//! Why a tool call did not succeed: [`ToolError`], the one error type of every layer of the
//! tools. Every message says what to do next; the call path turns it into a tool result.

use crate::autotask::AutotaskError;
use crate::autotask::error::join_sentences;

/// Why a tool call did not succeed. Every message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The arguments are wrong; nothing was sent.
    #[error("{0}")]
    Invalid(String),
    /// A write without its confirm token; nothing was sent.
    #[error("{0}")]
    Refused(String),
    /// The record does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Autotask refused or failed (already redacted by the client).
    #[error("{0}")]
    Autotask(#[from] AutotaskError),
    /// A write tool's read before the write failed (after the read's retries): the write was
    /// never sent.
    #[error("{}", join_sentences(&.0.to_string(), NOT_SENT))]
    NotSent(AutotaskError),
}

/// What a write tool adds when it failed before sending.
const NOT_SENT: &str =
    "Nothing was sent and nothing was changed in Autotask: the write was not attempted.";

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
