//! Human approval of writes (`AUTOTASK_WRITE_APPROVAL`, issue 19): the modes an operator
//! chooses from, the one-time approval codes of the `preview` mode ([`codes`]), the hash of
//! the exact request and caller a code is bound to ([`request`]), and the words that describe
//! a write to the person asked to approve it ([`describe`]), and how that person is asked
//! ([`ask`]).
//!
//! The write pipeline decides; this module only keeps the codes and does the arithmetic.

pub mod ask;
pub mod codes;
pub mod describe;
pub mod request;

pub use ask::{Answer, AskError, Asker, Asking, Elicitation};
pub use codes::{Approvals, Code, Refusal};
pub use describe::{FieldChange, WriteKind, describe_write};
pub use request::{CallerKey, RequestHash};

use serde::{Deserialize, Serialize};

/// How writes must be approved (`AUTOTASK_WRITE_APPROVAL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApprovalMode {
    /// `confirm` carries the tool's confirm token (the default; drop-in with earlier
    /// versions).
    #[default]
    Token,
    /// `confirm` carries the one-time code the preview of the same write returned.
    Preview,
    /// The server asks the person through MCP elicitation and writes only on accept.
    Elicit,
}

impl ApprovalMode {
    /// The variable that sets the mode.
    pub const VARIABLE: &str = "AUTOTASK_WRITE_APPROVAL";

    /// The mode named by `value` (`token`, `preview` or `elicit`, any case, spaces trimmed;
    /// unset or empty is `token`). The error names the variable and the accepted values.
    pub fn parse(value: Option<&str>) -> Result<ApprovalMode, String> {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("token") => Ok(ApprovalMode::Token),
            Some("preview") => Ok(ApprovalMode::Preview),
            Some("elicit") => Ok(ApprovalMode::Elicit),
            Some(other) => {
                let shown: String = other.chars().take(40).collect();
                Err(format!(
                    "{} is `{shown}`: use `token` (the default: confirm with the tool's token), `preview` (confirm with the code the preview returned) or `elicit` (ask the person through the MCP client)",
                    Self::VARIABLE
                ))
            }
        }
    }

    /// How a write approved under this mode was approved, for its audit line.
    pub fn method(self) -> ApprovalMethod {
        match self {
            ApprovalMode::Token => ApprovalMethod::Token,
            ApprovalMode::Preview => ApprovalMethod::Preview,
            ApprovalMode::Elicit => ApprovalMethod::Elicit,
        }
    }
}

/// How one write was approved, as its audit line records it (`"approval"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApprovalMethod {
    /// The tool's confirm token.
    Token,
    /// A one-time code from the preview of the same request.
    Preview,
    /// The person accepted an MCP elicitation.
    Elicit,
}

impl ApprovalMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalMethod::Token => "token",
            ApprovalMethod::Preview => "preview",
            ApprovalMethod::Elicit => "elicit",
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_name_their_method() {
        for (value, mode) in [
            (None, ApprovalMode::Token),
            (Some(""), ApprovalMode::Token),
            (Some(" Token "), ApprovalMode::Token),
            (Some("PREVIEW"), ApprovalMode::Preview),
            (Some("elicit"), ApprovalMode::Elicit),
        ] {
            assert_eq!(ApprovalMode::parse(value), Ok(mode), "{value:?}");
        }
        let err = ApprovalMode::parse(Some("yes please")).unwrap_err();
        assert!(
            err.starts_with("AUTOTASK_WRITE_APPROVAL is `yes please`: use `token`"),
            "{err}"
        );
        assert_eq!(ApprovalMode::Preview.method().as_str(), "preview");
        assert_eq!(
            serde_json::to_value(ApprovalMethod::Elicit).unwrap(),
            serde_json::json!("elicit")
        );
    }
}
