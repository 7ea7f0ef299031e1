//! Layer 4, the write pipeline, one file per step in running order: the plan a write tool's
//! handler returns ([`plan`]), tenant defaults it fills ([`defaults`]), the allow-list
//! ([`policy`]), idempotency keys ([`idempotency`]), Autotask's entity rules ([`rules`]),
//! likely duplicates ([`duplicates`]), the review against the tenant ([`review`]), the
//! preview answered without a confirm token ([`preview`]), the approval ([`approve`]: the
//! token, a one-time code, or the person asked), the audit line written before the request
//! (`crate::audit`) and the one send ([`send`]); [`pipeline`] runs them in that order.

pub mod approve;
pub mod attempt;
pub mod defaults;
pub mod duplicates;
pub mod idempotency;
pub mod pipeline;
pub mod plan;
pub mod policy;
pub mod preview;
pub mod review;
pub mod rules;
pub mod send;

use crate::approval::{ApprovalMode, Approvals};
use crate::audit::AuditLog;
use crate::tools::present::Limits;
use crate::tools::tenant::Tenant;
use idempotency::Keys;
use policy::WritePolicy;

/// What writes need besides the tenant: the allow-list, the audit log, the idempotency keys of
/// recent creates and the resource every write acts as unless the caller names one. Cheap to
/// clone (all shared).
#[derive(Clone, Debug)]
pub struct Writes {
    pub policy: WritePolicy,
    pub audit: AuditLog,
    /// How writes are approved, and the one-time codes of the `preview` mode (also the
    /// request states of an elicitation round trip).
    pub approval: ApprovalMode,
    pub approvals: Approvals,
    pub keys: Keys,
    /// `AUTOTASK_IMPERSONATION_RESOURCE_ID`.
    pub static_acting_as: Option<i64>,
}

/// The handles the pipeline takes.
#[derive(Clone, Copy)]
pub struct WriteDeps<'a> {
    pub tenant: &'a Tenant,
    pub limits: &'a Limits,
    pub writes: &'a Writes,
}
