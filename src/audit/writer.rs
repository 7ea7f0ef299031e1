//! The one thread that writes a log's lines, in order, and keeps the chain: a bounded queue
//! of jobs feeds it; each job is acknowledged once its line is written (and, for a file,
//! synced to disk). The callers wait for the acknowledgement with a bound, never the write
//! itself, so a stalled target (a pipe nobody reads, a stalled disk) stalls only this thread.
//!
//! An attempt line carries a gate: if its caller stops waiting before the thread takes the
//! line, the line is skipped (the write is refused and nothing is written); if the thread is
//! already writing it, the line is followed by a `refused` line for the same attempt, so a
//! late attempt line never reads as a write that was sent.
//!
//! Targets: a file, reopened for every line (so rotation by moving the file needs no signal),
//! synced with `sync_data` and cut back to its former length when a write fails (a full disk
//! leaves no partial line); or a stream (stderr), written whole and flushed while holding the
//! process's stderr lock, so its lines never interleave with log lines.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

use serde_json::{Map, Value};
use tokio::sync::{mpsc, oneshot};

use super::chain::{GENESIS, last_line_hash, line_hash};
use super::error::AuditError;
use super::render::render;

/// Gate states of an attempt line.
pub const QUEUED: u8 = 0;
pub const WRITING: u8 = 1;
pub const WRITTEN: u8 = 2;
/// The caller stopped waiting before the thread took the line: skip it.
pub const ABANDONED: u8 = 3;
/// The caller stopped waiting while the thread was writing it: follow it with a refusal.
pub const LATE: u8 = 4;
/// The write failed: the line is not in the log.
pub const FAILED: u8 = 5;

/// One line to write.
pub struct LineJob {
    pub body: Map<String, Value>,
    pub ack: Option<oneshot::Sender<Result<(), AuditError>>>,
    /// For attempt lines: see the module documentation.
    pub gate: Option<Arc<AtomicU8>>,
    /// The line written after a late attempt line.
    pub if_late: Option<Map<String, Value>>,
}

pub enum Job {
    Line(LineJob),
    /// Acknowledged once every job before it is done.
    Flush(oneshot::Sender<()>),
}

/// What the writer thread is doing, for callers to tell a stalled writer from a busy one.
#[derive(Debug, Default)]
pub struct Progress {
    /// Lines the thread has finished (written or failed).
    pub done: AtomicU64,
    /// True while the thread is inside a write.
    pub writing: AtomicBool,
}

/// Where lines go.
pub trait Target: Send {
    /// Writes one line: `body` with the chain's `prev`.
    fn append(&mut self, body: &Map<String, Value>) -> Result<(), AuditError>;
}

/// Starts the thread writing to `target`; it ends when every sender is gone.
pub fn spawn(
    target: Box<dyn Target>,
    queue: usize,
    progress: Arc<Progress>,
) -> Result<mpsc::Sender<Job>, std::io::Error> {
    let (tx, rx) = mpsc::channel(queue.max(2));
    std::thread::Builder::new()
        .name("autotask-mcp-audit".into())
        .spawn(move || run(target, rx, &progress))?;
    Ok(tx)
}

/// Writes with `progress` kept.
fn append(
    target: &mut dyn Target,
    body: &Map<String, Value>,
    progress: &Progress,
) -> Result<(), AuditError> {
    progress.writing.store(true, Ordering::SeqCst);
    let result = target.append(body);
    progress.done.fetch_add(1, Ordering::SeqCst);
    progress.writing.store(false, Ordering::SeqCst);
    result
}

fn run(mut target: Box<dyn Target>, mut rx: mpsc::Receiver<Job>, progress: &Progress) {
    while let Some(job) = rx.blocking_recv() {
        let job = match job {
            Job::Flush(ack) => {
                let _ = ack.send(());
                continue;
            }
            Job::Line(job) => job,
        };
        if let Some(gate) = &job.gate
            && gate
                .compare_exchange(QUEUED, WRITING, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
        {
            // Abandoned: the write was refused; its line is not written.
            continue;
        }
        let result = append(target.as_mut(), &job.body, progress);
        let finished = if result.is_ok() { WRITTEN } else { FAILED };
        if let Some(gate) = &job.gate
            && gate
                .compare_exchange(WRITING, finished, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
            && result.is_ok()
            && let Some(refusal) = &job.if_late
            && let Err(e) = append(target.as_mut(), refusal, progress)
        {
            tracing::error!(error = %e, "the refusal after a late audit line was not written");
        }
        if let Some(ack) = job.ack {
            let _ = ack.send(result);
        }
    }
}

/// Where the chain stands in a file: the hash of the last line written and the file's length
/// after it (`None` for a file that is not a regular file: a device, a FIFO).
#[derive(Debug, Clone)]
struct Tip {
    hash: String,
    end: Option<u64>,
}

/// A file, reopened for every line.
pub struct FileTarget {
    path: PathBuf,
    tip: Option<Tip>,
}

fn open_append(path: &Path) -> Result<File, std::io::Error> {
    OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
}

impl FileTarget {
    /// Opens `path` (created if missing) and finds where its chain stands: a new chain for a
    /// missing or empty file, else the hash of its last line.
    pub fn open(path: &Path) -> Result<FileTarget, AuditError> {
        let shown = path.display().to_string();
        let mut file = open_append(path).map_err(|e| AuditError::Open {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let meta = file.metadata().map_err(|e| AuditError::Open {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let tip = if meta.is_file() && meta.len() > 0 {
            let hash =
                last_line_hash(&mut file, meta.len()).map_err(|p| AuditError::DamagedTail {
                    path: shown.clone(),
                    problem: p.to_string(),
                })?;
            Some(Tip {
                hash,
                end: Some(meta.len()),
            })
        } else {
            None
        };
        Ok(FileTarget {
            path: path.to_path_buf(),
            tip,
        })
    }

    fn error(&self, e: impl std::fmt::Display) -> AuditError {
        AuditError::Write {
            target: self.path.display().to_string(),
            reason: e.to_string(),
        }
    }
}

impl Target for FileTarget {
    fn append(&mut self, body: &Map<String, Value>) -> Result<(), AuditError> {
        let mut file = open_append(&self.path).map_err(|e| self.error(e))?;
        let meta = file.metadata().map_err(|e| self.error(e))?;
        let regular = meta.is_file();
        let len = if regular { meta.len() } else { 0 };
        let prev = match &self.tip {
            // A new (or rotated, or special) file: the chain continues from the last line
            // written, or starts.
            _ if len == 0 => self
                .tip
                .as_ref()
                .map_or_else(|| GENESIS.to_string(), |t| t.hash.clone()),
            Some(tip) if tip.end == Some(len) => tip.hash.clone(),
            // Someone else wrote to (or cut) the file: continue from its actual last line.
            _ => last_line_hash(&mut file, len).map_err(|p| AuditError::DamagedTail {
                path: self.path.display().to_string(),
                problem: p.to_string(),
            })?,
        };
        let mut bytes = render(&prev, false, body);
        let hash = line_hash(&bytes);
        bytes.push(b'\n');
        if let Err(e) = file.write_all(&bytes).and_then(|()| file.sync_data()) {
            if regular {
                // No partial line: cut the file back to where it was.
                let _ = file.set_len(len).and_then(|()| file.sync_data());
            }
            return Err(self.error(e));
        }
        if regular && len == 0 {
            sync_directory(&self.path);
        }
        self.tip = Some(Tip {
            hash,
            end: regular.then_some(len + bytes.len() as u64),
        });
        Ok(())
    }
}

/// Makes a new file's directory entry durable (Unix; elsewhere the file's own sync is all
/// there is).
fn sync_directory(path: &Path) {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
            tracing::warn!(dir = %dir.display(), error = %e, "the audit log's directory could not be synced");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// A stream (stderr, or a pipe in tests): lines tagged like the other structured log lines.
pub struct StreamTarget {
    writer: Box<dyn Write + Send>,
    name: String,
    /// Hold the process's stderr lock while writing (the stream is stderr).
    stderr_lock: bool,
    tip: String,
}

impl StreamTarget {
    pub fn new(writer: Box<dyn Write + Send>, name: &str, stderr_lock: bool) -> StreamTarget {
        StreamTarget {
            writer,
            name: name.to_string(),
            stderr_lock,
            tip: GENESIS.to_string(),
        }
    }
}

impl Target for StreamTarget {
    fn append(&mut self, body: &Map<String, Value>) -> Result<(), AuditError> {
        let mut bytes = render(&self.tip, true, body);
        let hash = line_hash(&bytes);
        bytes.push(b'\n');
        let _lock = self.stderr_lock.then(|| std::io::stderr().lock());
        self.writer
            .write_all(&bytes)
            .and_then(|()| self.writer.flush())
            .map_err(|e| AuditError::Write {
                target: self.name.clone(),
                reason: e.to_string(),
            })?;
        self.tip = hash;
        Ok(())
    }
}

/// The process's stderr as a file of its own (a duplicate of descriptor 2), so a failed
/// write is an error (the standard library's stderr treats a closed descriptor as a sink),
/// refused when it is `/dev/null`: at start-up the runtime puts `/dev/null` on a closed
/// descriptor 2, so that is also what a closed stderr looks like.
pub fn stderr_writer() -> Result<Box<dyn Write + Send>, AuditError> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let unusable = |why: String| AuditError::StderrUnusable { why };
        let fd = std::io::stderr()
            .as_fd()
            .try_clone_to_owned()
            .map_err(|e| unusable(format!("is closed ({e})")))?;
        let file = File::from(fd);
        let meta = file
            .metadata()
            .map_err(|e| unusable(format!("cannot be examined ({e})")))?;
        let null = std::fs::metadata("/dev/null").ok();
        if meta.file_type().is_char_device()
            && null.is_some_and(|n| n.file_type().is_char_device() && n.rdev() == meta.rdev())
        {
            return Err(unusable(
                "is /dev/null (or was closed when the server started)".into(),
            ));
        }
        Ok(Box::new(file))
    }
    #[cfg(not(unix))]
    {
        Ok(Box::new(std::io::stderr()))
    }
}
