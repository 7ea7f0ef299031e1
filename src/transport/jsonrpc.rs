//! The first look at an incoming JSON-RPC message, before rmcp, shared by both transports, and
//! the error answers the transports write themselves.
//!
//! rmcp answers a body that is not one JSON-RPC object with HTTP 415 and plain text, ignores a
//! malformed stdio line, drops an over-long one silently, and echoes a method name whatever
//! its length. Here every message that cannot be served gets a JSON-RPC error the client can
//! match to its request: `-32700` when it is not JSON, `-32600` when it is JSON but not one
//! request object (a batch, `null`), `-32601` for an absurdly long method name, whose echo
//! (and log) is cut to [`ECHO_CHARS`]. A UTF-8 byte order mark before the JSON is ignored, as
//! RFC 8259 allows and as rmcp's stdio transport does.

use serde_json::{Value, json};

/// Longest method name served. MCP's are under 50 characters.
pub const MAX_METHOD_CHARS: usize = 128;
/// Longest string id served (echoed whole in every answer).
pub const MAX_ID_CHARS: usize = 256;
/// Characters of a refused method name repeated in the answer and the log.
pub const ECHO_CHARS: usize = 48;

/// JSON-RPC's "Parse error".
pub const PARSE_ERROR: i64 = -32700;
/// JSON-RPC's "Invalid Request".
pub const INVALID_REQUEST: i64 = -32600;
/// JSON-RPC's "Method not found".
pub const METHOD_NOT_FOUND: i64 = -32601;
/// The code of an answer replaced because it was over the result cap.
pub const RESULT_TOO_LARGE: i64 = -32000;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// An error answer written by the transport itself.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorReply {
    /// The request's id, `None` when it has none (or it could not be read): sent as `null`.
    pub id: Option<Value>,
    pub code: i64,
    pub message: String,
}

impl ErrorReply {
    fn new(id: Option<Value>, code: i64, message: impl Into<String>) -> ErrorReply {
        ErrorReply {
            id,
            code,
            message: message.into(),
        }
    }

    /// The JSON-RPC error object.
    pub fn to_json(&self) -> Value {
        json!({
            "jsonrpc": "2.0",
            "id": self.id.clone().unwrap_or(Value::Null),
            "error": {"code": self.code, "message": self.message},
        })
    }

    /// The answer to a message over `limit` bytes (its id, read from it, when it had one).
    pub fn too_long(id: Option<Value>, bytes: usize, limit: usize) -> ErrorReply {
        ErrorReply::new(
            id,
            INVALID_REQUEST,
            format!(
                "Invalid Request: the message is {bytes} bytes, over the limit of {limit} bytes; send less (arguments are limited, large texts do not belong in one call)"
            ),
        )
    }
}

/// What to do with one incoming message.
#[derive(Debug, Clone, PartialEq)]
pub enum Screened {
    /// Hand it to rmcp: the bytes without a byte order mark, parsed once here.
    Forward { bytes: Vec<u8>, message: Value },
    /// Answer it with this error (and do not hand it on).
    Reply(ErrorReply),
    /// A notification that cannot be served: no answer is allowed, it is only logged.
    Ignore,
}

/// `text` cut to `max` characters, with its full length when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({count} characters)")
}

/// A valid JSON-RPC id (string, number or null) of acceptable length.
fn usable_id(id: Option<&Value>) -> Option<Value> {
    match id? {
        Value::String(s) if s.chars().count() <= MAX_ID_CHARS => Some(Value::String(s.clone())),
        v @ (Value::Number(_) | Value::Null) => Some(v.clone()),
        _ => None,
    }
}

/// Screens one message (an HTTP body or a stdio line without its newline).
pub fn screen(raw: &[u8]) -> Screened {
    let bytes = raw.strip_prefix(UTF8_BOM).unwrap_or(raw);
    let message: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            tracing::debug!(error = %e, bytes = raw.len(), "refused a message that is not JSON");
            return Screened::Reply(ErrorReply::new(
                None,
                PARSE_ERROR,
                format!(
                    "Parse error: the message is not valid JSON ({e}); send one JSON-RPC 2.0 object"
                ),
            ));
        }
    };
    let object = match &message {
        Value::Object(object) => object,
        Value::Array(_) => {
            return Screened::Reply(ErrorReply::new(
                None,
                INVALID_REQUEST,
                "Invalid Request: batches (JSON arrays) are not supported; send one JSON-RPC 2.0 object per message",
            ));
        }
        other => {
            let kind = match other {
                Value::Null => "null",
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                _ => "a string",
            };
            return Screened::Reply(ErrorReply::new(
                None,
                INVALID_REQUEST,
                format!("Invalid Request: the message is {kind}; send one JSON-RPC 2.0 object"),
            ));
        }
    };
    let id = usable_id(object.get("id"));
    let is_request = object.contains_key("id");
    if is_request && id.is_none() {
        return Screened::Reply(ErrorReply::new(
            None,
            INVALID_REQUEST,
            format!(
                "Invalid Request: `id` must be a string of at most {MAX_ID_CHARS} characters, a number or null"
            ),
        ));
    }
    if let Some(Value::String(method)) = object.get("method")
        && method.chars().count() > MAX_METHOD_CHARS
    {
        let shown = excerpt(method, ECHO_CHARS);
        tracing::debug!(method = %shown, "refused a message with an over-long method name");
        if !is_request {
            return Screened::Ignore;
        }
        return Screened::Reply(ErrorReply::new(
            id,
            METHOD_NOT_FOUND,
            format!("Method not found: `{shown}`"),
        ));
    }
    Screened::Forward {
        bytes: bytes.to_vec(),
        message,
    }
}

/// The answer that replaces one over the result cap: a tool result with `isError` for a
/// `tools/call` (so the model reads what to do), a JSON-RPC error otherwise.
pub fn too_large_answer(id: Value, tool_call: bool, bytes: Option<usize>, limit: usize) -> Value {
    let size = bytes.map_or_else(String::new, |b| format!("{b} bytes, "));
    let text = format!(
        "The answer is {size}over the limit of {limit} bytes (AUTOTASK_MAX_RESULT_BYTES), so it was not sent: narrow the request (a filter, a lower maxRecords, fewer fields) and try again"
    );
    crate::metrics::record_result_too_large();
    tracing::warn!(bytes = ?bytes, limit, "an answer over the result cap was replaced by an error");
    if tool_call {
        json!({"jsonrpc": "2.0", "id": id,
            "result": {"content": [{"type": "text", "text": text}], "isError": true}})
    } else {
        json!({"jsonrpc": "2.0", "id": id,
            "error": {"code": RESULT_TOO_LARGE, "message": text}})
    }
}

/// Finds the top-level `id` of a JSON object read piece by piece, without keeping the object:
/// for a message too long to keep, so its error answer can carry the id the client waits on.
#[derive(Debug, Default)]
pub struct IdScanner {
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// A key string at depth 1 being read (only its first bytes are kept).
    key: Option<Vec<u8>>,
    /// Between a `,`/`{` and the next key at depth 1.
    expecting_key: bool,
    /// The last key read at depth 1 was `id`, and its value comes next.
    id_next: bool,
    /// The raw value of `id`, being read.
    value: Option<Vec<u8>>,
    found: Option<Value>,
    /// Seen the first non-blank byte (must be `{`).
    started: bool,
    invalid: bool,
}

impl IdScanner {
    /// Reads the next piece of the message.
    pub fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.invalid || (self.found.is_some() && self.depth == 0) {
                return;
            }
            self.byte(b);
        }
    }

    /// The id, once the message has been read (`None` if it has none or it was unreadable).
    pub fn id(&self) -> Option<Value> {
        usable_id(self.found.as_ref())
    }

    fn keep(&mut self, b: u8) {
        if let Some(key) = &mut self.key
            && key.len() < 8
        {
            key.push(b);
        }
        if let Some(value) = &mut self.value
            && value.len() <= MAX_ID_CHARS + 8
        {
            value.push(b);
        }
    }

    fn finish_value(&mut self) {
        if let Some(raw) = self.value.take() {
            self.found = serde_json::from_slice(&raw).ok();
        }
    }

    fn byte(&mut self, b: u8) {
        if self.in_string {
            self.keep(b);
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
                if let Some(key) = self.key.take() {
                    self.id_next = key == b"\"id\"";
                    self.expecting_key = false;
                }
            }
            return;
        }
        if !self.started {
            if b.is_ascii_whitespace() || b == 0xEF || b == 0xBB || b == 0xBF {
                return;
            }
            self.started = true;
            if b != b'{' {
                self.invalid = true;
                return;
            }
            self.depth = 1;
            self.expecting_key = true;
            return;
        }
        match b {
            b'"' => {
                self.in_string = true;
                if self.depth == 1 && self.expecting_key {
                    self.key = Some(Vec::new());
                }
                self.keep(b);
            }
            b'{' | b'[' => {
                if self.value.is_some() {
                    // An object or array is no id.
                    self.value = None;
                }
                self.depth += 1;
            }
            b'}' | b']' => {
                if self.depth == 1 {
                    self.finish_value();
                }
                self.depth = self.depth.saturating_sub(1);
            }
            b':' if self.depth == 1 => {
                if self.id_next {
                    self.id_next = false;
                    self.value = Some(Vec::new());
                }
            }
            b',' if self.depth == 1 => {
                self.finish_value();
                self.expecting_key = true;
            }
            b if b.is_ascii_whitespace() => {}
            b => self.keep(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(raw: &[u8]) -> ErrorReply {
        match screen(raw) {
            Screened::Reply(r) => r,
            other => panic!("expected an error answer, got {other:?}"),
        }
    }

    #[test]
    fn malformed_batches_null_and_bad_ids_get_errors() {
        assert_eq!(
            reply(b"{\"jsonrpc\": \"2.0\", \"id\": 1,").code,
            PARSE_ERROR
        );
        assert_eq!(reply(b"\xEF\xBB\xBFnot json").code, PARSE_ERROR);
        let batch = reply(br#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#);
        assert_eq!((batch.code, batch.id.clone()), (INVALID_REQUEST, None));
        assert!(batch.message.contains("batches"), "{}", batch.message);
        assert_eq!(reply(b"null").code, INVALID_REQUEST);
        assert_eq!(reply(b"42").code, INVALID_REQUEST);
        let bad_id = reply(br#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#);
        assert_eq!((bad_id.code, bad_id.id), (INVALID_REQUEST, None));
        let parse = reply(b"{oops");
        assert_eq!(
            parse.to_json(),
            json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": parse.message}})
        );
    }

    #[test]
    fn a_bom_is_ignored_and_good_messages_go_through() {
        let raw = b"\xEF\xBB\xBF{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}";
        match screen(raw) {
            Screened::Forward { bytes, message } => {
                assert!(bytes.starts_with(b"{"));
                assert_eq!(message["id"], 7);
            }
            other => panic!("a BOM before a valid message is ignored: {other:?}"),
        }
    }

    #[test]
    fn a_huge_method_name_is_refused_and_echoed_cut() {
        let method = "m".repeat(4 * 1024 * 1024);
        let raw = json!({"jsonrpc": "2.0", "id": "abc", "method": method}).to_string();
        let r = reply(raw.as_bytes());
        assert_eq!(
            (r.code, r.id.clone()),
            (METHOD_NOT_FOUND, Some(json!("abc")))
        );
        assert!(r.message.len() < 200, "{}", r.message);
        assert!(r.message.contains("4194304 characters"), "{}", r.message);
        let note = json!({"jsonrpc": "2.0", "method": "m".repeat(500)}).to_string();
        assert_eq!(screen(note.as_bytes()), Screened::Ignore);
    }

    #[test]
    fn the_scanner_finds_the_top_level_id_wherever_it_is() {
        let scan = |text: &str| {
            let mut s = IdScanner::default();
            for piece in text.as_bytes().chunks(3) {
                s.feed(piece);
            }
            s.id()
        };
        assert_eq!(
            scan(r#"{"jsonrpc":"2.0","id":42,"method":"x","params":{"id":7}}"#),
            Some(json!(42))
        );
        assert_eq!(
            scan(r#"{"params":{"id":7,"s":"\"id\":9"},"method":"x","id" : "a\"b"}"#),
            Some(json!("a\"b"))
        );
        assert_eq!(scan(r#"{"method":"x","params":[1,{"id":3}]}"#), None);
        assert_eq!(scan(r#"{"id":{"x":1}}"#), None);
        assert_eq!(scan(r#"[{"id":1}]"#), None);
        assert_eq!(scan("\u{FEFF}{\"id\": null}"), Some(Value::Null));
    }
}
