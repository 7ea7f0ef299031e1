//! Pins the tool surface: one JSON file per tool under `tests/snapshots/tools/`, exactly as
//! `tools/list` shows it. Every change to a name, description, schema or annotation is a
//! reviewable diff. Regenerate with `EXPECTORATE=overwrite cargo test --test e2e tools_snapshot`.

use std::collections::BTreeSet;

use serde_json::json;

use autotask_mcp::tools::Inventory;
use autotask_mcp::tools::spec::kind::Kind;

const DIR: &str = "tests/snapshots/tools";

#[test]
fn every_tool_matches_its_snapshot_file() {
    let inventory = Inventory::new(false);
    let tools = inventory.list();
    assert_eq!(tools.len(), 35);
    let mut names = BTreeSet::new();
    for tool in &tools {
        let json = serde_json::to_string_pretty(tool).unwrap();
        expectorate::assert_contents(format!("{DIR}/{}.json", tool.name), &format!("{json}\n"));
        names.insert(format!("{}.json", tool.name));
    }
    let on_disk: BTreeSet<String> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        on_disk, names,
        "snapshot files without a tool (delete them) or tools without a file"
    );
}

/// What `tools/list` carries for each tool, and what it leaves out because every byte is paid
/// in every conversation.
#[test]
fn every_tool_is_lean_and_says_what_it_needs_to() {
    for def in autotask_mcp::tools::all() {
        let v = serde_json::to_value(def.tool()).unwrap();
        let name = def.name;
        assert!(!def.title.is_empty(), "{name}: the docs use the title");
        assert!(v.get("title").is_none(), "{name}: no title in tools/list");
        let description = v["description"].as_str().unwrap();
        assert!(
            (10..=300).contains(&description.len()),
            "{name}: description of {} bytes",
            description.len()
        );
        let a = &v["annotations"];
        assert_eq!(a["readOnlyHint"], json!(!def.writes()), "{name}");
        // Other hints only where they differ from the spec's defaults.
        assert_eq!(
            a.get("destructiveHint").is_some(),
            def.writes() && !def.hints.destructive,
            "{name}"
        );
        assert_eq!(
            a.get("idempotentHint").is_some(),
            def.writes() && def.hints.idempotent,
            "{name}"
        );
        assert_eq!(
            a.get("openWorldHint").is_some(),
            !def.hints.open_world,
            "{name}"
        );
        assert!(a.get("title").is_none(), "{name}");
        let schema = &v["inputSchema"];
        assert_eq!(schema["type"], "object");
        for p in &def.params {
            let spec = &schema["properties"][p.name];
            assert!(
                spec["type"].is_string(),
                "{name}.{} advertises more than one type",
                p.name
            );
            // Most arguments carry no description (the tool's says it); one that does is short.
            if let Some(description) = spec["description"].as_str() {
                assert!(description.len() <= 80, "{name}.{}: {description}", p.name);
            }
        }
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        assert!(
            !required.contains(&"confirm"),
            "{name}: confirm is optional (without it a write previews)"
        );
        assert_eq!(
            schema["properties"]["confirm"].is_object(),
            def.writes(),
            "{name}: confirm exists exactly on write tools"
        );
        if def.writes() {
            // Optional (without it the call previews); the token is taught once, in the
            // server's instructions.
            assert_eq!(
                schema["properties"]["confirm"],
                json!({"type": "string"}),
                "{name}"
            );
        }
        assert_eq!(
            v["outputSchema"]["type"], "object",
            "{name} has no outputSchema"
        );
    }
}

#[test]
fn read_only_inventory_is_the_read_only_annotated_tools() {
    let all = Inventory::new(false).list();
    let read: Vec<String> = Inventory::new(true)
        .list()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    let expected: Vec<String> = all
        .iter()
        .filter(|t| t.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true))
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(read.len(), 23);
    assert_eq!(read, expected);
}

const DOCS: &str = "docs/tools.md";
const MARKER: &str = "<!-- Everything below is generated from the tool inventory";

/// How docs/tools.md names what a parameter takes.
fn type_text(kind: Kind) -> String {
    match kind {
        Kind::Int { min, max } if max == i64::MAX || max == i32::MAX as i64 => {
            if min == 0 {
                "id (whole number)".to_string()
            } else {
                "whole number".to_string()
            }
        }
        Kind::Int { min, max } => format!("whole number, {min} to {max}"),
        Kind::Pick { entity, field } => format!("label or code of {entity}.{field}"),
        Kind::Number => "number".to_string(),
        Kind::Bool | Kind::Flag => "boolean".to_string(),
        Kind::Text { max } => format!("string (max {max})"),
        Kind::DateTime => "date-time (ISO 8601, UTC)".to_string(),
        Kind::Json => "JSON object".to_string(),
        Kind::Names => "list of field names".to_string(),
        Kind::Confirm { tool } => {
            format!("confirm token `{}`", tool.to_uppercase().replace('-', "_"))
        }
    }
}

/// docs/tools.md: the hand-written head, then one section per tool from the inventory.
#[test]
fn tool_reference_in_docs_is_generated_from_the_inventory() {
    let current = std::fs::read_to_string(DOCS).unwrap();
    let head_end = current
        .find(MARKER)
        .expect("docs/tools.md keeps its generated-section marker");
    let marker_line_end = head_end + current[head_end..].find('\n').unwrap() + 1;
    let mut doc = current[..marker_line_end].to_string();
    doc.push_str("\n## Tool reference\n");
    for def in autotask_mcp::tools::all() {
        let tool = def.tool();
        let v = serde_json::to_value(&tool).unwrap();
        let writes = def.writes();
        doc.push_str(&format!("\n### `{}` — {}\n\n", tool.name, def.title));
        if writes {
            let token = tool.name.to_uppercase().replace('-', "_");
            doc.push_str(&format!(
                "Writes (not registered in read-only mode, nor when `AUTOTASK_WRITE_ENTITIES` leaves its entity out). Without `confirm` it previews; `confirm: \"{token}\"` sends.\n\n"
            ));
        } else {
            doc.push_str("Read-only.\n\n");
        }
        doc.push_str(v["description"].as_str().unwrap());
        doc.push_str("\n\n");
        if def.params.is_empty() {
            doc.push_str("No arguments.\n");
            continue;
        }
        doc.push_str("| Argument | Type | Required | Description |\n| --- | --- | --- | --- |\n");
        for p in &def.params {
            doc.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                p.name,
                type_text(p.kind),
                if p.required { "yes" } else { "no" },
                p.description.replace('|', "\\|")
            ));
        }
    }
    expectorate::assert_contents(DOCS, &doc);
}

const README: &str = "README.md";
const README_START: &str =
    "<!-- tools:start (generated from the tool inventory by tests/tools_snapshot.rs) -->";
const README_END: &str = "<!-- tools:end -->";

/// The first sentence of a description, for a one-line summary.
fn first_sentence(text: &str) -> &str {
    let mut from = 0;
    while let Some(i) = text[from..].find(". ").map(|i| i + from) {
        if !(text[..i].ends_with("e.g") || text[..i].ends_with("i.e")) {
            return &text[..=i];
        }
        from = i + 2;
    }
    text
}

/// README.md's tool table: every tool, whether it writes (and its confirm token), and what it
/// is for, generated from the inventory so the README cannot drift from the server.
#[test]
fn readme_tool_table_is_generated_from_the_inventory() {
    let current = std::fs::read_to_string(README).unwrap();
    let start = current
        .find(README_START)
        .expect("README.md keeps its tools:start marker");
    let end = current
        .find(README_END)
        .expect("README.md keeps its tools:end marker");
    let mut table = String::from("| tool | kind | what it is for |\n| --- | --- | --- |\n");
    for tool in Inventory::new(false).list() {
        let v = serde_json::to_value(&tool).unwrap();
        let kind = if v["annotations"]["readOnlyHint"] == true {
            "read".to_string()
        } else {
            format!(
                "write: `confirm: \"{}\"`",
                tool.name.to_uppercase().replace('-', "_")
            )
        };
        let summary = first_sentence(v["description"].as_str().unwrap()).replace('|', "\\|");
        table.push_str(&format!("| `{}` | {kind} | {summary} |\n", tool.name));
    }
    let expected = format!(
        "{}{README_START}\n{table}{}",
        &current[..start],
        &current[end..]
    );
    expectorate::assert_contents(README, &expected);
}
