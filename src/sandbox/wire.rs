//! Wire formats shared by the emulator: Autotask's datetime format, JSON response building and
//! the two error shapes (`{"errors": [...]}` for Autotask's own errors, ASP.NET's
//! `{"Message": ...}` for framework errors such as 404 and 405).

use axum::body::Body;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use http::{HeaderValue, StatusCode, header};
use serde_json::Value;

/// The datetime format Autotask emits: UTC, milliseconds, no zone designator.
pub const DATETIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3f";

/// Formats a UTC instant the way Autotask does (`2026-11-25T09:30:00.000`).
pub fn format_datetime(at: DateTime<Utc>) -> String {
    at.format(DATETIME_FORMAT).to_string()
}

/// Parses a datetime as Autotask accepts it: with `Z` or an offset (converted to UTC), without a
/// zone (taken as UTC), with or without fractions, or a bare date (midnight).
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|naive| naive.and_utc())
}

/// An error answer, in the shape Autotask uses for its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// Autotask's business and validation errors: `{"errors": [...]}` (mostly HTTP 500).
    Errors { status: u16, messages: Vec<String> },
    /// ASP.NET framework errors: `{"Message": "..."}` (404, 405).
    Message { status: u16, message: String },
}

impl ApiError {
    /// HTTP 500 with one Autotask error message.
    pub fn server(message: impl Into<String>) -> Self {
        ApiError::Errors {
            status: 500,
            messages: vec![message.into()],
        }
    }

    /// ASP.NET's 404 for a URI no route matches.
    pub fn not_found(uri: &str) -> Self {
        ApiError::Message {
            status: 404,
            message: format!("No HTTP resource was found that matches the request URI '{uri}'."),
        }
    }

    /// ASP.NET's 405 for a known route and an unsupported method.
    pub fn method_not_allowed(method: &str) -> Self {
        ApiError::Message {
            status: 405,
            message: format!("The requested resource does not support http method '{method}'."),
        }
    }

    /// The HTTP response.
    pub fn into_response(self) -> Response {
        match self {
            ApiError::Errors { status, messages } => {
                json_response(status, &serde_json::json!({ "errors": messages }))
            }
            ApiError::Message { status, message } => {
                json_response(status, &serde_json::json!({ "Message": message }))
            }
        }
    }
}

/// A JSON response with this status.
pub fn json_response(status: u16, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    bytes_response(status, "application/json; charset=utf-8", bytes)
}

/// A response with this status, content type and body.
pub fn bytes_response(status: u16, content_type: &str, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

/// The value of a JSON object's key, the key compared case-insensitively (Json.NET binding).
pub fn get_ci<'a>(object: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_are_accepted_in_every_form_and_emitted_without_zone() {
        let forms = [
            "2026-11-25T09:30:00Z",
            "2026-11-25T09:30:00",
            "2026-11-25T09:30:00.000",
            "2026-11-25T10:30:00+01:00",
            "2026-11-25T09:30:00.0000000Z",
        ];
        for form in forms {
            let at = parse_datetime(form).map(format_datetime);
            assert_eq!(at.as_deref(), Some("2026-11-25T09:30:00.000"), "{form}");
        }
        let date = parse_datetime("2026-11-25").map(format_datetime);
        assert_eq!(date.as_deref(), Some("2026-11-25T00:00:00.000"));
        assert_eq!(parse_datetime("yesterday"), None);
    }

    #[test]
    fn error_shapes_match_autotask() {
        let e = ApiError::method_not_allowed("GET");
        assert_eq!(
            e,
            ApiError::Message {
                status: 405,
                message: "The requested resource does not support http method 'GET'.".into()
            }
        );
    }
}
