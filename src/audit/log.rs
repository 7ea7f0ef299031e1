//! The log the write pipeline calls: [`AuditLog::attempt`] before a request leaves,
//! [`Pending::finish`] when its outcome is known, [`AuditLog::note`] for an attempt that sent
//! nothing. Lines are queued to the log's writer thread ([`super::writer`]) and each call
//! waits for its line with a bound, never for the disk or the pipe itself.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use rand::Rng;
use tokio::sync::{mpsc, oneshot};

use super::error::AuditError;
use super::line::{AuditLine, ENDED_BEFORE_ANSWER, Outcome, SENDING};
use super::render::{self, Redactor};
use super::writer::{
    ABANDONED, FileTarget, Job, LATE, LineJob, Progress, QUEUED, StreamTarget, Target, WRITING,
    WRITTEN, spawn, stderr_writer,
};
use crate::approval::request::hex;

/// How long a call waits for its line on stderr (or another stream) before it refuses.
pub const STREAM_BOUND: Duration = Duration::from_millis(250);
/// How long a call waits for its line in a file (written and synced) before it refuses.
pub const FILE_BOUND: Duration = Duration::from_secs(5);
/// Lines that may wait for the writer thread.
pub const QUEUE: usize = 64;

/// The bounds of a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditOptions {
    pub stream_bound: Duration,
    pub file_bound: Duration,
    pub queue: usize,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            stream_bound: STREAM_BOUND,
            file_bound: FILE_BOUND,
            queue: QUEUE,
        }
    }
}

struct Inner {
    tx: mpsc::Sender<Job>,
    redactor: Redactor,
    bound: Duration,
    /// The file path, or `stderr`.
    target: String,
    queue: usize,
    progress: Arc<Progress>,
    /// `progress.done` when a caller last gave up on a line the thread was stuck on
    /// (`u64::MAX`: never).
    stalled_at: AtomicU64,
}

impl Inner {
    /// Notes, when a wait has timed out, that the thread is stuck inside a write.
    fn note_stall(&self) {
        let done = self.progress.done.load(Ordering::SeqCst);
        if self.progress.writing.load(Ordering::SeqCst) {
            self.stalled_at.store(done, Ordering::SeqCst);
        }
    }

    /// Refuses at once while the thread is still inside the write a caller gave up on.
    fn check_stall(&self) -> Result<(), AuditError> {
        let stuck = self.stalled_at.load(Ordering::SeqCst)
            == self.progress.done.load(Ordering::SeqCst)
            && self.progress.writing.load(Ordering::SeqCst);
        if stuck {
            Err(AuditError::Stalled {
                target: self.target.clone(),
            })
        } else {
            Ok(())
        }
    }

    fn busy(&self) -> AuditError {
        AuditError::Busy {
            target: self.target.clone(),
            queue: self.queue,
        }
    }

    fn timeout(&self) -> AuditError {
        AuditError::Timeout {
            target: self.target.clone(),
            millis: self.bound.as_millis(),
        }
    }

    /// Waits (at most the bound) for a line's acknowledgement.
    async fn wait(&self, ack: oneshot::Receiver<Result<(), AuditError>>) -> Result<(), AuditError> {
        match tokio::time::timeout(self.bound, ack).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(AuditError::Stopped),
            Err(_) => {
                self.note_stall();
                Err(self.timeout())
            }
        }
    }
}

/// Where audit lines go. Cheap to clone (shared).
#[derive(Clone, Default)]
pub struct AuditLog {
    inner: Option<Arc<Inner>>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            None => write!(f, "AuditLog(off)"),
            Some(inner) => write!(f, "AuditLog({})", inner.target),
        }
    }
}

/// A fresh attempt id: 16 hex digits from the thread CSPRNG, pairing an attempt line with
/// its outcome line.
fn attempt_id() -> String {
    let mut bytes = [0_u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

impl AuditLog {
    /// No audit log: every call succeeds and writes nothing.
    pub fn off() -> AuditLog {
        AuditLog { inner: None }
    }

    /// The log `spec` names (`AUTOTASK_AUDIT_LOG`: unset or empty for none, `-` for stderr,
    /// else a file path, created if missing and appended to), redacting `secrets` from every
    /// value. A file is opened and its last line read here, so a path that cannot be written,
    /// or a file whose end is damaged, stops the server at start-up; so does `-` when stderr
    /// is closed or `/dev/null`.
    pub fn open(spec: Option<&str>, secrets: Vec<String>) -> Result<AuditLog, AuditError> {
        AuditLog::open_with(spec, secrets, AuditOptions::default())
    }

    /// [`AuditLog::open`] with other bounds.
    pub fn open_with(
        spec: Option<&str>,
        secrets: Vec<String>,
        options: AuditOptions,
    ) -> Result<AuditLog, AuditError> {
        match spec.map(str::trim) {
            None | Some("") => Ok(AuditLog::off()),
            Some("-") => {
                let target = StreamTarget::new(stderr_writer()?, "stderr", true);
                AuditLog::start(
                    Box::new(target),
                    "stderr",
                    options.stream_bound,
                    secrets,
                    options,
                )
            }
            Some(path) => {
                let target = FileTarget::open(Path::new(path))?;
                AuditLog::start(Box::new(target), path, options.file_bound, secrets, options)
            }
        }
    }

    /// A log writing lines as the stderr sink does (tagged, chained from genesis, bounded by
    /// `options.stream_bound`) to `writer`, named `name` in errors: for tests and embedding.
    pub fn to_writer(
        writer: Box<dyn std::io::Write + Send>,
        name: &str,
        secrets: Vec<String>,
        options: AuditOptions,
    ) -> Result<AuditLog, AuditError> {
        let target = StreamTarget::new(writer, name, false);
        AuditLog::start(
            Box::new(target),
            name,
            options.stream_bound,
            secrets,
            options,
        )
    }

    pub(crate) fn start(
        target: Box<dyn Target>,
        name: &str,
        bound: Duration,
        secrets: Vec<String>,
        options: AuditOptions,
    ) -> Result<AuditLog, AuditError> {
        let progress = Arc::new(Progress::default());
        let tx = spawn(target, options.queue, progress.clone()).map_err(|e| AuditError::Open {
            path: name.to_string(),
            reason: format!("cannot start the writer thread: {e}"),
        })?;
        Ok(AuditLog {
            inner: Some(Arc::new(Inner {
                tx,
                redactor: Redactor::new(secrets),
                bound,
                target: name.to_string(),
                queue: options.queue.max(2),
                progress,
                stalled_at: AtomicU64::new(u64::MAX),
            })),
        })
    }

    pub fn is_on(&self) -> bool {
        self.inner.is_some()
    }

    /// Writes the attempt line of a write about to be sent (outcome `sending`) and waits until
    /// it is written (and, for a file, synced to disk). Only on `Ok` may the request be sent;
    /// an error says why the line could not be written, and the write must be refused. The
    /// [`Pending`] writes the outcome line; it also reserves its place in the queue, so a
    /// written attempt always gets its outcome line.
    pub async fn attempt(&self, line: AuditLine) -> Result<Pending, AuditError> {
        let attempt = attempt_id();
        let Some(inner) = &self.inner else {
            return Ok(Pending {
                inner: None,
                permit: None,
                line: None,
                attempt,
            });
        };
        inner.check_stall()?;
        // Two places: this line now, its outcome line later.
        let now = inner
            .tx
            .clone()
            .try_reserve_owned()
            .map_err(|_| inner.busy())?;
        let later = inner
            .tx
            .clone()
            .try_reserve_owned()
            .map_err(|_| inner.busy())?;
        let sending = AuditLine {
            outcome: SENDING.to_string(),
            message: None,
            time: String::new(),
            ..line.clone()
        };
        let late = line.clone().with_outcome(&Outcome::Refused(format!(
            "the attempt line before this one was written late (after the call stopped waiting for it, {} ms at most), so the write was refused: it was not sent",
            inner.bound.as_millis()
        )));
        let cancelled = line.clone().with_outcome(&Outcome::Refused(
            "the call ended before the request was sent: it was not sent".into(),
        ));
        let gate = Arc::new(AtomicU8::new(QUEUED));
        let mut guard = AttemptGuard {
            gate: gate.clone(),
            later: Some(later),
            cancelled: render::body(&cancelled, &attempt, &inner.redactor),
        };
        let (ack, mut answer) = oneshot::channel();
        now.send(Job::Line(LineJob {
            body: render::body(&sending, &attempt, &inner.redactor),
            ack: Some(ack),
            gate: Some(gate),
            if_late: Some(render::body(&late, &attempt, &inner.redactor)),
        }));
        let written = match tokio::time::timeout(inner.bound, &mut answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(AuditError::Stopped),
            Err(_) => {
                if guard.stop() {
                    inner.note_stall();
                    Err(inner.timeout())
                } else {
                    // Finished just as the bound passed: its answer is on its way.
                    answer.await.unwrap_or(Err(AuditError::Stopped))
                }
            }
        };
        // From here the guard has nothing to do: the line is written and the Pending takes
        // its outcome's place, or it is not (and needs no outcome line).
        let later = guard.later.take();
        written.map(|()| Pending {
            inner: Some(inner.clone()),
            permit: later,
            line: Some(line),
            attempt,
        })
    }

    /// Writes the one line of a confirmed attempt that sent nothing (refused, invalid,
    /// replayed) and waits for it (at most the bound).
    pub async fn note(&self, line: AuditLine, outcome: Outcome) -> Result<(), AuditError> {
        let Some(inner) = &self.inner else {
            return Ok(());
        };
        inner.check_stall()?;
        let line = AuditLine {
            time: String::new(),
            ..line
        }
        .with_outcome(&outcome);
        let (ack, answer) = oneshot::channel();
        inner
            .tx
            .try_send(Job::Line(LineJob {
                body: render::body(&line, &attempt_id(), &inner.redactor),
                ack: Some(ack),
                gate: None,
                if_late: None,
            }))
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => inner.busy(),
                mpsc::error::TrySendError::Closed(_) => AuditError::Stopped,
            })?;
        inner.wait(answer).await
    }

    /// Waits (at most `within`) until every line queued before this call is written: at exit.
    pub async fn flush(&self, within: Duration) -> Result<(), AuditError> {
        let Some(inner) = &self.inner else {
            return Ok(());
        };
        let (ack, answer) = oneshot::channel();
        let done = tokio::time::timeout(within, async {
            inner
                .tx
                .send(Job::Flush(ack))
                .await
                .map_err(|_| AuditError::Stopped)?;
            answer.await.map_err(|_| AuditError::Stopped)
        })
        .await;
        match done {
            Ok(result) => result,
            Err(_) => Err(AuditError::Timeout {
                target: inner.target.clone(),
                millis: within.as_millis(),
            }),
        }
    }
}

/// An attempt line on its way: if the call stops waiting for it (a timeout, or the call's
/// future dropped), the line is stopped, or followed by a refusal, so the log never shows an
/// attempt that was not sent as one that may have been.
struct AttemptGuard {
    gate: Arc<AtomicU8>,
    /// The place reserved for the outcome line, until a Pending takes it.
    later: Option<mpsc::OwnedPermit<Job>>,
    /// The outcome line when the attempt line is written but the call ended before sending.
    cancelled: serde_json::Map<String, serde_json::Value>,
}

impl AttemptGuard {
    /// Stops the line unless the writer has finished it: true when it is not in the log, or
    /// will be followed by a refusal; false when it was written.
    fn stop(&self) -> bool {
        loop {
            let (from, to) = match self.gate.load(Ordering::SeqCst) {
                QUEUED => (QUEUED, ABANDONED),
                WRITING => (WRITING, LATE),
                WRITTEN => return false,
                _ => return true,
            };
            if self
                .gate
                .compare_exchange(from, to, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return true;
            }
        }
    }
}

impl Drop for AttemptGuard {
    fn drop(&mut self) {
        // Still armed: the call ended while waiting for its attempt line.
        if let Some(permit) = self.later.take()
            && !self.stop()
        {
            permit.send(Job::Line(LineJob {
                body: std::mem::take(&mut self.cancelled),
                ack: None,
                gate: None,
                if_late: None,
            }));
        }
    }
}

/// A write whose attempt line is written: send the request, then [`Pending::finish`] with its
/// outcome. Dropped unfinished (the call was cancelled), it writes an `unknown` outcome line.
pub struct Pending {
    inner: Option<Arc<Inner>>,
    permit: Option<mpsc::OwnedPermit<Job>>,
    line: Option<AuditLine>,
    attempt: String,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pending({})", self.attempt)
    }
}

impl Pending {
    /// The attempt id both lines carry.
    pub fn attempt_id(&self) -> &str {
        &self.attempt
    }

    /// Sets the request count the outcome line reports.
    pub fn requests(&mut self, requests: u64) {
        if let Some(line) = &mut self.line {
            line.requests = requests;
        }
    }

    /// Writes the outcome line and waits for it (at most the bound). An error means the
    /// line is late or lost; the write itself has happened, so say so to the caller.
    pub async fn finish(mut self, outcome: Outcome) -> Result<(), AuditError> {
        let (Some(inner), Some(permit), Some(line)) =
            (self.inner.take(), self.permit.take(), self.line.take())
        else {
            return Ok(());
        };
        let line = AuditLine {
            time: String::new(),
            ..line
        }
        .with_outcome(&outcome);
        let (ack, answer) = oneshot::channel();
        permit.send(Job::Line(LineJob {
            body: render::body(&line, &self.attempt, &inner.redactor),
            ack: Some(ack),
            gate: None,
            if_late: None,
        }));
        inner.wait(answer).await
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let (Some(inner), Some(permit), Some(line)) =
            (self.inner.take(), self.permit.take(), self.line.take())
        {
            let line = AuditLine {
                time: String::new(),
                ..line
            }
            .with_outcome(&Outcome::Unknown(ENDED_BEFORE_ANSWER.into()));
            permit.send(Job::Line(LineJob {
                body: render::body(&line, &self.attempt, &inner.redactor),
                ack: None,
                gate: None,
                if_late: None,
            }));
        }
    }
}
