//! One error type for every Autotask call. It keeps the HTTP status and Autotask's own
//! messages, says what to do next, and can never contain the credentials: every message is
//! redacted when the error is built (see [`redact`]), and Debug prints the same redacted text
//! as Display.

use std::time::Duration;

/// An Autotask call that failed.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub enum AutotaskError {
    /// Autotask answered with an error status; `messages` are its `errors` (or `Message`).
    /// The text ends with what to do next, from [`Failure::of`].
    #[error("Autotask answered HTTP {status}: {}", api_text(*status, messages))]
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

/// What an Autotask error answer means, read from its status and messages. The one place
/// that interprets them; the advice every error message ends with follows from it
/// ([`Failure::advice`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// HTTP 401: the user exists but the secret does not match.
    Secret,
    /// Autotask does not know the API user (HTTP 500, also from zone detection).
    UnknownUser,
    /// The integration code (API tracking identifier) is not valid (HTTP 500).
    IntegrationCode,
    /// The API user's security level does not allow the call (403, or a 500 saying so).
    Permission,
    /// No record with the id (or the parent id) exists, or the API user cannot see it.
    MissingRecord,
    /// HTTP 404: no such route.
    NoRoute,
    /// HTTP 405: the entity does not support the operation.
    Unsupported,
    /// A validation or business-rule error (HTTP 400/500 with Autotask's messages).
    Invalid,
    /// Anything else (a gateway error after the read retries, ...): no advice.
    Other,
}

impl Failure {
    /// The meaning of an error answer with `status` and Autotask's `messages`.
    pub fn of(status: u16, messages: &[String]) -> Failure {
        let text = messages.join(" ").to_ascii_lowercase();
        let has = |needles: &[&str]| {
            needles
                .iter()
                .any(|n| text.contains(&n.to_ascii_lowercase()))
        };
        match status {
            401 => Failure::Secret,
            403 => Failure::Permission,
            404 => Failure::NoRoute,
            405 => Failure::Unsupported,
            400 | 500 if has(&[ZONE_DETECTION_FAILED]) => Failure::UnknownUser,
            400 | 500 if has(&["integration code", "integrationcode", "tracking identifier"]) => {
                Failure::IntegrationCode
            }
            400 | 500 if has(&["authenticat", "user name was not found", "unknown user"]) => {
                Failure::UnknownUser
            }
            400 | 500 if has(&["no matching records", "unable to find the parent"]) => {
                Failure::MissingRecord
            }
            400 | 500 if has(&["does not exist"]) && !has(&["required field"]) => {
                Failure::MissingRecord
            }
            400 | 500 if has(&["adequate permission", "insufficient permission"]) => {
                Failure::Permission
            }
            400 | 500 => Failure::Invalid,
            _ => Failure::Other,
        }
    }

    /// What to do next (names the variables to check, never their values).
    pub fn advice(self) -> &'static str {
        match self {
            Failure::Secret => {
                "Autotask rejected the API user's credentials (the secret does not match the user): check AUTOTASK_USERNAME and AUTOTASK_SECRET; nothing was changed."
            }
            Failure::UnknownUser => {
                "Autotask does not know this API user (the username is wrong): check AUTOTASK_USERNAME (the API-only user's username, in e-mail form); nothing was changed."
            }
            Failure::IntegrationCode => {
                "Autotask rejected the integration code (API tracking identifier): check AUTOTASK_INTEGRATION_CODE for this API user; nothing was changed."
            }
            Failure::Permission => {
                "The API user's security level does not allow this: ask an Autotask administrator; nothing was changed."
            }
            Failure::MissingRecord => {
                "No record with that id exists (or the API user cannot see it): find the right id with the search-* tools or query-entity; nothing was changed."
            }
            Failure::NoRoute => {
                "Autotask has no such route: check the entity and parentEntity with list-known-entities."
            }
            Failure::Unsupported => {
                "This entity does not support that operation: describe-entity-fields says which it does."
            }
            Failure::Invalid => {
                "Check field names and picklist values with describe-entity-fields, fix the arguments and try again."
            }
            Failure::Other => "",
        }
    }
}

/// The message zone detection adds to Autotask's when it fails (Autotask answers 500 for an
/// unknown or blank user there).
pub const ZONE_DETECTION_FAILED: &str = "Zone detection (zoneInformation) failed";

/// Autotask's messages, then the advice.
fn api_text(status: u16, messages: &[String]) -> String {
    let said = messages
        .iter()
        .fold(String::new(), |text, m| join_sentences(&text, m));
    join_sentences(&said, Failure::of(status, messages).advice())
}

/// `first` and `next` as consecutive sentences: a period goes between them unless `first`
/// already ends a sentence (`.`, `?`, `!`, `…`, before any closing quote or bracket), so no
/// composed message ever shows `..` or `?.`. Every message made of parts is joined here.
pub fn join_sentences(first: &str, next: &str) -> String {
    let first = first.trim_end();
    let next = next.trim();
    if first.is_empty() {
        return next.to_string();
    }
    if next.is_empty() {
        return first.to_string();
    }
    let core = first.trim_end_matches(['"', '\'', '`', ')', ']', '\u{201d}', '\u{2019}']);
    if core.ends_with(['.', '?', '!', '\u{2026}']) {
        format!("{first} {next}")
    } else {
        let first = first.trim_end_matches([',', ';', ':']);
        format!("{first}. {next}")
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
    fn failures_are_read_from_status_and_messages() {
        let of = |status, m: &str| Failure::of(status, &[m.to_string()]);
        assert_eq!(of(401, "x"), Failure::Secret);
        assert_eq!(
            of(
                500,
                "Unable to authenticate: the API user name was not found."
            ),
            Failure::UnknownUser
        );
        assert_eq!(
            of(500, &format!("x. {ZONE_DETECTION_FAILED}; pin it")),
            Failure::UnknownUser
        );
        assert_eq!(
            of(500, "The ApiIntegrationCode is not valid"),
            Failure::IntegrationCode
        );
        assert_eq!(
            of(
                500,
                "No message. No matching records found. The logged in Resource may not have the required permissions to delete the data."
            ),
            Failure::MissingRecord
        );
        assert_eq!(
            of(500, "Unable to find the parent Ticket with id 4."),
            Failure::MissingRecord
        );
        assert_eq!(
            of(
                500,
                "The logged in Resource does not have the adequate permissions"
            ),
            Failure::Permission
        );
        assert_eq!(
            of(
                500,
                "Value does not exist for the required field AccountID."
            ),
            Failure::Invalid
        );
        assert_eq!(
            of(500, "Unable to find projectID in the TimeEntry Entity"),
            Failure::Invalid
        );
        assert_eq!(of(503, "(empty body)"), Failure::Other);
        assert_eq!(Failure::Other.advice(), "");
    }

    #[test]
    fn sentences_are_joined_with_one_period() {
        for (first, joined) in [
            ("Done", "Done. Next."),
            ("Done.", "Done. Next."),
            ("Right?", "Right? Next."),
            ("Said \"no.\"", "Said \"no.\" Next."),
            ("Said \"no\"", "Said \"no\". Next."),
            ("(see x.)", "(see x.) Next."),
            ("Wait:", "Wait. Next."),
            ("Done.  ", "Done. Next."),
            ("", "Next."),
        ] {
            assert_eq!(join_sentences(first, "Next."), joined);
        }
        assert_eq!(join_sentences("Done.", ""), "Done.");
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
