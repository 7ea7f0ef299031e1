//! The Autotask REST client: everything the server sends to Autotask goes through here
//! (zone detection, auth headers, retries for reads only, paging, the tenant's API budget,
//! redacting errors).

pub mod client;
pub mod error;

pub use client::{AutotaskClient, QueryResult, ReadIntent, Threshold, UpdateMethod};
pub use error::AutotaskError;
