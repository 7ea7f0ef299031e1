//! The MCP tools: each declared once as a [`ToolDef`] (`def.rs`) in the file of its area, the
//! inventory built from them once per process, and the call path every tool shares:
//! validate arguments → confirm gate (write tools: the exact token sends, none previews, any
//! other value is refused) → picklist labels to codes → typed input → handler → result with
//! `structuredContent` and its text copy. Write tools continue on the write path
//! (`write_path.rs`): allow-list, idempotency, plan, review, preview or send, audit.
//!
//! Whether a tool writes is its `readOnlyHint` annotation, nothing else: read-only mode keeps
//! exactly the tools annotated read-only, and the confirm gate applies to all the others.
//! Tools depend on the Autotask client, the registry and the picklist cache, never on the
//! server or the transports.

pub mod attachments;
pub mod audit;
pub mod caller;
pub mod companies;
pub mod contacts;
pub mod context;
pub mod def;
pub mod duplicates;
pub mod entity_writes;
pub mod filters;
pub mod gate;
pub mod generic;
pub mod group;
pub mod idempotency;
pub mod labels;
pub mod names;
pub mod output;
pub mod params;
pub mod people;
pub mod policy;
pub mod preview;
pub mod projects;
pub mod records;
pub mod roles;
pub mod shape;
pub mod summary;
pub mod tickets;
pub mod time_entries;
pub mod timeline;
pub mod udfs;
pub mod value;
pub mod write_path;
pub mod writes;

use std::collections::BTreeMap;
use std::time::Instant;

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, MetaObject, Tool};
use serde_json::Value;

use crate::autotask::AutotaskError;
use crate::autotask::error::join_sentences;
use crate::autotask::scope::{self, CallScope, OnRows};
use crate::metrics::{ToolOutcome, record_tool_call};
pub use caller::{Authenticated, Caller};
pub use context::{Context, Settings};
pub use def::{CREATE, DELETE, Hints, Input, LOCAL_READ, READ, ToolDef, UPDATE};
pub use params::{Args, Op, Param};
pub use policy::WritePolicy;
pub use value::Kind;

/// Why a tool call did not succeed. Every message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The arguments are wrong; nothing was sent.
    #[error("{0}")]
    Invalid(String),
    /// A write without its confirm token; nothing was sent.
    #[error("{0}")]
    Refused(String),
    /// The record does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Autotask refused or failed (already redacted by the client).
    #[error("{0}")]
    Autotask(#[from] AutotaskError),
    /// A write tool's read before the write failed (after the read's retries): the write was
    /// never sent.
    #[error("{}", join_sentences(&.0.to_string(), NOT_SENT))]
    NotSent(AutotaskError),
}

/// What a write tool adds when it failed before sending.
const NOT_SENT: &str =
    "Nothing was sent and nothing was changed in Autotask: the write was not attempted.";

impl ToolError {
    /// The same error, from a write tool that failed before sending: an Autotask error
    /// becomes [`ToolError::NotSent`] (the others already say nothing was sent).
    pub fn before_write(self) -> ToolError {
        match self {
            ToolError::Autotask(e) => ToolError::NotSent(e),
            other => other,
        }
    }
}

/// Every tool, sorted by name.
pub fn all() -> Vec<ToolDef> {
    let mut tools = Vec::new();
    tools.extend(generic::tools());
    tools.extend(tickets::tools());
    tools.extend(companies::tools());
    tools.extend(contacts::tools());
    tools.extend(projects::tools());
    tools.extend(time_entries::tools());
    tools.extend(attachments::tools());
    tools.extend(timeline::tools());
    tools.extend(people::tools());
    tools.sort_by_key(|t| t.name);
    tools
}

/// The tools one server process offers, built once from its configuration.
pub struct Inventory {
    tools: BTreeMap<&'static str, (ToolDef, Tool)>,
}

impl Inventory {
    /// All tools, or in read-only mode only those annotated read-only. Declaration defects
    /// (none in a tested build) are logged.
    pub fn new(read_only: bool) -> Self {
        Inventory::with_policy(read_only, &WritePolicy::all())
    }

    /// Like [`new`](Self::new), without the write tools about entities `policy` does not
    /// allow.
    pub fn with_policy(read_only: bool, policy: &WritePolicy) -> Self {
        let tools = all()
            .into_iter()
            .filter(|def| !(read_only && def.writes()) && policy.offers(def))
            .map(|def| {
                for defect in &def.defects {
                    tracing::error!(tool = def.name, defect, "tool declaration defect");
                }
                let tool = def.tool();
                (def.name, (def, tool))
            })
            .collect();
        Inventory { tools }
    }

    /// The tool definitions, sorted by name.
    pub fn list(&self) -> Vec<Tool> {
        self.tools.values().map(|(_, t)| t.clone()).collect()
    }

    pub fn tool(&self, name: &str) -> Option<&Tool> {
        self.tools.get(name).map(|(_, t)| t)
    }

    pub fn def(&self, name: &str) -> Option<&ToolDef> {
        self.tools.get(name).map(|(d, _)| d)
    }

    pub fn len(&self) -> usize {
        self.tools.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }
}

/// Runs one tool call from inside the process (or stdio) to a result.
pub async fn call(ctx: &Context, def: &ToolDef, arguments: Option<&JsonObject>) -> CallToolResult {
    call_as(ctx, def, arguments, Caller::stdio(), None).await
}

/// Runs one tool call by `caller` to a result: never panics, never returns a protocol error.
/// The call's scope counts what it costs (reported in the result's `_meta` as
/// `autotask.requests` and `autotask.cacheHits`), relays paging progress to `on_rows`, and
/// makes its writes act as the caller's resource.
pub async fn call_as(
    ctx: &Context,
    def: &ToolDef,
    arguments: Option<&JsonObject>,
    caller: Caller,
    on_rows: Option<OnRows>,
) -> CallToolResult {
    let started = Instant::now();
    let scope = CallScope::with_progress(caller.acting_as, on_rows);
    let outcome = scope::within(scope.clone(), run(ctx, def, arguments, caller)).await;
    let (result, metric) = match outcome {
        Ok(mut value) => {
            let extra = def.content.map(|take| take(&mut value)).unwrap_or_default();
            let mut result = CallToolResult::structured(value);
            result.content.extend(extra);
            (result, ToolOutcome::Ok)
        }
        Err(error) => {
            let metric = match &error {
                ToolError::Refused(_) => ToolOutcome::Refused,
                _ => ToolOutcome::ToolError,
            };
            tracing::info!(tool = def.name, error = %error, "tool call failed");
            (
                CallToolResult::error(vec![ContentBlock::text(error_text(def.name, &error))]),
                metric,
            )
        }
    };
    tracing::debug!(tool = def.name, outcome = ?metric, elapsed_ms = started.elapsed().as_millis() as u64, requests = scope.requests(), "tool call");
    record_tool_call(def.name, metric, started.elapsed());
    let mut cost = JsonObject::new();
    cost.insert(
        "autotask".into(),
        serde_json::json!({"requests": scope.requests(), "cacheHits": scope.cache_hits()}),
    );
    result.with_meta(Some(MetaObject(cost)))
}

/// The labels among `args` to resolve: picklist parameters given as labels.
fn wanted_labels(def: &ToolDef, args: &Args) -> Vec<labels::Wanted> {
    args.labels
        .iter()
        .filter_map(|(name, _)| {
            def.params.iter().find(|p| p.name == *name).and_then(|p| {
                if let Kind::Pick { entity, field } = p.kind {
                    Some(labels::Wanted {
                        key: p.name.to_string(),
                        entity,
                        field,
                    })
                } else {
                    None
                }
            })
        })
        .collect()
}

async fn run(
    ctx: &Context,
    def: &ToolDef,
    arguments: Option<&JsonObject>,
    caller: Caller,
) -> Result<Value, ToolError> {
    let mut args = params::validate(def.name, &def.params, arguments)?;
    let confirmed =
        def.writes() && gate::check(def.name, args.values.get("confirm").and_then(Value::as_str))?;
    let wanted = wanted_labels(def, &args);
    labels::resolve(ctx, &mut args.values, &wanted).await?;
    args.labels.clear();
    let udf_filter = udfs::apply(ctx, def, &mut args.values).await?;
    let mut filter = params::filter_clauses(&def.params, &args);
    filter.extend(udf_filter);
    let input = Input {
        args,
        filter,
        confirmed,
        caller,
    };
    def.run(ctx, input).await
}

/// The text of a failed call: Autotask's errors (with their advice, see
/// [`crate::autotask::error::Failure`]) are prefixed with the tool's name.
fn error_text(tool: &str, error: &ToolError) -> String {
    match error {
        ToolError::Autotask(_) | ToolError::NotSent(_) => format!("{tool} failed: {error}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
