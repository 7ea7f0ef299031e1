//! Attachments of tickets, notes, tasks, projects and companies (any parent with an
//! `Attachments` child route in the registry): `list-attachments` (metadata, no bytes),
//! `get-attachment` (the one read that carries `data`: text files as text, images as MCP
//! image content, other files as base64 under the result's size budget) and
//! `create-attachment` (base64 or text, a confirmed write through the write path, refused
//! above Autotask's per-file limit; the client tracks the 10,000,000 bytes per 5 minutes).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rmcp::model::ContentBlock;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::autotask::{QueryResult, ReadIntent};
use crate::registry::{self, EntityDef};
use crate::tools::call::context::Context;
use crate::tools::call::def::{Handles, ToolDef};
use crate::tools::present::projection::Projection;
use crate::tools::present::records;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::hints::{CREATE, READ};
use crate::tools::spec::output::Output;
use crate::tools::spec::tool::ToolSpec;
use crate::tools::write::plan::{WriteOp, WritePlan, decoded_len};

/// Largest file one create sends (Autotask refuses 6-7 MB and above).
pub const MAX_FILE_BYTES: usize = 6_000_000;
/// Largest image handed to the model as image content.
pub const MAX_IMAGE_BYTES: usize = 1_000_000;
/// The metadata a listing shows.
const COLUMNS: &[&str] = &[
    "id",
    "title",
    "fullPath",
    "contentType",
    "fileSize",
    "attachDate",
    "attachedByResourceID",
    "attachedByContactID",
    "publish",
];
/// Where the image of a `get-attachment` answer waits for its content block.
const IMAGE_KEY: &str = "_image";

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolSpec::new(
            "list-attachments",
            "List attachments",
            READ,
            "A record's attachments, without content.",
        )
        .output(Output::Search)
        .handler(|c, a: Parent| Box::pin(list(c, a))),
        ToolSpec::new(
            "get-attachment",
            "Get attachment",
            READ,
            "An attachment with its content.",
        )
        .output(Output::Record)
        .handler(|c, a: One| Box::pin(get(c, a)))
        .content(take_image),
        ToolSpec::new(
            "create-attachment",
            "Attach file",
            CREATE,
            "Attach a file (base64 data or text).",
        )
        .output(Output::Written)
        .generic_write_handler(
            |a: &New| attachment_entity(&a.parent_entity),
            |c, a: New| Box::pin(create(c, a)),
        ),
    ]
}

/// The record whose attachments to list.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Parent {
    #[schemars(length(max = 1_000))]
    pub parent_entity: String,
    #[schemars(range(min = 0))]
    pub parent_id: i64,
}

/// One attachment of a record.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct One {
    #[schemars(length(max = 1_000))]
    pub parent_entity: String,
    #[schemars(range(min = 0))]
    pub parent_id: i64,
    #[schemars(range(min = 0))]
    pub id: i64,
}

/// A file to attach to a record: its bytes as base64 `data`, or its `text`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct New {
    #[schemars(length(max = 1_000))]
    pub parent_entity: String,
    #[schemars(range(min = 0))]
    pub parent_id: i64,
    #[schemars(length(max = 1_000))]
    pub file_name: String,
    #[schemars(length(max = 1_000))]
    pub title: Option<String>,
    #[schemars(length(max = 9_000_000))]
    pub data: Option<String>,
    #[schemars(length(max = 6_000_000))]
    pub text: Option<String>,
    #[schemars(range(min = 0))]
    pub publish: Option<i64>,
}

/// The parents that have attachments, for messages.
fn parents() -> Vec<&'static str> {
    let mut out: Vec<&str> = registry::entities()
        .iter()
        .flat_map(|e| e.parents.iter())
        .filter(|p| p.segment == "Attachments")
        .map(|p| p.parent)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The attachment entity under `parent` (`Tickets` → `TicketAttachments`), and the parent's
/// collection name.
fn route(parent: &str) -> Result<(&'static EntityDef, &'static str), ToolError> {
    let wanted = registry::find(parent).map_or(parent.trim(), |e| e.name);
    registry::entities()
        .iter()
        .find_map(|e| {
            e.parents
                .iter()
                .find(|p| p.segment == "Attachments" && p.parent.eq_ignore_ascii_case(wanted))
                .map(|p| (e, p.parent))
        })
        .ok_or_else(|| {
            ToolError::Invalid(format!(
                "`parentEntity` {} has no attachments: use one of {}.",
                parent.chars().take(60).collect::<String>(),
                parents().join(", ")
            ))
        })
}

fn attachment_entity(parent: &str) -> Result<&'static EntityDef, ToolError> {
    route(parent).map(|(e, _)| e)
}

async fn list(ctx: &Context, a: Parent) -> Result<Value, ToolError> {
    let (e, parent) = route(&a.parent_entity)?;
    let rows = ctx
        .tenant
        .client
        .list(
            &format!("{parent}/{}/Attachments", a.parent_id),
            ctx.limits.max_records_cap,
            ReadIntent::Explicit,
        )
        .await?;
    let mut items = rows.items;
    let notes = records::present(&ctx.tenant, e, &mut items).await;
    let projection = Projection {
        fields: Some(
            COLUMNS
                .iter()
                .copied()
                .filter(|f| e.field(f).is_some())
                .collect(),
        ),
    };
    Ok(records::page(
        &ctx.limits,
        e,
        &[],
        QueryResult {
            items,
            has_more: rows.has_more,
        },
        &projection,
        notes,
    ))
}

fn is_text(content_type: &str, path: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.starts_with("text/")
        || ct.contains("json")
        || ct.contains("xml")
        || [".txt", ".log", ".csv", ".md", ".json", ".xml"]
            .iter()
            .any(|x| path.to_ascii_lowercase().ends_with(x))
}

async fn get(ctx: &Context, a: One) -> Result<Value, ToolError> {
    let (e, parent) = route(&a.parent_entity)?;
    let path = format!("{parent}/{}/Attachments", a.parent_id);
    let Some(record) = ctx
        .tenant
        .client
        .get(&path, a.id, ReadIntent::Explicit)
        .await?
    else {
        return Err(ToolError::NotFound(format!(
            "{parent} {} has no attachment {}: list-attachments lists them",
            a.parent_id, a.id
        )));
    };
    let data = record
        .get("data")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut records = [record];
    let mut notes = records::present(&ctx.tenant, e, &mut records).await;
    let [mut record] = records;
    let Some(obj) = record.as_object_mut() else {
        return Err(ToolError::NotFound(format!(
            "{parent} attachment {} is empty",
            a.id
        )));
    };
    obj.remove("data");
    let text_of = |k: &str| {
        obj.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let (content_type, file) = (text_of("contentType"), text_of("fullPath"));
    let bytes = STANDARD.decode(data.trim()).unwrap_or_default();
    let budget = ctx.limits.result_max_bytes.saturating_sub(2_000);
    if bytes.is_empty() {
        notes.push("Autotask sent no content for this attachment".into());
    } else if content_type.to_ascii_lowercase().starts_with("image/") {
        if bytes.len() <= MAX_IMAGE_BYTES {
            obj.insert("content".into(), json!("image"));
            obj.insert(
                IMAGE_KEY.into(),
                json!({"data": data.trim(), "mimeType": content_type}),
            );
        } else {
            notes.push(format!(
                "the image has {} bytes, above the {MAX_IMAGE_BYTES} shown here: open it in Autotask",
                bytes.len()
            ));
        }
    } else if is_text(&content_type, &file) {
        let text = String::from_utf8_lossy(&bytes);
        let mut cut: String = text.chars().take(budget).collect();
        if cut.len() > budget {
            cut = cut.chars().take(budget / 4).collect();
        }
        if cut.len() < text.len() {
            notes.push(format!(
                "the text has {} bytes; the first {} are shown",
                text.len(),
                cut.len()
            ));
        }
        obj.insert("text".into(), json!(cut));
    } else if data.len() <= budget {
        obj.insert("base64".into(), json!(data.trim()));
    } else {
        notes.push(format!(
            "the file has {} bytes, too many for this result ({} bytes of base64 at most): open it in Autotask",
            bytes.len(),
            budget
        ));
    }
    if !notes.is_empty() {
        obj.insert("_notes".into(), json!(notes));
    }
    Ok(record)
}

/// Moves a `get-attachment` image out of the structured answer into an image content block.
pub fn take_image(value: &mut Value) -> Vec<ContentBlock> {
    let Some(image) = value.as_object_mut().and_then(|o| o.remove(IMAGE_KEY)) else {
        return Vec::new();
    };
    match (image["data"].as_str(), image["mimeType"].as_str()) {
        (Some(data), Some(mime)) => vec![ContentBlock::image(data, mime)],
        _ => Vec::new(),
    }
}

async fn create(_ctx: &Context, a: New) -> Result<WritePlan, ToolError> {
    let (e, parent) = route(&a.parent_entity)?;
    let data = match (a.data, a.text) {
        (Some(d), None) => {
            let d: String = d.split_whitespace().collect();
            if STANDARD.decode(&d).is_err() {
                return Err(ToolError::Invalid(
                    "`data` is not valid base64: pass the file's bytes as standard base64, or its text as `text`.".into(),
                ));
            }
            d
        }
        (None, Some(t)) => STANDARD.encode(t.as_bytes()),
        _ => {
            return Err(ToolError::Invalid(
                "pass the file as `data` (base64) or `text`, one of them.".into(),
            ));
        }
    };
    let size = decoded_len(&data);
    if size > MAX_FILE_BYTES {
        return Err(ToolError::Invalid(format!(
            "the file has {size} bytes; Autotask takes at most {MAX_FILE_BYTES} bytes per attachment: send a smaller file (or a link in a note)."
        )));
    }
    let mut body = Map::new();
    body.insert("id".into(), json!(0));
    body.insert("attachmentType".into(), json!("FILE_ATTACHMENT"));
    body.insert("fullPath".into(), json!(a.file_name));
    body.insert(
        "title".into(),
        json!(a.title.unwrap_or_else(|| a.file_name.clone())),
    );
    body.insert("publish".into(), json!(a.publish.unwrap_or(1)));
    body.insert("data".into(), json!(data));
    Ok(WritePlan::new(
        WriteOp::Create,
        e.name,
        format!("{parent}/{}/Attachments", a.parent_id),
    )
    .body(body)
    .read_with(&format!("get-attachment {parent}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_route_to_their_attachment_entity() {
        let (e, p) = route("ticket").unwrap();
        assert_eq!((e.name, p), ("TicketAttachments", "Tickets"));
        assert!(route("TicketNotes").is_ok());
        let err = route("Nope")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("Companies"), "{err}");
    }
}
