//! What stands between an authenticated `POST /mcp` and rmcp: the memory a call may take and
//! the JSON-RPC shape of what it sends.
//!
//! * **Answer bytes in flight.** A call reserves `AUTOTASK_MAX_RESULT_BYTES` of a
//!   process-wide budget (`AUTOTASK_HTTP_MAX_BYTES_IN_FLIGHT`) before it runs, keeps the size
//!   of its answer once it has one, and releases it when the answer has been sent. A burst
//!   waits for budget (within the request timeout) instead of holding hundreds of answers at
//!   once: at most budget / cap calls run, whatever the shape of today's results.
//! * **One result's size.** An answer over `AUTOTASK_MAX_RESULT_BYTES` is replaced by an
//!   error saying how to narrow the request (a tool error for `tools/call`).
//! * **JSON-RPC errors.** A body that is not JSON, a batch, `null` or an absurd method name
//!   gets a JSON-RPC error (see `jsonrpc`) instead of rmcp's HTTP 415 in plain text.
//! * **Scope.** A `tools/call` of a write tool by a signed-in caller whose token lacks
//!   `autotask.write` gets 403 `insufficient_scope` (the MCP spec's step-up answer), before
//!   rmcp sees it.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};
use tokio::sync::Semaphore;

use super::connection::Guarded;
use super::jsonrpc::{self, Screened};
use super::oauth::challenge::Challenges;
use crate::caller::Authenticated;

/// Reservations are counted in KiB (a semaphore counts permits in `u32`).
const UNIT: usize = 1024;

/// The limits of the gate, shared by every request.
#[derive(Debug, Clone)]
pub struct Gate {
    budget: Arc<Semaphore>,
    max_body_bytes: usize,
    max_result_bytes: usize,
    /// Signing in: the write tools' names and the challenge refusing them.
    scopes: Option<Arc<ScopeCheck>>,
}

/// What the scope check needs.
#[derive(Debug)]
pub struct ScopeCheck {
    pub write_tools: std::collections::HashSet<&'static str>,
    pub challenges: Challenges,
}

impl ScopeCheck {
    /// Every write tool (whatever this server offers: an unlisted one is refused anyway).
    pub fn new(challenges: Challenges) -> ScopeCheck {
        ScopeCheck {
            write_tools: crate::tools::all()
                .iter()
                .filter(|d| d.writes())
                .map(|d| d.name)
                .collect(),
            challenges,
        }
    }
}

fn units(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(UNIT)).unwrap_or(u32::MAX)
}

impl Gate {
    /// `max_bytes_in_flight` must be at least `max_result_bytes` (checked by the caller).
    pub fn new(max_body_bytes: usize, max_result_bytes: usize, max_bytes_in_flight: usize) -> Gate {
        Gate {
            budget: Arc::new(Semaphore::new(units(max_bytes_in_flight) as usize)),
            max_body_bytes,
            max_result_bytes,
            scopes: None,
        }
    }

    /// With the scope check of signing in.
    pub fn with_scopes(mut self, scopes: Option<Arc<ScopeCheck>>) -> Gate {
        self.scopes = scopes;
        self
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// An error answer: HTTP 400 when it has no id (the spec's answer to input that cannot be a
/// request), 200 when it answers a request by its id, as rmcp does for its own errors.
fn error_response(reply: &jsonrpc::ErrorReply) -> Response {
    let status = if reply.id.is_some() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    json_response(status, reply.to_json().to_string())
}

/// The middleware on `/mcp` (after the Host/Origin and token checks).
pub async fn gate(State(gate): State<Gate>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Ok(mut permit) = Arc::clone(&gate.budget)
        .acquire_many_owned(units(gate.max_result_bytes))
        .await
    else {
        return jsonrpc_unavailable();
    };
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, gate.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, limit = gate.max_body_bytes, "refused a request body");
            let reply = jsonrpc::ErrorReply {
                id: None,
                code: jsonrpc::INVALID_REQUEST,
                message: format!(
                    "Payload too large or unreadable: the limit is {} bytes (AUTOTASK_HTTP_MAX_BODY_BYTES)",
                    gate.max_body_bytes
                ),
            };
            let mut response = error_response(&reply);
            *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return response;
        }
    };
    let (bytes, message) = match jsonrpc::screen(&bytes) {
        Screened::Forward { bytes, message } => (bytes, message),
        Screened::Reply(reply) => return error_response(&reply),
        Screened::Ignore => return StatusCode::ACCEPTED.into_response(),
    };
    let id = message.get("id").cloned();
    let tool_call = message.get("method").and_then(|m| m.as_str()) == Some("tools/call");
    if tool_call
        && let Some(scopes) = &gate.scopes
        && parts
            .extensions
            .get::<Authenticated>()
            .and_then(|a| a.signed_in.as_ref())
            .is_some_and(|s| !s.may_write)
        && let Some(name) = message
            .get("params")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
        && scopes.write_tools.contains(name)
    {
        tracing::warn!(
            tool = name,
            "refused a write tool call: the sign-in lacks autotask.write"
        );
        return scopes
            .challenges
            .insufficient_scope("writing needs the autotask.write scope");
    }
    drop(message);
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let streaming = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if streaming {
        // An event stream keeps the whole reservation until it ends.
        return response.map(|body| Body::new(Guarded::new(body, permit)));
    }
    let (mut parts, body) = response.into_parts();
    let exact = http_body::Body::size_hint(&body)
        .exact()
        .and_then(|n| usize::try_from(n).ok());
    let collected = match exact {
        Some(n) if n > gate.max_result_bytes => None,
        _ => axum::body::to_bytes(body, gate.max_result_bytes).await.ok(),
    };
    let Some(body) = collected else {
        let answer = jsonrpc::too_large_answer(
            id.unwrap_or(serde_json::Value::Null),
            tool_call,
            exact,
            gate.max_result_bytes,
        );
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::from(answer.to_string()));
    };
    // Keep what the answer takes until it has been sent; give the rest back now.
    let keep = units(body.len()) as usize;
    let released = permit.num_permits().saturating_sub(keep);
    drop(permit.split(released));
    Response::from_parts(parts, Body::new(Guarded::new(Body::from(body), permit)))
}

fn jsonrpc_unavailable() -> Response {
    json_response(
        StatusCode::SERVICE_UNAVAILABLE,
        jsonrpc::ErrorReply {
            id: None,
            code: -32603,
            message: "the server is shutting down".into(),
        }
        .to_json()
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_are_counted_in_kib() {
        assert_eq!(units(0), 0);
        assert_eq!(units(1), 1);
        assert_eq!(units(4 * 1024 * 1024), 4096);
        let gate = Gate::new(1024, 4 * 1024 * 1024, 64 * 1024 * 1024);
        assert_eq!(gate.budget.available_permits(), 65_536);
    }
}
