//! A tool's declaration without its handler: its name, title, annotations and wording, the
//! entity fields it offers (type, length, picklist-ness, reference target and required-ness on
//! create come from the registry, never retyped), its named filters and own parameters, and its
//! output shape. `tools/list`, read-only mode, the confirm gate, the docs and the snapshots are
//! derived from it; the call layer attaches the handler.
//!
//! A declaration that names a field the registry does not have is recorded as a defect (a test
//! asserts there are none; the server logs them at start-up) rather than failing at run time.

use std::sync::Arc;

use rmcp::model::{Tool, ToolAnnotations};
use serde_json::Value;

use super::hints::{CREATE, Hints};
use super::kind::{Kind, MAX_TEXT};
use super::output::Output;
use super::param::{self, Op, Param, Source};
use crate::registry::{self, EntityDef};

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
    pub fn entity(mut self, name: &str) -> ToolSpec {
        match registry::find(name) {
            Some(e) => self.entity = Some(e),
            None => self.defects.push(format!("no entity {name}")),
        }
        self
    }

    fn field_def(&mut self, name: &str) -> Option<&'static crate::registry::FieldDef> {
        let Some(e) = self.entity else {
            self.defects
                .push(format!("field {name} declared before the entity"));
            return None;
        };
        let f = e.fields.iter().find(|f| f.name == name);
        if f.is_none() {
            self.defects.push(format!("{} has no field {name}", e.name));
        }
        f
    }

    /// Offers field `name` of the entity under its own name, typed by the registry. On a
    /// create the snapshot's required flag applies. `description` may be empty (the
    /// registry's reference target or picklist note is used then).
    pub fn field(self, name: &'static str, description: &str) -> ToolSpec {
        self.field_as(name, None, description)
    }

    /// Like [`field`](Self::field) with a kind that must fit the field: a `Flag` on a 0/1
    /// integer field, or a shorter text cap.
    pub fn field_as(
        mut self,
        name: &'static str,
        kind: Option<Kind>,
        description: &str,
    ) -> ToolSpec {
        let Some(f) = self.field_def(name) else {
            return self;
        };
        let Some(e) = self.entity else { return self };
        let own = Kind::of_field(e, f);
        let kind = kind.unwrap_or(own);
        if !kind.fits_field(e, f) {
            self.defects
                .push(format!("{name}: {kind:?} does not fit {}.{name}", e.name));
        }
        if self.writes() && f.is_read_only {
            self.defects
                .push(format!("{name} is read-only in {}", e.name));
        }
        let description = if description.is_empty() {
            param::field_description(f)
        } else {
            description.to_string()
        };
        self.params.push(Param {
            name,
            kind,
            required: self.creates() && f.is_required,
            description,
            source: Source::Field(f),
        });
        self
    }

    /// A named filter: `op` on field `field` of the entity, typed by the registry.
    pub fn filter(
        self,
        name: &'static str,
        field: &'static str,
        op: Op,
        description: &str,
    ) -> ToolSpec {
        self.filter_as(name, &[field], op, None, description)
    }

    /// A named filter over several fields (ORed), or with a kind that fits the field.
    pub fn filter_as(
        mut self,
        name: &'static str,
        fields: &[&'static str],
        op: Op,
        kind: Option<Kind>,
        description: &str,
    ) -> ToolSpec {
        let mut kinds = Vec::new();
        for field in fields {
            if let (Some(f), Some(e)) = (self.field_def(field), self.entity) {
                if !f.is_queryable {
                    self.defects
                        .push(format!("{name}: {}.{field} is not queryable", e.name));
                }
                let own = Kind::of_field(e, f);
                if let Some(k) = kind
                    && !k.fits_field(e, f)
                {
                    self.defects
                        .push(format!("{name}: {k:?} does not fit {}.{field}", e.name));
                }
                kinds.push((own, f));
            }
        }
        let kind = kind.or_else(|| match kinds.as_slice() {
            [(k, _)] => Some(*k),
            // Any of several text fields: as long as the longest.
            many => Some(Kind::Text {
                max: many
                    .iter()
                    .map(|(k, _)| match k {
                        Kind::Text { max } => *max,
                        _ => MAX_TEXT,
                    })
                    .max()
                    .unwrap_or(MAX_TEXT),
            }),
        });
        let Some(kind) = kind else { return self };
        let description = match (description.is_empty(), kinds.as_slice()) {
            (true, [(_, f)]) => param::field_description(f),
            _ => description.to_string(),
        };
        self.params.push(Param {
            name,
            kind,
            required: false,
            description,
            source: Source::Filter {
                fields: fields.to_vec(),
                op,
            },
        });
        self
    }

    /// A parameter of the tool's own.
    pub fn param(mut self, param: Param) -> ToolSpec {
        self.params.push(param);
        self
    }

    /// Makes a field parameter optional on a create (the tool fills it from the tenant's
    /// default).
    pub fn optional(mut self, name: &str) -> ToolSpec {
        match self.params.iter_mut().find(|p| p.name == name) {
            Some(p) => p.required = false,
            None => self.defects.push(format!("optional: no parameter {name}")),
        }
        self
    }

    /// Makes a parameter required.
    pub fn required(mut self, name: &str) -> ToolSpec {
        match self.params.iter_mut().find(|p| p.name == name) {
            Some(p) => p.required = true,
            None => self.defects.push(format!("required: no parameter {name}")),
        }
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
