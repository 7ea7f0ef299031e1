//! The confirm gate of write tools. Every tool whose annotation says it writes takes a
//! `confirm` argument that must equal the tool's name in upper snake case
//! (`create-ticket-note` → `CREATE_TICKET_NOTE`), as the server we replace required. Without
//! it nothing is sent, and the result names the token to pass.

use super::ToolError;

/// The confirm token of a tool: its name in upper snake case.
pub fn token_for(tool: &str) -> String {
    tool.to_ascii_uppercase().replace('-', "_")
}

/// Passes only when `given` is exactly the tool's token.
pub fn check(tool: &str, given: Option<&str>) -> Result<(), ToolError> {
    let token = token_for(tool);
    match given {
        Some(g) if g == token => Ok(()),
        other => {
            let got = match other {
                None => "no confirm argument".to_string(),
                Some(g) => format!("confirm \"{}\"", g.chars().take(64).collect::<String>()),
            };
            Err(ToolError::Refused(format!(
                "{tool} changes data in Autotask, so it needs confirm: \"{token}\" (got {got}). Nothing was sent. Check the arguments with the user, then call {tool} again with confirm set to \"{token}\"."
            )))
        }
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
    fn only_the_exact_token_passes_and_the_refusal_names_it() {
        assert!(check("create-ticket", Some("CREATE_TICKET")).is_ok());
        for given in [
            None,
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
