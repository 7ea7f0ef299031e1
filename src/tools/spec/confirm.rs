//! The confirm gate of write tools. Every tool whose annotation says it writes takes a
//! `confirm` argument. Without it the call is a preview: nothing is sent, and the result shows
//! the request and says how to confirm. What confirms depends on `AUTOTASK_WRITE_APPROVAL`:
//! the tool's name in upper snake case (`create-ticket-note` → `CREATE_TICKET_NOTE`, the tokens
//! of the server we replace) in the `token` and `elicit` modes (in `elicit` the person is then
//! asked), and in the `preview` mode the one-time code the preview returned (the token alone,
//! which anyone can read, is refused). The write pipeline checks a code against the write.

use super::error::ToolError;
use crate::approval::ApprovalMode;

/// What a write call's `confirm` asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Confirmation {
    /// No `confirm`: a preview; nothing is sent.
    #[default]
    Preview,
    /// The tool's token (the `token` and `elicit` modes).
    Token,
    /// A one-time approval code, to check against the write (the `preview` mode).
    Code(String),
}

impl Confirmation {
    /// True when the call asks to send (the approval may still refuse it).
    pub fn sends(&self) -> bool {
        !matches!(self, Confirmation::Preview)
    }
}

/// What `given` asks for in `mode`; a value that cannot confirm is refused.
pub fn confirmation(
    tool: &str,
    given: Option<&str>,
    mode: ApprovalMode,
) -> Result<Confirmation, ToolError> {
    let token = token_for(tool);
    match (mode, given) {
        (_, None) => Ok(Confirmation::Preview),
        (ApprovalMode::Preview, Some(g)) if g.trim() == token => Err(ToolError::Refused(format!(
            "{tool} needs the one-time approval code its preview returned, not the token: this server lets a write through only once a person has seen its preview. Call {tool} without confirm, show the preview to the user, then call again with confirm set to the code it gives."
        ))),
        (ApprovalMode::Preview, Some(g)) => Ok(Confirmation::Code(g.trim().to_string())),
        (_, Some(g)) if g == token => Ok(Confirmation::Token),
        (_, Some(g)) => Err(ToolError::Refused(format!(
            "{tool} needs confirm: \"{token}\" to send (got confirm \"{}\"). Leave confirm out to preview the request, check it with the user, then call {tool} again with confirm set to \"{token}\".",
            g.chars().take(64).collect::<String>()
        ))),
    }
}

/// The confirm token of a tool: its name in upper snake case.
pub fn token_for(tool: &str) -> String {
    tool.to_ascii_uppercase().replace('-', "_")
}

/// Whether a write call sends in the `token` mode: `true` for exactly the tool's token,
/// `false` (a preview) without one; any other value is refused.
pub fn check(tool: &str, given: Option<&str>) -> Result<bool, ToolError> {
    confirmation(tool, given, ApprovalMode::Token).map(|c| c.sends())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_mode_takes_a_code_and_refuses_the_public_token() {
        let mode = ApprovalMode::Preview;
        assert_eq!(
            confirmation("create-ticket", None, mode).unwrap(),
            Confirmation::Preview
        );
        let err = confirmation("create-ticket", Some("CREATE_TICKET"), mode)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("one-time approval code") && err.contains("Nothing was sent"),
            "{err}"
        );
        assert_eq!(
            confirmation("create-ticket", Some(" ap-1-2 "), mode).unwrap(),
            Confirmation::Code("ap-1-2".into())
        );
        assert_eq!(
            confirmation("create-ticket", Some("CREATE_TICKET"), ApprovalMode::Elicit).unwrap(),
            Confirmation::Token
        );
    }

    #[test]
    fn tokens_derive_from_the_tool_name() {
        assert_eq!(token_for("create-ticket-note"), "CREATE_TICKET_NOTE");
        assert_eq!(token_for("update-entity"), "UPDATE_ENTITY");
        assert_eq!(token_for("delete-entity"), "DELETE_ENTITY");
    }

    #[test]
    fn only_the_exact_token_sends_none_previews_and_the_refusal_names_it() {
        assert!(matches!(
            check("create-ticket", Some("CREATE_TICKET")),
            Ok(true)
        ));
        assert!(matches!(check("create-ticket", None), Ok(false)));
        for given in [
            Some(""),
            Some("create_ticket"),
            Some("CREATE_TICKET "),
            Some("yes"),
        ] {
            let err = check("create-ticket", given)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("confirm: \"CREATE_TICKET\""), "{err}");
            assert!(err.contains("Nothing was sent"), "{err}");
        }
    }
}
