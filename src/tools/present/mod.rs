//! Layer 3, presenting records: shaping what a model reads (no empties, labels in place of
//! codes, names beside ids, tidy dates), the columns a page shows, pages and single records
//! under the result's size budget, and the filter echoed back.

pub mod filter_echo;
pub mod projection;
pub mod records;
pub mod shape;

/// How much one answer may read and carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most rows one call may page through.
    pub max_records_cap: usize,
    /// Most bytes of JSON one result carries.
    pub result_max_bytes: usize,
}
