//! `autotask-mcp audit verify FILE…`: checks audit log files line by line and names the first
//! bad line (its number and why). A line is good when it is printable ASCII, a JSON object of
//! the audit line's fields and no other (each once), well formed (hashes, time, attempt id,
//! outcome word), and its `prev` is the SHA-256 of the line before. The first line of a file
//! may start a chain ([`GENESIS`]) or, after rotation, continue the previous file's: pass the
//! files oldest first to check that link too; a first line that continues an unseen file is
//! reported, not refused. Attempts whose outcome line never came (the server stopped while
//! the request was out) are listed: check those records.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::chain::{GENESIS, is_hash, line_hash};
use super::line::{OUTCOMES, SENDING};
use super::render::STDERR_TARGET;
use crate::approval::ApprovalMethod;

/// The fields a line may have, each once.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct Form {
    prev: String,
    level: Option<String>,
    target: Option<String>,
    time: String,
    attempt: String,
    tool: String,
    entity: String,
    operation: String,
    id: Option<i64>,
    parent: Option<String>,
    path: Option<String>,
    fields: Option<Map<String, Value>>,
    outcome: String,
    message: Option<String>,
    requests: u64,
    transport: String,
    caller: Option<String>,
    user: Option<String>,
    tenant: Option<String>,
    acting_as: Option<i64>,
    idempotency_key: Option<String>,
    approval: Option<ApprovalMethod>,
}

/// How the chain of a file starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// The file is empty.
    Empty,
    /// At genesis: a new chain.
    Genesis,
    /// From the last line of the file checked before it.
    PreviousFile,
    /// From a line not checked here (a file rotated away): its hash.
    Unseen(String),
}

/// A file that checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    pub path: String,
    pub lines: usize,
    pub start: Start,
    /// The SHA-256 of the last line: kept elsewhere, it vouches for the end of the file,
    /// which no later line does yet.
    pub last: Option<String>,
}

/// Every file checked out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    pub files: Vec<FileReport>,
    /// Attempt lines with no outcome line after them: (file, line number, attempt id).
    pub without_outcome: Vec<(String, usize, String)>,
}

/// Why verification stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The first bad line.
    #[error("{path} line {line}: {why}")]
    Bad {
        path: String,
        line: usize,
        why: String,
    },
    /// A file could not be read.
    #[error("{path}: cannot be read: {reason}")]
    Unreadable { path: String, reason: String },
}

/// Checks the form of one line (not its `prev` link): `Ok` with its `prev`, attempt id and
/// outcome.
fn check_form(line: &[u8]) -> Result<Form, String> {
    if let Some(at) = line.iter().position(|b| !(b' '..=b'~').contains(b)) {
        return Err(format!(
            "byte 0x{:02x} at column {}: lines are printable ASCII only (a line break or a raw character inside a line)",
            line[at],
            at + 1
        ));
    }
    let form: Form = serde_json::from_slice(line).map_err(|e| format!("not an audit line: {e}"))?;
    if !is_hash(&form.prev) {
        return Err("`prev` is not 64 lower-case hex digits".into());
    }
    match (&form.level, &form.target) {
        (None, None) => {}
        (Some(level), Some(target)) if level == "INFO" && target == STDERR_TARGET => {}
        _ => {
            return Err(format!(
                "`level` and `target` must be INFO and {STDERR_TARGET}, together"
            ));
        }
    }
    if chrono::DateTime::parse_from_rfc3339(&form.time).is_err() {
        return Err(format!("`time` is not an RFC 3339 time: {:?}", form.time));
    }
    if form.attempt.len() != 16
        || !form
            .attempt
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err("`attempt` is not 16 lower-case hex digits".into());
    }
    if form.tool.is_empty() || form.transport.is_empty() {
        return Err("`tool` and `transport` must not be empty".into());
    }
    if !OUTCOMES.contains(&form.outcome.as_str()) {
        return Err(format!(
            "`outcome` {:?} is not one of {}",
            form.outcome,
            OUTCOMES.join(", ")
        ));
    }
    Ok(form)
}

/// Verification state across files.
#[derive(Default)]
struct Walk {
    /// The hash of the last line checked.
    last: Option<String>,
    /// Attempt ids seen: where their attempt line is and whether an outcome followed.
    attempts: HashMap<String, (String, usize, bool)>,
    report: Report,
}

impl Walk {
    fn file(&mut self, path: &Path) -> Result<(), VerifyError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| VerifyError::Unreadable {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let bad = |line: usize, why: String| VerifyError::Bad {
            path: shown.clone(),
            line,
            why,
        };
        let mut start = Start::Empty;
        if bytes.is_empty() {
            self.report.files.push(FileReport {
                path: shown.clone(),
                lines: 0,
                start,
                last: None,
            });
            return Ok(());
        }
        let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
        // The text after the last newline: empty for a whole file.
        let rest = lines.pop().unwrap_or_default();
        for (i, line) in lines.iter().enumerate() {
            let number = i + 1;
            let form = check_form(line).map_err(|why| bad(number, why))?;
            let expected = match (i, &self.last) {
                (0, None) => None,
                (0, Some(last)) => Some(last.clone()),
                _ => Some(line_hash(lines[i - 1])),
            };
            match expected {
                _ if i == 0 && form.prev == GENESIS => start = Start::Genesis,
                None => start = Start::Unseen(form.prev.clone()),
                Some(hash) if hash == form.prev => {
                    if i == 0 {
                        start = Start::PreviousFile;
                    }
                }
                Some(hash) => {
                    let before = if i == 0 {
                        "the last line of the file before".to_string()
                    } else {
                        format!("line {i}")
                    };
                    return Err(bad(
                        number,
                        format!(
                            "`prev` is {} but the SHA-256 of {before} is {hash}: {before} was changed, or a line was removed or inserted just before this one",
                            form.prev
                        ),
                    ));
                }
            }
            self.pair(&shown, number, &form)
                .map_err(|why| bad(number, why))?;
        }
        if !rest.is_empty() {
            return Err(bad(
                lines.len() + 1,
                "cut short (no newline at its end): the server or the machine stopped while writing it".into(),
            ));
        }
        self.last = lines.last().map(|l| line_hash(l));
        self.report.files.push(FileReport {
            path: shown,
            lines: lines.len(),
            start,
            last: self.last.clone(),
        });
        Ok(())
    }

    /// Pairs attempt lines with their outcome lines.
    fn pair(&mut self, path: &str, number: usize, form: &Form) -> Result<(), String> {
        match (form.outcome.as_str(), self.attempts.get_mut(&form.attempt)) {
            (SENDING, Some((file, line, _))) => Err(format!(
                "attempt {} already has an attempt line ({file} line {line})",
                form.attempt
            )),
            (SENDING, None) => {
                self.attempts
                    .insert(form.attempt.clone(), (path.to_string(), number, false));
                Ok(())
            }
            (_, Some((file, line, true))) => Err(format!(
                "attempt {} already has its outcome line (after {file} line {line})",
                form.attempt
            )),
            (_, Some((_, _, done))) => {
                *done = true;
                Ok(())
            }
            (_, None) => {
                // A line of its own (nothing sent), or the outcome of an attempt in a file
                // not checked here.
                self.attempts
                    .insert(form.attempt.clone(), (path.to_string(), number, true));
                Ok(())
            }
        }
    }
}

/// Checks `paths`, oldest first, as one chain.
pub fn verify(paths: &[PathBuf]) -> Result<Report, VerifyError> {
    let mut walk = Walk::default();
    for path in paths {
        walk.file(path)?;
    }
    let mut open: Vec<(String, usize, String)> = walk
        .attempts
        .into_iter()
        .filter(|(_, (_, _, done))| !done)
        .map(|(id, (file, line, _))| (file, line, id))
        .collect();
    open.sort();
    walk.report.without_outcome = open;
    Ok(walk.report)
}

/// `autotask-mcp audit …`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum AuditCommand {
    /// Check audit log files (oldest first, as one chain): every line's form and its link to
    /// the line before. Exit 0 when whole; 1 naming the first bad line; 2 when a file cannot
    /// be read.
    Verify {
        /// The files, oldest first (rotated files before the current one).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// The text `verify` prints for a whole chain.
pub fn describe(report: &Report) -> String {
    let mut out = String::new();
    for file in &report.files {
        let start = match &file.start {
            Start::Empty => "empty".to_string(),
            Start::Genesis => "chain whole from its start".to_string(),
            Start::PreviousFile => "chain whole, continuing the file before".to_string(),
            Start::Unseen(prev) => format!(
                "chain whole, continuing a line not checked here (prev {prev}): pass the file before it first to check that link"
            ),
        };
        out.push_str(&format!("{}: {} lines, {start}", file.path, file.lines));
        if let Some(last) = &file.last {
            out.push_str(&format!("; last line's SHA-256 {last}"));
        }
        out.push('\n');
    }
    for (file, line, id) in &report.without_outcome {
        out.push_str(&format!(
            "{file} line {line}: attempt {id} has no outcome line: the server stopped while its request was out; check that record\n"
        ));
    }
    out
}

/// Runs `autotask-mcp audit …`: prints the result on stdout (the first bad line on stderr)
/// and returns the exit code.
pub fn run(command: AuditCommand) -> ExitCode {
    match command {
        AuditCommand::Verify { files } => match verify(&files) {
            Ok(report) => {
                print!("{}", describe(&report));
                ExitCode::SUCCESS
            }
            Err(e @ VerifyError::Bad { .. }) => {
                eprintln!("bad line: {e}");
                ExitCode::from(1)
            }
            Err(e @ VerifyError::Unreadable { .. }) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::audit::line::AuditLine;
    use crate::audit::render::{body, render};

    /// A chain of `n` lines (attempt and outcome pairs, then single lines), as the log writes
    /// them.
    fn chain(n: usize) -> Vec<Vec<u8>> {
        let mut prev = GENESIS.to_string();
        let mut out = Vec::new();
        for i in 0..n {
            let line = AuditLine {
                tool: "create-ticket".into(),
                transport: "stdio".into(),
                outcome: if i % 2 == 0 { SENDING } else { "created" }.into(),
                id: (i % 2 == 1).then_some(i as i64),
                ..AuditLine::default()
            };
            let attempt = format!("{:016x}", i / 2);
            let bytes = render(&prev, false, &body(&line, &attempt, &Default::default()));
            prev = line_hash(&bytes);
            out.push(bytes);
        }
        out
    }

    fn check(lines: &[Vec<u8>], tail: &[u8]) -> Result<Report, VerifyError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut bytes: Vec<u8> = lines
            .iter()
            .flat_map(|l| [l.as_slice(), b"\n"].concat())
            .collect();
        bytes.extend_from_slice(tail);
        std::fs::write(&path, bytes).unwrap();
        verify(&[path]).map_err(|e| match e {
            // The temporary path varies: keep the line and the reason.
            VerifyError::Bad { line, why, .. } => VerifyError::Bad {
                path: String::new(),
                line,
                why,
            },
            other => other,
        })
    }

    fn bad_line(result: Result<Report, VerifyError>) -> (usize, String) {
        match result {
            Err(VerifyError::Bad { line, why, .. }) => (line, why),
            other => panic!("expected a bad line: {other:?}"),
        }
    }

    #[test]
    fn a_whole_chain_checks_out() {
        let lines = chain(6);
        let report = check(&lines, b"").unwrap();
        assert_eq!(report.files[0].lines, 6);
        assert_eq!(report.files[0].start, Start::Genesis);
        assert!(report.without_outcome.is_empty());
        let text = describe(&report);
        let last = line_hash(lines.last().unwrap());
        assert!(
            text.ends_with(&format!(
                ": 6 lines, chain whole from its start; last line's SHA-256 {last}\n"
            )),
            "{text}"
        );
        assert_eq!(check(&[], b"").unwrap().files[0].start, Start::Empty);
    }

    #[test]
    fn the_first_bad_line_is_named_with_its_reason() {
        let good = chain(6);
        // A line changed: the next line's link breaks.
        let mut changed = good.clone();
        changed[2] = String::from_utf8(changed[2].clone())
            .unwrap()
            .replace("create-ticket", "delete-ticket")
            .into_bytes();
        let (line, why) = bad_line(check(&changed, b""));
        assert_eq!(line, 4);
        assert!(why.contains("line 3 was changed"), "{why}");
        // A line removed.
        let mut removed = good.clone();
        removed.remove(3);
        assert_eq!(bad_line(check(&removed, b"")).0, 4);
        // A forged line inserted (well formed, chained from genesis).
        let mut inserted = good.clone();
        inserted.insert(2, chain(1).remove(0));
        assert_eq!(bad_line(check(&inserted, b"")).0, 3);
        // The last line cut short.
        let (line, why) = bad_line(check(&good, b"{\"prev\":\"0"));
        assert_eq!(line, 7);
        assert!(why.contains("cut short"), "{why}");
        // A raw line separator inside a line, and a raw line break that splits one.
        let mut raw = good.clone();
        raw[1] = String::from_utf8(raw[1].clone())
            .unwrap()
            .replace("stdio", "std\u{2028}io")
            .into_bytes();
        let (line, why) = bad_line(check(&raw, b""));
        assert_eq!(line, 2);
        assert!(why.contains("printable ASCII"), "{why}");
        let mut split = good.clone();
        split[1] = String::from_utf8(split[1].clone())
            .unwrap()
            .replace(",\"tool\"", "\n,\"tool\"")
            .into_bytes();
        assert_eq!(bad_line(check(&split, b"")).0, 2);
    }

    #[test]
    fn forms_are_checked_field_by_field() {
        let good = String::from_utf8(chain(1).remove(0)).unwrap();
        for (tampered, reason) in [
            (
                good.replace("\"tool\"", "\"tool\":\"x\",\"tool\""),
                "duplicate field",
            ),
            (
                good.replace("\"requests\"", "\"admin\":true,\"requests\""),
                "unknown field",
            ),
            (good.replace("\"sending\"", "\"approved\""), "`outcome`"),
            (
                good.replace(&format!("\"prev\":\"{GENESIS}\""), "\"prev\":\"abc\""),
                "`prev`",
            ),
            (
                good.replace("\"attempt\":\"0000000000000000\"", "\"attempt\":\"x\""),
                "`attempt`",
            ),
            (
                good.replace("\"transport\":\"stdio\"", "\"transport\":\"\""),
                "`transport`",
            ),
            (
                good.replace(
                    &format!("\"prev\":\"{GENESIS}\""),
                    &format!("\"prev\":\"{GENESIS}\",\"level\":\"INFO\""),
                ),
                "`level`",
            ),
            ("[1,2]".to_string(), "not an audit line"),
        ] {
            let (line, why) = bad_line(check(&[tampered.into_bytes()], b""));
            assert_eq!(line, 1);
            assert!(why.contains(reason), "{reason}: {why}");
        }
    }

    #[test]
    fn attempts_without_an_outcome_are_listed() {
        let lines = chain(5);
        let report = check(&lines, b"").unwrap();
        assert_eq!(report.without_outcome.len(), 1);
        assert_eq!(report.without_outcome[0].1, 5);
        assert!(describe(&report).contains("has no outcome line"));
        // Two outcome lines for one attempt are refused.
        let mut twice = lines[..2].to_vec();
        let second = AuditLine {
            tool: "create-ticket".into(),
            transport: "stdio".into(),
            outcome: "created".into(),
            ..AuditLine::default()
        };
        twice.push(render(
            &line_hash(&twice[1]),
            false,
            &body(&second, &format!("{:016x}", 0), &Default::default()),
        ));
        let (line, why) = bad_line(check(&twice, b""));
        assert_eq!(line, 3);
        assert!(why.contains("already has its outcome line"), "{why}");
    }

    #[test]
    fn an_unreadable_file_is_its_own_error() {
        let err = verify(&[PathBuf::from("/no/such/audit.jsonl")]).unwrap_err();
        assert!(matches!(err, VerifyError::Unreadable { .. }), "{err}");
    }
}
