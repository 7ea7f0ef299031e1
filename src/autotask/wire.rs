//! Autotask's wire shapes, as plain functions: which relative paths may be sent, and what an
//! answer says (Autotask's error messages, its business-error and thread-limit shapes, the
//! `fields` of metadata answers).

use serde_json::Value;

use super::error::AutotaskError;

/// Refuses relative paths that could escape `V1.0/` or smuggle a query.
pub fn check_relative(relative: &str) -> Result<(), AutotaskError> {
    let bad = relative.is_empty()
        || relative.starts_with('/')
        || relative.contains(['?', '#', '\\', ' ', '\n', '\r', '\t', '%'])
        || relative
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..");
    if bad {
        return Err(AutotaskError::Refused {
            reason: format!(
                "`{}` is not an Autotask path relative to V1.0/ (like `Tickets` or `Tickets/123/Notes`)",
                relative.chars().take(120).collect::<String>()
            ),
        });
    }
    Ok(())
}

/// True when Autotask refused a request for its thread limit (`Itgenatr005`), whatever the
/// status it used: nothing was done, and the request may be tried again shortly.
pub fn is_thread_limit(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    lower.contains("itgenatr005") || lower.contains("thread threshold")
}

/// True when a body is Autotask's business-error shape `{"errors": [...]}` (non-empty).
pub fn has_autotask_errors(body: &str) -> bool {
    serde_json::from_str::<Value>(body).is_ok_and(|v| {
        v.get("errors")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    })
}

/// Autotask's messages from an error body: `errors` (strings or `{message}` objects),
/// ASP.NET's `Message`, or the start of the body.
pub fn error_messages(body: &str) -> Vec<String> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return vec!["(empty body)".into()];
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(v) => match (
            v.get("errors"),
            v.get("Message").or_else(|| v.get("message")),
        ) {
            (Some(Value::Array(errors)), _) if !errors.is_empty() => errors
                .iter()
                .map(|e| match e {
                    Value::String(s) => s.clone(),
                    other => other
                        .get("message")
                        .and_then(Value::as_str)
                        .map_or_else(|| other.to_string(), str::to_string),
                })
                .collect(),
            (_, Some(Value::String(m))) => vec![m.clone()],
            _ => vec![truncate(trimmed, 300)],
        },
        Err(_) if trimmed.starts_with('<') => vec!["(an HTML page, no details)".into()],
        Err(_) => vec![truncate(trimmed, 300)],
    }
}

pub fn truncate(text: &str, max_chars: usize) -> String {
    let mut out: String = text.chars().take(max_chars).collect();
    if text.chars().nth(max_chars).is_some() {
        out.push('…');
    }
    out
}

pub fn fields_of(body: Value) -> Result<Vec<Value>, AutotaskError> {
    match body {
        Value::Object(mut map) => match map.remove("fields") {
            Some(Value::Array(fields)) => Ok(fields),
            _ => Err(AutotaskError::InvalidResponse {
                reason: "field information has no fields array".into(),
            }),
        },
        _ => Err(AutotaskError::InvalidResponse {
            reason: "field information is not a JSON object".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_limit_refusals_are_recognised_whatever_the_wording_case() {
        assert!(is_thread_limit(
            r#"{"errors":["Itgenatr005: Thread Threshold Exceeded"]}"#
        ));
        assert!(is_thread_limit(
            "the thread threshold of 3 threads has been exceeded"
        ));
        assert!(!is_thread_limit(
            r#"{"errors":["Value does not exist for the required field title."]}"#
        ));
    }

    #[test]
    fn error_messages_read_every_shape() {
        assert_eq!(
            error_messages(r#"{"errors":["a","b"]}"#),
            vec!["a".to_string(), "b".to_string()]
        );
        assert_eq!(
            error_messages(r#"{"errors":[{"message":"m","field":"f"}]}"#),
            vec!["m".to_string()]
        );
        assert_eq!(
            error_messages(
                r#"{"Message":"The requested resource does not support http method 'GET'."}"#
            ),
            vec!["The requested resource does not support http method 'GET'.".to_string()]
        );
        assert_eq!(
            error_messages("<html>404</html>"),
            vec!["(an HTML page, no details)".to_string()]
        );
        assert_eq!(error_messages("  "), vec!["(empty body)".to_string()]);
        assert_eq!(error_messages(&"x".repeat(400)).len(), 1);
        assert!(has_autotask_errors(r#"{"errors":["x"]}"#));
        assert!(!has_autotask_errors(r#"{"errors":[]}"#));
        assert!(!has_autotask_errors(
            r#"{"Message":"An error has occurred."}"#
        ));
        assert!(!has_autotask_errors("{\"errors\": [\"trunc"));
    }

    #[test]
    fn relative_paths_are_checked() {
        for ok in [
            "Tickets",
            "Tickets/123/Notes",
            "Tickets/query/count",
            "ThresholdInformation",
        ] {
            assert!(check_relative(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/Tickets",
            "Tickets/../x",
            "Tickets?x=1",
            "Tickets//x",
            "a b",
            "Tickets/%2e%2e",
        ] {
            assert!(check_relative(bad).is_err(), "{bad}");
        }
    }
}
