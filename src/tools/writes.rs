//! Every write goes through here. A write tool's handler does not send anything: it checks its
//! input and returns a [`WritePlan`] (method, path, body). [`execute`] sends the plan exactly
//! once (writes are never retried) and answers with the record as it stands after the write
//! (one GET, summary fields, labels and names), so a model needs no read-back. One place for what every write
//! shares: how it is sent, what its answer says, and (later) preview, audit and policy.

use serde_json::{Map, Value, json};

use super::{Context, ToolError, records};
use crate::autotask::{ReadIntent, UpdateMethod};

/// What a write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOp {
    /// `POST {path}`.
    Create,
    /// `PATCH {path}` with the id in the body.
    Update,
    /// `DELETE {path}/{id}`.
    Delete,
}

impl WriteOp {
    /// The past tense for the answer.
    pub fn done(self) -> &'static str {
        match self {
            WriteOp::Create => "created",
            WriteOp::Update => "updated",
            WriteOp::Delete => "deleted",
        }
    }

    /// The HTTP method.
    pub fn method(self) -> &'static str {
        match self {
            WriteOp::Create => "POST",
            WriteOp::Update => "PATCH",
            WriteOp::Delete => "DELETE",
        }
    }
}

/// A checked write, ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct WritePlan {
    pub op: WriteOp,
    /// The registry entity written.
    pub entity: &'static str,
    /// Where it goes, relative to `…/V1.0/` (`Tickets`, `Tickets/5/Notes`).
    pub path: String,
    /// The body (empty for a delete).
    pub body: Map<String, Value>,
    /// The record id of an update or delete.
    pub id: Option<i64>,
    /// What the tool decided for the caller (defaults used, fields dropped).
    pub notes: Vec<String>,
    /// How to read the record back: the tool and arguments to name in the answer.
    pub read_back: String,
}

impl WritePlan {
    pub fn new(op: WriteOp, entity: &'static str, path: impl Into<String>) -> WritePlan {
        WritePlan {
            op,
            entity,
            path: path.into(),
            body: Map::new(),
            id: None,
            notes: Vec::new(),
            read_back: String::new(),
        }
    }

    pub fn body(mut self, body: Map<String, Value>) -> WritePlan {
        self.id = self.id.or_else(|| body.get("id").and_then(Value::as_i64));
        self.body = body;
        self
    }

    pub fn id(mut self, id: i64) -> WritePlan {
        self.id = Some(id);
        self
    }

    pub fn notes(mut self, notes: Vec<String>) -> WritePlan {
        self.notes.extend(notes);
        self
    }

    /// The read-back hint: `tool` with the record id (`get-ticket`, `get-entity TicketNotes`).
    pub fn read_with(mut self, tool: &str) -> WritePlan {
        self.read_back = tool.to_string();
        self
    }
}

/// Sends `plan` once and answers with what happened.
pub async fn execute(ctx: &Context, plan: WritePlan) -> Result<Value, ToolError> {
    let (id, sent_to) = match plan.op {
        WriteOp::Create => {
            let body = Value::Object(plan.body.clone());
            let id = match plan.body.get("data").and_then(Value::as_str) {
                // An attachment: counted against Autotask's attachment traffic limit.
                Some(data) if plan.entity.ends_with("Attachments") => {
                    let bytes = super::attachments::decoded_len(data);
                    ctx.client
                        .create_attachment(&plan.path, &body, bytes)
                        .await?
                }
                _ => ctx.client.create(&plan.path, &body).await?,
            };
            (id, plan.path.clone())
        }
        WriteOp::Update => {
            let id = ctx
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
                return Err(ToolError::Invalid(
                    "internal error: a delete without an id. Nothing was sent.".into(),
                ));
            };
            let deleted = ctx.client.delete(&plan.path, id).await?;
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
        match read_back(ctx, &plan, id).await {
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
async fn read_back(ctx: &Context, plan: &WritePlan, id: i64) -> Result<Value, ToolError> {
    let e = records::entity_def(plan.entity)?;
    let path = if e.root.get {
        e.name.to_string()
    } else {
        plan.path.clone()
    };
    let record = ctx
        .client
        .get(&path, id, ReadIntent::Explicit)
        .await?
        .ok_or_else(|| ToolError::NotFound(format!("{} {id} is not readable", e.name)))?;
    let mut records = [record];
    let notes = records::present(ctx, e, &mut records).await;
    let [mut record] = records;
    records::summarize(e, &mut record);
    records::fit(ctx, &mut record, notes);
    Ok(record)
}
