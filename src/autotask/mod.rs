//! The Autotask REST client: everything the server sends to Autotask goes through here.
//!
//! * `client`: auth headers, one exchange per attempt, reads (retried) and writes (sent once),
//!   the public calls;
//! * `zone`: zone detection, its cache and the re-lookup after a 401;
//! * `retry`: what is retried and how long to wait (backoff with jitter, `Retry-After`);
//! * `paging`: following `nextPageUrl` up to a cap, on the zone's origin only;
//! * `budget`: the per-endpoint thread limit and the governor over `ThresholdInformation`;
//! * `scope`: one tool call's request count and the resource its writes act as;
//! * `wire`: path checks and Autotask's answer shapes (error messages, thread-limit refusals);
//! * `error`: the one error type, redacted;

pub mod budget;
pub mod client;
pub mod error;
pub mod paging;
pub mod retry;
pub mod scope;
pub mod wire;
pub mod zone;

pub use budget::{BudgetLevel, BudgetState};
pub use client::{AutotaskClient, ReadIntent, Threshold, UpdateMethod};
pub use error::AutotaskError;
pub use paging::QueryResult;
