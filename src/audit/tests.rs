//! The audit log end to end inside the process: write-ahead order, the chain across restarts
//! and rotation, damaged files, forged values (issue 19, repro 1), `/dev/full`, and the stream
//! sink on a pipe nobody reads or nobody holds.

#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use super::chain::{GENESIS, line_hash};
use super::verify::{Start, VerifyError, verify};
use super::*;
use crate::approval::ApprovalMethod;

const TOKEN: &str = "tok-0123456789abcdef0123456789";

fn line() -> AuditLine {
    AuditLine {
        tool: "create-ticket-note".into(),
        entity: "TicketNotes".into(),
        operation: "create".into(),
        parent: Some("Tickets/10001".into()),
        path: Some("Tickets/10001/Notes".into()),
        fields: [("title".to_string(), json!("Called back"))]
            .into_iter()
            .collect(),
        transport: "http".into(),
        caller: Some("sha256:0011223344556677".into()),
        user: Some("jo@example.com".into()),
        approval: Some(ApprovalMethod::Token),
        ..AuditLine::default()
    }
}

fn file_log(dir: &tempfile::TempDir) -> (PathBuf, AuditLog) {
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(Some(&path.to_string_lossy()), vec![TOKEN.into()]).unwrap();
    (path, log)
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn the_attempt_line_is_on_disk_before_attempt_returns() {
    let dir = tempfile::tempdir().unwrap();
    let (path, log) = file_log(&dir);
    let mut pending = log.attempt(line()).await.unwrap();
    // Nothing has been sent yet, and the line is already there.
    let written = lines(&path);
    assert_eq!(written.len(), 1);
    assert_eq!(written[0]["outcome"], "sending");
    assert_eq!(written[0]["prev"], GENESIS);
    assert_eq!(written[0]["attempt"], pending.attempt_id());
    assert_eq!(written[0]["approval"], "token");
    assert_eq!(written[0]["user"], "jo@example.com");
    assert_eq!(written[0]["caller"], "sha256:0011223344556677");
    pending.requests(2);
    pending
        .finish(Outcome::Done("created", 30_001))
        .await
        .unwrap();
    log.note(
        line(),
        Outcome::Refused("TicketNotes are not writable".into()),
    )
    .await
    .unwrap();
    // Dropped unfinished: the call was cancelled while the request was out.
    drop(log.attempt(line()).await.unwrap());
    log.flush(Duration::from_secs(5)).await.unwrap();
    let written = lines(&path);
    let outcomes: Vec<&str> = written
        .iter()
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["sending", "created", "refused", "sending", "unknown"]
    );
    assert_eq!(written[1]["attempt"], written[0]["attempt"]);
    assert_eq!(
        (written[1]["id"].clone(), written[1]["requests"].clone()),
        (json!(30_001), json!(2))
    );
    assert_ne!(written[2]["attempt"], written[0]["attempt"]);
    assert_eq!(written[4]["attempt"], written[3]["attempt"]);
    assert!(
        written[4]["message"]
            .as_str()
            .unwrap()
            .contains("ended before Autotask answered")
    );
    for l in &written {
        assert!(chrono::DateTime::parse_from_rfc3339(l["time"].as_str().unwrap()).is_ok());
    }
    let report = verify(&[path]).unwrap();
    assert_eq!(report.files[0].lines, 5);
    assert_eq!(report.files[0].start, Start::Genesis);
    assert!(report.without_outcome.is_empty(), "{report:?}");
}

/// Issue 19, repro 1: a title holding a percent-encoded piece of the caller's token and a
/// description holding an encoded line break and a whole forged line. One attempt, two lines,
/// no secret, no forged line, and the chain is whole.
#[tokio::test]
async fn hostile_values_cannot_forge_a_line_or_reveal_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let (path, log) = file_log(&dir);
    let forged =
        r#"{"time":"2026-04-01T10:00:00.000Z","tool":"update-company","outcome":"updated"}"#;
    let percent_forged: String = format!("x%0A{}%0A", forged.replace('"', "%22"));
    let mut hostile = line();
    hostile.fields = [
        ("title", json!(format!("Re: %74{}", &TOKEN[1..]))),
        ("description", json!(percent_forged.clone())),
        ("raw newline", json!(format!("x\n{forged}\n"))),
        (
            "line separator",
            json!(format!("x\u{2028}{forged}\u{2029}\u{85}")),
        ),
        (
            "json escaped",
            json!(format!("x\\n{}\\n", forged.replace('"', "\\\""))),
        ),
        ("quotes", json!("a \" and \\\" and \\\\\" end")),
        (
            "escaped secret",
            json!(format!(
                "\\u0074{} and %5Cu0074{}",
                &TOKEN[1..],
                &TOKEN[1..]
            )),
        ),
        ("bidi", json!("\u{202e}deta\u{1b}[2J")),
        (TOKEN, json!("a key holding the secret")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    hostile.message = Some(format!("{TOKEN} in a message"));
    let pending = log.attempt(hostile).await.unwrap();
    pending
        .finish(Outcome::Rejected(format!("echoed %74{}", &TOKEN[1..])))
        .await
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.bytes()
            .all(|b| b == b'\n' || (b' '..=b'~').contains(&b)),
        "{text}"
    );
    let lower = text.to_ascii_lowercase();
    assert!(
        !lower.contains(&TOKEN[1..]) && !lower.contains(&TOKEN[2..12]),
        "{text}"
    );
    assert!(!text.contains("\"tool\":\"update-company\""), "{text}");
    let written = lines(&path);
    for l in &written {
        assert_eq!(l["tool"], "create-ticket-note");
        assert_eq!(l["fields"]["title"], "Re: [redacted]");
        // The encoded text is kept as it was, never decoded.
        assert_eq!(l["fields"]["description"], json!(percent_forged));
        assert_eq!(l["fields"]["raw newline"], json!(format!("x\n{forged}\n")));
        assert_eq!(l["fields"]["escaped secret"], "[redacted] and [redacted]");
        assert_eq!(l["fields"]["[redacted]"], "a key holding the secret");
    }
    assert_eq!(written[1]["message"], "echoed [redacted]");
    verify(&[path]).unwrap();
}

#[tokio::test]
async fn the_chain_continues_across_restarts_and_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let (path, log) = file_log(&dir);
    log.note(line(), Outcome::Invalid("no title".into()))
        .await
        .unwrap();
    drop(log);
    // A restart continues from the last line.
    let (_, log) = file_log(&dir);
    log.note(line(), Outcome::Invalid("no title".into()))
        .await
        .unwrap();
    let written = lines(&path);
    assert_eq!(written.len(), 2);
    let first = std::fs::read_to_string(&path).unwrap();
    let first_line = first.lines().next().unwrap();
    assert_eq!(written[1]["prev"], line_hash(first_line.as_bytes()));
    // Rotation: the file is moved away; the next line starts a new file, linked to the old.
    let rotated = dir.path().join("audit.jsonl.1");
    std::fs::rename(&path, &rotated).unwrap();
    log.note(line(), Outcome::Replayed(Some(4))).await.unwrap();
    let old_last = std::fs::read_to_string(&rotated).unwrap();
    let old_last = old_last.lines().last().unwrap();
    assert_eq!(lines(&path)[0]["prev"], line_hash(old_last.as_bytes()));
    let report = verify(&[rotated.clone(), path.clone()]).unwrap();
    assert_eq!(
        report
            .files
            .iter()
            .map(|f| (f.lines, f.start.clone()))
            .collect::<Vec<_>>(),
        [(2, Start::Genesis), (1, Start::PreviousFile)]
    );
    // Alone, the new file's link to the old one cannot be checked: it is reported.
    let alone = verify(std::slice::from_ref(&path)).unwrap();
    assert!(
        matches!(&alone.files[0].start, Start::Unseen(prev) if *prev == line_hash(old_last.as_bytes()))
    );
    // The old file lost its last line: the new file's first line names what is missing.
    let old = std::fs::read_to_string(&rotated).unwrap();
    let first_only = format!("{}\n", old.lines().next().unwrap());
    std::fs::write(&rotated, first_only).unwrap();
    let err = verify(&[rotated.clone(), path.clone()]).unwrap_err();
    assert!(
        matches!(&err, VerifyError::Bad { path: p, line: 1, why } if p.ends_with("audit.jsonl") && why.contains("the last line of the file before")),
        "{err}"
    );
}

#[tokio::test]
async fn a_damaged_end_is_refused_at_open_and_before_a_write() {
    let dir = tempfile::tempdir().unwrap();
    let (path, log) = file_log(&dir);
    log.note(line(), Outcome::Invalid("x".into()))
        .await
        .unwrap();
    // Cut short: the last line has no newline.
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("{\"prev\":\"00");
    std::fs::write(&path, &text).unwrap();
    // A running log refuses the next write rather than chain from a torn line.
    let err = log.attempt(line()).await.unwrap_err();
    assert!(
        matches!(&err, AuditError::DamagedTail { problem, .. } if problem.contains("cut short")),
        "{err}"
    );
    // So does a restart.
    let err = AuditLog::open(Some(&path.to_string_lossy()), vec![]).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("cannot be continued") && message.contains("audit verify"),
        "{message}"
    );
    std::fs::write(&path, "not an audit line\n").unwrap();
    let err = AuditLog::open(Some(&path.to_string_lossy()), vec![]).unwrap_err();
    assert!(err.to_string().contains("not an audit line"), "{err}");
    // The file was not touched by the refused write.
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "not an audit line\n"
    );
}

#[tokio::test]
async fn a_log_that_cannot_be_written_refuses_the_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir").join("audit.jsonl");
    let err = AuditLog::open(Some(&missing.to_string_lossy()), vec![]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("AUTOTASK_AUDIT_LOG: cannot append to"),
        "{err}"
    );
    // The directory disappears while the server runs.
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let log = AuditLog::open(Some(&sub.join("audit.jsonl").to_string_lossy()), vec![]).unwrap();
    std::fs::remove_dir_all(&sub).unwrap();
    assert!(matches!(
        log.attempt(line()).await,
        Err(AuditError::Write { .. })
    ));
    assert!(matches!(
        log.note(line(), Outcome::Replayed(None)).await,
        Err(AuditError::Write { .. })
    ));
    // No log: everything succeeds and nothing is written.
    let off = AuditLog::off();
    assert!(!off.is_on());
    off.attempt(line())
        .await
        .unwrap()
        .finish(Outcome::Done("created", 1))
        .await
        .unwrap();
    off.note(line(), Outcome::Replayed(None)).await.unwrap();
}

/// Issue 19, repro 2: `/dev/full` (a full disk): the attempt fails, so nothing is sent.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn dev_full_refuses_the_attempt() {
    let log = AuditLog::open(Some("/dev/full"), vec![]).unwrap();
    let err = log.attempt(line()).await.unwrap_err();
    assert!(
        matches!(&err, AuditError::Write { target, reason } if target == "/dev/full" && reason.contains("No space")),
        "{err}"
    );
    assert!(log.note(line(), Outcome::Replayed(None)).await.is_err());
}

fn options(bound_ms: u64, queue: usize) -> AuditOptions {
    AuditOptions {
        stream_bound: Duration::from_millis(bound_ms),
        file_bound: Duration::from_millis(bound_ms),
        queue,
    }
}

/// A line of about 10 kB, so a pipe fills after a few.
fn big_line() -> AuditLine {
    let mut l = line();
    l.fields = (0..50)
        .map(|i| (format!("f{i}"), json!("y".repeat(190))))
        .collect();
    l
}

/// Issue 19, repro 3: stderr on a pipe nobody reads. Attempts are refused within the bound
/// (then at once, when the queue is full), other work goes on, and once the pipe drains the
/// stream holds a whole chain in which every attempt line that went out late is followed by
/// its refusal.
#[tokio::test(flavor = "current_thread")]
async fn a_stream_nobody_reads_refuses_writes_and_blocks_nothing() {
    let (mut reader, writer) = std::io::pipe().unwrap();
    let log = AuditLog::to_writer(Box::new(writer), "test pipe", vec![], options(100, 8)).unwrap();
    // Other work on this (single) runtime thread keeps running meanwhile.
    let ticks = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let ticker = {
        let ticks = ticks.clone();
        tokio::spawn(async move {
            loop {
                ticks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::task::yield_now().await;
            }
        })
    };
    let mut sent = 0;
    let mut refusals = Vec::new();
    let guard = tokio::time::timeout(Duration::from_secs(60), async {
        while refusals.len() < 20 {
            match log.attempt(big_line()).await {
                Ok(pending) => {
                    sent += 1;
                    // The outcome line may itself wait for the pipe: late, never lost.
                    let _ = pending.finish(Outcome::Done("created", sent)).await;
                }
                Err(e) => refusals.push(e),
            }
        }
    })
    .await;
    assert!(guard.is_ok(), "attempts must not hang on a full pipe");
    assert!(sent > 0, "the pipe took lines until it was full");
    // The first refusal waited its bound (unless an outcome line had already timed out on
    // the stuck write: then it too is refused at once).
    assert!(
        matches!(
            refusals[0],
            AuditError::Timeout { .. } | AuditError::Stalled { .. }
        ),
        "{}",
        refusals[0]
    );
    assert!(
        refusals[1..]
            .iter()
            .all(|e| matches!(e, AuditError::Stalled { .. })),
        "while the writer is stuck in the write a caller gave up on, attempts are refused at once: {refusals:?}"
    );
    assert!(ticks.load(std::sync::atomic::Ordering::SeqCst) > 0);
    ticker.abort();
    // Drain the pipe: what was queued goes out, skipped lines stay out.
    let drained = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = reader.read_to_end(&mut all);
        all
    });
    // Once the pipe drains, writes are taken again.
    log.flush(Duration::from_secs(30)).await.unwrap();
    log.attempt(line())
        .await
        .unwrap()
        .finish(Outcome::Done("created", 99))
        .await
        .unwrap();
    log.flush(Duration::from_secs(10)).await.unwrap();
    drop(log);
    let all = drained.join().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stream.jsonl");
    std::fs::write(&path, &all).unwrap();
    let report = verify(std::slice::from_ref(&path)).unwrap();
    assert!(
        report.without_outcome.is_empty(),
        "every attempt line has its outcome: {report:?}"
    );
    let written = lines(&path);
    assert!(
        written
            .iter()
            .all(|l| l["level"] == "INFO" && l["target"] == "autotask_mcp::audit")
    );
    let sending = written.iter().filter(|l| l["outcome"] == "sending").count();
    let created = written.iter().filter(|l| l["outcome"] == "created").count();
    let late = written.iter().filter(|l| l["outcome"] == "refused").count();
    assert_eq!(created, sent as usize + 1);
    assert_eq!(
        sending,
        created + late,
        "a late attempt line is followed by its refusal"
    );
}

/// Issue 19, repro 3: stderr closed (here: the reading end of the pipe is gone).
#[tokio::test]
async fn a_stream_nobody_holds_refuses_writes() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let log =
        AuditLog::to_writer(Box::new(writer), "test pipe", vec![], options(1_000, 8)).unwrap();
    let err = log.attempt(line()).await.unwrap_err();
    assert!(
        matches!(&err, AuditError::Write { reason, .. } if reason.to_lowercase().contains("pipe")),
        "{err}"
    );
}

/// A target that writes only when the test lets it: each line waits for one token.
struct GatedTarget {
    tokens: std::sync::mpsc::Receiver<()>,
    started: tokio::sync::mpsc::UnboundedSender<String>,
    written: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Map<String, Value>>>>,
}

impl writer::Target for GatedTarget {
    fn append(&mut self, body: &serde_json::Map<String, Value>) -> Result<(), AuditError> {
        let _ = self
            .started
            .send(body["outcome"].as_str().unwrap_or_default().to_string());
        self.tokens.recv().map_err(|_| AuditError::Stopped)?;
        self.written.lock().unwrap().push(body.clone());
        let _ = self.started.send("written".into());
        Ok(())
    }
}

/// The two ways an attempt can miss its bound: while its line is being written (the line
/// goes out late, followed by a refusal of the same attempt) and while it waits in the queue
/// (the line is never written).
#[tokio::test]
async fn an_attempt_that_misses_its_bound_is_refused_and_never_reads_as_sent() {
    let (tokens, gate) = std::sync::mpsc::channel();
    let (started, mut starts) = tokio::sync::mpsc::unbounded_channel();
    let written = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let target = GatedTarget {
        tokens: gate,
        started,
        written: written.clone(),
    };
    let bound = Duration::from_millis(500);
    let log = AuditLog::start(Box::new(target), "gated", bound, vec![], options(500, 8)).unwrap();
    // The first attempt's line is taken by the writer, whose write then stalls past the
    // bound. (Had the writer not even taken it within the bound, it is skipped instead.)
    let first = log.attempt(line()).await.unwrap_err();
    assert!(matches!(first, AuditError::Timeout { .. }), "{first}");
    let taken = starts.try_recv().is_ok();
    // The second: refused at once while the writer is stuck in that write; else it waits in
    // the queue behind it, past the bound.
    let second = log.attempt(line()).await.unwrap_err();
    if taken {
        assert!(matches!(second, AuditError::Stalled { .. }), "{second}");
    } else {
        assert!(
            matches!(
                second,
                AuditError::Timeout { .. } | AuditError::Stalled { .. }
            ),
            "{second}"
        );
    }
    // The writer resumes: the first line goes out late, then its refusal; the second never.
    for _ in 0..4 {
        tokens.send(()).unwrap();
    }
    log.flush(Duration::from_secs(10)).await.unwrap();
    let lines = written.lock().unwrap().clone();
    let outcomes: Vec<&str> = lines
        .iter()
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    if taken {
        assert_eq!(outcomes, ["sending", "refused"]);
        assert_eq!(lines[0]["attempt"], lines[1]["attempt"]);
        assert!(
            lines[1]["message"]
                .as_str()
                .unwrap()
                .contains("written late (after the call stopped waiting for it, 500 ms at most)")
        );
    } else {
        // The first was skipped; the second, taken or skipped the same way.
        assert!(
            outcomes.is_empty() || outcomes == ["sending", "refused"],
            "{outcomes:?}"
        );
    }
}

/// A full queue refuses at once: the writer is busy with one attempt and its outcome line's
/// place is reserved, so a second attempt finds no room for its own two lines.
#[tokio::test]
async fn a_full_queue_refuses_at_once() {
    let (tokens, gate) = std::sync::mpsc::channel();
    let (started, mut starts) = tokio::sync::mpsc::unbounded_channel();
    let written = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let target = GatedTarget {
        tokens: gate,
        started,
        written: written.clone(),
    };
    let log = AuditLog::start(
        Box::new(target),
        "gated",
        Duration::from_secs(30),
        vec![],
        options(30_000, 2),
    )
    .unwrap();
    let first = tokio::spawn({
        let log = log.clone();
        async move { log.attempt(line()).await }
    });
    // The writer has taken the first line and is inside its write.
    assert_eq!(starts.recv().await.as_deref(), Some("sending"));
    let second = log.attempt(line()).await.unwrap_err();
    assert!(
        matches!(second, AuditError::Busy { queue: 2, .. }),
        "{second}"
    );
    assert!(second.to_string().contains("2 lines waiting"), "{second}");
    tokens.send(()).unwrap();
    let pending = first.await.unwrap().unwrap();
    tokens.send(()).unwrap();
    pending.finish(Outcome::Done("created", 1)).await.unwrap();
    let outcomes: Vec<String> = written
        .lock()
        .unwrap()
        .iter()
        .map(|l| l["outcome"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(outcomes, ["sending", "created"]);
}

/// Lines a [`GatedTarget`] has written.
type Written = std::sync::Arc<std::sync::Mutex<Vec<serde_json::Map<String, Value>>>>;

/// A log on a [`GatedTarget`]: the log, the tokens that let lines through, the target's
/// events, and what it wrote.
struct Gated {
    log: AuditLog,
    tokens: std::sync::mpsc::Sender<()>,
    starts: tokio::sync::mpsc::UnboundedReceiver<String>,
    written: Written,
}

fn gated(bound: Duration) -> Gated {
    let (tokens, gate) = std::sync::mpsc::channel();
    let (started, starts) = tokio::sync::mpsc::unbounded_channel();
    let written = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let target = GatedTarget {
        tokens: gate,
        started,
        written: written.clone(),
    };
    let millis = bound.as_millis() as u64;
    let log =
        AuditLog::start(Box::new(target), "gated", bound, vec![], options(millis, 8)).unwrap();
    Gated {
        log,
        tokens,
        starts,
        written,
    }
}

fn outcomes(
    written: &std::sync::Mutex<Vec<serde_json::Map<String, Value>>>,
) -> Vec<(String, String)> {
    written
        .lock()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["outcome"].as_str().unwrap().to_string(),
                l["attempt"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A call cancelled while its attempt line is being written: the line goes out, followed by
/// a refusal of the same attempt (the write was never sent).
#[tokio::test]
async fn a_call_cancelled_while_its_line_is_written_leaves_a_refusal() {
    let Gated {
        log,
        tokens,
        mut starts,
        written,
    } = gated(Duration::from_secs(60));
    let call = tokio::spawn({
        let log = log.clone();
        async move { log.attempt(line()).await }
    });
    assert_eq!(starts.recv().await.as_deref(), Some("sending"));
    call.abort();
    assert!(call.await.unwrap_err().is_cancelled());
    tokens.send(()).unwrap();
    tokens.send(()).unwrap();
    log.flush(Duration::from_secs(10)).await.unwrap();
    let got = outcomes(&written);
    assert_eq!(
        got.iter().map(|(o, _)| o.as_str()).collect::<Vec<_>>(),
        ["sending", "refused"]
    );
    assert_eq!(got[0].1, got[1].1);
    assert!(
        written.lock().unwrap()[1]["message"]
            .as_str()
            .unwrap()
            .contains("written late")
    );
}

/// A call cancelled after its attempt line was written but before it could send: the log
/// says it was not sent.
#[tokio::test]
async fn a_call_cancelled_after_its_line_was_written_says_it_sent_nothing() {
    let Gated {
        log,
        tokens,
        mut starts,
        written,
    } = gated(Duration::from_secs(60));
    {
        let mut call = std::pin::pin!(log.attempt(line()));
        assert!(futures::poll!(call.as_mut()).is_pending());
        assert_eq!(starts.recv().await.as_deref(), Some("sending"));
        tokens.send(()).unwrap();
        assert_eq!(starts.recv().await.as_deref(), Some("written"));
        // Dropped here, never polled again: the call ended before sending.
    }
    tokens.send(()).unwrap();
    log.flush(Duration::from_secs(10)).await.unwrap();
    let got = outcomes(&written);
    assert_eq!(
        got.iter().map(|(o, _)| o.as_str()).collect::<Vec<_>>(),
        ["sending", "refused"]
    );
    assert_eq!(got[0].1, got[1].1);
    // The worker may still be finishing the line when the call is dropped (then the refusal
    // says the line came late); either way the attempt is refused as not sent.
    let message = written.lock().unwrap()[1]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("ended before the request was sent: it was not sent")
            || message.contains("written late"),
        "{message}"
    );
}
