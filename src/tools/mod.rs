//! The MCP tools: one `ToolSpec` per tool (name, title, description, the four annotations,
//! parameters, handler), the inventory built from them once per process, and the call path
//! every tool shares: validate arguments → confirm gate (write tools) → handler → result.
//! Whether a tool writes is its `readOnlyHint` annotation, nothing else: read-only mode keeps
//! exactly the tools annotated read-only, and the confirm gate applies to all the others.

pub mod args;
pub mod companies;
pub mod contacts;
pub mod filters;
pub mod gate;
pub mod generic;
pub mod projects;
pub mod shape;
pub mod tickets;
pub mod time_entries;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use futures::future::BoxFuture;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

use crate::autotask::{AutotaskError, ReadIntent};
use crate::metrics::{ToolOutcome, record_tool_call};
use crate::server::ServerState;
pub use args::{Args, Kind, ParamSpec};

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
}

/// The four MCP tool annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hints {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

/// A read that touches Autotask.
pub const READ: Hints = Hints {
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: true,
};
/// A read answered from the built-in registry (no Autotask request).
pub const LOCAL_READ: Hints = Hints {
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: false,
};
/// A create: not idempotent (calling twice makes two records), not destructive.
pub const CREATE: Hints = Hints {
    read_only: false,
    destructive: false,
    idempotent: false,
    open_world: true,
};
/// An update: overwrites values, idempotent.
pub const UPDATE: Hints = Hints {
    read_only: false,
    destructive: true,
    idempotent: true,
    open_world: true,
};
/// A delete.
pub const DELETE: Hints = Hints {
    read_only: false,
    destructive: true,
    idempotent: true,
    open_world: true,
};

/// A tool handler: validated arguments in, JSON out.
pub type Handler = for<'a> fn(&'a ServerState, Args) -> BoxFuture<'a, Result<Value, ToolError>>;

/// One tool.
pub struct ToolSpec {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub hints: Hints,
    pub params: Vec<ParamSpec>,
    pub handler: Handler,
}

impl ToolSpec {
    pub fn new(
        name: &'static str,
        title: &'static str,
        hints: Hints,
        description: &'static str,
        handler: Handler,
    ) -> Self {
        ToolSpec {
            name,
            title,
            description,
            hints,
            params: Vec::new(),
            handler,
        }
    }

    /// Adds parameters; a write tool also gets its `confirm` parameter, required.
    pub fn params(mut self, params: Vec<ParamSpec>) -> Self {
        self.params = params;
        if self.writes() {
            self.params.push(
                ParamSpec::new(
                    "confirm",
                    Kind::Confirm,
                    gate::confirm_description(self.name),
                )
                .required(),
            );
        }
        self
    }

    /// True when the tool changes data: derived from the `readOnlyHint` annotation only.
    pub fn writes(&self) -> bool {
        !self.hints.read_only
    }

    /// The MCP tool definition.
    pub fn tool(&self) -> Tool {
        let annotations = ToolAnnotations::with_title(self.title)
            .read_only(self.hints.read_only)
            .destructive(self.hints.destructive)
            .idempotent(self.hints.idempotent)
            .open_world(self.hints.open_world);
        Tool::new(
            self.name,
            self.description,
            Arc::new(args::input_schema(&self.params)),
        )
        .with_title(self.title)
        .with_annotations(annotations)
    }
}

/// Every tool, sorted by name.
pub fn all() -> Vec<ToolSpec> {
    let mut tools = Vec::new();
    tools.extend(generic::tools());
    tools.extend(tickets::tools());
    tools.extend(companies::tools());
    tools.extend(contacts::tools());
    tools.extend(projects::tools());
    tools.extend(time_entries::tools());
    tools.sort_by_key(|t| t.name);
    tools
}

/// The tools one server process offers, built once from its configuration.
pub struct Inventory {
    tools: BTreeMap<&'static str, (ToolSpec, Tool)>,
}

impl Inventory {
    /// All tools, or in read-only mode only those annotated read-only.
    pub fn new(read_only: bool) -> Self {
        let tools = all()
            .into_iter()
            .filter(|spec| !(read_only && spec.writes()))
            .map(|spec| {
                let tool = spec.tool();
                (spec.name, (spec, tool))
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

    pub fn spec(&self, name: &str) -> Option<&ToolSpec> {
        self.tools.get(name).map(|(s, _)| s)
    }

    pub fn len(&self) -> usize {
        self.tools.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }
}

/// Runs one tool call to a result: never panics, never returns a protocol error.
pub async fn call(
    state: &ServerState,
    spec: &ToolSpec,
    arguments: Option<&JsonObject>,
) -> CallToolResult {
    let started = Instant::now();
    let outcome = run(state, spec, arguments).await;
    let (result, metric) = match outcome {
        Ok(value) => (CallToolResult::structured(value), ToolOutcome::Ok),
        Err(error) => {
            let metric = match &error {
                ToolError::Refused(_) => ToolOutcome::Refused,
                _ => ToolOutcome::ToolError,
            };
            tracing::info!(tool = spec.name, error = %error, "tool call failed");
            (
                CallToolResult::error(vec![ContentBlock::text(error_text(spec, &error))]),
                metric,
            )
        }
    };
    tracing::debug!(tool = spec.name, outcome = ?metric, elapsed_ms = started.elapsed().as_millis() as u64, "tool call");
    record_tool_call(spec.name, metric, started.elapsed());
    result
}

async fn run(
    state: &ServerState,
    spec: &ToolSpec,
    arguments: Option<&JsonObject>,
) -> Result<Value, ToolError> {
    let args = args::validate(spec.name, &spec.params, arguments)?;
    if spec.writes() {
        gate::check(spec.name, args.text("confirm"))?;
    }
    (spec.handler)(state, args).await
}

fn error_text(spec: &ToolSpec, error: &ToolError) -> String {
    match error {
        ToolError::Autotask(e) => {
            let mut text = format!("{} failed: {e}", spec.name);
            if let AutotaskError::Api { status, .. } = e {
                text.push_str(match status {
                    400 | 500 => ". Check field names and picklist values with describe-entity-fields, fix the arguments and try again",
                    401 => ". The API user's credentials were refused: check AUTOTASK_USERNAME, AUTOTASK_SECRET and AUTOTASK_INTEGRATION_CODE",
                    403 => ". The API user's security level does not allow this: ask an Autotask administrator",
                    404 => ". Autotask has no such route: check the entity and parentEntity with list-known-entities",
                    _ => "",
                });
            }
            text
        }
        other => other.to_string(),
    }
}

// ---- helpers shared by the tool files ----

/// Default `maxRecords` of the search tools.
pub const DEFAULT_MAX_RECORDS: i64 = 50;

/// Compacts records and adds picklist labels (from the tenant's live picklists of `entity`).
/// When the picklists cannot be read, the records come back without labels and a note says
/// why.
pub async fn present(state: &ServerState, entity: &str, records: &mut [Value]) -> Option<String> {
    for r in records.iter_mut() {
        shape::compact(r);
    }
    if records.is_empty() {
        return None;
    }
    match state.picklists.get(entity, ReadIntent::Background).await {
        Ok(lists) => {
            for r in records.iter_mut() {
                shape::add_labels(r, &lists);
            }
            None
        }
        Err(e) => Some(format!("picklist labels are missing: {e}")),
    }
}

/// Queries `entity` with `filter`, shapes the rows and reports count/hasMore/filter.
pub async fn search(
    state: &ServerState,
    entity: &str,
    filter: Vec<Value>,
    max: i64,
    include: Option<Value>,
) -> Result<Value, ToolError> {
    let max = max.clamp(1, args::MAX_RECORDS);
    let mut query = json!({"filter": filter, "maxRecords": max});
    if let Some(include) = include {
        query["includeFields"] = include;
    }
    let result = state
        .client
        .query(entity, &query, max as usize, ReadIntent::Explicit)
        .await?;
    let mut items = result.items;
    let note = present(state, entity, &mut items).await;
    let mut out = shape::search_result(&filter, items, result.has_more);
    if let (Some(note), Some(obj)) = (note, out.as_object_mut()) {
        obj.insert("labelNote".into(), json!(note));
    }
    Ok(out)
}

/// Reads one record at `path/{id}`, shaped with labels from `entity`'s picklists.
pub async fn get_one(
    state: &ServerState,
    path: &str,
    entity: &str,
    id: i64,
    hint: &str,
) -> Result<Value, ToolError> {
    match state.client.get(path, id, ReadIntent::Explicit).await? {
        None => Err(ToolError::NotFound(format!(
            "{entity} has no record with id {id} (or the API user may not see it); {hint}"
        ))),
        Some(record) => {
            let mut records = [record];
            let note = present(state, entity, &mut records).await;
            let [mut record] = records;
            if let (Some(note), Some(obj)) = (note, record.as_object_mut()) {
                obj.insert("labelNote".into(), json!(note));
            }
            Ok(record)
        }
    }
}

/// Turns every picklist argument given as a label into its code, using the tenant's live
/// picklist. Unknown labels are an error listing the valid ones.
pub async fn resolve_labels(
    state: &ServerState,
    spec_params: &[ParamSpec],
    args: &mut Args,
) -> Result<(), ToolError> {
    for p in spec_params {
        let Kind::Pick { entity, field } = p.kind else {
            continue;
        };
        let Some(Value::String(label)) = args.value(p.name).cloned() else {
            continue;
        };
        let lists = state.picklists.get(entity, ReadIntent::Explicit).await?;
        match lists.code(field, &label) {
            Ok(code) => {
                let code = code
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::String(code.to_string()));
                args.set(p.name, code);
            }
            Err(labels) if labels.is_empty() => {
                return Err(ToolError::Invalid(format!(
                    "`{}` is \"{label}\", but the tenant has no picklist for {entity}.{field}: pass the numeric code",
                    p.name
                )));
            }
            Err(labels) => {
                let shown: Vec<&str> = labels.into_iter().take(60).collect();
                return Err(ToolError::Invalid(format!(
                    "`{}` is \"{label}\", which is not a value of {entity}.{field}. Values: {}",
                    p.name,
                    shown.join(", ")
                )));
            }
        }
    }
    Ok(())
}

/// Copies the given arguments `names` into `body` under the same names.
pub fn copy_args(args: &Args, body: &mut serde_json::Map<String, Value>, names: &[&str]) {
    for name in names {
        if let Some(v) = args.value(name) {
            body.insert((*name).to_string(), v.clone());
        }
    }
}

/// The answer of a write.
pub fn written(
    operation: &str,
    entity: &str,
    path: &str,
    id: i64,
    read_back: &str,
    notes: Vec<String>,
) -> Value {
    let mut out = json!({
        "operation": operation,
        "entity": entity,
        "id": id,
        "sentTo": path,
        "next": read_back,
    });
    if !notes.is_empty() {
        out["notes"] = json!(notes);
    }
    out
}

/// The `maxRecords` parameter of the search tools.
pub fn max_records_param() -> ParamSpec {
    ParamSpec::new(
        "maxRecords",
        Kind::MaxRecords,
        "Most records to return, 1 to 500 (default 50). The result says hasMore when more matched.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_nine_tools_eleven_of_them_write_and_gated() {
        let tools = all();
        assert_eq!(tools.len(), 29);
        let writes: Vec<&str> = tools
            .iter()
            .filter(|t| t.writes())
            .map(|t| t.name)
            .collect();
        assert_eq!(
            writes,
            [
                "create-company",
                "create-contact",
                "create-entity",
                "create-ticket",
                "create-ticket-note",
                "create-time-entry",
                "delete-entity",
                "update-company",
                "update-contact",
                "update-entity",
                "update-ticket"
            ]
        );
        for t in &tools {
            assert_eq!(
                t.params.iter().any(|p| p.name == "confirm"),
                t.writes(),
                "{}",
                t.name
            );
            assert!(!t.description.is_empty() && !t.title.is_empty());
            assert!(
                t.params.iter().all(|p| !p.description.is_empty()),
                "{}",
                t.name
            );
        }
        assert_eq!(Inventory::new(true).len(), 18);
        assert_eq!(Inventory::new(false).len(), 29);
    }

    /// The convenience tools' parameters agree with the registry: string caps within the
    /// field's length, integers on integer fields, picklist parameters on picklist fields.
    #[test]
    fn convenience_parameters_agree_with_the_registry() {
        let entity_of = |tool: &str| match tool {
            "create-ticket-note" => "TicketNotes",
            t if t.contains("ticket") => "Tickets",
            t if t.contains("compan") => "Companies",
            t if t.contains("contact") => "Contacts",
            t if t.contains("project") => "Projects",
            t if t.contains("task") => "Tasks",
            t if t.contains("time-entr") => "TimeEntries",
            _ => "",
        };
        let mut checked = 0;
        for tool in all() {
            let Some(entity) = crate::registry::find(entity_of(tool.name)) else {
                continue;
            };
            for p in &tool.params {
                if let Kind::Pick { entity: pe, field } = p.kind {
                    let f = crate::registry::find(pe).and_then(|e| e.field(field));
                    assert!(
                        f.is_some_and(|f| f.is_pick_list),
                        "{}.{}: {pe}.{field} is not a picklist",
                        tool.name,
                        p.name
                    );
                    checked += 1;
                }
                let Some(f) = entity.field(p.name) else {
                    continue;
                };
                match p.kind {
                    Kind::Text(max)
                        if f.data_type == crate::registry::DataType::String && f.length > 0 =>
                    {
                        assert!(
                            max <= f.length as usize,
                            "{}.{}: cap {max} > {}",
                            tool.name,
                            p.name,
                            f.length
                        );
                        checked += 1;
                    }
                    Kind::Code | Kind::Id => {
                        assert!(
                            f.data_type.is_integer(),
                            "{}.{} is not an integer field",
                            tool.name,
                            p.name
                        );
                        checked += 1;
                    }
                    Kind::Number => assert!(f.data_type.is_number(), "{}.{}", tool.name, p.name),
                    Kind::DateTime => assert_eq!(
                        f.data_type,
                        crate::registry::DataType::DateTime,
                        "{}.{}",
                        tool.name,
                        p.name
                    ),
                    _ => {}
                }
            }
        }
        assert!(checked > 60, "{checked}");
    }
}
