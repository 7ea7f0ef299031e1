//! The text of a line, built from values: each string value and key of the line is redacted
//! ([`crate::autotask::error::redact`]) and shortened, then serde_json writes the object, with
//! every character outside printable ASCII escaped (`\uXXXX`). Nothing is ever decoded from a
//! rendered line, so no value can end a line or forge a field: quotes, backslashes and line
//! breaks are escaped by serde_json, and Unicode line separators (U+2028, U+0085…), bidi
//! controls and DEL cannot reach a log viewer raw.
//!
//! Key order: `prev` (the chain, [`super::chain`]), on stderr `level` and `target` (like the
//! other structured log lines), `time`, `attempt`, then the fields of [`AuditLine`].

use std::io;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::line::{AuditLine, MAX_MESSAGE, MAX_TEXT, shorten_text};
use crate::autotask::error::redact;

/// The `target` of audit lines on stderr.
pub const STDERR_TARGET: &str = "autotask_mcp::audit";

/// Redacts the configured secrets from values.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: std::sync::Arc<[SecretString]>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    /// Redacts `secrets` (empty ones ignored).
    pub fn new(secrets: Vec<String>) -> Redactor {
        Redactor {
            secrets: secrets
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(SecretString::from)
                .collect(),
        }
    }

    /// `text` without the secrets.
    pub fn text(&self, text: &str) -> String {
        let secrets: Vec<&str> = self.secrets.iter().map(|s| s.expose_secret()).collect();
        redact(text, &secrets)
    }

    /// `value` with every string and key redacted, then strings cut after `max` characters.
    pub fn value(&self, value: &Value, max: usize) -> Value {
        match value {
            Value::String(s) => Value::String(shorten_text(&self.text(s), max)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v, max)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (shorten_text(&self.text(k), max), self.value(v, max)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// The body of a line (everything but `prev` and the stderr tags): `line`'s fields, redacted
/// and shortened, with its `time` (now when empty) and the attempt id.
pub fn body(line: &AuditLine, attempt: &str, redactor: &Redactor) -> Map<String, Value> {
    let mut line = line.clone();
    if line.time.is_empty() {
        line.time = now();
    }
    let value = match serde_json::to_value(&line) {
        Ok(Value::Object(map)) => map,
        // A struct of strings, numbers and maps always serialises to an object.
        _ => Map::new(),
    };
    let mut out = Map::new();
    for (key, value) in value {
        let max = match key.as_str() {
            "message" => MAX_MESSAGE,
            "fields" => MAX_TEXT,
            // Names, ids and paths: long only when hostile.
            _ => MAX_MESSAGE,
        };
        out.insert(key.clone(), redactor.value(&value, max));
        if key == "time" {
            out.insert("attempt".into(), json!(attempt));
        }
    }
    out
}

/// The current time as lines write it (RFC 3339, UTC, milliseconds).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The bytes of a line (without its newline): `prev`, the stderr tags when `stderr`, then
/// `body`.
pub fn render(prev: &str, stderr: bool, body: &Map<String, Value>) -> Vec<u8> {
    let mut object = Map::new();
    object.insert("prev".into(), json!(prev));
    if stderr {
        object.insert("level".into(), json!("INFO"));
        object.insert("target".into(), json!(STDERR_TARGET));
    }
    for (k, v) in body {
        object.insert(k.clone(), v.clone());
    }
    to_ascii_json(&Value::Object(object))
}

/// `value` as compact JSON in printable ASCII only.
pub fn to_ascii_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, AsciiFormatter);
    // Writing a `Value` into a `Vec` cannot fail (no I/O, string keys only).
    let _ = value.serialize(&mut serializer);
    out
}

/// serde_json's compact formatter, with every character outside printable ASCII (and DEL)
/// escaped as `\uXXXX` (UTF-16 units).
struct AsciiFormatter;

impl serde_json::ser::Formatter for AsciiFormatter {
    fn write_string_fragment<W>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if (' '..='~').contains(&c) {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0_u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_to_printable_ascii_and_read_back_the_same() {
        let text = "a\"b\\c\nd\r\u{2028}\u{2029}\u{85}\u{7f}\u{202e}é😀\u{1b}[31m";
        let bytes = to_ascii_json(&json!({"k\n": text}));
        assert!(
            bytes.iter().all(|b| (b' '..=b'~').contains(b)),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        let back: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, json!({"k\n": text}));
    }

    #[test]
    fn strings_and_keys_are_redacted_before_they_are_cut() {
        let redactor = Redactor::new(vec!["s3cr3t-token-value".into(), String::new()]);
        let long_then_secret = format!("{}%73{}", "x".repeat(190), "3cr3t-token-value");
        let value = redactor.value(
            &json!({"title s3cr3t-token-value": ["Re: %733cr3t-TOKEN-value", long_then_secret]}),
            MAX_TEXT,
        );
        assert_eq!(
            value,
            json!({"title [redacted]": ["Re: [redacted]", format!("{}[redacted]", "x".repeat(190))]})
        );
        // A secret straddling the cut leaves no fragment.
        let straddling = format!("{}%73{}", "x".repeat(195), "3cr3t-token-value");
        let cut = redactor.value(&json!(straddling), MAX_TEXT);
        let cut = cut.as_str().unwrap();
        assert!(
            cut.starts_with(&"x".repeat(195)) && !cut.contains("%7") && !cut.contains("3cr"),
            "{cut}"
        );
        assert_eq!(format!("{redactor:?}"), "Redactor(1 secrets)");
    }

    #[test]
    fn a_body_puts_time_and_attempt_first() {
        let line = AuditLine {
            tool: "create-ticket".into(),
            outcome: "sending".into(),
            ..AuditLine::default()
        };
        let body = body(&line, "0011223344556677", &Redactor::default());
        let keys: Vec<&str> = body.keys().map(String::as_str).collect();
        assert_eq!(&keys[..3], ["time", "attempt", "tool"]);
        let text = String::from_utf8(render(&"0".repeat(64), true, &body)).unwrap();
        assert!(
            text.starts_with(&format!(
                "{{\"prev\":\"{}\",\"level\":\"INFO\",\"target\":\"autotask_mcp::audit\",\"time\":\"",
                "0".repeat(64)
            )),
            "{text}"
        );
    }
}
