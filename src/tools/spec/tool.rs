//! A tool's declaration without its handler: its name, title, annotations and wording, the
//! entity it is about, its params (derived from its typed input struct, see [`super::input`])
//! and its output shape. `tools/list`, read-only mode, the confirm gate, the docs and the
//! snapshots are derived from it; the call layer attaches the handler.
//!
//! A declaration that cannot hold is recorded as a defect (a test asserts there are none; the
//! server logs them at start-up) rather than failing at run time.

use std::sync::Arc;

use rmcp::model::{Tool, ToolAnnotations};
use serde_json::Value;

use schemars::JsonSchema;

use super::hints::{CREATE, Hints};
use super::input::{Declared, ToolShape, params_of};
use super::output::Output;
use super::param::{self, Param};
use super::toolset::Toolset;
use crate::registry::{Entity, EntityDef};

/// What `tools/list` shows of one tool.
#[derive(Debug, Clone)]
pub struct ToolSpec {
    pub name: &'static str,
    pub title: &'static str,
    pub description: String,
    pub hints: Hints,
    /// The entity the tool is about, if one.
    pub entity: Option<&'static EntityDef>,
    pub params: Vec<Param>,
    pub output: Output,
    /// The area the tool belongs to (set by the inventory).
    pub toolset: Toolset,
    /// What is wrong with this declaration (none in a correct build).
    pub defects: Vec<String>,
}

impl ToolSpec {
    pub fn new(
        name: &'static str,
        title: &'static str,
        hints: Hints,
        description: &str,
    ) -> ToolSpec {
        ToolSpec {
            name,
            title,
            description: description.to_string(),
            hints,
            entity: None,
            params: Vec::new(),
            output: Output::Record,
            toolset: Toolset::Generic,
            defects: Vec::new(),
        }
    }

    /// True when the tool changes data: derived from the `readOnlyHint` annotation only.
    pub fn writes(&self) -> bool {
        !self.hints.read_only
    }

    /// Creates carry the snapshot's required flags; other tools require only what they say.
    pub fn creates(&self) -> bool {
        self.hints == CREATE
    }

    /// The entity the tool is about.
    pub fn entity(mut self, entity: Entity) -> ToolSpec {
        self.entity = Some(entity.def());
        self
    }

    /// What the tool's params are for (the input struct's derivation needs it).
    pub fn shape(&self) -> ToolShape {
        ToolShape {
            entity: self.entity,
            writes: self.writes(),
            creates: self.creates(),
        }
    }

    /// Takes the params the typed input struct `A` declares (see [`super::input`]).
    pub fn input<A: JsonSchema>(mut self) -> ToolSpec {
        let Declared { params, defects } = params_of::<A>(self.shape());
        self.params = params;
        self.defects.extend(defects);
        self
    }

    /// Adds a param the tool takes besides its input struct (the confirm token, the
    /// idempotency key), read by the call path and the write pipeline.
    pub fn param(mut self, param: Param) -> ToolSpec {
        self.params.push(param);
        self
    }

    pub fn output(mut self, output: Output) -> ToolSpec {
        self.output = output;
        self
    }

    /// The MCP tool definition. Every byte of `tools/list` is paid in every conversation, so
    /// it carries what a model needs and nothing twice: annotations give `readOnlyHint` always
    /// and the other hints only where they differ from the spec's defaults (destructive, not
    /// idempotent, open world); no `title` (the name says it; the docs use `self.title`); no
    /// `additionalProperties` (unknown arguments are refused at run time, by name).
    pub fn tool(&self) -> Tool {
        let h = self.hints;
        let mut annotations = ToolAnnotations::new().read_only(h.read_only);
        if !h.read_only && !h.destructive {
            annotations = annotations.destructive(false);
        }
        if !h.read_only && h.idempotent {
            annotations = annotations.idempotent(true);
        }
        if !h.open_world {
            annotations = annotations.open_world(false);
        }
        let output = match self.output.schema(self.entity) {
            Value::Object(map) => Some(Arc::new(map)),
            _ => None,
        };
        let mut tool = Tool::new(
            self.name,
            self.description.clone(),
            Arc::new(param::input_schema(&self.params)),
        )
        .with_annotations(annotations);
        tool.output_schema = output;
        tool
    }
}
