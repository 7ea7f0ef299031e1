//! The plan of a write: a write tool's handler does not send anything, it checks its input and
//! returns a [`WritePlan`] (operation, entity, path, body). The rest of the pipeline reviews,
//! previews, logs and sends the plan. Also the helpers handlers build bodies with.

use serde_json::{Map, Value};

use crate::tools::spec::error::ToolError;

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

/// Serializes a typed input into the body of a write: its fields that were given (an argument
/// left out is `None`, and is not sent).
pub fn body_of<T: serde::Serialize>(record: &T) -> Result<Map<String, Value>, ToolError> {
    match serde_json::to_value(record) {
        Ok(Value::Object(mut map)) => {
            map.retain(|_, v| !v.is_null());
            Ok(map)
        }
        Ok(_) | Err(_) => Err(ToolError::Internal(
            "the record could not be written as JSON.".into(),
        )),
    }
}

/// An update body that changes something besides the id, or the error saying so.
pub fn changes(body: Map<String, Value>, tool: &str) -> Result<Map<String, Value>, ToolError> {
    if body.keys().any(|k| k != "id") {
        Ok(body)
    } else {
        Err(ToolError::Invalid(format!(
            "{tool} has nothing to change: pass at least one field besides id."
        )))
    }
}

/// The bytes a base64 text decodes to (without decoding it): what an attachment create sends.
pub fn decoded_len(data: &str) -> usize {
    let data = data.trim_end();
    let pad = data.chars().rev().take_while(|c| *c == '=').count();
    (data.len() / 4 * 3
        + match data.len() % 4 {
            2 => 1,
            3 => 2,
            _ => 0,
        })
    .saturating_sub(pad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn base64_sizes_without_decoding() {
        for text in ["", "a", "ab", "abc", "abcd", "hello world!!"] {
            assert_eq!(decoded_len(&STANDARD.encode(text)), text.len());
        }
    }
}
