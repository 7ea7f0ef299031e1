//! What a model reads, measured against the raw Autotask JSON of the same records (issue 10's
//! budgets, asserted as upper bounds): a 50-row `search-tickets` page, names included, at most
//! 15 % of the raw page; one `get-ticket` at most 60 % of the raw record; `tools/list` at most
//! 16 KB; no nulls or empty strings in records.

use crate::mcp_support::{start, text};
use serde_json::{Value, json};

/// Bytes a client passes on: the text block or the structured copy, whichever is larger.
fn result_bytes(result: &rmcp::model::CallToolResult) -> usize {
    let structured = result
        .structured_content
        .as_ref()
        .map_or(0, |v| v.to_string().len());
    text(result).len().max(structured)
}

fn no_empties(v: &Value, path: &str) {
    match v {
        Value::Null => panic!("null at {path}"),
        Value::String(s) if s.is_empty() => panic!("empty string at {path}"),
        Value::Object(map) => map
            .iter()
            .for_each(|(k, v)| no_empties(v, &format!("{path}.{k}"))),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| no_empties(v, &format!("{path}[{i}]"))),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_stay_within_their_byte_budgets() {
    let h = start(&[], &[], false).await;

    let tools = h.client.list_all_tools().await.unwrap();
    let list_bytes: usize = tools
        .iter()
        .map(|t| serde_json::to_string(t).unwrap().len())
        .sum();
    println!("tools/list: {} tools, {list_bytes} bytes", tools.len());

    let filter = json!([{"op": "noteq", "field": "status", "value": 5}, {"op": "noteq", "field": "status", "value": 16}]);
    let raw = h
        .rest(
            "POST",
            "Tickets/query",
            Some(json!({"filter": filter, "maxRecords": 50})),
        )
        .await;
    let raw_bytes = raw.to_string().len();
    let result = h
        .call(
            "search-tickets",
            json!({"openOnly": true, "maxRecords": 50}),
        )
        .await;
    let page = result.structured_content.clone().unwrap();
    assert_eq!(page["count"], 50);
    assert_eq!(page["filter"], filter);
    let columns = page["columns"].to_string();
    for named in ["\"company\"", "\"contact\"", "\"assignedResource\""] {
        assert!(columns.contains(named), "{named} missing from {columns}");
    }
    let bytes = result_bytes(&result);
    println!(
        "search-tickets 50 rows: {bytes} bytes, raw page {raw_bytes} bytes ({:.1} %)",
        bytes as f64 * 100.0 / raw_bytes as f64
    );
    assert!(
        bytes * 100 <= raw_bytes * 15,
        "{bytes} > 15 % of {raw_bytes}"
    );

    let id = page["rows"][0][0].as_i64().unwrap();
    let raw = h.rest("GET", &format!("Tickets/{id}"), None).await;
    let raw_bytes = raw.to_string().len();
    let result = h.call("get-ticket", json!({"id": id})).await;
    let record = result.structured_content.clone().unwrap();
    no_empties(&record, "get-ticket");
    assert!(record["company"].is_string(), "{record}");
    let bytes = result_bytes(&result);
    println!(
        "get-ticket: {bytes} bytes, raw record {raw_bytes} bytes ({:.1} %)",
        bytes as f64 * 100.0 / raw_bytes as f64
    );
    assert!(
        bytes * 100 <= raw_bytes * 60,
        "{bytes} > 60 % of {raw_bytes}"
    );
    assert!(list_bytes <= 16 * 1024, "tools/list is {list_bytes} bytes");
    h.client.cancel().await.unwrap();
}
