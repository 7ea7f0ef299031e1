//! Reading past one Autotask page over a real MCP client (issue 10, point 6): `maxRecords`
//! above 500 pages automatically, MCP progress notifications report the records read, a
//! cancellation stops the paging at once, and the configured cap (`AUTOTASK_MAX_RECORDS`) and
//! result budget (`AUTOTASK_RESULT_BUDGET_BYTES`) bound what a call reads and returns, saying
//! how to get the rest.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use autotask_mcp::sandbox::{FaultResponse, FaultRule, Sandbox};
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, ClientRequest, ProgressNotificationParam,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};

use crate::mcp_support::{pointed_at, start_sandbox};

/// A client that keeps every progress value it is sent.
#[derive(Clone, Default)]
struct Recorder {
    progress: Arc<Mutex<Vec<f64>>>,
}

impl ClientHandler for Recorder {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params.progress);
    }
}

struct Setup {
    sandbox: Sandbox,
    client: RunningService<RoleClient, Recorder>,
    progress: Arc<Mutex<Vec<f64>>>,
}

async fn setup(env: &[(&str, &str)]) -> Setup {
    let sandbox = start_sandbox().await;
    let cmd = pointed_at(&sandbox, &[], env);
    let (transport, _) = TokioChildProcess::builder(cmd)
        .stderr(Stdio::inherit())
        .spawn()
        .expect("binary spawns");
    let recorder = Recorder::default();
    let progress = recorder.progress.clone();
    let client = recorder.serve(transport).await.expect("MCP initialize");
    Setup {
        sandbox,
        client,
        progress,
    }
}

fn params(tool: &str, args: Value) -> CallToolRequestParams {
    let Value::Object(map) = args else {
        panic!("arguments must be an object")
    };
    CallToolRequestParams::new(tool.to_string()).with_arguments(map)
}

async fn call(s: &Setup, tool: &str, args: Value) -> Value {
    let result = tokio::time::timeout(
        Duration::from_secs(60),
        s.client.call_tool(params(tool, args)),
    )
    .await
    .expect("answer in time")
    .expect("call succeeds");
    assert_ne!(result.is_error, Some(true), "{result:?}");
    result.structured_content.expect("structured result")
}

fn ids(page: &Value) -> Vec<i64> {
    let columns = page["columns"].as_array().unwrap();
    let at = columns.iter().position(|c| c == "id").unwrap();
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[at].as_i64().unwrap())
        .collect()
}

fn notes(page: &Value) -> String {
    page["notes"].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maxrecords_above_500_pages_and_reports_progress() {
    let s = setup(&[]).await;
    let before = s.sandbox.stats().count(Some("POST"), "/Tickets/query");
    let page = call(
        &s,
        "query-entity",
        json!({"entity": "Tickets", "query": {"filter": [], "includeFields": ["id"]},
               "maxRecords": 1200}),
    )
    .await;
    let got = ids(&page);
    assert_eq!(got.len(), 1200, "{} {}", notes(&page), page["columns"]);
    assert_eq!(got.iter().collect::<BTreeSet<_>>().len(), 1200, "distinct");
    assert_eq!(page["hasMore"], false);
    let pages = s.sandbox.stats().count(Some("POST"), "/Tickets/query") - before;
    assert_eq!(pages, 3, "500 + 500 + 200");
    // Progress arrives as notifications; give the last one a moment.
    for _ in 0..50 {
        if s.progress.lock().unwrap().last() == Some(&1200.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let progress = s.progress.lock().unwrap().clone();
    assert!(progress.len() >= 2, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0] < w[1]), "{progress:?}");
    assert_eq!(progress.last(), Some(&1200.0), "{progress:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_call_stops_paging_at_once() {
    let s = setup(&[]).await;
    // Every page of this query takes 1.5 s.
    s.sandbox.faults().push(
        FaultRule::new(Some("POST"), "/Tickets/query", 10, FaultResponse::Normal)
            .with_delay(Duration::from_millis(1500)),
    );
    let before = s.sandbox.stats().count(Some("POST"), "/Tickets/query");
    let request = ClientRequest::CallToolRequest(CallToolRequest::new(params(
        "query-entity",
        json!({"entity": "Tickets", "query": {"filter": [], "includeFields": ["id"]},
               "maxRecords": 2000}),
    )));
    let handle = s
        .client
        .peer()
        .send_request_with_option(request, PeerRequestOptions::no_options())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    handle.cancel(Some("user stopped".into())).await.unwrap();
    // Had it gone on, three more pages would have been asked for in the next 4.5 s.
    tokio::time::sleep(Duration::from_millis(4500)).await;
    let sent = s.sandbox.stats().count(Some("POST"), "/Tickets/query") - before;
    assert_eq!(
        sent, 1,
        "only the page in flight when the call was cancelled"
    );
    s.sandbox.faults().clear();
    // The server is still there for the next call.
    let page = call(
        &s,
        "count-entity",
        json!({"entity": "Tickets", "query": {"filter": []}}),
    )
    .await;
    assert_eq!(page["count"], 1200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configured_cap_bounds_the_rows_read() {
    let s = setup(&[("AUTOTASK_MAX_RECORDS", "600")]).await;
    let before = s.sandbox.stats().count(Some("POST"), "/Tickets/query");
    let page = call(
        &s,
        "query-entity",
        json!({"entity": "Tickets", "query": {"filter": [], "includeFields": ["id"]},
               "maxRecords": 1200}),
    )
    .await;
    assert_eq!(ids(&page).len(), 600);
    assert_eq!(page["hasMore"], true);
    let said = notes(&page);
    assert!(
        said.contains("cap of 600") && said.contains("AUTOTASK_MAX_RECORDS"),
        "{said}"
    );
    let pages = s.sandbox.stats().count(Some("POST"), "/Tickets/query") - before;
    assert_eq!(pages, 2, "500 + 100, never the third page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configured_budget_cuts_a_page_and_says_where_to_go_on() {
    let budget = 8_000;
    let s = setup(&[("AUTOTASK_RESULT_BUDGET_BYTES", "8000")]).await;
    let page = call(&s, "search-tickets", json!({"maxRecords": 200})).await;
    let bytes = page.to_string().len();
    assert!(
        bytes <= budget,
        "{bytes} bytes over the {budget}-byte budget"
    );
    let rows = ids(&page);
    assert!(!rows.is_empty() && rows.len() < 200, "{} rows", rows.len());
    assert_eq!(page["hasMore"], true);
    let said = notes(&page);
    let last = rows.last().unwrap();
    assert!(
        said.contains(&format!("continue after id {last}")),
        "{said}"
    );
    // Following the advice gives the next rows.
    let next = call(
        &s,
        "query-entity",
        json!({"entity": "Tickets", "query": {"filter": [{"op": "gt", "field": "id", "value": last}],
               "includeFields": ["id"]}, "maxRecords": 5}),
    )
    .await;
    assert!(ids(&next).iter().all(|id| id > last), "{next}");
}
