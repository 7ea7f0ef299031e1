//! One error type for every Autotask call. It keeps the HTTP status and Autotask's own
//! messages, says what to do next, and can never contain the credentials: every message is
//! redacted when the error is built (see [`redact`]), and Debug prints the same redacted text
//! as Display.

use std::time::Duration;

/// An Autotask call that failed.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub enum AutotaskError {
    /// Autotask answered with an error status; `messages` are its `errors` (or `Message`).
    #[error("Autotask answered HTTP {status}: {}{}", messages.join("; "), next_step(*status))]
    Api { status: u16, messages: Vec<String> },
    /// The tenant's API budget is exhausted or Autotask throttled us; retry after the delay.
    #[error(
        "Autotask is rate limiting this tenant (HTTP 429): nothing was changed; retry in {} s",
        ceil_secs(*retry_after)
    )]
    RateLimited { retry_after: Duration },
    /// The server refuses a background read to protect the tenant's hourly budget.
    #[error(
        "the tenant has used {used} of {limit} API requests this hour ({percent}%): the server skips optional reads; retry later or ask for exactly what you need"
    )]
    BudgetExhausted { used: u64, limit: u64, percent: u8 },
    /// A write whose outcome is unknown (timeout or lost connection after sending). It is never
    /// repeated automatically.
    #[error(
        "outcome unknown: {method} {path} was sent but {reason}; it may or may not have been applied, so check (query the entity) before trying again"
    )]
    OutcomeUnknown {
        method: String,
        path: String,
        reason: String,
    },
    /// Autotask could not be reached (after retries for reads).
    #[error("cannot reach Autotask: {reason}")]
    Transport { reason: String },
    /// Autotask answered something that is not what the API contract says.
    #[error("unexpected answer from Autotask: {reason}")]
    InvalidResponse { reason: String },
    /// The client refused to send a request (for example credentials to a foreign origin).
    #[error("request refused: {reason}")]
    Refused { reason: String },
}

impl std::fmt::Debug for AutotaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Debug is Display: the fields are already redacted, and one form is easier to audit.
        write!(f, "AutotaskError({self})")
    }
}

impl AutotaskError {
    /// The HTTP status, when Autotask answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            AutotaskError::Api { status, .. } => Some(*status),
            AutotaskError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// Autotask's own messages (empty unless Autotask answered with an error status).
    pub fn messages(&self) -> &[String] {
        match self {
            AutotaskError::Api { messages, .. } => messages,
            _ => &[],
        }
    }

    /// True for a write whose outcome is unknown: the caller must check before repeating it.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, AutotaskError::OutcomeUnknown { .. })
    }
}

/// What to do next, appended to an HTTP error by status.
fn next_step(status: u16) -> &'static str {
    match status {
        401 => {
            " (Autotask rejected the API user's credentials: check AUTOTASK_USERNAME and AUTOTASK_SECRET; nothing was changed)"
        }
        403 => " (the API user's security level does not allow this; nothing was changed)",
        404 => " (no such route: check the entity name and the parent id)",
        405 => " (this entity does not support that operation)",
        _ => "",
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// Replaces every occurrence of each secret in `text` by `[redacted]`: the value as is, and
/// the percent-encoded and JSON-escaped forms a server may echo it back in. Secrets shorter
/// than 3 characters are also replaced (whatever the damage to the text: safety first).
///
/// Redaction happens before and after decoding: a server may escape any character of a
/// secret (.NET's serializer writes `+` as `\u002B`), so the text is also decoded (JSON string
/// escapes, percent-encoding) and, when the decoded text still holds a secret, the decoded
/// text, redacted, replaces the original. Callers that decode a body themselves redact the
/// decoded values again.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let out = redact_forms(text, secrets);
    // Decoded once, or twice (one encoding inside another: a percent-encoded JSON escape).
    let decoders: [fn(&str) -> Option<String>; 2] = [json_unescape, percent_decode];
    let mut candidates = Vec::new();
    for first in decoders {
        if let Some(once) = first(&out) {
            for second in decoders {
                if let Some(twice) = second(&once) {
                    candidates.push(twice);
                }
            }
            candidates.push(once);
        }
    }
    candidates
        .into_iter()
        .map(|decoded| redact_forms(&decoded, secrets))
        .filter(|redacted| count(redacted) > count(&out))
        .max_by_key(|redacted| count(redacted))
        .unwrap_or(out)
}

const REDACTED: &str = "[redacted]";

fn count(text: &str) -> usize {
    text.matches(REDACTED).count()
}

/// Redacts the known forms of each secret in `text`, without decoding it.
fn redact_forms(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        for form in secret_forms(secret) {
            if !form.is_empty() && out.contains(form.as_str()) {
                out = out.replace(form.as_str(), REDACTED);
            }
        }
        // Case-insensitive match of the plain form (usernames are case-insensitive).
        out = replace_ignore_ascii_case(&out, secret);
    }
    out
}

/// `text` with its JSON string escapes decoded wherever they appear (`\uXXXX`, surrogate
/// pairs included, and `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`); other backslashes
/// are kept. `None` when there was nothing to decode.
fn json_unescape(text: &str) -> Option<String> {
    if !text.contains('\\') {
        return None;
    }
    fn hex4(s: Option<&str>) -> Option<u32> {
        let s = s?;
        s.bytes()
            .all(|b| b.is_ascii_hexdigit())
            .then(|| u32::from_str_radix(s, 16).ok())
            .flatten()
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (decoded, used) = match after.as_bytes().first() {
            Some(b'u') => match hex4(after.get(1..5)) {
                Some(high @ 0xD800..=0xDBFF) => {
                    let low = after
                        .get(5..7)
                        .filter(|s| *s == "\\u")
                        .and_then(|_| hex4(after.get(7..11)));
                    match low {
                        Some(low @ 0xDC00..=0xDFFF) => (
                            char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)),
                            11,
                        ),
                        _ => (Some(char::REPLACEMENT_CHARACTER), 5),
                    }
                }
                Some(code) => (
                    Some(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)),
                    5,
                ),
                None => (None, 0),
            },
            Some(b'"') => (Some('"'), 1),
            Some(b'\\') => (Some('\\'), 1),
            Some(b'/') => (Some('/'), 1),
            Some(b'b') => (Some('\u{8}'), 1),
            Some(b'f') => (Some('\u{c}'), 1),
            Some(b'n') => (Some('\n'), 1),
            Some(b'r') => (Some('\r'), 1),
            Some(b't') => (Some('\t'), 1),
            _ => (None, 0),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[used..];
                changed = true;
            }
            None => {
                out.push('\\');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// `text` percent-decoded (invalid UTF-8 replaced), or `None` when it has no `%XX`.
fn percent_decode(text: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
    (decoded != text).then(|| decoded.into_owned())
}

/// The forms a secret can take once echoed: plain, percent-encoded (query strings, form
/// bodies, with `+` or `%20` for spaces), JSON-escaped.
fn secret_forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_string()];
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    forms.push(encoded.clone());
    forms.push(encoded.replace('+', "%20"));
    forms.push(encoded.to_ascii_lowercase());
    if let Ok(json) = serde_json::to_string(secret) {
        let inner = json.trim_matches('"').to_string();
        forms.push(inner.replace('/', "\\/"));
        forms.push(inner);
    }
    // Longest first, so a longer form is not half-replaced by a shorter one.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

fn replace_ignore_ascii_case(text: &str, needle: &str) -> String {
    let lower_text = text.to_ascii_lowercase();
    let lower_needle = needle.to_ascii_lowercase();
    if lower_needle.is_empty() || !lower_text.contains(&lower_needle) {
        return text.to_string();
    }
    // ASCII lowercasing keeps byte offsets, so indices found in the lowered copy are valid
    // char boundaries in the original.
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, _) in lower_text.match_indices(&lower_needle) {
        if start < last {
            continue;
        }
        out.push_str(&text[last..start]);
        out.push_str("[redacted]");
        last = start + lower_needle.len();
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRETS: [&str; 3] = ["api.user+1@example.com", "S3cr3t/Value\"x", "INTCODE27"];

    #[test]
    fn redacts_plain_encoded_escaped_and_recased_forms() {
        let text = format!(
            "user={} enc={} json={} upper={} code={}",
            SECRETS[0],
            url::form_urlencoded::byte_serialize(SECRETS[0].as_bytes()).collect::<String>(),
            serde_json::to_string(SECRETS[1]).unwrap_or_default(),
            SECRETS[0].to_ascii_uppercase(),
            SECRETS[2]
        );
        let out = redact(&text, &SECRETS);
        for s in SECRETS {
            assert!(!out.contains(s), "{s} in {out}");
        }
        assert!(!out.contains("api.user%2B1%40example.com"), "{out}");
        assert!(!out.to_ascii_lowercase().contains("api.user+1@"), "{out}");
        assert!(!out.contains("S3cr3t/Value\\\"x"), "{out}");
        assert!(out.starts_with("user=[redacted] enc=[redacted]"), "{out}");
    }

    /// Every character as `\uXXXX` (upper or lower hex digits), as a serializer may write it.
    fn escape_all(secret: &str, upper: bool) -> String {
        secret
            .encode_utf16()
            .map(|unit| {
                if upper {
                    format!("\\u{unit:04X}")
                } else {
                    format!("\\u{unit:04x}")
                }
            })
            .collect()
    }

    /// .NET's default: `+`, `<`, `>`, `&`, `'`, `"` and non-ASCII as `\uXXXX`.
    fn escape_dotnet(secret: &str) -> String {
        secret
            .chars()
            .map(|c| match c {
                '+' | '<' | '>' | '&' | '\'' | '"' => format!("\\u{:04X}", c as u32),
                c if !c.is_ascii() => escape_all(&c.to_string(), true),
                c => c.to_string(),
            })
            .collect()
    }

    #[test]
    fn redacts_secrets_whose_characters_are_escaped() {
        let secrets = ["api+user@example.com", "S3cr+t/Väl\"ue😀", "CODE+27"];
        for secret in secrets {
            for (form, escaped) in [
                ("dotnet", escape_dotnet(secret)),
                ("all upper", escape_all(secret, true)),
                ("all lower", escape_all(secret, false)),
                (
                    "percent-encoded dotnet",
                    url::form_urlencoded::byte_serialize(escape_dotnet(secret).as_bytes())
                        .collect(),
                ),
            ] {
                let body = format!(r#"{{"errors":["denied for {escaped} (sent)"]}}"#);
                let out = redact(&body, &secrets);
                assert!(out.contains("[redacted]"), "{form}: {out}");
                assert!(!out.contains(&escaped), "{form}: {out}");
                // Decoding what is left never reveals the secret either.
                let decoded: String = serde_json::from_str::<serde_json::Value>(&out)
                    .ok()
                    .and_then(|v| v["errors"][0].as_str().map(str::to_string))
                    .unwrap_or_else(|| out.clone());
                assert!(!decoded.contains(secret), "{form}: {decoded}");
                let fragment: String = secret.chars().take(4).collect();
                assert!(!out.contains(&fragment), "{form}: {out}");
            }
        }
    }

    #[test]
    fn decoding_is_used_only_when_it_reveals_a_secret() {
        // Escapes that hide no secret stay as they were.
        let text = r#"{"errors":["a \u0022quoted\u0022 word and 100%25"]}"#;
        assert_eq!(redact(text, &SECRETS), text);
        assert_eq!(json_unescape("no escapes"), None);
        assert_eq!(
            json_unescape(r"\u00e9\ud83d\ude00\n\q").as_deref(),
            Some("é😀\n\\q")
        );
        assert_eq!(
            json_unescape(r"\u+123\ud800").as_deref(),
            Some("\\u+123\u{FFFD}")
        );
    }

    #[test]
    fn leaves_other_text_alone_and_ignores_empty_secrets() {
        assert_eq!(redact("nothing to hide", &["", "zzz"]), "nothing to hide");
    }

    #[test]
    fn display_and_debug_say_what_to_do() {
        let e = AutotaskError::Api {
            status: 401,
            messages: vec!["denied".into()],
        };
        assert!(e.to_string().contains("AUTOTASK_SECRET"));
        assert_eq!(format!("{e:?}"), format!("AutotaskError({e})"));
        let e = AutotaskError::RateLimited {
            retry_after: Duration::from_millis(1500),
        };
        assert!(e.to_string().contains("retry in 2 s"), "{e}");
        assert_eq!(e.status(), Some(429));
    }
}
