//! The write-ahead, tamper-evident audit log of write attempts (`AUTOTASK_AUDIT_LOG`, issue
//! 19; docs/audit.md). One JSON line per event, appended to a file or written to stderr (`-`):
//!
//! * before a write leaves, its attempt line (`"outcome":"sending"`) is written and, for a
//!   file, synced to disk; no line, no request ([`AuditLog::attempt`]);
//! * when the outcome is known, the outcome line, with the same `attempt` id
//!   ([`Pending::finish`]; dropped unfinished: `unknown`); an attempt that sends nothing
//!   (refused, invalid, replayed) gets one line ([`AuditLog::note`]);
//! * lines are rendered from redacted values, in printable ASCII ([`render`]): no value can
//!   start a line or forge a field;
//! * each line carries the SHA-256 of the one before (`prev`, [`chain`]), and
//!   `autotask-mcp audit verify` checks it ([`verify`]);
//! * a stalled target (a pipe nobody reads, a stalled disk) never blocks a call: lines go
//!   through one writer thread ([`writer`]) and callers wait with a bound, then refuse.
//!
//! Files, one concern each: `line` (what a line says), `render` (its text), `chain` (the
//! hash chain), `writer` (the thread and its targets), `log` (the API), `verify`, `error`.

pub mod chain;
pub mod error;
pub mod line;
pub mod log;
pub mod render;
pub mod verify;
pub mod writer;

#[cfg(test)]
mod tests;

pub use error::AuditError;
pub use line::{AuditLine, MAX_TEXT, Outcome, shorten};
pub use log::{AuditLog, AuditOptions, Pending};
