//! Asking the person at the other end of the MCP connection to approve a write (the `elicit`
//! mode). How the question can travel depends on the client: a 2025-11-25 client is sent an
//! `elicitation/create` request and the call waits for the answer ([`Asker`]); a 2026-07-28
//! client gets an input request in place of the result and calls again with the answer
//! ([`Elicitation::RoundTrip`]); a client that cannot be asked gets a refusal.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What the person answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Approved: the write may be sent.
    Accept,
    /// Refused.
    Decline,
    /// Dismissed without a choice.
    Cancel,
}

/// Why the person could not be asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AskError {
    /// The client does not support elicitation.
    #[error("the MCP client cannot ask you (it does not support elicitation)")]
    Unsupported,
    /// The question could not be put or its answer read.
    #[error("asking you through the MCP client failed: {0}")]
    Failed(String),
}

/// The future an [`Asker`] answers with.
pub type Asking<'a> = Pin<Box<dyn Future<Output = Result<Answer, AskError>> + Send + 'a>>;

/// Puts a question to the person and waits for the answer (a 2025-11-25 client).
pub trait Asker: Send + Sync {
    fn ask(&self, message: String) -> Asking<'_>;
}

/// How a call's writes can be approved by the person.
#[derive(Clone, Default)]
pub enum Elicitation {
    /// The person cannot be asked; the text says why.
    #[default]
    Unavailable,
    /// Ask and wait.
    Ask(Arc<dyn Asker>),
    /// Answer with an input request; the client calls again with `answered`: the request
    /// state it was given and the person's answer.
    RoundTrip { answered: Option<(String, Answer)> },
}

impl std::fmt::Debug for Elicitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Elicitation::Unavailable => write!(f, "Unavailable"),
            Elicitation::Ask(_) => write!(f, "Ask"),
            Elicitation::RoundTrip { answered } => write!(
                f,
                "RoundTrip({:?})",
                answered.as_ref().map(|(_, answer)| answer)
            ),
        }
    }
}
