//! Why an audit line was not written, or a log not opened. Messages name the variable, the
//! file and what to do; they never hold a line's content (nor, so, a secret).

/// An audit log that cannot be opened or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// The file cannot be opened for appending.
    #[error(
        "AUTOTASK_AUDIT_LOG: cannot append to {path}: {reason} (check that the directory exists and is writable)"
    )]
    Open { path: String, reason: String },
    /// The file's last line cannot be continued (cut short, not an audit line).
    #[error(
        "AUTOTASK_AUDIT_LOG: {path} cannot be continued: {problem}. Move it aside (keep it: `autotask-mcp audit verify {path}` names the first bad line) and start again: a new file starts a new chain"
    )]
    DamagedTail { path: String, problem: String },
    /// `-` (stderr) was asked for, but lines written there would be lost.
    #[error(
        "AUTOTASK_AUDIT_LOG=-: stderr {why}, so audit lines written there would be lost: give stderr to a reader, or point AUTOTASK_AUDIT_LOG at a file"
    )]
    StderrUnusable { why: String },
    /// Writing (or syncing) the line failed.
    #[error("cannot write the audit log {target}: {reason}")]
    Write { target: String, reason: String },
    /// The line was not written within the bound (a pipe nobody reads, a stalled disk).
    #[error(
        "the audit log {target} did not take the line within {millis} ms (a pipe nobody reads, or a stalled disk)"
    )]
    Timeout { target: String, millis: u128 },
    /// An earlier line is still being written, past its bound: refused at once.
    #[error(
        "the audit log {target} is still stuck writing an earlier line (a pipe nobody reads, or a stalled disk)"
    )]
    Stalled { target: String },
    /// Too many lines are waiting already.
    #[error(
        "the audit log {target} has {queue} lines waiting to be written and takes no more (a pipe nobody reads, or a stalled disk)"
    )]
    Busy { target: String, queue: usize },
    /// The writer thread is gone.
    #[error("the audit log writer has stopped")]
    Stopped,
}
