//! One tool call from raw arguments to a result: validate → confirm gate (write tools: the
//! exact token sends, none previews, any other value is refused) → picklist labels to codes →
//! user-defined fields → typed input → handler → result with `structuredContent`, its text
//! copy and its cost. Never panics, never returns a protocol error.

use std::time::Instant;

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, MetaObject};
use serde_json::Value;

use super::context::Context;
use super::def::{ToolDef, ValidatedCall};
use crate::autotask::scope::{self, CallScope, OnRows};
use crate::caller::Caller;
use crate::metrics::{ToolOutcome, record_tool_call};
use crate::tools::spec::confirm;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::kind::Kind;
use crate::tools::spec::param::{self, Args};
use crate::tools::tenant::{labels, udfs};

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
    let mut args = param::validate(def.name, &def.params, arguments)?;
    let confirmed = def.writes()
        && confirm::check(def.name, args.values.get("confirm").and_then(Value::as_str))?;
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
    let call = ValidatedCall {
        args,
        filter,
        confirmed,
        caller,
    };
    def.run(ctx, call).await
}

/// The text of a failed call: Autotask's errors (with their advice, see
/// [`crate::autotask::error::Failure`]) are prefixed with the tool's name.
fn error_text(tool: &str, error: &ToolError) -> String {
    match error {
        ToolError::Autotask(_) | ToolError::NotSent(_) => format!("{tool} failed: {error}"),
        other => other.to_string(),
    }
}
