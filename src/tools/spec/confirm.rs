//! The confirm gate of write tools. Every tool whose annotation says it writes takes a
//! `confirm` argument equal to the tool's name in upper snake case (`create-ticket-note` →
//! `CREATE_TICKET_NOTE`), the tokens of the server we replace. Without it the call is a
//! preview: nothing is sent, and the result shows the request and names the token. Any other
//! value is refused.

use super::error::ToolError;

/// The confirm token of a tool: its name in upper snake case.
pub fn token_for(tool: &str) -> String {
    tool.to_ascii_uppercase().replace('-', "_")
}

/// Whether a write call sends: `true` for exactly the tool's token, `false` (a preview)
/// without one; any other value is refused.
pub fn check(tool: &str, given: Option<&str>) -> Result<bool, ToolError> {
    let token = token_for(tool);
    match given {
        None => Ok(false),
        Some(g) if g == token => Ok(true),
        Some(g) => Err(ToolError::Refused(format!(
            "{tool} needs confirm: \"{token}\" to send (got confirm \"{}\"). Leave confirm out to preview the request, check it with the user, then call {tool} again with confirm set to \"{token}\".",
            g.chars().take(64).collect::<String>()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
