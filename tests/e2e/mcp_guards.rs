//! End to end, the guards: write tools refuse a wrong confirm token and, without one, only
//! preview: nothing is written either way; junk arguments to every parameter of every tool give tool errors naming the
//! parameter, with zero requests reaching the sandbox, and the server stays up; read-only mode
//! lists exactly the 23 read tools and knows no write tool.

use crate::common::assert_every;
use crate::mcp_support::{Harness, start};
use autotask_mcp::sandbox::{FaultResponse, FaultRule};
use autotask_mcp::tools::spec::kind::Kind;
use rmcp::model::{CallToolRequestParams, Tool};
use serde_json::{Map, Value, json};

fn param_types(tool: &Tool) -> Vec<(String, Value)> {
    tool.input_schema["properties"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn required(tool: &Tool) -> Vec<String> {
    tool.input_schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn token(tool: &str) -> String {
    tool.to_uppercase().replace('-', "_")
}

fn writes(tool: &Tool) -> bool {
    tool.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(false)
}

fn types(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// The kind of a parameter, from the server's own inventory.
fn kind_of(tool: &str, name: &str) -> Option<Kind> {
    autotask_mcp::tools::all()
        .iter()
        .filter(|d| d.name == tool)
        .flat_map(|d| d.params.iter())
        .find(|p| p.name == name)
        .map(|p| p.kind)
}

/// True when the parameter takes a picklist label or code.
fn is_picklist(tool: &str, name: &str) -> bool {
    matches!(kind_of(tool, name), Some(Kind::Pick { .. }))
}

/// A valid value for a parameter, so a junk value elsewhere is the only problem.
fn sample(tool: &str, name: &str, schema: &Value) -> Value {
    let t = types(schema);
    match name {
        _ if is_picklist(tool, name) => json!(1),
        "confirm" => json!(token(tool)),
        "entity" => json!("Tickets"),
        "query" => json!({"filter": []}),
        "fields" => json!({"id": 1, "title": "x"}),
        _ if t.contains(&"integer") => json!(1),
        _ if t.contains(&"number") => json!(1),
        _ if t.contains(&"boolean") => json!(true),
        _ if schema["format"] == "date-time" => json!("2026-01-01"),
        _ => json!("x"),
    }
}

/// Values that must be rejected for a parameter of this schema.
fn junk(tool: &str, name: &str, schema: &Value) -> Vec<Value> {
    let t = types(schema);
    let forty = "1234567890123456789012345678901234567890";
    let mut out = vec![Value::Null, json!([1, 2]), json!({"x": 1})];
    if is_picklist(tool, name) {
        // A label or a code: numbers must be codes, text at most 100 characters.
        out.extend([
            json!(-1),
            json!("-5"),
            json!(forty),
            json!(1.5),
            json!(true),
            json!("7".repeat(5000)),
            json!("s".repeat(101)),
        ]);
    } else if t.contains(&"integer") {
        out.extend([
            json!(-1),
            json!("-5"),
            json!(forty),
            serde_json::from_str::<Value>(forty).unwrap(),
            json!(1.5),
            json!(true),
            json!("7".repeat(5000)),
        ]);
    } else if t.contains(&"number") {
        out.extend([
            json!(true),
            json!("NaN"),
            json!("1e400"),
            json!("9".repeat(5000)),
        ]);
    } else if t.contains(&"boolean") {
        // A 0/1 field's own numbers are fine; 2 is not.
        let number = if matches!(kind_of(tool, name), Some(Kind::Flag)) {
            2
        } else {
            1
        };
        out.extend([json!(number), json!("maybe"), json!("t".repeat(5000))]);
    } else if t.contains(&"object") {
        out.extend([
            json!(42),
            json!("{not json"),
            json!("[1,2]"),
            json!(format!("{{\"a\":\"{}\"}}", "x".repeat(200_000))),
        ]);
    } else {
        // The cap is in the schema for short texts; long ones are capped when called.
        let max = match kind_of(tool, name) {
            Some(Kind::Text { max }) => max as usize,
            _ => schema["maxLength"].as_u64().unwrap_or(64) as usize,
        };
        out.extend([
            json!(12345),
            json!(false),
            json!("s".repeat(max.max(5000) + 1)),
        ]);
        if schema["format"] == "date-time" {
            out.push(json!("next tuesday"));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_refuse_without_their_token_and_junk_never_reaches_autotask() {
    let h = start(&[], &[], false).await;
    let tools = h.client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 35);
    let before = h.requests();

    // Every write tool, otherwise valid arguments, a wrong token: refused before any request.
    let write_tools: Vec<&Tool> = tools.iter().filter(|t| writes(t)).collect();
    assert_eq!(write_tools.len(), 12);
    let mut valid = Vec::new();
    for tool in &write_tools {
        let name = tool.name.as_ref();
        assert!(!required(tool).contains(&"confirm".to_string()), "{name}");
        let mut args = Map::new();
        for (param, schema) in param_types(tool) {
            if required(tool).contains(&param) {
                args.insert(param.clone(), sample(name, &param, &schema));
            }
        }
        for confirm in [
            json!("yes"),
            json!(token(name).to_lowercase()),
            json!("CREATE_ENTITY_"),
            json!(""),
        ] {
            let mut a = args.clone();
            a.insert("confirm".into(), confirm);
            let err = h.err(name, Value::Object(a)).await;
            assert!(
                err.contains(&format!("confirm: \"{}\"", token(name))),
                "{name}: {err}"
            );
            assert!(err.contains("Nothing was sent"), "{name}: {err}");
        }
        valid.push((name, args));
    }
    assert_eq!(h.requests(), before, "a refused write reached the sandbox");

    // Without a token: a preview (or an error saying nothing was sent), never a write.
    for (name, args) in valid {
        let result = h.call(name, Value::Object(args.clone())).await;
        let said = crate::mcp_support::text(&result);
        if result.is_error == Some(true) {
            assert!(said.contains("Nothing was sent"), "{name}: {said}");
        } else {
            let preview = h.ok(name, Value::Object(args)).await;
            assert_eq!(preview["operation"], "preview", "{name}: {said}");
            assert_eq!(preview["sent"], false, "{name}");
            assert_eq!(preview["confirm"], token(name), "{name}");
            assert!(
                preview["next"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("NOT SENT")),
                "{name}: {preview}"
            );
        }
    }
    assert_eq!(h.writes(), 0, "a preview wrote to the sandbox");
    // The tenant's metadata (UDF names to check `userDefinedFields` against) may be read;
    // nothing else.
    let data_requests =
        |h: &Harness| h.requests() - h.sandbox.stats().count(Some("GET"), "/entityinformation/");
    let before = data_requests(&h);

    // Junk in every parameter of every tool.
    let mut calls = 0;
    for tool in &tools {
        let name = tool.name.as_ref();
        let params = param_types(tool);
        let base: Map<String, Value> = params
            .iter()
            .filter(|(p, _)| required(tool).contains(p))
            .map(|(p, s)| (p.clone(), sample(name, p, s)))
            .collect();
        if base.keys().any(|k| k != "confirm") {
            let err = h.err(name, json!({"confirm": token(name)})).await;
            assert!(err.contains("is required"), "{name}: {err}");
        }
        let mut unknown = base.clone();
        unknown.insert("bogusArgument".into(), json!(1));
        let err = h.err(name, Value::Object(unknown)).await;
        assert!(
            err.contains("unknown argument `bogusArgument`") && err.contains("Valid arguments:"),
            "{name}: {err}"
        );
        for (param, schema) in &params {
            for bad in junk(name, param, schema) {
                let mut args = base.clone();
                args.insert(param.clone(), bad.clone());
                let err = h.err(name, Value::Object(args)).await;
                assert!(
                    err.contains(&format!("`{param}`")),
                    "{name}.{param} = {}: {err}",
                    bad.to_string().chars().take(60).collect::<String>()
                );
                calls += 1;
            }
        }
    }
    assert!(calls > 300, "{calls}");
    assert_eq!(
        data_requests(&h),
        before,
        "junk arguments reached the sandbox"
    );

    // Autotask errors reach the model redacted, with what to do next; never a credential.
    let creds = h.sandbox.credentials();
    let echo = format!(
        "{{\"errors\":[\"Login failed for {} with secret {} and code {}\"]}}",
        creds.username, creds.secret, creds.integration_code
    );
    for (method, path, tool, args) in [
        ("GET", "Companies/", "get-company", json!({"id": 1})),
        (
            "POST",
            "Tickets/query",
            "search-tickets",
            json!({"titleContains": "x"}),
        ),
        (
            "PATCH",
            "Companies",
            "update-company",
            json!({"id": 1001, "phone": "1", "confirm": "UPDATE_COMPANY"}),
        ),
    ] {
        h.sandbox.faults().push(FaultRule::new(
            Some(method),
            path,
            1,
            FaultResponse::Status {
                status: 500,
                headers: vec![],
                body: echo.clone(),
            },
        ));
        let err = h.err(tool, args).await;
        assert!(
            err.contains("Login failed") && err.contains("HTTP 500"),
            "{tool}: {err}"
        );
        for secret in [&creds.username, &creds.secret, &creds.integration_code] {
            assert!(
                !err.contains(secret.as_str()),
                "{tool} leaked a credential: {err}"
            );
        }
    }

    // Unknown tools are protocol errors, and the server is still up.
    assert!(
        h.client
            .call_tool(CallToolRequestParams::new("drop-database"))
            .await
            .is_err()
    );
    let v = h.ok("get-version", json!({})).await;
    assert_eq!(v["server"]["name"], "autotask-mcp");
    h.client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_mode_lists_exactly_the_read_tools() {
    let h: Harness = start(&["--read-only"], &[], false).await;
    let tools = h.client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "count-entity",
            "describe-entity-fields",
            "get-attachment",
            "get-company",
            "get-contact",
            "get-entity",
            "get-project",
            "get-task",
            "get-threshold-information",
            "get-ticket",
            "get-ticket-timeline",
            "get-version",
            "list-attachments",
            "list-known-entities",
            "query-entity",
            "search-companies",
            "search-contacts",
            "search-projects",
            "search-resources",
            "search-tasks",
            "search-tickets",
            "search-time-entries",
            "who-am-i"
        ]
    );
    assert_every(&tools, "read-only tools are marked read-only", |t| {
        t.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true)
    });
    let before = h.requests();
    for write in [
        "create-ticket",
        "update-entity",
        "delete-entity",
        "create-ticket-note",
    ] {
        let mut params = CallToolRequestParams::new(write);
        params = params.with_arguments(
            json!({"confirm": token(write)})
                .as_object()
                .unwrap()
                .clone(),
        );
        let err = h
            .client
            .call_tool(params)
            .await
            .expect_err("a write tool is refused in read-only mode")
            .to_string();
        assert!(
            err.contains("tool not found") && err.contains("read-only"),
            "{write}: {err}"
        );
    }
    assert_eq!(h.requests(), before);
    let found = h.ok("search-tickets", json!({"maxRecords": 1})).await;
    assert_eq!(found["count"], 1);
    h.client.cancel().await.unwrap();
}

/// An empty text filter would match every record: it is refused, naming the argument, and
/// nothing reaches Autotask.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_text_filters_are_refused_before_sending() {
    let h = start(&[], &[], false).await;
    for (tool, arg) in [
        ("search-contacts", "emailContains"),
        ("search-companies", "nameContains"),
        ("search-tickets", "titleContains"),
    ] {
        let before = h.requests();
        for empty in ["", "   "] {
            let err = h.err(tool, json!({ arg: empty })).await;
            assert!(err.contains(&format!("`{arg}` is empty")), "{tool}: {err}");
        }
        assert_eq!(h.requests(), before, "{tool} sent a request");
    }
}
