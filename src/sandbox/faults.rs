//! Fault injection for client tests: scripted answers for the next N requests that match a
//! method and a path fragment (status and headers such as `Retry-After`, a delay, an empty,
//! truncated-JSON or HTML body, a huge streamed body, or a dropped connection).

use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::response::Response;
use http::{HeaderName, HeaderValue};

use super::wire::bytes_response;

/// What a matched request gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultResponse {
    /// Answer normally, after the rule's delay.
    Normal,
    /// This status, headers and body (sent as is; `Content-Type: application/json` unless a
    /// header sets it).
    Status {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// This status and an empty body.
    Empty { status: u16 },
    /// This status and JSON cut off mid-way.
    TruncatedJson { status: u16 },
    /// This status and an IIS-style HTML page.
    Html { status: u16 },
    /// Close the connection without an answer.
    DropConnection,
    /// This status and a body of `count` copies of `chunk`, streamed without a
    /// `Content-Length` (a huge answer that costs the sandbox nothing to send).
    Chunked {
        status: u16,
        chunk: String,
        count: usize,
    },
}

/// A scripted answer for the next `times` matching requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// `GET`, `POST`, … (ignoring case); `None` matches any method.
    pub method: Option<String>,
    /// A fragment of the path (ignoring case), e.g. `/Tickets/query`; empty matches any path.
    pub path_contains: String,
    pub times: usize,
    pub delay: Duration,
    pub response: FaultResponse,
}

impl FaultRule {
    pub fn new(
        method: Option<&str>,
        path_contains: &str,
        times: usize,
        response: FaultResponse,
    ) -> Self {
        FaultRule {
            method: method.map(str::to_string),
            path_contains: path_contains.to_string(),
            times,
            delay: Duration::ZERO,
            response,
        }
    }

    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    fn matches(&self, method: &str, path_lower: &str) -> bool {
        self.times > 0
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && path_lower.contains(&self.path_contains.to_ascii_lowercase())
    }
}

/// The active fault rules, first pushed first matched.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<FaultRule>>,
}

impl Faults {
    /// Adds a rule.
    pub fn push(&self, rule: FaultRule) {
        self.lock().push(rule);
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many matches the rules still have in total.
    pub fn remaining(&self) -> usize {
        self.lock().iter().map(|r| r.times).sum()
    }

    /// Consumes one use of the first rule matching this request.
    pub(crate) fn take(&self, method: &str, path: &str) -> Option<(Duration, FaultResponse)> {
        let path_lower = path.to_ascii_lowercase();
        let mut rules = self.lock();
        let index = rules.iter().position(|r| r.matches(method, &path_lower))?;
        let rule = &mut rules[index];
        rule.times -= 1;
        let out = (rule.delay, rule.response.clone());
        if rule.times == 0 {
            rules.remove(index);
        }
        Some(out)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FaultRule>> {
        self.rules.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The HTTP answer of a fault (`None` for `Normal`).
pub(crate) fn respond(response: &FaultResponse) -> Option<Response> {
    Some(match response {
        FaultResponse::Normal => return None,
        FaultResponse::Status {
            status,
            headers,
            body,
        } => {
            let mut r = bytes_response(*status, "application/json; charset=utf-8", body.clone().into_bytes());
            for (name, value) in headers {
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(value),
                ) {
                    r.headers_mut().insert(n, v);
                }
            }
            r
        }
        FaultResponse::Empty { status } => bytes_response(*status, "application/json; charset=utf-8", Vec::new()),
        FaultResponse::TruncatedJson { status } => bytes_response(
            *status,
            "application/json; charset=utf-8",
            br#"{"items":[{"id":1,"title":"Printer on fire","status":"#.to_vec(),
        ),
        FaultResponse::Html { status } => bytes_response(
            *status,
            "text/html; charset=utf-8",
            format!(
                "<!DOCTYPE html>\r\n<html><head><title>{status} - Server Error</title></head>\
                 <body><h1>Server Error</h1><h2>{status} - The page cannot be displayed.</h2></body></html>"
            )
            .into_bytes(),
        ),
        FaultResponse::DropConnection => {
            // A body that fails before its first byte makes hyper close the connection
            // without completing the answer: the client sees a dropped connection.
            let stream = futures::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "fault injection: connection dropped",
                ))
            });
            let mut r = Response::new(Body::from_stream(stream));
            r.headers_mut().insert(
                http::header::CONTENT_LENGTH,
                HeaderValue::from_static("1000"),
            );
            r
        }
        FaultResponse::Chunked {
            status,
            chunk,
            count,
        } => {
            let chunk = Bytes::from(chunk.clone().into_bytes());
            let stream = futures::stream::iter(
                std::iter::repeat_n(chunk, *count).map(Ok::<Bytes, std::io::Error>),
            );
            let mut r = Response::new(Body::from_stream(stream));
            *r.status_mut() =
                http::StatusCode::from_u16(*status).unwrap_or(http::StatusCode::OK);
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            r
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_method_and_path_ignoring_case_and_run_out() {
        let faults = Faults::default();
        faults.push(FaultRule::new(
            Some("post"),
            "/tickets/QUERY",
            2,
            FaultResponse::Empty { status: 200 },
        ));
        assert!(
            faults
                .take("GET", "/ATServicesRest/V1.0/Tickets/query")
                .is_none()
        );
        assert!(
            faults
                .take("POST", "/ATServicesRest/V1.0/Tickets/query")
                .is_some()
        );
        assert!(
            faults
                .take("POST", "/atservicesrest/v1.0/tickets/query/next")
                .is_some()
        );
        assert!(
            faults
                .take("POST", "/ATServicesRest/V1.0/Tickets/query")
                .is_none()
        );
        assert_eq!(faults.remaining(), 0);
    }
}
