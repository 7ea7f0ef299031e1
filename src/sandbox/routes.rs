//! Routing: one fallback handler resolves the path (`endpoint`), then runs the request
//! pipeline: statistics, fault injection, 404/405, authentication, the hourly threshold, the
//! thread limit, latency tiers, and the handler.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use http::{HeaderMap, HeaderValue, Method, Uri};

use super::auth;
use super::endpoint::{params, resolve};
use super::faults;
use super::handlers;
use super::shared::Shared;
use super::throttle::Admission;
use super::wire::ApiError;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The axum router: everything goes through `handle`.
pub fn router(shared: Arc<Shared>) -> Router {
    // Attachments reach 6-7 MB of base64; Autotask refuses bigger ones itself.
    Router::new()
        .fallback(handle)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
}

/// Marks a request in flight (statistics and thread limit) until dropped.
struct InFlight {
    shared: Arc<Shared>,
    code: String,
    key: &'static str,
    count: usize,
}

impl InFlight {
    fn enter(shared: &Arc<Shared>, code: String, key: &'static str) -> Self {
        shared.stats.enter(key);
        let count = shared.throttle.enter(&code, key);
        InFlight {
            shared: Arc::clone(shared),
            code,
            key,
            count,
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.shared.stats.leave(self.key);
        self.shared.throttle.leave(&self.code, self.key);
    }
}

fn with_retry_after(mut response: Response, secs: Option<u64>) -> Response {
    if let Some(secs) = secs
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        response.headers_mut().insert(http::header::RETRY_AFTER, v);
    }
    response
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Like a real server, finish the work even when the client gives up waiting: a write
    // whose answer never arrived still happened (the client must treat it as outcome unknown).
    let work = tokio::spawn(answer(shared, method, uri, headers, body));
    match work.await {
        Ok(response) => response,
        Err(_) => {
            ApiError::server("The sandbox failed while answering this request.").into_response()
        }
    }
}

pub(super) async fn answer(
    shared: Arc<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    let path_and_query = uri.path_and_query().map_or(path, |p| p.as_str());
    shared.stats.record(method.as_str(), path_and_query);
    let params = params(uri.query());
    let resolved = resolve(path, params.contains_key("search"));
    let _in_flight = resolved
        .as_ref()
        .and_then(|r| r.endpoint.thread_key())
        .map(|key| InFlight::enter(&shared, auth::claimed_code(&headers), key));
    let fault = shared.faults.take(method.as_str(), path);
    if let Some((delay, response)) = &fault
        && let Some(answer) = faults::respond(response)
    {
        tokio::time::sleep(*delay).await;
        return answer;
    }
    let Some(resolved) = resolved else {
        // The query string is left out: it can carry the API user name (zoneInformation?user=).
        return ApiError::not_found(&format!("{}{}", shared.origin, path)).into_response();
    };
    if !resolved.allowed.contains(&method) {
        return ApiError::method_not_allowed(method.as_str()).into_response();
    }
    let fault_delay = fault.map(|(d, _)| d).unwrap_or_default();
    let exempt = resolved.endpoint.thread_key().is_none();
    let caller = if exempt {
        None
    } else {
        match auth::authenticate(&headers, &shared.user) {
            Ok(caller) => Some(caller),
            Err(e) => return e.into_response(),
        }
    };
    if !exempt {
        let count = match shared.throttle.admit() {
            Admission::Admitted(n) => n,
            Admission::OverThreshold => {
                let e = ApiError::Errors {
                    status: 429,
                    messages: vec![format!(
                        "The API request threshold of {} requests per hour has been reached; requests are refused until the rolling hour drops below it.",
                        shared.throttle.threshold()
                    )],
                };
                return with_retry_after(e.into_response(), shared.options.retry_after_secs);
            }
        };
        if _in_flight
            .as_ref()
            .is_some_and(|f| f.count > shared.options.thread_limit)
        {
            let e = ApiError::Errors {
                status: shared.options.thread_limit_status,
                messages: vec![format!(
                    "Itgenatr005: Thread Threshold Exceeded - The Autotask API thread threshold of {} threads has been exceeded for this API tracking identifier and endpoint.",
                    shared.options.thread_limit
                )],
            };
            return with_retry_after(e.into_response(), shared.options.retry_after_secs);
        }
        if shared.options.latency_tiers {
            let extra = shared.throttle.latency_for(count);
            if !extra.is_zero() {
                tokio::time::sleep(extra).await;
            }
        }
    }
    if !fault_delay.is_zero() {
        tokio::time::sleep(fault_delay).await;
    }
    handlers::dispatch(&shared, caller, &method, &resolved.endpoint, &params, &body)
}
