//! Pins the tool surface: one JSON file per tool under `tests/snapshots/tools/`, exactly as
//! `tools/list` shows it. Every change to a name, description, schema or annotation is a
//! reviewable diff. Regenerate with `EXPECTORATE=overwrite cargo test --test tools_snapshot`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use autotask_mcp::tools::Inventory;

const DIR: &str = "tests/snapshots/tools";

#[test]
fn every_tool_matches_its_snapshot_file() {
    let inventory = Inventory::new(false);
    let tools = inventory.list();
    assert_eq!(tools.len(), 29);
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

#[test]
fn every_tool_has_a_title_all_four_annotations_and_described_parameters() {
    for tool in Inventory::new(false).list() {
        let v = serde_json::to_value(&tool).unwrap();
        let name = &tool.name;
        assert!(v["title"].as_str().is_some_and(|t| !t.is_empty()), "{name}");
        assert!(
            v["description"].as_str().is_some_and(|d| d.len() > 40),
            "{name}"
        );
        for hint in [
            "readOnlyHint",
            "destructiveHint",
            "idempotentHint",
            "openWorldHint",
        ] {
            assert!(v["annotations"][hint].is_boolean(), "{name} lacks {hint}");
        }
        let schema = &v["inputSchema"];
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], false);
        for (param, spec) in schema["properties"].as_object().unwrap() {
            assert!(
                spec["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{name}.{param}"
            );
            assert!(
                !spec.to_string().contains("\"null\""),
                "{name}.{param} has a null union"
            );
        }
        let writes = v["annotations"]["readOnlyHint"] == false;
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            required.contains(&"confirm"),
            writes,
            "{name}: confirm is required exactly on write tools"
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
    assert_eq!(read.len(), 18);
    assert_eq!(read, expected);
}

const DOCS: &str = "docs/tools.md";
const MARKER: &str = "<!-- Everything below is generated from the tool inventory";

fn type_text(schema: &serde_json::Value) -> String {
    let types: Vec<&str> = match &schema["type"] {
        serde_json::Value::String(s) => vec![s.as_str()],
        serde_json::Value::Array(a) => a.iter().filter_map(|t| t.as_str()).collect(),
        _ => vec![],
    };
    match types.as_slice() {
        ["integer", "string"] if schema.get("maxLength").is_none() => {
            "integer (or numeric string)".to_string()
        }
        ["integer", "string"] => "code or label".to_string(),
        ["number", "string"] => "number (or numeric string)".to_string(),
        ["boolean", "string"] => "boolean (or \"true\"/\"false\")".to_string(),
        ["object", "string"] => "JSON object (or JSON string)".to_string(),
        ["string"] if schema["format"] == "date-time" => "date-time (ISO 8601, UTC)".to_string(),
        ["string"] => format!("string (max {})", schema["maxLength"]),
        other => other.join("|"),
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
    for tool in Inventory::new(false).list() {
        let v = serde_json::to_value(&tool).unwrap();
        let writes = v["annotations"]["readOnlyHint"] == false;
        doc.push_str(&format!(
            "\n### `{}` — {}\n\n",
            tool.name,
            v["title"].as_str().unwrap()
        ));
        if writes {
            let token = tool.name.to_uppercase().replace('-', "_");
            doc.push_str(&format!(
                "Writes (not registered in read-only mode); needs `confirm: \"{token}\"`.\n\n"
            ));
        } else {
            doc.push_str("Read-only.\n\n");
        }
        doc.push_str(v["description"].as_str().unwrap());
        doc.push_str("\n\n");
        let props = v["inputSchema"]["properties"].as_object().unwrap();
        if props.is_empty() {
            doc.push_str("No arguments.\n");
            continue;
        }
        let required: Vec<&str> = v["inputSchema"]["required"]
            .as_array()
            .map(|r| r.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        doc.push_str("| Argument | Type | Required | Description |\n| --- | --- | --- | --- |\n");
        for (name, schema) in props {
            doc.push_str(&format!(
                "| `{name}` | {} | {} | {} |\n",
                type_text(schema),
                if required.contains(&name.as_str()) {
                    "yes"
                } else {
                    "no"
                },
                schema["description"].as_str().unwrap().replace('|', "\\|")
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
