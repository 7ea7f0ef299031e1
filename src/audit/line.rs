//! What one audit line says: [`AuditLine`] (the write attempt, filled by the pipeline) and
//! [`Outcome`] (how it ended). The log adds the time, the attempt id and the chain hash
//! ([`super::render`]); the field names and outcome words are those of the earlier
//! `tools::audit` log, plus `approval` and `user`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::approval::ApprovalMethod;

/// Longest text value of `fields` kept whole in a line; longer ones are cut (after redaction)
/// with their length noted.
pub const MAX_TEXT: usize = 200;
/// Longest `message` kept whole.
pub const MAX_MESSAGE: usize = 1_000;

/// The outcome word of an attempt line: the request is about to leave.
pub const SENDING: &str = "sending";

/// Every outcome word a line can carry.
pub const OUTCOMES: [&str; 10] = [
    SENDING, "created", "updated", "deleted", "refused", "invalid", "rejected", "unknown",
    "replayed", "failed",
];

/// One write attempt, as the pipeline knows it. The log sets `time` and `outcome`; leave
/// them empty. Pass the full body in `fields`: the log redacts every value, then shortens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditLine {
    pub time: String,
    pub tool: String,
    pub entity: String,
    /// `create`, `update` or `delete` once planned (before: the tool's first word).
    pub operation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The parent record of a child route (`Tickets/10001` for a note).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The body sent (or that would have been).
    #[serde(skip_serializing_if = "Map::is_empty", default)]
    pub fields: Map<String, Value>,
    /// `sending` on the attempt line; then `created`, `updated`, `deleted`, `refused`,
    /// `invalid`, `rejected`, `unknown`, `replayed` or `failed`.
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Autotask requests the call cost (so far, on the attempt line).
    pub requests: u64,
    /// `stdio` or `http`.
    pub transport: String,
    /// The HTTP bearer token's fingerprint (never the token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// The signed-in user, when the transport knows one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Gateway mode: the fingerprint of the tenant's credentials (never the credentials).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The resource the write acted as (`ImpersonationResourceId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acting_as: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// How the write was approved (none: it was refused before approval was checked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<ApprovalMethod>,
}

/// How a write attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Autotask applied it: `created`, `updated` or `deleted`, and the record id.
    Done(&'static str, i64),
    /// The first outcome answered again for a repeated idempotency key; nothing was sent.
    Replayed(Option<i64>),
    /// Refused by the server (policy, idempotency, impersonation, approval); nothing was sent.
    Refused(String),
    /// Failed validation; nothing was sent.
    Invalid(String),
    /// Autotask answered that it did not apply the write.
    Rejected(String),
    /// Sent, but whether Autotask applied it is not known (timeout, lost connection).
    Unknown(String),
    /// Not sent for another reason (Autotask unreachable, budget); nothing was changed.
    Failed(String),
}

/// The outcome a dropped [`super::Pending`] writes.
pub const ENDED_BEFORE_ANSWER: &str = "the call ended before Autotask answered (cancelled by the client): check the record before trying again";

impl Outcome {
    /// The outcome word, the record id it names, and its message.
    pub fn parts(&self) -> (&'static str, Option<i64>, Option<String>) {
        match self {
            Outcome::Done(what, id) => (what, Some(*id), None),
            Outcome::Replayed(id) => ("replayed", *id, None),
            Outcome::Refused(m) => ("refused", None, Some(m.clone())),
            Outcome::Invalid(m) => ("invalid", None, Some(m.clone())),
            Outcome::Rejected(m) => ("rejected", None, Some(m.clone())),
            Outcome::Unknown(m) => ("unknown", None, Some(m.clone())),
            Outcome::Failed(m) => ("failed", None, Some(m.clone())),
        }
    }
}

impl AuditLine {
    /// This line with `outcome` applied (the word, the id when it names one, the message).
    pub fn with_outcome(mut self, outcome: &Outcome) -> AuditLine {
        let (what, id, message) = outcome.parts();
        self.outcome = what.to_string();
        if id.is_some() {
            self.id = id;
        }
        self.message = message;
        self
    }
}

/// `text` cut after `max` characters, its length noted.
pub fn shorten_text(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max).collect();
    format!("{kept}… ({count} characters)")
}

/// Cuts text values longer than [`MAX_TEXT`] characters, noting their length. The log does
/// this itself after redaction; shortening before would let a secret that straddles the cut
/// survive as a fragment.
pub fn shorten(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(shorten_text(s, MAX_TEXT)),
        Value::Array(items) => Value::Array(items.iter().map(shorten).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shorten(v))).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn outcomes_set_word_id_and_message() {
        let line = AuditLine {
            id: Some(5),
            message: Some("old".into()),
            ..AuditLine::default()
        };
        let done = line.clone().with_outcome(&Outcome::Done("created", 9));
        assert_eq!(
            (done.outcome.as_str(), done.id, done.message),
            ("created", Some(9), None)
        );
        let refused = line.with_outcome(&Outcome::Refused("no".into()));
        assert_eq!(
            (
                refused.outcome.as_str(),
                refused.id,
                refused.message.as_deref()
            ),
            ("refused", Some(5), Some("no"))
        );
        for outcome in [
            Outcome::Done("deleted", 1),
            Outcome::Replayed(None),
            Outcome::Invalid(String::new()),
            Outcome::Rejected(String::new()),
            Outcome::Unknown(String::new()),
            Outcome::Failed(String::new()),
        ] {
            assert!(OUTCOMES.contains(&outcome.parts().0));
        }
    }

    #[test]
    fn long_texts_are_cut_with_their_length() {
        let cut = shorten(&json!({"a": ["é".repeat(MAX_TEXT + 1)], "b": 1}));
        assert_eq!(
            cut,
            json!({"a": [format!("{}… ({} characters)", "é".repeat(MAX_TEXT), MAX_TEXT + 1)], "b": 1})
        );
        assert_eq!(shorten_text("short", 10), "short");
    }
}
