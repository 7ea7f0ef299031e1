//! One error type for every Autotask call. It keeps the HTTP status and Autotask's own
//! messages, says what to do next, and can never contain the credentials: every message is
//! redacted when the error is built (see [`redact`]), and Debug prints the same redacted text
//! as Display.

use std::ops::Range;
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

/// Replaces every occurrence of each secret in `text` by `[redacted]`: the value as is (ASCII
/// case ignored: usernames are case-insensitive), and the percent-encoded, form-encoded and
/// JSON-escaped forms a server may echo it back in. Secrets shorter than 3 characters are also
/// replaced (whatever the damage to the text: safety first).
///
/// A server (or an attacker) may escape any character of a secret (.NET's serializer writes
/// `+` as `\u002B`; `%72` is an `r`), so the text is also read decoded (JSON string escapes,
/// percent-encoding, once or one inside the other) and every span of the **original** text
/// whose decoded form holds a secret is masked whole, escapes included. The output is always
/// the original text with masked spans, never a decoded copy: an escaped quote or newline
/// elsewhere in the text stays escaped (a decoded copy would let a value forge a log line).
/// Callers that decode a body themselves redact the decoded values again.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let secrets: Vec<&[u8]> = secrets
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.as_bytes())
        .collect();
    if secrets.is_empty() {
        return text.to_string();
    }
    let mut spans = Vec::new();
    // The text as it is.
    for secret in &secrets {
        spans.extend(
            find_ignore_ascii_case(text.as_bytes(), secret).map(|at| at..at + secret.len()),
        );
    }
    // Decoded once, or twice (one encoding inside another: a percent-encoded JSON escape).
    // Form decoding (`+` for a space) matters only for a secret with a space.
    let mut decoders: Vec<Decoder> = vec![json_unescape, percent_decode];
    if secrets.iter().any(|s| s.contains(&b' ')) {
        decoders.push(form_decode);
    }
    for first in &decoders {
        let Some(once) = first(text.as_bytes()) else {
            continue;
        };
        for secret in &secrets {
            spans.extend(
                find_ignore_ascii_case(&once.bytes, secret)
                    .map(|at| once.source(at..at + secret.len())),
            );
        }
        for second in &decoders {
            let Some(twice) = second(&once.bytes) else {
                continue;
            };
            for secret in &secrets {
                spans.extend(
                    find_ignore_ascii_case(&twice.bytes, secret)
                        .map(|at| once.source(twice.source(at..at + secret.len()))),
                );
            }
        }
    }
    mask(text, spans)
}

const REDACTED: &str = "[redacted]";

/// One way of decoding a text, with the map back to it.
type Decoder = fn(&[u8]) -> Option<Decoded>;

/// `text` with each span replaced by `[redacted]`: whole characters (spans widened to the
/// nearest boundaries), overlapping spans masked once.
fn mask(text: &str, mut spans: Vec<Range<usize>>) -> String {
    if spans.is_empty() {
        return text.to_string();
    }
    spans.sort_by_key(|s| (s.start, s.end));
    let mut masks: Vec<Range<usize>> = Vec::new();
    for span in spans {
        let mut start = span.start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = span.end.min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        match masks.last_mut() {
            Some(last) if start < last.end => last.end = last.end.max(end),
            _ => masks.push(start..end),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for m in masks {
        out.push_str(&text[done..m.start]);
        out.push_str(REDACTED);
        done = m.end;
    }
    out.push_str(&text[done..]);
    out
}

/// Where `needle` starts in `haystack`, ASCII case ignored.
fn find_ignore_ascii_case<'a>(
    haystack: &'a [u8],
    needle: &'a [u8],
) -> impl Iterator<Item = usize> + 'a {
    let last = haystack.len().checked_sub(needle.len());
    let first = needle.first().map(u8::to_ascii_lowercase);
    (0..last.map_or(0, |l| l + 1)).filter(move |&i| {
        Some(haystack[i].to_ascii_lowercase()) == first
            && haystack[i..i + needle.len()].eq_ignore_ascii_case(needle)
    })
}

/// One run of decoded bytes and where it came from in the input: a literal run maps byte for
/// byte, an escape maps all its decoded bytes to the whole escape.
#[derive(Debug, Clone, Copy)]
struct Segment {
    /// Where the run starts in the decoded bytes.
    at: usize,
    /// Where it starts in the input.
    from: usize,
    /// Its length in the input.
    len: usize,
    literal: bool,
}

/// Bytes decoded from an input, with the map back to the input's byte ranges.
#[derive(Debug, Default)]
struct Decoded {
    bytes: Vec<u8>,
    segments: Vec<Segment>,
}

impl Decoded {
    fn with_capacity(n: usize) -> Decoded {
        Decoded {
            bytes: Vec::with_capacity(n),
            segments: Vec::new(),
        }
    }

    /// A byte copied from input position `from`.
    fn literal(&mut self, from: usize, byte: u8) {
        let at = self.bytes.len();
        self.bytes.push(byte);
        if let Some(last) = self.segments.last_mut()
            && last.literal
            && last.from + last.len == from
            && last.at + last.len == at
        {
            last.len += 1;
            return;
        }
        self.segments.push(Segment {
            at,
            from,
            len: 1,
            literal: true,
        });
    }

    /// `decoded`, what the `len` input bytes at `from` (an escape) stand for.
    fn escape(&mut self, from: usize, len: usize, decoded: &[u8]) {
        self.segments.push(Segment {
            at: self.bytes.len(),
            from,
            len,
            literal: false,
        });
        self.bytes.extend_from_slice(decoded);
    }

    /// The input range decoded byte `i` came from.
    fn source_of(&self, i: usize) -> Range<usize> {
        let k = self
            .segments
            .partition_point(|s| s.at <= i)
            .saturating_sub(1);
        match self.segments.get(k) {
            Some(s) if s.literal => {
                let at = s.from + (i - s.at);
                at..at + 1
            }
            Some(s) => s.from..s.from + s.len,
            None => 0..0,
        }
    }

    /// The input range the decoded bytes `range` (not empty) came from.
    fn source(&self, range: Range<usize>) -> Range<usize> {
        let start = self.source_of(range.start).start;
        let end = self
            .source_of(range.end.saturating_sub(1).max(range.start))
            .end;
        start..end
    }
}

fn hex_value(bytes: Option<&[u8]>) -> Option<u32> {
    let bytes = bytes?;
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| u32::from_str_radix(s, 16).ok())
}

/// `input` with its JSON string escapes decoded wherever they appear (`\uXXXX`, surrogate
/// pairs included, and `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`); other backslashes
/// are kept. `None` when there was nothing to decode.
fn json_unescape(input: &[u8]) -> Option<Decoded> {
    if !input.contains(&b'\\') {
        return None;
    }
    let mut out = Decoded::with_capacity(input.len());
    let mut changed = false;
    let mut i = 0;
    while i < input.len() {
        if input[i] != b'\\' {
            out.literal(i, input[i]);
            i += 1;
            continue;
        }
        let unit = |at: usize| hex_value(input.get(at..at + 4));
        let (decoded, used) = match input.get(i + 1) {
            Some(b'u') => match unit(i + 2) {
                Some(high @ 0xD800..=0xDBFF) => {
                    let low = (input.get(i + 6..i + 8) == Some(b"\\u"))
                        .then(|| unit(i + 8))
                        .flatten();
                    match low {
                        Some(low @ 0xDC00..=0xDFFF) => (
                            char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)),
                            12,
                        ),
                        _ => (Some(char::REPLACEMENT_CHARACTER), 6),
                    }
                }
                Some(code) => (
                    Some(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)),
                    6,
                ),
                None => (None, 1),
            },
            Some(b'"') => (Some('"'), 2),
            Some(b'\\') => (Some('\\'), 2),
            Some(b'/') => (Some('/'), 2),
            Some(b'b') => (Some('\u{8}'), 2),
            Some(b'f') => (Some('\u{c}'), 2),
            Some(b'n') => (Some('\n'), 2),
            Some(b'r') => (Some('\r'), 2),
            Some(b't') => (Some('\t'), 2),
            _ => (None, 1),
        };
        match decoded {
            Some(c) => {
                let mut buf = [0_u8; 4];
                out.escape(i, used, c.encode_utf8(&mut buf).as_bytes());
                changed = true;
            }
            None => out.literal(i, b'\\'),
        }
        i += used;
    }
    changed.then_some(out)
}

/// `input` percent-decoded (`%XX` to the byte it names), or `None` when it has no `%XX`.
fn percent_decode(input: &[u8]) -> Option<Decoded> {
    decode_percent(input, false)
}

/// `input` form-decoded: percent-decoded, and `+` for a space.
fn form_decode(input: &[u8]) -> Option<Decoded> {
    decode_percent(input, true)
}

fn decode_percent(input: &[u8], plus_is_space: bool) -> Option<Decoded> {
    if !(input.contains(&b'%') || plus_is_space && input.contains(&b'+')) {
        return None;
    }
    let mut out = Decoded::with_capacity(input.len());
    let mut changed = false;
    let mut i = 0;
    while i < input.len() {
        let byte = (input[i] == b'%')
            .then(|| hex_value(input.get(i + 1..i + 3)))
            .flatten()
            .and_then(|b| u8::try_from(b).ok());
        match (byte, input[i]) {
            (Some(b), _) => {
                out.escape(i, 3, &[b]);
                changed = true;
                i += 3;
            }
            (None, b'+') if plus_is_space => {
                out.escape(i, 1, b" ");
                changed = true;
                i += 1;
            }
            (None, other) => {
                out.literal(i, other);
                i += 1;
            }
        }
    }
    changed.then_some(out)
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
        assert_eq!(json_unescape_text("no escapes"), None);
        assert_eq!(
            json_unescape_text(r"\u00e9\ud83d\ude00\n\q").as_deref(),
            Some("é😀\n\\q")
        );
        assert_eq!(
            json_unescape_text(r"\u+123\ud800").as_deref(),
            Some("\\u+123\u{FFFD}")
        );
    }

    /// The old decoder, kept for its tests: `text` JSON-unescaped, `None` when unchanged.
    fn json_unescape_text(text: &str) -> Option<String> {
        json_unescape(text.as_bytes()).map(|d| String::from_utf8_lossy(&d.bytes).into_owned())
    }

    /// Issue 19, repro 1: a value holding a percent-encoded fragment of a secret and an
    /// encoded line break and quotes. The secret is masked, and nothing else is decoded: the
    /// output has no raw newline, no raw quote the input did not have.
    #[test]
    fn a_secret_hidden_by_encoding_never_decodes_the_rest_of_the_text() {
        let token = "rest-of-the-bearer-token-0123";
        let secrets = [token];
        let forged = r#"x%0A{%22time%22:%222026-01-01T00:00:00Z%22,%22tool%22:%22update-company%22,%22outcome%22:%22updated%22}%0A"#;
        for hidden in [
            format!("Re: %72{}", &token[1..]),
            format!("Re: \\u0072{}", &token[1..]),
            format!("Re: \\u0072%65{}", &token[2..]),
            format!("Re: %5Cu0072{}", &token[1..]),
            token.to_ascii_uppercase(),
        ] {
            for text in [
                format!("{hidden} {forged}"),
                format!("{forged} {hidden}"),
                format!("{hidden} a \\\"quoted\\\" word\\nand a line \\u2028 separator"),
            ] {
                let out = redact(&text, &secrets);
                assert!(out.contains(REDACTED), "{text} -> {out}");
                assert!(!out.contains('\n') && !out.contains('\u{2028}'), "{out}");
                assert_eq!(
                    out.matches('"').count(),
                    text.matches('"').count(),
                    "no quote decoded: {out}"
                );
                let fragment = &token[1..8];
                assert!(!out.contains(fragment), "{out}");
                // What is left is the input with the secret's span masked.
                assert!(
                    out.contains(forged) || !text.contains(forged),
                    "the rest is kept as it was: {out}"
                );
                assert!(!out.to_ascii_lowercase().contains(&token[2..]), "{out}");
            }
        }
    }

    #[test]
    fn masks_whole_characters_and_merges_overlapping_spans() {
        // The secret spelt with a multi-byte escape and an escaped surrogate pair.
        let secrets = ["pä😀ss"];
        for text in [
            "a p%C3%A4\\ud83d\\ude00ss b",
            "a p\\u00e4%F0%9F%98%80ss b",
            "a p\\u00E4😀ss pä😀ss b",
        ] {
            let out = redact(text, &secrets);
            assert!(out.starts_with("a [redacted]"), "{text} -> {out}");
            assert!(out.ends_with(" b"), "{text} -> {out}");
            assert!(!out.contains('ä') && !out.contains('😀'), "{out}");
        }
        // Two secrets sharing characters: one mask, never a fragment.
        let out = redact("x %61bcdef y", &["abcd", "cdef"]);
        assert_eq!(out, "x [redacted] y");
    }

    proptest::proptest! {
        /// Whatever the text (escapes, encodings, pieces of the secret), the output is the
        /// text with spans masked: no secret in any case, no character the text did not
        /// hold raw (a decoded quote, newline or backslash), nothing decoded.
        #[test]
        fn redaction_masks_and_never_decodes(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("%72".to_string()),
                    proptest::strategy::Just("\\u0072".to_string()),
                    proptest::strategy::Just("%5Cu0065".to_string()),
                    proptest::strategy::Just("%0A".to_string()),
                    proptest::strategy::Just("\\n".to_string()),
                    proptest::strategy::Just("%22".to_string()),
                    proptest::strategy::Just("\\\"".to_string()),
                    proptest::strategy::Just("\\u2028".to_string()),
                    proptest::strategy::Just("es".to_string()),
                    proptest::strategy::Just("t-01".to_string()),
                    proptest::strategy::Just("REST-01".to_string()),
                    "[a-z%\\\\0-9]{0,4}",
                ],
                0..12,
            )
        ) {
            let secret = "rest-01";
            let text: String = parts.concat();
            let out = redact(&text, &[secret]);
            proptest::prop_assert!(!out.to_ascii_lowercase().contains(secret), "{} -> {}", text, out);
            for c in ['\n', '"', '\\', '%', '\u{2028}'] {
                proptest::prop_assert!(
                    out.matches(c).count() <= text.matches(c).count(),
                    "{:?} appeared: {} -> {}", c, text, out
                );
            }
            // Every piece of the output outside the masks is a piece of the text, in order.
            let mut rest = text.as_str();
            for piece in out.split(REDACTED) {
                let at = rest.find(piece);
                proptest::prop_assert!(at.is_some(), "{:?} is not from {}", piece, text);
                rest = &rest[at.unwrap_or_default() + piece.len()..];
            }
        }
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
