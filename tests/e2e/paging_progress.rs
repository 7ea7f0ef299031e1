//! Reading past one Autotask page over a real MCP client (issue 10, point 6): `maxRecords`
//! above 500 pages automatically, MCP progress notifications report the records read, a
//! cancellation stops the paging at once, and the configured cap (`AUTOTASK_MAX_RECORDS`) and
//! result budget (`AUTOTASK_RESULT_BUDGET_BYTES`) bound what a call reads and returns, saying
//! how to get the rest.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use autotask_mcp::sandbox::{FaultResponse, FaultRule, Sandbox};
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, ClientRequest, ProgressNotificationParam,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::common::assert_every;
use crate::mcp_support::{pointed_at, start_sandbox};

/// A client that keeps every progress value it is sent, and tells whoever watches.
#[derive(Clone)]
struct Recorder {
    progress: watch::Sender<Vec<f64>>,
}

impl ClientHandler for Recorder {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress
            .send_modify(|values| values.push(params.progress));
    }
}

struct Setup {
    sandbox: Sandbox,
    client: RunningService<RoleClient, Recorder>,
    progress: watch::Receiver<Vec<f64>>,
}

async fn setup(env: &[(&str, &str)]) -> Setup {
    let sandbox = start_sandbox().await;
    let cmd = pointed_at(&sandbox, &[], env);
    let (transport, _) = TokioChildProcess::builder(cmd)
        .stderr(Stdio::inherit())
        .spawn()
        .expect("binary spawns");
    let (sender, progress) = watch::channel(Vec::new());
    let recorder = Recorder { progress: sender };
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
    // Progress arrives as notifications, handled apart from the answer: wait for the last.
    let mut watching = s.progress.clone();
    let progress = tokio::time::timeout(
        Duration::from_secs(30),
        watching.wait_for(|p| p.last() == Some(&1200.0)),
    )
    .await
    .unwrap_or_else(|_| panic!("no progress of 1200: {:?}", *s.progress.borrow()))
    .expect("the client runs")
    .clone();
    assert!(progress.len() >= 2, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0] < w[1]), "{progress:?}");
    assert_eq!(progress.last(), Some(&1200.0), "{progress:?}");
}

/// Waits until `condition` holds, polling it (the sandbox announces no events), at most
/// `deadline`.
async fn wait_until(deadline: Duration, what: &str, condition: impl Fn() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(
            started.elapsed() < deadline,
            "{what}: not within {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The server may send one request at a time per endpoint and never times a request out
/// during the test; the first page of the first call is held for 10 minutes. The call is
/// cancelled while that page is in flight; a second call then reads all 1,200 tickets: it can
/// only get the endpoint's one slot if the cancelled call let go of its request at once
/// (otherwise it would wait for the held page).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_call_stops_paging_at_once() {
    let s = setup(&[
        ("AUTOTASK_THREADS_PER_ENDPOINT", "1"),
        ("AUTOTASK_REQUEST_TIMEOUT_SECS", "600"),
    ])
    .await;
    s.sandbox.faults().push(
        FaultRule::new(Some("POST"), "/Tickets/query", 1, FaultResponse::Normal)
            .with_delay(Duration::from_secs(600)),
    );
    let pages = || s.sandbox.stats().count(Some("POST"), "/Tickets/query");
    let before = pages();
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
    // The first page has reached the sandbox, which holds it.
    wait_until(Duration::from_secs(60), "the first page is sent", || {
        pages() == before + 1
    })
    .await;
    handle.cancel(Some("user stopped".into())).await.unwrap();
    assert_eq!(
        s.sandbox.faults().remaining(),
        0,
        "the held page took the rule"
    );
    // The next call pages through every ticket (three pages) on the slot the cancelled call
    // held: it would wait ten minutes had that call not let go.
    let page = tokio::time::timeout(
        Duration::from_secs(60),
        call(
            &s,
            "query-entity",
            json!({"entity": "Tickets", "query": {"filter": [], "includeFields": ["id"]},
                   "maxRecords": 2000}),
        ),
    )
    .await
    .expect("the cancelled call released its request");
    assert_eq!(ids(&page).len(), 1200);
    assert_eq!(
        pages() - before,
        1 + 3,
        "the page in flight when the call was cancelled, then the next call's three"
    );
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
    assert_every(&ids(&next), "the rows after the advice", |id| id > last);
}
