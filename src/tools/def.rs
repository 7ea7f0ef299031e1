//! A tool, declared in one place: its name, title, annotations and wording, the entity fields
//! it offers (type, length, picklist-ness, reference target and required-ness on create come
//! from the registry, never retyped), its named filters and own parameters, its output shape,
//! and a handler that takes a typed input struct. The inventory, read-only mode, the confirm
//! gate, `tools/list`, the docs and the snapshots are all derived from this declaration.
//!
//! A declaration that names a field the registry does not have is recorded as a defect (a test
//! asserts there are none; the server logs them at start-up) rather than failing at run time.

use std::sync::Arc;

use futures::future::BoxFuture;
use rmcp::model::{Tool, ToolAnnotations};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::caller::Caller;
use super::output::Output;
use super::params::{self, Args, Op, Param, Source};
use super::value::{Kind, MAX_TEXT};
use super::write_path::{self, KEY_DESCRIPTION, KEY_PARAM, WriteCall};
use super::writes::WritePlan;
use super::{Context, ToolError};
use crate::registry::{self, EntityDef};

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

/// What a handler receives: the validated arguments (picklist labels already codes), the
/// Autotask clauses of the named filters that were given, whether a write call carried its
/// confirm token, and who calls.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub args: Args,
    pub filter: Vec<Value>,
    /// A write call with its exact confirm token (sends); otherwise a preview.
    pub confirmed: bool,
    pub caller: Caller,
}

/// What a handler answers.
pub type Answer<'a> = BoxFuture<'a, Result<Value, ToolError>>;
/// What a write handler answers: the write to make.
pub type Planned<'a> = BoxFuture<'a, Result<WritePlan, ToolError>>;
/// The entity a generic write call names, from its typed input.
pub type EntityOf<A> = fn(&A) -> Result<&'static EntityDef, ToolError>;
/// Checks that validated arguments fit a handler's input type.
type FitCheck = fn(&[Param], &Map<String, Value>) -> Result<(), String>;

type Erased = Arc<dyn for<'a> Fn(&'a Context, Input) -> Answer<'a> + Send + Sync>;

/// Deserializes the arguments a typed input struct holds: everything but the named filters
/// (already turned into clauses), the confirm token (the gate's) and the idempotency key (the
/// write path's).
fn typed<A: DeserializeOwned>(params: &[Param], values: &Map<String, Value>) -> Result<A, String> {
    let own: Map<String, Value> = values
        .iter()
        .filter(|(k, _)| {
            params.iter().any(|p| {
                p.name == k.as_str()
                    && !matches!(p.source, Source::Filter { .. })
                    && !matches!(p.kind, Kind::Confirm { .. })
                    && p.name != KEY_PARAM
            })
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    serde_json::from_value(Value::Object(own)).map_err(|e| e.to_string())
}

/// One tool.
pub struct ToolDef {
    pub name: &'static str,
    pub title: &'static str,
    pub description: String,
    pub hints: Hints,
    /// The entity the tool is about, if one.
    pub entity: Option<&'static EntityDef>,
    pub params: Vec<Param>,
    pub output: Output,
    handler: Option<Erased>,
    /// Checks that a map of arguments fits the handler's input type (tests).
    fits: Option<FitCheck>,
    /// What is wrong with this declaration (none in a correct build).
    pub defects: Vec<String>,
    /// Content blocks a successful answer carries besides its JSON (an image), taken out of
    /// the answer.
    pub content: Option<fn(&mut Value) -> Vec<rmcp::model::ContentBlock>>,
}

impl ToolDef {
    pub fn new(
        name: &'static str,
        title: &'static str,
        hints: Hints,
        description: &str,
    ) -> ToolDef {
        let description = description.to_string();
        ToolDef {
            name,
            title,
            description,
            hints,
            entity: None,
            params: Vec::new(),
            output: Output::Record,
            handler: None,
            fits: None,
            defects: Vec::new(),
            content: None,
        }
    }

    /// True when the tool changes data: derived from the `readOnlyHint` annotation only.
    pub fn writes(&self) -> bool {
        !self.hints.read_only
    }

    /// Creates carry the snapshot's required flags; other tools require only what they say.
    fn creates(&self) -> bool {
        self.hints == CREATE
    }

    /// The entity the tool is about.
    pub fn entity(mut self, name: &str) -> ToolDef {
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
    pub fn field(self, name: &'static str, description: &str) -> ToolDef {
        self.field_as(name, None, description)
    }

    /// Like [`field`](Self::field) with a kind that must fit the field: a `Flag` on a 0/1
    /// integer field, or a shorter text cap.
    pub fn field_as(
        mut self,
        name: &'static str,
        kind: Option<Kind>,
        description: &str,
    ) -> ToolDef {
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
            params::field_description(f)
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
    ) -> ToolDef {
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
    ) -> ToolDef {
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
            (true, [(_, f)]) => params::field_description(f),
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
    pub fn param(mut self, param: Param) -> ToolDef {
        self.params.push(param);
        self
    }

    /// Makes a field parameter optional on a create (the tool fills it from the tenant's
    /// default).
    pub fn optional(mut self, name: &str) -> ToolDef {
        match self.params.iter_mut().find(|p| p.name == name) {
            Some(p) => p.required = false,
            None => self.defects.push(format!("optional: no parameter {name}")),
        }
        self
    }

    /// Makes a parameter required.
    pub fn required(mut self, name: &str) -> ToolDef {
        match self.params.iter_mut().find(|p| p.name == name) {
            Some(p) => p.required = true,
            None => self.defects.push(format!("required: no parameter {name}")),
        }
        self
    }

    /// Content blocks besides the JSON (an image), taken out of the answer by `take`.
    pub fn content(mut self, take: fn(&mut Value) -> Vec<rmcp::model::ContentBlock>) -> ToolDef {
        self.content = Some(take);
        self
    }

    pub fn output(mut self, output: Output) -> ToolDef {
        self.output = output;
        self
    }

    /// The handler, taking the tool's typed input; ends the declaration.
    pub fn handler<A>(self, f: for<'a> fn(&'a Context, A) -> Answer<'a>) -> ToolDef
    where
        A: DeserializeOwned + Send + 'static,
    {
        self.with_input_handler::<A>(move |ctx, args, _| f(ctx, args), fits::<A>)
    }

    /// The handler of a write tool about the declared entity: it checks its typed input and
    /// returns the write to make; the write path ([`write_path::run`]) previews or sends it.
    /// Ends the declaration.
    pub fn write_handler<A>(self, f: for<'a> fn(&'a Context, A) -> Planned<'a>) -> ToolDef
    where
        A: DeserializeOwned + Send + 'static,
    {
        self.write_handler_with(None, f)
    }

    /// The handler of a generic write tool, whose entity `entity_of` reads from its input.
    pub fn generic_write_handler<A>(
        self,
        entity_of: EntityOf<A>,
        f: for<'a> fn(&'a Context, A) -> Planned<'a>,
    ) -> ToolDef
    where
        A: DeserializeOwned + Send + 'static,
    {
        self.write_handler_with(Some(entity_of), f)
    }

    fn write_handler_with<A>(
        mut self,
        entity_of: Option<EntityOf<A>>,
        f: for<'a> fn(&'a Context, A) -> Planned<'a>,
    ) -> ToolDef
    where
        A: DeserializeOwned + Send + 'static,
    {
        if self.creates() {
            self.params.push(Param::own(
                KEY_PARAM,
                Kind::Text { max: 1_000 },
                KEY_DESCRIPTION,
            ));
        }
        let name = self.name;
        let declared = self.entity;
        self.with_input_handler::<A>(
            move |ctx, args, input| {
                let entity = match entity_of {
                    Some(of) => of(&args),
                    None => declared.ok_or_else(|| {
                        ToolError::Invalid(format!(
                            "internal error: {name} names no entity. Nothing was sent."
                        ))
                    }),
                };
                let call = WriteCall::new(name, &input);
                Box::pin(write_path::run(ctx, call, entity, f(ctx, args)))
            },
            fits::<A>,
        )
    }

    /// The handler of a search, taking the tool's typed input and the clauses of the named
    /// filters given; ends the declaration.
    pub fn search_handler<A>(
        self,
        f: for<'a> fn(&'a Context, A, Vec<Value>) -> Answer<'a>,
    ) -> ToolDef
    where
        A: DeserializeOwned + Send + 'static,
    {
        self.with_input_handler::<A>(
            move |ctx, args, input| f(ctx, args, input.filter),
            fits::<A>,
        )
    }

    fn with_input_handler<A>(
        mut self,
        f: impl for<'a> Fn(&'a Context, A, Input) -> Answer<'a> + Send + Sync + 'static,
        check: FitCheck,
    ) -> ToolDef
    where
        A: DeserializeOwned + Send + 'static,
    {
        if self.writes() {
            // Optional: without it the call previews (see the server's instructions).
            self.params
                .push(Param::own("confirm", Kind::Confirm { tool: self.name }, ""));
        }
        let params = self.params.clone();
        let name = self.name;
        self.handler = Some(Arc::new(move |ctx: &Context, input: Input| {
            match typed::<A>(&params, &input.args.values) {
                Ok(args) => f(ctx, args, input),
                Err(e) => Box::pin(std::future::ready(Err(ToolError::Invalid(format!(
                    "internal error: the arguments of {name} do not fit its input type ({e}). Nothing was sent."
                ))))),
            }
        }));
        self.fits = Some(check);
        self
    }

    /// Runs the handler.
    pub async fn run(&self, ctx: &Context, input: Input) -> Result<Value, ToolError> {
        match &self.handler {
            Some(handler) => handler(ctx, input).await,
            None => Err(ToolError::Invalid(format!(
                "{} has no handler. Nothing was sent.",
                self.name
            ))),
        }
    }

    /// Checks that `values` (validated arguments) fit the handler's input type.
    pub fn fits(&self, values: &Map<String, Value>) -> Result<(), String> {
        match self.fits {
            Some(check) => check(&self.params, values),
            None => Err(format!("{} has no handler", self.name)),
        }
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
            Arc::new(params::input_schema(&self.params)),
        )
        .with_annotations(annotations);
        tool.output_schema = output;
        tool
    }
}

fn fits<A: DeserializeOwned>(params: &[Param], values: &Map<String, Value>) -> Result<(), String> {
    typed::<A>(params, values).map(|_: A| ())
}
