//! End to end (issue 11, item 13): what a server tells the model (its instructions, every
//! tool's description and schema, the resources' and templates' descriptions) never points
//! at a tool it does not register: not in read-only mode (`--read-only`,
//! `AUTOTASK_READ_ONLY=true`), and not when the write allow-list (`AUTOTASK_WRITE_ENTITIES`)
//! removes write tools.

use crate::mcp_support::start;

/// True when `name` occurs in `text` as a whole tool name (`create-ticket` is not found in
/// `create-ticket-note`).
fn mentions(text: &str, name: &str) -> bool {
    let part = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    text.match_indices(name).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(part)
            && !text[i + name.len()..].chars().next().is_some_and(part)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registered_text_names_only_registered_tools() {
    let every: Vec<&str> = autotask_mcp::tools::all().iter().map(|d| d.name).collect();
    for (args, env, writes) in [
        (vec!["--read-only"], vec![], false),
        (vec![], vec![("AUTOTASK_READ_ONLY", "true")], false),
        (vec![], vec![("AUTOTASK_WRITE_ENTITIES", "Companies")], true),
        (
            vec![],
            vec![("AUTOTASK_WRITE_ENTITIES", "TicketNotes")],
            true,
        ),
    ] {
        let h = start(&args, &env, false).await;
        let tools = h.client.list_all_tools().await.unwrap();
        let registered: Vec<String> = tools.iter().map(|t| t.name.to_string()).collect();
        let instructions = h
            .client
            .peer_info()
            .unwrap()
            .instructions
            .clone()
            .unwrap_or_default();
        let mut texts = vec![("instructions".to_string(), instructions.clone())];
        for t in &tools {
            texts.push((
                format!("tool {}", t.name),
                serde_json::to_string(t).unwrap(),
            ));
        }
        for r in h.client.list_all_resources().await.unwrap() {
            texts.push((r.uri.clone(), serde_json::to_string(&r).unwrap()));
        }
        for t in h.client.list_all_resource_templates().await.unwrap() {
            texts.push((t.uri_template.clone(), serde_json::to_string(&t).unwrap()));
        }
        let missing: Vec<&&str> = every
            .iter()
            .filter(|n| !registered.iter().any(|r| r == *n))
            .collect();
        assert!(!missing.is_empty(), "{args:?} {env:?} removed no tool");
        for (what, text) in &texts {
            for name in &missing {
                let token = name.to_ascii_uppercase().replace('-', "_");
                assert!(
                    !mentions(text, name) && !mentions(text, &token),
                    "{args:?} {env:?}: {what} names {name}, which is not registered: {text}"
                );
            }
            if !writes {
                assert!(
                    !text.contains("confirm") && !text.contains("idempotencyKey"),
                    "{args:?} {env:?}: {what} teaches writes in read-only mode: {text}"
                );
            }
        }
        if writes {
            // The write sentence stays, with a registered tool as its example.
            assert!(instructions.contains("plus confirm"), "{instructions}");
        } else {
            assert!(instructions.contains("read-only mode"), "{instructions}");
        }
        h.client.cancel().await.unwrap();
    }
    assert!(mentions("use create-ticket.", "create-ticket"));
    assert!(!mentions("use create-ticket-note", "create-ticket"));
    assert!(!mentions("CREATE_TICKET_NOTE", "CREATE_TICKET"));
}
