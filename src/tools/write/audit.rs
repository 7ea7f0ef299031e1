//! The audit log of write attempts (`AUTOTASK_AUDIT_LOG`): one JSON line per call that
//! carried its confirm token, appended to a file or written to stderr (`-`) as a structured
//! log line. A line says when, which tool, entity, record and parent route, the fields sent
//! (long texts shortened), the outcome (created id, updated, deleted, refused by policy,
//! invalid and never sent, rejected by Autotask with its message, unknown after a timeout,
//! replayed from an idempotency key), the Autotask requests the call cost, and over HTTP the
//! caller's token fingerprint (never the token). Every line is redacted of the credentials
//! and the HTTP token before it is written.
//!
//! A write that cannot be logged is not sent: [`AuditLog::prepare`] opens the file before the
//! request leaves, and a failure refuses the write. The line is written when the outcome is
//! known; if the call ends first (the client cancelled it), the line says the outcome is
//! unknown.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::autotask::error::redact;

/// Longest text value kept whole in a line; longer ones are cut with their length noted.
pub const MAX_TEXT: usize = 200;

#[derive(Debug, Clone)]
enum Sink {
    Off,
    Stderr,
    File(Arc<PathBuf>),
}

/// Where audit lines go. Cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    sink: Sink,
    secrets: Arc<[SecretString]>,
    /// One line at a time, whole.
    lock: Arc<Mutex<()>>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditLog({:?})", self.sink)
    }
}

impl Default for AuditLog {
    fn default() -> Self {
        AuditLog::off()
    }
}

/// One line of the log.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditLine {
    pub time: String,
    pub tool: String,
    pub entity: String,
    /// `create`, `update` or `delete`.
    pub operation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The parent record of a child route (`Tickets/10001` for a note).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The body sent (or that would have been), long texts shortened.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub fields: Map<String, Value>,
    /// `created`, `updated`, `deleted`, `refused`, `invalid`, `rejected`, `unknown`,
    /// `replayed` or `failed`.
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Autotask requests the call cost.
    pub requests: u64,
    pub transport: String,
    /// The HTTP bearer token's fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// The signed-in person (OAuth), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Gateway mode: the fingerprint of the tenant's credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The resource the write acted as (`ImpersonationResourceId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acting_as: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
}

/// How a write attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Autotask applied it: `created`, `updated` or `deleted`, and the record id.
    Done(&'static str, i64),
    /// The first outcome answered again for a repeated idempotency key; nothing was sent.
    Replayed(Option<i64>),
    /// Refused by the server (policy, idempotency, impersonation); nothing was sent.
    Refused(String),
    /// Failed validation; nothing was sent.
    Invalid(String),
    /// Autotask answered that it did not apply the write.
    Rejected(String),
    /// Sent, but whether Autotask applied it is not known (timeout, lost connection).
    Unknown(String),
    /// Not sent for another reason (Autotask unreachable, budget); nothing was changed.
    Failed(String),
}

impl Outcome {
    fn parts(&self) -> (&'static str, Option<i64>, Option<String>) {
        match self {
            Outcome::Done(what, id) => (what, Some(*id), None),
            Outcome::Replayed(id) => ("replayed", *id, None),
            Outcome::Refused(m) => ("refused", None, Some(m.clone())),
            Outcome::Invalid(m) => ("invalid", None, Some(m.clone())),
            Outcome::Rejected(m) => ("rejected", None, Some(m.clone())),
            Outcome::Unknown(m) => ("unknown", None, Some(m.clone())),
            Outcome::Failed(m) => ("failed", None, Some(m.clone())),
        }
    }
}

/// Cuts text values longer than [`MAX_TEXT`] characters, noting their length.
pub fn shorten(value: &Value) -> Value {
    match value {
        Value::String(s) if s.chars().count() > MAX_TEXT => {
            let kept: String = s.chars().take(MAX_TEXT).collect();
            json!(format!("{kept}… ({} characters)", s.chars().count()))
        }
        Value::Array(items) => Value::Array(items.iter().map(shorten).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shorten(v))).collect())
        }
        other => other.clone(),
    }
}

impl AuditLog {
    /// No audit log.
    pub fn off() -> AuditLog {
        AuditLog {
            sink: Sink::Off,
            secrets: Arc::new([]),
            lock: Arc::new(Mutex::new(())),
        }
    }

    /// The log `spec` names (`-` for stderr, else a file path, created if missing and
    /// appended to), redacting `secrets` from every line. The file is opened once here, so a
    /// path that cannot be written stops the server at start-up.
    pub fn open(spec: Option<&str>, secrets: Vec<String>) -> Result<AuditLog, String> {
        let sink = match spec.map(str::trim) {
            None | Some("") => Sink::Off,
            Some("-") => Sink::Stderr,
            Some(path) => {
                let path = PathBuf::from(path);
                append_to(&path)?;
                Sink::File(Arc::new(path))
            }
        };
        Ok(AuditLog {
            sink,
            secrets: secrets
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(SecretString::from)
                .collect(),
            lock: Arc::new(Mutex::new(())),
        })
    }

    pub fn is_on(&self) -> bool {
        !matches!(self.sink, Sink::Off)
    }

    /// Makes sure a line can be written before a write is sent: opens the file. The entry
    /// writes `line` once its outcome is known ([`Entry::finish`]), or as unknown when it is
    /// dropped first.
    pub fn prepare(&self, line: AuditLine) -> Result<Entry, String> {
        let file = match &self.sink {
            Sink::File(path) => Some(append_to(path)?),
            Sink::Off | Sink::Stderr => None,
        };
        Ok(Entry {
            log: self.clone(),
            file,
            line: Some(line),
        })
    }

    /// Writes the line of an attempt that sent nothing (refused, invalid, replayed). A
    /// failure is logged as an error: there is no write to hold back.
    pub fn note(&self, mut line: AuditLine, outcome: Outcome) {
        apply(&mut line, &outcome);
        let file = match &self.sink {
            Sink::Off => return,
            Sink::Stderr => None,
            Sink::File(path) => match append_to(path) {
                Ok(file) => Some(file),
                Err(e) => {
                    tracing::error!(error = %e, "audit line not written");
                    return;
                }
            },
        };
        if let Err(e) = self.write(file, &line) {
            tracing::error!(error = %e, "audit line not written");
        }
    }

    /// The text of a line: JSON, redacted; on stderr with a level and target like the other
    /// structured log lines.
    fn render(&self, line: &AuditLine) -> String {
        let value = match serde_json::to_value(line) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        let value = match self.sink {
            Sink::Stderr => {
                let mut out = Map::new();
                out.insert("level".into(), json!("INFO"));
                out.insert("target".into(), json!("autotask_mcp::audit"));
                out.extend(value);
                out
            }
            _ => value,
        };
        let text = Value::Object(value).to_string();
        let secrets: Vec<&str> = self.secrets.iter().map(|s| s.expose_secret()).collect();
        redact(&text, &secrets)
    }

    fn write(&self, file: Option<File>, line: &AuditLine) -> Result<(), String> {
        let mut text = self.render(line);
        text.push('\n');
        let _one_at_a_time = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        match (&self.sink, file) {
            (Sink::Off, _) => Ok(()),
            (Sink::Stderr, _) => {
                let mut err = std::io::stderr().lock();
                err.write_all(text.as_bytes())
                    .and_then(|()| err.flush())
                    .map_err(|e| format!("cannot write the audit line to stderr: {e}"))
            }
            (Sink::File(path), Some(mut file)) => file
                .write_all(text.as_bytes())
                .and_then(|()| file.sync_data())
                .map_err(|e| format!("cannot write the audit log {}: {e}", path.display())),
            (Sink::File(path), None) => {
                Err(format!("the audit log {} was not opened", path.display()))
            }
        }
    }
}

fn append_to(path: &PathBuf) -> Result<File, String> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| {
            format!(
                "AUTOTASK_AUDIT_LOG: cannot append to {}: {e} (check that the directory exists and is writable)",
                path.display()
            )
        })
}

fn apply(line: &mut AuditLine, outcome: &Outcome) {
    let (what, id, message) = outcome.parts();
    line.outcome = what.to_string();
    if id.is_some() {
        line.id = id;
    }
    line.message = message;
    line.time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
}

/// The line of one write attempt, between "about to send" and "outcome known".
pub struct Entry {
    log: AuditLog,
    file: Option<File>,
    line: Option<AuditLine>,
}

impl Entry {
    /// Sets the request count the line will report.
    pub fn requests(&mut self, requests: u64) {
        if let Some(line) = &mut self.line {
            line.requests = requests;
        }
    }

    /// Writes the line with its outcome.
    pub fn finish(mut self, outcome: Outcome) -> Result<(), String> {
        let Some(mut line) = self.line.take() else {
            return Ok(());
        };
        apply(&mut line, &outcome);
        self.log.write(self.file.take(), &line)
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        if let Some(mut line) = self.line.take() {
            apply(
                &mut line,
                &Outcome::Unknown(
                    "the call ended before Autotask answered (cancelled by the client): check the record before trying again".into(),
                ),
            );
            if let Err(e) = self.log.write(self.file.take(), &line) {
                tracing::error!(error = %e, "audit line not written");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> AuditLine {
        AuditLine {
            tool: "create-ticket".into(),
            entity: "Tickets".into(),
            operation: "create".into(),
            path: Some("Tickets".into()),
            fields: [
                (
                    "title".to_string(),
                    json!("Printer down; token s3cr3t-value"),
                ),
                ("description".to_string(), json!("x".repeat(500))),
            ]
            .into_iter()
            .collect(),
            transport: "stdio".into(),
            ..AuditLine::default()
        }
    }

    fn lines(path: &std::path::Path) -> Vec<Value> {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or(Value::Null))
            .collect()
    }

    #[test]
    fn lines_are_appended_redacted_and_shortened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let spec = path.to_string_lossy().to_string();
        let log = AuditLog::open(Some(&spec), vec!["s3cr3t-value".into(), String::new()]).unwrap();
        let mut l = line();
        l.fields = l
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), shorten(v)))
            .collect();
        let mut entry = log.prepare(l.clone()).unwrap();
        entry.requests(3);
        entry.finish(Outcome::Done("created", 10_500)).unwrap();
        log.note(l.clone(), Outcome::Refused("not allowed".into()));
        drop(log.prepare(l).unwrap());
        let got = lines(&path);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(
            (
                got[0]["outcome"].clone(),
                got[0]["id"].clone(),
                got[0]["requests"].clone()
            ),
            (json!("created"), json!(10_500), json!(3))
        );
        assert_eq!(got[1]["outcome"], "refused");
        assert_eq!(got[2]["outcome"], "unknown");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            !text.contains("s3cr3t-value") && text.contains("[redacted]"),
            "{text}"
        );
        let description = got[0]["fields"]["description"].as_str().unwrap_or_default();
        assert!(description.ends_with("… (500 characters)"), "{description}");
        assert!(got[0]["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    }

    #[test]
    fn a_log_that_cannot_be_opened_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-dir").join("audit.jsonl");
        let err = AuditLog::open(Some(&missing.to_string_lossy()), vec![])
            .err()
            .unwrap_or_default();
        assert!(
            err.starts_with("AUTOTASK_AUDIT_LOG: cannot append to"),
            "{err}"
        );
        let path = dir.path().join("sub");
        std::fs::create_dir(&path).unwrap();
        let file = path.join("audit.jsonl");
        let log = AuditLog::open(Some(&file.to_string_lossy()), vec![]).unwrap();
        std::fs::remove_dir_all(&path).unwrap();
        assert!(log.prepare(line()).is_err());
        assert!(!AuditLog::off().is_on());
    }
}
