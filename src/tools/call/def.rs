//! A tool: its declaration ([`ToolSpec`], what `tools/list` shows) and the handler that takes
//! its typed input. The builders here end a declaration by attaching the handler: a read
//! ([`Handles::handler`]), a search that also takes its named filters' clauses
//! ([`Handles::search_handler`]), or a write whose handler only plans the write
//! ([`Handles::write_handler`]); the write pipeline previews or sends the plan.

use std::sync::Arc;

use futures::future::BoxFuture;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::context::Context;
use crate::approval::Elicitation;
use crate::caller::Caller;
use crate::registry::EntityDef;
use crate::tools::spec::confirm::Confirmation;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::input::own_values;
use crate::tools::spec::kind::Kind;
use crate::tools::spec::param::{Args, Param};
use crate::tools::spec::tool::ToolSpec;
use crate::tools::spec::toolset::Toolset;
use crate::tools::write::pipeline::{self, KEY_DESCRIPTION, KEY_PARAM, WriteCall};
use crate::tools::write::plan::WritePlan;

/// What a handler receives: the validated arguments (picklist labels already codes), the
/// Autotask clauses of the named filters that were given, whether a write call carried its
/// confirm token, and who calls.
#[derive(Debug, Clone, Default)]
pub struct ValidatedCall {
    pub args: Args,
    pub filter: Vec<Value>,
    /// What a write call's `confirm` asks for (a preview when absent).
    pub confirmation: Confirmation,
    /// How the person can be asked to approve a write (the `elicit` approval mode).
    pub elicitation: Elicitation,
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
/// Content blocks a successful answer carries besides its JSON (an image), taken out of it.
pub type ContentOf = fn(&mut Value) -> Vec<rmcp::model::ContentBlock>;

type Erased = Arc<dyn for<'a> Fn(&'a Context, ValidatedCall) -> Answer<'a> + Send + Sync>;

/// Deserializes the arguments the typed input struct holds: everything but the confirm token
/// (the gate's) and the idempotency key (the write pipeline's).
fn typed<A: DeserializeOwned>(params: &[Param], values: &Map<String, Value>) -> Result<A, String> {
    serde_json::from_value(own_values(params, values, &["confirm", KEY_PARAM]))
        .map_err(|e| e.to_string())
}

fn fits<A: DeserializeOwned>(params: &[Param], values: &Map<String, Value>) -> Result<(), String> {
    typed::<A>(params, values).map(|_: A| ())
}

/// One tool: its declaration and its handler.
pub struct ToolDef {
    pub spec: ToolSpec,
    handler: Erased,
    /// Checks that a map of arguments fits the handler's input type (tests).
    fits: FitCheck,
    /// Content blocks a successful answer carries besides its JSON.
    pub content: Option<ContentOf>,
}

impl std::ops::Deref for ToolDef {
    type Target = ToolSpec;

    fn deref(&self) -> &ToolSpec {
        &self.spec
    }
}

impl ToolDef {
    /// Content blocks besides the JSON (an image), taken out of the answer by `take`.
    pub fn content(mut self, take: ContentOf) -> ToolDef {
        self.content = Some(take);
        self
    }

    /// The tool in `toolset`.
    pub fn in_toolset(mut self, toolset: Toolset) -> ToolDef {
        self.spec.toolset = toolset;
        self
    }

    /// Runs the handler.
    pub async fn run(&self, ctx: &Context, call: ValidatedCall) -> Result<Value, ToolError> {
        (self.handler)(ctx, call).await
    }

    /// Checks that `values` (validated arguments) fit the handler's input type.
    pub fn fits(&self, values: &Map<String, Value>) -> Result<(), String> {
        (self.fits)(&self.spec.params, values)
    }
}

/// The builders that end a declaration with its handler.
pub trait Handles: Sized {
    /// The handler, taking the tool's typed input.
    fn handler<A>(self, f: for<'a> fn(&'a Context, A) -> Answer<'a>) -> ToolDef
    where
        A: DeserializeOwned + JsonSchema + Send + 'static;

    /// The handler of a tool whose answer depends on who calls (`who-am-i`).
    fn caller_handler<A>(self, f: for<'a> fn(&'a Context, A, Caller) -> Answer<'a>) -> ToolDef
    where
        A: DeserializeOwned + JsonSchema + Send + 'static;

    /// The handler of a search, taking the tool's typed input and the clauses of the named
    /// filters given.
    fn search_handler<A>(self, f: for<'a> fn(&'a Context, A, Vec<Value>) -> Answer<'a>) -> ToolDef
    where
        A: DeserializeOwned + JsonSchema + Send + 'static;

    /// The handler of a write tool about the declared entity: it checks its typed input and
    /// returns the write to make; the write pipeline previews or sends it.
    fn write_handler<A>(self, f: for<'a> fn(&'a Context, A) -> Planned<'a>) -> ToolDef
    where
        A: DeserializeOwned + JsonSchema + Send + 'static;

    /// The handler of a generic write tool, whose entity `entity_of` reads from its input.
    fn generic_write_handler<A>(
        self,
        entity_of: EntityOf<A>,
        f: for<'a> fn(&'a Context, A) -> Planned<'a>,
    ) -> ToolDef
    where
        A: DeserializeOwned + JsonSchema + Send + 'static;
}

impl Handles for ToolSpec {
    fn handler<A>(self, f: for<'a> fn(&'a Context, A) -> Answer<'a>) -> ToolDef
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
    {
        with_input_handler::<A>(self, move |ctx, args, _| f(ctx, args))
    }

    fn caller_handler<A>(self, f: for<'a> fn(&'a Context, A, Caller) -> Answer<'a>) -> ToolDef
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
    {
        with_input_handler::<A>(self, move |ctx, args, call| f(ctx, args, call.caller))
    }

    fn search_handler<A>(self, f: for<'a> fn(&'a Context, A, Vec<Value>) -> Answer<'a>) -> ToolDef
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
    {
        with_input_handler::<A>(self, move |ctx, args, call| f(ctx, args, call.filter))
    }

    fn write_handler<A>(self, f: for<'a> fn(&'a Context, A) -> Planned<'a>) -> ToolDef
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
    {
        write_handler_with(self, None, f)
    }

    fn generic_write_handler<A>(
        self,
        entity_of: EntityOf<A>,
        f: for<'a> fn(&'a Context, A) -> Planned<'a>,
    ) -> ToolDef
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
    {
        write_handler_with(self, Some(entity_of), f)
    }
}

fn write_handler_with<A>(
    spec: ToolSpec,
    entity_of: Option<EntityOf<A>>,
    f: for<'a> fn(&'a Context, A) -> Planned<'a>,
) -> ToolDef
where
    A: DeserializeOwned + JsonSchema + Send + 'static,
{
    let name = spec.name;
    let declared = spec.entity;
    with_input_handler::<A>(spec, move |ctx, args, call| {
        let entity = match entity_of {
            Some(of) => of(&args),
            None => declared.ok_or_else(|| ToolError::Internal(format!("{name} names no entity."))),
        };
        let write = WriteCall::new(
            name,
            &call.args.values,
            call.confirmation.clone(),
            call.elicitation.clone(),
            &call.caller,
        );
        Box::pin(pipeline::run(ctx.write_deps(), write, entity, f(ctx, args)))
    })
}

/// Ends a declaration with `f`: the params come from the input struct `A`, then a create's
/// idempotency key and a write's confirm token.
fn with_input_handler<A>(
    spec: ToolSpec,
    f: impl for<'a> Fn(&'a Context, A, ValidatedCall) -> Answer<'a> + Send + Sync + 'static,
) -> ToolDef
where
    A: DeserializeOwned + JsonSchema + Send + 'static,
{
    let mut spec = spec.input::<A>();
    if spec.creates() {
        spec.params.push(Param::own(
            KEY_PARAM,
            Kind::Text { max: 1_000 },
            KEY_DESCRIPTION,
        ));
    }
    if spec.writes() {
        // Optional: without it the call previews (see the server's instructions).
        spec.params
            .push(Param::own("confirm", Kind::Confirm { tool: spec.name }, ""));
    }
    let params = spec.params.clone();
    let name = spec.name;
    let handler: Erased = Arc::new(move |ctx: &Context, call: ValidatedCall| {
        match typed::<A>(&params, &call.args.values) {
            Ok(args) => f(ctx, args, call),
            Err(e) => Box::pin(std::future::ready(Err(ToolError::Internal(format!(
                "the arguments of {name} do not fit its input type ({e})."
            ))))),
        }
    });
    ToolDef {
        spec,
        handler,
        fits: fits::<A>,
        content: None,
    }
}
