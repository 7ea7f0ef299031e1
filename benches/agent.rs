//! Agent task benchmark: what a model pays for everyday service-desk work. A scripted MCP
//! client plays the agent: it drives the real `autotask-mcp` binary over stdio against a
//! sandbox in this process, performs each task the way a model would (reading only what the
//! previous results said, never the sandbox directly) and checks the outcome. For each task it
//! prints the tool calls, the result bytes the model reads (the text block or the structured
//! copy, whichever is larger, as a client passes one of them on) and the Autotask requests
//! the server made. Goals (issue 10): every task in at most 4 calls and 12 KB of results.
//! Also prints `tools/list`'s size, paid once per conversation, and after each task its calls
//! with the Autotask requests each reported in `_meta.autotask.requests`.
//!
//! Run with `cargo bench --bench agent` (a few seconds). Prints figures, asserts nothing
//! about speed; a task whose outcome is wrong fails the run.

use std::process::Stdio;

use autotask_mcp::sandbox::{Sandbox, SandboxOptions};
use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::process::Command;

#[path = "support/results.rs"]
mod results;
use results::Results;

/// Goals per task.
const MAX_CALLS: usize = 4;
const MAX_BYTES: usize = 12 * 1024;

type Client = RunningService<RoleClient, ()>;

/// The agent: an MCP client that counts what each task costs.
struct Agent<'a> {
    client: &'a Client,
    sandbox: &'a Sandbox,
    calls: usize,
    bytes: usize,
    tools: Vec<String>,
}

impl Agent<'_> {
    async fn call(&mut self, tool: &str, args: Value) -> Result<Value, String> {
        let Value::Object(map) = args else {
            return Err(format!("{tool}: arguments must be an object"));
        };
        let params = CallToolRequestParams::new(tool.to_string()).with_arguments(map);
        let result = self
            .client
            .call_tool(params)
            .await
            .map_err(|e| format!("{tool}: {e}"))?;
        let text: usize = result
            .content
            .iter()
            .filter_map(|c| c.as_text().map(|t| t.text.len()))
            .sum();
        let structured = result
            .structured_content
            .as_ref()
            .map_or(0, |v| v.to_string().len());
        self.calls += 1;
        self.bytes += text.max(structured);
        let requests = serde_json::to_value(&result)
            .ok()
            .and_then(|v| v["_meta"]["autotask"]["requests"].as_u64())
            .map_or_else(|| "?".to_string(), |n| n.to_string());
        self.tools.push(format!("{tool} ({requests})"));
        if result.is_error == Some(true) {
            let message: Vec<String> = result
                .content
                .iter()
                .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                .collect();
            return Err(format!("{tool} failed: {}", message.join(" ")));
        }
        result
            .structured_content
            .ok_or_else(|| format!("{tool}: no structured result"))
    }
}

/// The cells of column `name` in a search's table.
fn column(page: &Value, name: &str) -> Result<Vec<Value>, String> {
    let columns = page["columns"]
        .as_array()
        .ok_or_else(|| format!("no columns in {page}"))?;
    let at = columns
        .iter()
        .position(|c| c == name)
        .ok_or_else(|| format!("no column {name} in {}", page["columns"]))?;
    Ok(page["rows"]
        .as_array()
        .ok_or("no rows")?
        .iter()
        .map(|r| r[at].clone())
        .collect())
}

fn first_id(page: &Value) -> Result<i64, String> {
    column(page, "id")?
        .first()
        .and_then(Value::as_i64)
        .ok_or_else(|| format!("nothing found: {page}"))
}

/// Triage the open unassigned tickets of the company with the most open tickets.
async fn triage(a: &mut Agent<'_>) -> Result<String, String> {
    let open = json!({"filter": [{"op": "noteq", "field": "status", "value": "Complete"}]});
    let per_company = a
        .call(
            "count-entity",
            json!({"entity": "Tickets", "query": open, "groupBy": "companyID"}),
        )
        .await?;
    let top = &per_company["groups"][0];
    let company = top["value"].as_i64().ok_or("no top company")?;
    let page = a
        .call(
            "search-tickets",
            json!({"companyID": company, "openOnly": true, "unassigned": true}),
        )
        .await?;
    let n = page["count"].as_u64().unwrap_or(0);
    Ok(format!(
        "{} has {} open tickets, {n} unassigned",
        top["name"].as_str().unwrap_or("?"),
        top["count"]
    ))
}

/// Read a ticket, add an internal note, log 30 minutes, set it In Progress and assign it to
/// a person found by name.
async fn work_a_ticket(a: &mut Agent<'_>) -> Result<String, String> {
    let ticket = a.call("get-ticket", json!({"id": 10042})).await?;
    let number = ticket["ticketNumber"].as_str().unwrap_or("?").to_string();
    let people = a
        .call("search-resources", json!({"name": "Aiko Tanaka"}))
        .await?;
    let aiko = people["resources"][0]["id"]
        .as_i64()
        .ok_or_else(|| format!("Aiko not found: {people}"))?;
    a.call(
        "create-ticket-note",
        json!({"ticketID": 10042, "title": "Remote session",
               "description": "Cleared the print queue and restarted the spooler; user confirmed.",
               "publish": "Internal Only", "confirm": "CREATE_TICKET_NOTE"}),
    )
    .await?;
    a.call(
        "create-time-entry",
        json!({"ticketID": 10042, "resourceID": aiko, "hoursWorked": 0.5,
               "dateWorked": "2026-11-30", "summaryNotes": "Print spooler fix",
               "confirm": "CREATE_TIME_ENTRY"}),
    )
    .await?;
    let updated = a
        .call(
            "update-ticket",
            json!({"id": 10042, "status": "In Progress", "assignedResourceID": aiko,
                   "confirm": "UPDATE_TICKET"}),
        )
        .await?;
    let record = &updated["record"];
    if record["status"] != "In Progress" || record["assignedResourceID"] != aiko {
        return Err(format!("the ticket was not updated as asked: {record}"));
    }
    Ok(format!(
        "{number}: note, 0.5 h, In Progress, assigned to {}",
        record["assignedResource"].as_str().unwrap_or("?")
    ))
}

/// How many tickets are in each status.
async fn per_status(a: &mut Agent<'_>) -> Result<String, String> {
    let out = a
        .call(
            "count-entity",
            json!({"entity": "Tickets", "query": {"filter": []}, "groupBy": "status"}),
        )
        .await?;
    let groups = out["groups"].as_array().ok_or("no groups")?;
    Ok(format!(
        "{} statuses, {} tickets; most: {} ({})",
        groups.len(),
        out["count"],
        groups[0]["label"].as_str().unwrap_or("?"),
        groups[0]["count"]
    ))
}

/// Create a ticket for a company found by name, priority High.
async fn create_for_company(a: &mut Agent<'_>) -> Result<String, String> {
    let companies = a
        .call(
            "search-companies",
            json!({"nameContains": "Cedar", "maxRecords": 5}),
        )
        .await?;
    let company = first_id(&companies)?;
    let created = a
        .call(
            "create-ticket",
            json!({"companyID": company, "title": "VPN drops every hour",
                   "description": "Several users report the VPN disconnecting hourly since Monday.",
                   "priority": "High", "idempotencyKey": "bench-vpn-1", "confirm": "CREATE_TICKET"}),
        )
        .await?;
    let record = &created["record"];
    if record["priority"] != "High" {
        return Err(format!("priority not High: {record}"));
    }
    Ok(format!(
        "{} for {}",
        record["ticketNumber"].as_str().unwrap_or("?"),
        record["company"].as_str().unwrap_or("?")
    ))
}

/// Summarise a ticket's history: what happened, who did what, in order.
async fn ticket_history(a: &mut Agent<'_>) -> Result<String, String> {
    let timeline = a.call("get-ticket-timeline", json!({"id": 10001})).await?;
    let entries = timeline["entries"]
        .as_array()
        .ok_or_else(|| format!("no entries: {timeline}"))?;
    if entries.is_empty() {
        return Err("an empty history".into());
    }
    let kinds: std::collections::BTreeSet<&str> =
        entries.iter().filter_map(|e| e["kind"].as_str()).collect();
    Ok(format!(
        "{} entries ({})",
        entries.len(),
        kinds.into_iter().collect::<Vec<_>>().join(", ")
    ))
}

/// Find a contact by e-mail domain.
async fn contact_by_domain(a: &mut Agent<'_>, domain: &str) -> Result<String, String> {
    let page = a
        .call(
            "search-contacts",
            json!({"emailContains": format!("@{domain}"), "maxRecords": 10}),
        )
        .await?;
    let emails = column(&page, "emailAddress")?;
    if emails.is_empty()
        || !emails
            .iter()
            .all(|e| e.as_str().is_some_and(|e| e.ends_with(domain)))
    {
        return Err(format!("wrong contacts for {domain}: {emails:?}"));
    }
    Ok(format!("{} contacts at {domain}", emails.len()))
}

/// A domain some contact has, read from the sandbox (the benchmark's fixture, not the agent).
async fn some_domain(sandbox: &Sandbox) -> Result<String, String> {
    let creds = sandbox.credentials();
    let body: Value = reqwest::Client::new()
        .post(format!("{}V1.0/Contacts/query", sandbox.base_url()))
        .header("ApiIntegrationCode", &creds.integration_code)
        .header("UserName", &creds.username)
        .header("Secret", &creds.secret)
        .json(&json!({"filter": [{"op": "exist", "field": "emailAddress"}], "maxRecords": 1}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    body["items"][0]["emailAddress"]
        .as_str()
        .and_then(|e| e.split('@').nth(1))
        .map(str::to_string)
        .ok_or_else(|| "no contact e-mail in the sandbox".into())
}

struct Row {
    task: &'static str,
    calls: usize,
    bytes: usize,
    requests: usize,
    tools: Vec<String>,
    outcome: String,
}

async fn run() -> Result<(), String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sandbox = Sandbox::start(SandboxOptions::default())
        .await
        .map_err(|e| format!("sandbox: {e}"))?;
    let creds = sandbox.credentials();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_autotask-mcp"));
    for (key, _) in std::env::vars() {
        if key.starts_with("AUTOTASK_") || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd.env("RUST_LOG", "warn")
        .env("AUTOTASK_API_URL", sandbox.base_url())
        .env("AUTOTASK_USERNAME", &creds.username)
        .env("AUTOTASK_SECRET", &creds.secret)
        .env("AUTOTASK_INTEGRATION_CODE", &creds.integration_code);
    let (transport, _) = TokioChildProcess::builder(cmd)
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot spawn autotask-mcp: {e}"))?;
    let client = ().serve(transport).await.map_err(|e| e.to_string())?;
    let tools = client.list_all_tools().await.map_err(|e| e.to_string())?;
    let list_bytes: usize = tools
        .iter()
        .map(|t| serde_json::to_string(t).map_or(0, |s| s.len()))
        .sum();
    let domain = some_domain(&sandbox).await?;

    let mut rows = Vec::new();
    for task in [
        "triage the top company's open unassigned tickets",
        "work a ticket (read, note, 30 min, In Progress, assign by name)",
        "tickets per status",
        "create a High ticket for a company by name",
        "find a contact by e-mail domain",
        "summarise a ticket's history",
    ] {
        let before = sandbox.stats().total();
        let mut agent = Agent {
            client: &client,
            sandbox: &sandbox,
            calls: 0,
            bytes: 0,
            tools: Vec::new(),
        };
        let outcome = match task {
            t if t.starts_with("triage") => triage(&mut agent).await,
            t if t.starts_with("work") => work_a_ticket(&mut agent).await,
            t if t.starts_with("tickets per") => per_status(&mut agent).await,
            t if t.starts_with("create") => create_for_company(&mut agent).await,
            t if t.starts_with("summarise") => ticket_history(&mut agent).await,
            _ => contact_by_domain(&mut agent, &domain).await,
        }
        .map_err(|e| format!("task `{task}` failed: {e}"))?;
        let requests = agent.sandbox.stats().total() - before;
        rows.push(Row {
            task,
            calls: agent.calls,
            bytes: agent.bytes,
            requests,
            tools: agent.tools,
            outcome,
        });
    }
    let _ = client.cancel().await;

    let mut results = Results::new("agent");
    results.add("tools_list", "all", "bytes", list_bytes as f64);
    results.add("tools_list", "all", "tools", tools.len() as f64);
    println!(
        "tools/list: {} tools, {list_bytes} bytes (read once per conversation)\n",
        tools.len()
    );
    println!(
        "{:<66} {:>5} {:>8} {:>9}  goal",
        "task", "calls", "bytes", "requests"
    );
    for r in &rows {
        let met = r.calls <= MAX_CALLS && r.bytes <= MAX_BYTES;
        println!(
            "{:<66} {:>5} {:>8} {:>9}  {}",
            r.task,
            r.calls,
            r.bytes,
            r.requests,
            if met { "met" } else { "MISSED" }
        );
        println!("    {} -> {}", r.tools.join(", "), r.outcome);
        let key = r.task.split(' ').take(3).collect::<Vec<_>>().join("_");
        results.add("task", &key, "calls", r.calls as f64);
        results.add("task", &key, "result_bytes", r.bytes as f64);
        results.add("task", &key, "autotask_requests", r.requests as f64);
    }
    println!("\ngoals: at most {MAX_CALLS} calls and {MAX_BYTES} bytes of results per task");
    match results.write() {
        Ok(path) => println!("figures: {}", path.display()),
        Err(e) => eprintln!("figures not written: {e}"),
    }
    Ok(())
}

fn main() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("no runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run()) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
