//! One tool call from raw arguments to a result: validate → confirm gate (write tools: what
//! confirms depends on the approval mode; none previews, a value that cannot confirm is
//! refused) → picklist labels to codes → user-defined fields → typed input → handler → result
//! with `structuredContent`, its text copy and its cost. A confirmed write attempt refused
//! before it reaches the write pipeline (bad arguments, a wrong token) gets its audit line
//! here. Never panics, never returns a protocol error.

use std::time::Instant;

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, MetaObject};
use serde_json::Value;

use super::context::Context;
use super::def::{ToolDef, ValidatedCall};
use crate::approval::Elicitation;
use crate::audit::AuditLine;
use crate::autotask::scope::{self, CallScope, OnRows};
use crate::caller::Caller;
use crate::metrics::{ToolOutcome, record_tool_call};
use crate::tools::spec::confirm;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::kind::Kind;
use crate::tools::spec::param::{self, Args};
use crate::tools::tenant::{labels, udfs};
use crate::tools::write::pipeline::note_refusal;

/// What a call asks besides its arguments: who calls, where paging progress goes, and how a
/// person can be asked to approve a write.
#[derive(Default)]
pub struct CallRequest {
    pub caller: Caller,
    pub on_rows: Option<OnRows>,
    pub elicitation: Elicitation,
}

/// How a call ended.
#[derive(Debug)]
pub enum Called {
    /// The result (a success or a tool error).
    Complete(CallToolResult),
    /// A write waits for a person's approval: the client must ask `message` and call again
    /// with the answer and `state` (a 2026-07-28 round trip).
    AskThePerson { message: String, state: String },
}

impl Called {
    /// The result, when the call completed; a call left waiting for a person reads as a
    /// tool error saying so (only a round-trip request can leave one waiting).
    pub fn into_result(self) -> CallToolResult {
        match self {
            Called::Complete(result) => result,
            Called::AskThePerson { message, .. } => {
                CallToolResult::error(vec![ContentBlock::text(format!(
                    "the write waits for a person's approval that this client cannot give: {message}. Nothing was sent."
                ))])
            }
        }
    }
}

/// Runs one tool call from inside the process (or stdio) to a result.
pub async fn call(ctx: &Context, def: &ToolDef, arguments: Option<&JsonObject>) -> CallToolResult {
    call_as(ctx, def, arguments, Caller::stdio(), None).await
}

/// Runs one tool call by `caller` to a result (no person can be asked to approve a write).
pub async fn call_as(
    ctx: &Context,
    def: &ToolDef,
    arguments: Option<&JsonObject>,
    caller: Caller,
    on_rows: Option<OnRows>,
) -> CallToolResult {
    let request = CallRequest {
        caller,
        on_rows,
        elicitation: Elicitation::Unavailable,
    };
    call_with(ctx, def, arguments, request).await.into_result()
}

/// Runs one tool call: never panics, never returns a protocol error. The call's scope counts
/// what it costs (reported in the result's `_meta` as `autotask.requests` and
/// `autotask.cacheHits`), relays paging progress, and makes its writes act as the caller's
/// resource.
pub async fn call_with(
    ctx: &Context,
    def: &ToolDef,
    arguments: Option<&JsonObject>,
    request: CallRequest,
) -> Called {
    let started = Instant::now();
    let CallRequest {
        caller,
        on_rows,
        elicitation,
    } = request;
    let scope = CallScope::with_progress(caller.acting_as, on_rows);
    let outcome = scope::within(scope.clone(), run(ctx, def, arguments, caller, elicitation)).await;
    let (result, metric) = match outcome {
        Ok(mut value) => {
            let extra = def.content.map(|take| take(&mut value)).unwrap_or_default();
            let mut result = CallToolResult::structured(value);
            result.content.extend(extra);
            (result, ToolOutcome::Ok)
        }
        Err(ToolError::AwaitingApproval { message, state }) => {
            tracing::info!(tool = def.name, "a write waits for a person's approval");
            record_tool_call(def.name, ToolOutcome::Refused, started.elapsed());
            return Called::AskThePerson { message, state };
        }
        Err(error) => {
            let metric = match &error {
                ToolError::Refused(_) => ToolOutcome::Refused,
                ToolError::Internal(_) => ToolOutcome::Internal,
                _ => ToolOutcome::ToolError,
            };
            if metric == ToolOutcome::Internal {
                tracing::error!(tool = def.name, error = %error, "tool call failed on a bug of this server");
            } else {
                tracing::info!(tool = def.name, error = %error, "tool call failed");
            }
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
    Called::Complete(result.with_meta(Some(MetaObject(cost))))
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

/// True when a write call's raw arguments carry a `confirm`: an attempt to write, whose
/// refusal is logged.
fn attempts_a_write(def: &ToolDef, arguments: Option<&JsonObject>) -> bool {
    def.writes()
        && arguments
            .and_then(|a| a.get("confirm"))
            .is_some_and(|c| !c.is_null())
}

async fn run(
    ctx: &Context,
    def: &ToolDef,
    arguments: Option<&JsonObject>,
    caller: Caller,
    elicitation: Elicitation,
) -> Result<Value, ToolError> {
    match prepare(ctx, def, arguments, caller.clone(), elicitation).await {
        Ok(call) => def.run(ctx, call).await,
        Err(error) => {
            if attempts_a_write(def, arguments) {
                let line = AuditLine {
                    tool: def.name.to_string(),
                    entity: def.entity.map(|e| e.name.to_string()).unwrap_or_default(),
                    operation: def.name.split('-').next().unwrap_or_default().to_string(),
                    transport: caller.transport.to_string(),
                    caller: caller.token_fingerprint.clone(),
                    user: caller.user.clone(),
                    tenant: caller.tenant.clone(),
                    acting_as: caller.acting_as,
                    requests: scope::requests(),
                    ..AuditLine::default()
                };
                note_refusal(&ctx.writes.audit, line, &error).await;
            }
            Err(error)
        }
    }
}

/// Validates the arguments, reads the confirmation, resolves labels and UDFs: the call as a
/// handler takes it.
async fn prepare(
    ctx: &Context,
    def: &ToolDef,
    arguments: Option<&JsonObject>,
    caller: Caller,
    elicitation: Elicitation,
) -> Result<ValidatedCall, ToolError> {
    let mut args = param::validate(def.name, &def.params, arguments)?;
    let confirmation = if def.writes() {
        confirm::confirmation(
            def.name,
            args.values.get("confirm").and_then(Value::as_str),
            ctx.writes.approval,
        )?
    } else {
        confirm::Confirmation::Preview
    };
    let wanted = wanted_labels(def, &args);
    labels::resolve(&ctx.tenant, &mut args.values, &wanted).await?;
    args.labels.clear();
    let udf_filter = udfs::apply(
        &ctx.tenant,
        def.name,
        def.entity,
        def.writes(),
        &mut args.values,
    )
    .await?;
    let mut filter = param::filter_clauses(&def.params, &args);
    filter.extend(udf_filter);
    Ok(ValidatedCall {
        args,
        filter,
        confirmation,
        elicitation,
        caller,
    })
}

/// The text of a failed call: Autotask's errors (with their advice, see
/// [`crate::autotask::error::Failure`]) are prefixed with the tool's name.
fn error_text(tool: &str, error: &ToolError) -> String {
    match error {
        ToolError::Autotask(_) | ToolError::NotSent(_) => format!("{tool} failed: {error}"),
        other => other.to_string(),
    }
}
