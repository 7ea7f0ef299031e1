//! The MCP conformance suite's fixtures (cargo feature `conformance-fixtures`; never in a
//! release build): the tools, resources, prompts, completions, logging level and resource
//! subscriptions that `@modelcontextprotocol/conformance` scenarios call by name
//! (`test_simple_text`, `test://static-text`, `test_simple_prompt`, the
//! `test_input_required_result_*` tools of the 2026-07-28 multi-round-trip scenarios, the
//! diagnostic tools of `server-stateless`, ...). They are served beside the real tools by the
//! real `AutotaskServer` on the real HTTP stack (router, bearer token, Host/Origin checks,
//! limits), through the small hooks in `server.rs`, so every scenario exercises production
//! code paths. Each fixture does what its scenario's "Server Implementation Requirements"
//! ask; `scripts/conformance.sh` runs the suite against them.

#![allow(deprecated)] // logging notifications and resource subscriptions are deprecated in 2026-07-28

use std::sync::OnceLock;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ClientCapabilities,
    CompleteRequestParams, CompleteResult, CompletionInfo, ContentBlock,
    CreateMessageRequestParams, ElicitRequestParams, GetPromptRequestParams, GetPromptResponse,
    GetPromptResult, InputRequest, InputRequests, InputRequiredResult, InputResponses, JsonObject,
    ListPromptsResult, LoggingLevel, LoggingMessageNotificationParam, ProgressNotificationParam,
    Prompt, PromptArgument, PromptMessage, PromptsCapability, ProtocolVersion,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Reference,
    RequestStateCodec, Resource, ResourceContents, ResourceTemplate, Role, SamplingCapability,
    SamplingMessage, ServerCapabilities, SetLevelRequestParams, SubscribeRequestParams,
    SubscriptionFilter, Tool, UnsubscribeRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A 1x1 PNG (one blue pixel), made for these fixtures.
const PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgiJoDAAFUAPdgZg9EAAAAAElFTkSuQmCC";
/// A WAV of 8 silent samples (8 kHz, mono, 8-bit), made for these fixtures.
const WAV: &str = "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==";
const JSON_SCHEMA_TOOL: &str = "json_schema_2020_12_tool";

/// Adds what the fixtures need to the real server's capabilities.
pub fn add_capabilities(capabilities: &mut ServerCapabilities) {
    capabilities.prompts = Some(PromptsCapability::default());
    capabilities.completions = Some(JsonObject::new());
    capabilities.logging = Some(JsonObject::new());
    let mut resources = capabilities.resources.take().unwrap_or_default();
    resources.subscribe = Some(true);
    capabilities.resources = Some(resources);
}

fn no_arguments() -> JsonObject {
    object(json!({"type": "object", "properties": {}}))
}

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    }
}

/// The fixture tools, in name order.
pub fn tools() -> Vec<Tool> {
    let plain = [
        ("test_simple_text", "Returns simple text content"),
        ("test_image_content", "Returns an image"),
        ("test_audio_content", "Returns audio"),
        ("test_embedded_resource", "Returns an embedded resource"),
        (
            "test_multiple_content_types",
            "Returns text, an image and a resource",
        ),
        (
            "test_tool_with_logging",
            "Sends three log messages while it runs",
        ),
        ("test_error_handling", "Always fails with isError"),
        (
            "test_tool_with_progress",
            "Reports progress 0, 50, 100 of 100",
        ),
        (
            "test_logging_tool",
            "Logs only when the request asked for a log level",
        ),
        (
            "test_missing_capability",
            "Needs the client's sampling capability",
        ),
        (
            "test_streaming_elicitation",
            "Asks for input through an InputRequiredResult",
        ),
        (
            "test_input_required_result_elicitation",
            "MRTR: one elicitation",
        ),
        (
            "test_input_required_result_sampling",
            "MRTR: one sampling request",
        ),
        (
            "test_input_required_result_list_roots",
            "MRTR: one roots/list request",
        ),
        (
            "test_input_required_result_request_state",
            "MRTR: sealed request state",
        ),
        (
            "test_input_required_result_multiple_inputs",
            "MRTR: three input requests",
        ),
        ("test_input_required_result_multi_round", "MRTR: two rounds"),
        (
            "test_input_required_result_tampered_state",
            "MRTR: rejects tampered state",
        ),
        (
            "test_input_required_result_capabilities",
            "MRTR: asks only what the client declared",
        ),
    ];
    let mut tools: Vec<Tool> = plain
        .into_iter()
        .map(|(name, description)| Tool::new(name, description, no_arguments()))
        .collect();
    tools.push(Tool::new(
        JSON_SCHEMA_TOOL,
        "Tool with JSON Schema 2020-12 features",
        object(json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "$defs": {"address": {"$anchor": "addressDef", "type": "object",
                "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}},
            "properties": {
                "name": {"type": "string"},
                "address": {"$ref": "#/$defs/address"},
                "contactMethod": {"type": "string", "enum": ["phone", "email"]},
                "phone": {"type": "string"},
                "email": {"type": "string"}
            },
            "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
            "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
            "then": {"required": ["phone"]},
            "else": {"required": ["email"]},
            "additionalProperties": false
        })),
    ));
    let one_string = |name: &str, description: &str| {
        object(
            json!({"type": "object", "properties": {name: {"type": "string",
            "description": description}}, "required": [name]}),
        )
    };
    tools.push(Tool::new(
        "test_sampling",
        "Asks the client's model through sampling/createMessage",
        one_string("prompt", "The prompt to send"),
    ));
    tools.push(Tool::new(
        "test_elicitation",
        "Asks the user through elicitation/create",
        one_string("message", "The message to show"),
    ));
    tools.push(Tool::new(
        "test_custom_headers",
        "Echoes a parameter the client mirrors into the Mcp-Param-Region header",
        object(json!({
            "type": "object",
            "properties": {"region": {"type": "string", "x-mcp-header": "Region"}},
            "required": ["region"]
        })),
    ));
    tools.sort_by(|a, b| a.name.cmp(&b.name));
    tools
}

/// The fixture tool called `name`, if it is one.
pub fn tool(name: &str) -> Option<Tool> {
    tools().into_iter().find(|t| t.name == name)
}

fn text(text: impl Into<String>) -> CallToolResponse {
    CallToolResult::success(vec![ContentBlock::text(text)]).into()
}

fn is_2026(ctx: &RequestContext<RoleServer>) -> bool {
    ctx.protocol_version()
        .is_some_and(|v| v.as_str() >= ProtocolVersion::V_2026_07_28.as_str())
}

async fn log(ctx: &RequestContext<RoleServer>, message: &str) {
    let _ = ctx
        .peer
        .notify_logging_message(
            LoggingMessageNotificationParam::new(LoggingLevel::Info, json!(message))
                .with_logger("conformance"),
        )
        .await;
}

/// Runs a fixture tool; `None` when `request` names no fixture.
pub async fn call_tool(
    request: &CallToolRequestParams,
    ctx: &RequestContext<RoleServer>,
) -> Option<Result<CallToolResponse, McpError>> {
    let pause = Duration::from_millis(50);
    Some(Ok(match request.name.as_ref() {
        "test_simple_text" => text("This is a simple text response for testing."),
        "test_image_content" => {
            CallToolResult::success(vec![ContentBlock::image(PNG, "image/png")]).into()
        }
        "test_audio_content" => {
            CallToolResult::success(vec![ContentBlock::audio(WAV, "audio/wav")]).into()
        }
        "test_embedded_resource" => CallToolResult::success(vec![ContentBlock::resource(
            ResourceContents::text(
                "This is an embedded resource content.",
                "test://embedded-resource",
            )
            .with_mime_type("text/plain"),
        )])
        .into(),
        "test_multiple_content_types" => CallToolResult::success(vec![
            ContentBlock::text("Multiple content types test:"),
            ContentBlock::image(PNG, "image/png"),
            ContentBlock::resource(
                ResourceContents::text(
                    r#"{"test":"data","value":123}"#,
                    "test://mixed-content-resource",
                )
                .with_mime_type("application/json"),
            ),
        ])
        .into(),
        "test_error_handling" => CallToolResult::error(vec![ContentBlock::text(
            "This tool intentionally returns an error for testing",
        )])
        .into(),
        "test_tool_with_logging" | "test_logging_tool" => {
            // 2026-07-28: no notifications/message unless the request's _meta asked for a level.
            let logs = !is_2026(ctx) || ctx.meta.log_level().is_some();
            for message in [
                "Tool execution started",
                "Tool processing data",
                "Tool execution completed",
            ] {
                if logs {
                    log(ctx, message).await;
                }
                tokio::time::sleep(pause).await;
            }
            text("Logging test completed")
        }
        "test_tool_with_progress" => {
            let token = ctx.meta.get_progress_token();
            for progress in [0.0, 50.0, 100.0] {
                if let Some(token) = &token {
                    let _ = ctx
                        .peer
                        .notify_progress(
                            ProgressNotificationParam::new(token.clone(), progress)
                                .with_total(100.0),
                        )
                        .await;
                }
                tokio::time::sleep(pause).await;
            }
            text("Progress test completed")
        }
        "test_custom_headers" => {
            let region = request
                .arguments
                .as_ref()
                .and_then(|a| a.get("region"))
                .and_then(Value::as_str);
            text(format!("region: {}", region.unwrap_or_default()))
        }
        "test_sampling"
        | "test_elicitation"
        | "test_elicitation_sep1034_defaults"
        | "test_elicitation_sep1330_enums" => {
            return Some(Ok(server_request_tool(request, ctx).await));
        }
        name if name.starts_with("test_input_required_result_")
            || name == "test_missing_capability"
            || name == "test_streaming_elicitation" =>
        {
            return Some(input_required_tool(request, ctx));
        }
        _ => return None,
    }))
}

// ---- 2025-11-25 server-to-client requests ----

/// How long a fixture waits for the client's answer to its request.
const PEER_TIMEOUT: Duration = Duration::from_secs(3);

fn elicitation_schema(name: &str) -> Value {
    match name {
        "test_elicitation_sep1034_defaults" => json!({"type": "object", "properties": {
            "name": {"type": "string", "default": "John Doe"},
            "age": {"type": "integer", "default": 30},
            "score": {"type": "number", "default": 95.5},
            "status": {"type": "string", "enum": ["active", "inactive", "pending"], "default": "active"},
            "verified": {"type": "boolean", "default": true}}}),
        "test_elicitation_sep1330_enums" => json!({"type": "object", "properties": {
            "untitledSingle": {"type": "string", "enum": ["option1", "option2", "option3"]},
            "titledSingle": {"type": "string", "oneOf": [{"const": "value1", "title": "First Option"},
                {"const": "value2", "title": "Second Option"}, {"const": "value3", "title": "Third Option"}]},
            "legacyEnum": {"type": "string", "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"]},
            "untitledMulti": {"type": "array", "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
            "titledMulti": {"type": "array", "items": {"anyOf": [{"const": "value1", "title": "First Choice"},
                {"const": "value2", "title": "Second Choice"}, {"const": "value3", "title": "Third Choice"}]}}}}),
        _ => json!({"type": "object", "properties": {
            "username": {"type": "string", "description": "User's response"},
            "email": {"type": "string", "description": "User's email address"}},
            "required": ["username", "email"]}),
    }
}

/// Sampling and elicitation as 2025-11-25 does them: a request from the server to the client
/// during the call, whose answer the client POSTs back. Our HTTP transport is stateless (no
/// `Mcp-Session-Id`), so that answer cannot reach this call: these fixtures report the
/// timeout as the tool's error (the baseline's (S) entries).
async fn server_request_tool(
    request: &CallToolRequestParams,
    ctx: &RequestContext<RoleServer>,
) -> CallToolResponse {
    let arg = |name: &str| {
        request
            .arguments
            .as_ref()
            .and_then(|a| a.get(name))
            .and_then(Value::as_str)
            .unwrap_or("Hello")
            .to_string()
    };
    let name = request.name.as_ref();
    let outcome: Result<String, String> = if name == "test_sampling" {
        let params =
            CreateMessageRequestParams::new(vec![SamplingMessage::user_text(arg("prompt"))], 100);
        match tokio::time::timeout(PEER_TIMEOUT, ctx.peer.create_message(params)).await {
            Ok(Ok(answer)) => Ok(format!(
                "LLM response: {}",
                answer
                    .message
                    .content
                    .first()
                    .and_then(|c| c.as_text())
                    .map(|t| t.text.clone())
                    .unwrap_or_default()
            )),
            Ok(Err(e)) => Err(format!("sampling failed: {e}")),
            Err(_) => Err("no answer to sampling/createMessage within 3 s".into()),
        }
    } else {
        let message = if name == "test_elicitation" {
            arg("message")
        } else {
            "Please provide values".into()
        };
        let params = serde_json::from_value::<ElicitRequestParams>(
            json!({"message": message, "requestedSchema": elicitation_schema(name)}),
        );
        match params {
            Err(e) => Err(format!("fixture schema: {e}")),
            Ok(params) => {
                match tokio::time::timeout(PEER_TIMEOUT, ctx.peer.create_elicitation(params)).await
                {
                    Ok(Ok(answer)) => Ok(format!(
                        "Elicitation completed: action={}, content={}",
                        serde_json::to_value(&answer.action).unwrap_or_default(),
                        answer.content.unwrap_or_default()
                    )),
                    Ok(Err(e)) => Err(format!("elicitation failed: {e}")),
                    Err(_) => Err("no answer to elicitation/create within 3 s".into()),
                }
            }
        }
    };
    match outcome {
        Ok(t) => text(t),
        Err(e) => CallToolResult::error(vec![ContentBlock::text(e)]).into(),
    }
}

// ---- 2026-07-28 multi round-trip requests (SEP-2322) ----

/// What a fixture seals into `requestState`: which tool and which round.
#[derive(Serialize, Deserialize, PartialEq)]
struct State {
    tool: String,
    round: u32,
}

/// One key per process: a stateless server's replicas would share it from configuration.
fn codec() -> &'static RequestStateCodec {
    static CODEC: OnceLock<RequestStateCodec> = OnceLock::new();
    CODEC.get_or_init(|| RequestStateCodec::new(rand::random::<[u8; 32]>().to_vec()))
}

fn seal(tool: &str, round: u32) -> Result<String, McpError> {
    codec()
        .seal_json(&State {
            tool: tool.into(),
            round,
        })
        .map_err(|e| McpError::internal_error(format!("cannot seal the request state: {e}"), None))
}

/// The round a sealed state carries, or -32602 when it was tampered with or is another tool's.
fn open(tool: &str, sealed: Option<&str>) -> Result<Option<u32>, McpError> {
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    match codec().open_json::<State>(sealed) {
        Ok(state) if state.tool == tool => Ok(Some(state.round)),
        _ => Err(McpError::invalid_params(
            "requestState failed its integrity check",
            Some(json!({"reason": "tampered or foreign requestState"})),
        )),
    }
}

fn input(method: &str, params: Value) -> Result<InputRequest, McpError> {
    serde_json::from_value(json!({"method": method, "params": params}))
        .map_err(|e| McpError::internal_error(format!("fixture input request: {e}"), None))
}

fn elicit(message: &str, property: &str, kind: &str) -> Result<InputRequest, McpError> {
    input(
        "elicitation/create",
        json!({"message": message, "requestedSchema": {"type": "object",
            "properties": {property: {"type": kind}}, "required": [property]}}),
    )
}

fn sample(prompt: &str, max_tokens: u32) -> Result<InputRequest, McpError> {
    input(
        "sampling/createMessage",
        json!({"messages": [{"role": "user", "content": {"type": "text", "text": prompt}}],
            "maxTokens": max_tokens}),
    )
}

fn roots() -> Result<InputRequest, McpError> {
    input("roots/list", json!({}))
}

fn ask(requests: Vec<(&str, InputRequest)>, state: Option<String>) -> InputRequiredResult {
    let requests: InputRequests = requests
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    InputRequiredResult::new(Some(requests), state)
}

/// The answer to `key`, when it is a result object (anything else counts as not answered).
fn answer<'a>(responses: Option<&'a InputResponses>, key: &str) -> Option<&'a Value> {
    responses?.get(key).filter(|v| v.is_object())
}

/// An accepted elicitation's `content[field]` as text.
fn elicited(response: &Value, field: &str) -> String {
    match &response["content"][field] {
        Value::String(s) => s.clone(),
        Value::Null => "(none)".into(),
        other => other.to_string(),
    }
}

fn sampled(response: &Value) -> String {
    response["content"]["text"]
        .as_str()
        .unwrap_or("(no text)")
        .to_string()
}

fn input_required_tool(
    request: &CallToolRequestParams,
    ctx: &RequestContext<RoleServer>,
) -> Result<CallToolResponse, McpError> {
    let name = request.name.as_ref();
    let responses = request.input_responses.as_ref();
    let caps = ctx.client_capabilities().unwrap_or_default();
    let done = |s: String| Ok(text(s));
    match name {
        "test_missing_capability" => {
            if caps.sampling.is_none() {
                let mut required = ClientCapabilities::default();
                required.sampling = Some(SamplingCapability::default());
                return Err(McpError::missing_required_client_capability(required));
            }
            match answer(responses, "sample") {
                Some(r) => done(format!("sampled: {}", sampled(r))),
                None => Ok(ask(vec![("sample", sample("Say hello", 20)?)], None).into()),
            }
        }
        "test_streaming_elicitation" | "test_input_required_result_elicitation" => {
            match answer(responses, "user_name") {
                Some(r) => done(format!("Hello, {}!", elicited(r, "name"))),
                None => Ok(ask(
                    vec![("user_name", elicit("What is your name?", "name", "string")?)],
                    None,
                )
                .into()),
            }
        }
        "test_input_required_result_sampling" => match answer(responses, "capital_question") {
            Some(r) => done(format!("The model said: {}", sampled(r))),
            None => Ok(ask(
                vec![(
                    "capital_question",
                    sample("What is the capital of France?", 100)?,
                )],
                None,
            )
            .into()),
        },
        "test_input_required_result_list_roots" => match answer(responses, "client_roots") {
            Some(r) => {
                let uris: Vec<&str> = r["roots"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|x| x["uri"].as_str())
                    .collect();
                done(format!("Client roots: {}", uris.join(", ")))
            }
            None => Ok(ask(vec![("client_roots", roots()?)], None).into()),
        },
        "test_input_required_result_request_state"
        | "test_input_required_result_tampered_state" => {
            let round = open(name, request.request_state.as_deref())?;
            match (round, answer(responses, "confirm")) {
                (Some(1), Some(r)) => done(format!("state-ok: confirmed {}", r["content"]["ok"])),
                _ => Ok(ask(
                    vec![("confirm", elicit("Please confirm", "ok", "boolean")?)],
                    Some(seal(name, 1)?),
                )
                .into()),
            }
        }
        "test_input_required_result_multiple_inputs" => {
            let round = open(name, request.request_state.as_deref())?;
            let all = ["user_name", "greeting", "client_roots"]
                .iter()
                .all(|k| answer(responses, k).is_some());
            if round == Some(1) && all {
                return done("Received all three inputs".into());
            }
            Ok(ask(
                vec![
                    ("user_name", elicit("What is your name?", "name", "string")?),
                    ("greeting", sample("Generate a greeting", 50)?),
                    ("client_roots", roots()?),
                ],
                Some(seal(name, 1)?),
            )
            .into())
        }
        "test_input_required_result_multi_round" => {
            let round = open(name, request.request_state.as_deref())?;
            match (
                round,
                answer(responses, "step1"),
                answer(responses, "step2"),
            ) {
                (Some(2), _, Some(r)) => {
                    done(format!("Favourite colour: {}", elicited(r, "color")))
                }
                (Some(1), Some(_), _) => Ok(ask(
                    vec![(
                        "step2",
                        elicit("Step 2: What is your favorite color?", "color", "string")?,
                    )],
                    Some(seal(name, 2)?),
                )
                .into()),
                _ => Ok(ask(
                    vec![(
                        "step1",
                        elicit("Step 1: What is your name?", "name", "string")?,
                    )],
                    Some(seal(name, 1)?),
                )
                .into()),
            }
        }
        "test_input_required_result_capabilities" => {
            let mut wanted = Vec::new();
            if caps.elicitation.is_some() {
                wanted.push(("user_name", elicit("What is your name?", "name", "string")?));
            }
            if caps.sampling.is_some() {
                wanted.push(("greeting", sample("Generate a greeting", 50)?));
            }
            if caps.roots.is_some() {
                wanted.push(("client_roots", roots()?));
            }
            let answered = wanted.iter().all(|(k, _)| answer(responses, k).is_some());
            if wanted.is_empty() || answered {
                return done(format!("Asked for {} inputs", wanted.len()));
            }
            Ok(ask(wanted, None).into())
        }
        _ => Err(McpError::invalid_params(
            format!("no fixture tool {name}"),
            None,
        )),
    }
}

// ---- resources ----

pub fn resources() -> Vec<Resource> {
    [
        (
            "test://static-text",
            "static-text",
            "A static text resource",
            "text/plain",
        ),
        (
            "test://static-binary",
            "static-binary",
            "A static binary resource (PNG)",
            "image/png",
        ),
        (
            "test://watched-resource",
            "watched-resource",
            "A resource clients subscribe to",
            "text/plain",
        ),
    ]
    .into_iter()
    .map(|(uri, name, description, mime)| {
        Resource::new(uri, name)
            .with_description(description)
            .with_mime_type(mime)
    })
    .collect()
}

pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new("test://template/{id}/data", "template-data")
            .with_description("Data for one id")
            .with_mime_type("application/json"),
    ]
}

/// Reads a fixture resource; `None` for any other URI (the real resources answer, and an
/// unknown `test://` URI gets their "resource not found").
pub fn read_resource(request: &ReadResourceRequestParams) -> Option<ReadResourceResponse> {
    let uri = request.uri.as_str();
    let contents = match uri {
        "test://static-text" => {
            ResourceContents::text("This is the content of the static text resource.", uri)
                .with_mime_type("text/plain")
        }
        "test://watched-resource" => {
            ResourceContents::text("Watched resource content.", uri).with_mime_type("text/plain")
        }
        "test://static-binary" => ResourceContents::blob(PNG, uri).with_mime_type("image/png"),
        _ => {
            let id = uri
                .strip_prefix("test://template/")?
                .strip_suffix("/data")?;
            if id.is_empty() || id.contains('/') {
                return None;
            }
            let body =
                json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")});
            ResourceContents::text(body.to_string(), uri).with_mime_type("application/json")
        }
    };
    Some(ReadResourceResult::new(vec![contents]).into())
}

// ---- prompts, completions, logging level, subscriptions ----

pub fn list_prompts() -> ListPromptsResult {
    let arg = |name: &str, description: &str| {
        PromptArgument::new(name)
            .with_description(description)
            .with_required(true)
    };
    ListPromptsResult::with_all_items(vec![
        Prompt::new(
            "test_simple_prompt",
            Some("A prompt without arguments"),
            None,
        ),
        Prompt::new(
            "test_prompt_with_arguments",
            Some("A prompt with two arguments"),
            Some(vec![
                arg("arg1", "First test argument"),
                arg("arg2", "Second test argument"),
            ]),
        ),
        Prompt::new(
            "test_prompt_with_embedded_resource",
            Some("A prompt embedding a resource"),
            Some(vec![arg("resourceUri", "URI of the resource to embed")]),
        ),
        Prompt::new(
            "test_prompt_with_image",
            Some("A prompt with an image"),
            None,
        ),
        Prompt::new(
            "test_input_required_result_prompt",
            Some("MRTR: asks for context first"),
            None,
        ),
    ])
}

pub fn get_prompt(request: &GetPromptRequestParams) -> Result<GetPromptResponse, McpError> {
    let arg = |name: &str| {
        request
            .arguments
            .as_ref()
            .and_then(|a| a.get(name))
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                McpError::invalid_params(format!("the argument `{name}` is required"), None)
            })
    };
    let user = |content: ContentBlock| PromptMessage::new(Role::User, content);
    let messages = match request.name.as_str() {
        "test_simple_prompt" => vec![PromptMessage::new_text(
            Role::User,
            "This is a simple prompt for testing.",
        )],
        "test_prompt_with_arguments" => {
            let (a, b) = (arg("arg1")?, arg("arg2")?);
            vec![PromptMessage::new_text(
                Role::User,
                format!("Prompt with arguments: arg1='{a}', arg2='{b}'"),
            )]
        }
        "test_prompt_with_embedded_resource" => vec![
            user(ContentBlock::resource(
                ResourceContents::text(
                    "Embedded resource content for testing.",
                    arg("resourceUri")?,
                )
                .with_mime_type("text/plain"),
            )),
            PromptMessage::new_text(Role::User, "Please process the embedded resource above."),
        ],
        "test_prompt_with_image" => vec![
            user(ContentBlock::image(PNG, "image/png")),
            PromptMessage::new_text(Role::User, "Please analyze the image above."),
        ],
        "test_input_required_result_prompt" => {
            match answer(request.input_responses.as_ref(), "user_context") {
                Some(r) => vec![PromptMessage::new_text(
                    Role::User,
                    format!("Use this context: {}", elicited(r, "context")),
                )],
                None => {
                    let asked = elicit("What context should the prompt use?", "context", "string")?;
                    return Ok(ask(vec![("user_context", asked)], None).into());
                }
            }
        }
        other => {
            return Err(McpError::invalid_params(
                format!(
                    "unknown prompt: {}",
                    other.chars().take(80).collect::<String>()
                ),
                None,
            ));
        }
    };
    Ok(GetPromptResult::new(messages).into())
}

/// Completions for `test_prompt_with_arguments` and the template's `id`; nothing otherwise.
pub fn complete(request: &CompleteRequestParams) -> Result<CompleteResult, McpError> {
    let candidates: &[&str] = match &request.r#ref {
        Reference::Prompt(p) if p.name == "test_prompt_with_arguments" => {
            &["paris", "park", "party", "hello", "world"]
        }
        Reference::Resource(r) if r.uri == "test://template/{id}/data" => &["1", "2", "3", "123"],
        _ => &[],
    };
    let prefix = request.argument.value.to_lowercase();
    let values = candidates
        .iter()
        .filter(|c| c.starts_with(&prefix))
        .map(|c| c.to_string())
        .collect();
    CompletionInfo::with_all_values(values)
        .map(CompleteResult::new)
        .map_err(|e| McpError::internal_error(e, None))
}

/// `logging/setLevel` (2025-11-25): accepted. A stateless server keeps no per-client level;
/// the fixtures log on legacy requests and, on 2026-07-28, only when `_meta` asks.
pub fn set_level(_request: &SetLevelRequestParams) -> Result<(), McpError> {
    Ok(())
}

/// `resources/subscribe` / `unsubscribe` (2025-11-25): accepted for any resource URI. A
/// stateless server has no stream to send `notifications/resources/updated` on.
pub fn subscribe(uri: &str) -> Result<(), McpError> {
    if uri.starts_with("test://") || uri.starts_with("autotask://") {
        Ok(())
    } else {
        Err(McpError::resource_not_found(
            "resource not found",
            Some(json!({"uri": uri})),
        ))
    }
}

pub fn subscribe_request(r: &SubscribeRequestParams) -> Result<(), McpError> {
    subscribe(&r.uri)
}

pub fn unsubscribe_request(r: &UnsubscribeRequestParams) -> Result<(), McpError> {
    subscribe(&r.uri)
}

/// `subscriptions/listen` (2026-07-28): every category asked for (rmcp keeps only those the
/// capabilities advertise); the stream stays open, carrying nothing, until the client closes
/// it (the fixtures never change).
pub fn accepted_subscription_filter(requested: &SubscriptionFilter) -> Option<SubscriptionFilter> {
    Some(requested.clone())
}

/// The `ServerHandler` methods the real server lacks, delegating to this module. Expanded
/// inside `impl ServerHandler for AutotaskServer` (one line there).
macro_rules! handlers {
    () => {
        fn accepted_subscription_filter(
            &self,
            requested: &rmcp::model::SubscriptionFilter,
        ) -> Option<rmcp::model::SubscriptionFilter> {
            crate::conformance::accepted_subscription_filter(requested)
        }

        #[allow(deprecated)]
        async fn set_level(
            &self,
            request: rmcp::model::SetLevelRequestParams,
            _context: RequestContext<RoleServer>,
        ) -> Result<(), McpError> {
            crate::conformance::set_level(&request)
        }

        #[allow(deprecated)]
        async fn subscribe(
            &self,
            request: rmcp::model::SubscribeRequestParams,
            _context: RequestContext<RoleServer>,
        ) -> Result<(), McpError> {
            crate::conformance::subscribe_request(&request)
        }

        #[allow(deprecated)]
        async fn unsubscribe(
            &self,
            request: rmcp::model::UnsubscribeRequestParams,
            _context: RequestContext<RoleServer>,
        ) -> Result<(), McpError> {
            crate::conformance::unsubscribe_request(&request)
        }
    };
}
pub(crate) use handlers;
