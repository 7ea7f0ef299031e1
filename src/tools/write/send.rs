//! The one send of a write: [`execute`] sends a plan exactly once (writes are never retried)
//! and answers with the record as it stands after the write (one GET, summary fields, labels
//! and names), so a model needs no read-back.

use serde_json::{Value, json};

use super::WriteDeps;
use super::plan::{WriteOp, WritePlan, decoded_len};
use crate::autotask::{ReadIntent, UpdateMethod};
use crate::tools::present::records;
use crate::tools::spec::entity::entity_def;
use crate::tools::spec::error::ToolError;

/// Sends `plan` once and answers with what happened.
pub async fn execute(deps: WriteDeps<'_>, plan: WritePlan) -> Result<Value, ToolError> {
    let (id, sent_to) = match plan.op {
        WriteOp::Create => {
            let body = Value::Object(plan.body.clone());
            let id = match plan.body.get("data").and_then(Value::as_str) {
                // An attachment: counted against Autotask's attachment traffic limit.
                Some(data) if plan.entity.ends_with("Attachments") => {
                    let bytes = decoded_len(data);
                    deps.tenant
                        .client
                        .create_attachment(&plan.path, &body, bytes)
                        .await?
                }
                _ => deps.tenant.client.create(&plan.path, &body).await?,
            };
            (id, plan.path.clone())
        }
        WriteOp::Update => {
            let id = deps
                .tenant
                .client
                .update(
                    &plan.path,
                    &Value::Object(plan.body.clone()),
                    UpdateMethod::Patch,
                )
                .await?;
            (id, plan.path.clone())
        }
        WriteOp::Delete => {
            let Some(id) = plan.id else {
                return Err(ToolError::Internal("a delete without an id.".into()));
            };
            let deleted = deps.tenant.client.delete(&plan.path, id).await?;
            (deleted, format!("{}/{id}", plan.path))
        }
    };
    let mut out = json!({
        "operation": plan.op.done(),
        "entity": plan.entity,
        "id": id,
        "sentTo": sent_to,
    });
    let mut notes = plan.notes.clone();
    if plan.op != WriteOp::Delete {
        match read_back(deps, &plan, id).await {
            Ok(record) => out["record"] = record,
            Err(e) => notes.push(format!(
                "the write succeeded but reading the record back failed ({e}); {} {id} reads it",
                plan.read_back
            )),
        }
    }
    if !notes.is_empty() {
        out["notes"] = json!(notes);
    }
    Ok(out)
}

/// The record as it stands after the write (one GET): its summary fields, labels and names.
async fn read_back(deps: WriteDeps<'_>, plan: &WritePlan, id: i64) -> Result<Value, ToolError> {
    let e = entity_def(plan.entity)?;
    let path = if e.root.get {
        e.name.to_string()
    } else {
        plan.path.clone()
    };
    let record = deps
        .tenant
        .client
        .get(&path, id, ReadIntent::Explicit)
        .await?
        .ok_or_else(|| ToolError::NotFound(format!("{} {id} is not readable", e.name)))?;
    let mut records = [record];
    let notes = records::present(deps.tenant, e, &mut records).await;
    let [mut record] = records;
    records::summarize(e, &mut record);
    records::fit(deps.limits, &mut record, notes);
    Ok(record)
}
