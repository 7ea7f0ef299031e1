//! The tenant's API usage this hour and the versions of the API and of this server.

use serde_json::{Value, json};

use crate::tools::call::context::Context;
use crate::tools::spec::error::ToolError;

pub async fn threshold(ctx: &Context) -> Result<Value, ToolError> {
    // The client records the budget metrics; the usage is the one computation of
    // `autotask::budget`.
    let t = ctx.tenant.client.threshold().await?;
    let usage = ctx.tenant.client.budget_percents().of(&t);
    Ok(json!({
        "externalRequestThreshold": t.external_request_threshold,
        "requestThresholdTimeframe": t.request_threshold_timeframe,
        "currentTimeframeRequestCount": t.current_timeframe_request_count,
        "remaining": usage.remaining,
        "percentUsed": usage.percent,
        "attachmentBytesLast5Minutes": ctx.tenant.client.attachment_bytes_used(),
        "attachmentBytesLimit": crate::autotask::budget::ATTACHMENT_BYTES_LIMIT,
        "note": "The limit is per tenant and shared by every integration; Autotask slows requests from 50% and refuses them above 100%."
    }))
}

pub async fn version(ctx: &Context) -> Result<Value, ToolError> {
    let api = ctx.tenant.client.version().await?;
    Ok(json!({
        "autotaskApi": api,
        "server": {"name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION")},
    }))
}
