//! One call of a write tool as the write pipeline sees it: the tool, what `confirm` asked for,
//! how a person can be asked, the idempotency key, the arguments a repeat must match, and who
//! calls; and the audit line's fields known before planning.

use serde_json::{Map, Value};

use crate::approval::Elicitation;
use crate::audit::AuditLine;
use crate::caller::Caller;
use crate::tools::spec::confirm::Confirmation;

/// The parameter a create takes to make retries safe.
pub const KEY_PARAM: &str = "idempotencyKey";
/// The description of [`KEY_PARAM`]: none, the server's instructions explain it once.
pub const KEY_DESCRIPTION: &str = "";

/// One call of a write tool, as the write path sees it.
#[derive(Debug, Clone)]
pub struct WriteCall {
    pub tool: &'static str,
    /// What `confirm` asked for: a preview, or to send (with the token or a code).
    pub confirmation: Confirmation,
    /// How the person can be asked (the `elicit` approval mode).
    pub elicitation: Elicitation,
    pub key: Option<String>,
    /// The validated arguments without the token and the key: what a repeat must match.
    pub args: Value,
    pub caller: Caller,
}

impl WriteCall {
    /// The call of `tool` with validated arguments `values`, by `caller`.
    pub fn new(
        tool: &'static str,
        values: &Map<String, Value>,
        confirmation: Confirmation,
        elicitation: Elicitation,
        caller: &Caller,
    ) -> WriteCall {
        let args: Map<String, Value> = values
            .iter()
            .filter(|(k, _)| *k != "confirm" && *k != KEY_PARAM)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        WriteCall {
            tool,
            confirmation,
            elicitation,
            key: values
                .get(KEY_PARAM)
                .and_then(Value::as_str)
                .map(str::to_string),
            args: Value::Object(args),
            caller: caller.clone(),
        }
    }

    /// True when the call asks to send (not a preview).
    pub fn confirmed(&self) -> bool {
        self.confirmation.sends()
    }

    /// The audit line's fields known before planning.
    pub fn line(&self) -> AuditLine {
        AuditLine {
            tool: self.tool.to_string(),
            operation: self.tool.split('-').next().unwrap_or_default().to_string(),
            transport: self.caller.transport.to_string(),
            caller: self.caller.token_fingerprint.clone(),
            user: self.caller.user.clone(),
            tenant: self.caller.tenant.clone(),
            acting_as: self.caller.acting_as,
            idempotency_key: self.key.clone(),
            ..AuditLine::default()
        }
    }
}
