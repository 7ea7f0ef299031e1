//! The tenant's hourly API budget as figures: the warn and refuse percentages
//! (`AUTOTASK_BUDGET_WARN_PERCENT`, `AUTOTASK_BUDGET_REFUSE_PERCENT`) and the usage they make
//! of a request count: used, limit, remaining, percent and level. A leaf: the configuration
//! reads the percentages; the Autotask client's governor, `/health` and the tools show the
//! usage (`crate::autotask::budget` turns a `ThresholdInformation` answer into one).

use serde::Serialize;

/// The share of the hourly budget from which the server warns, and from which it refuses
/// background reads (`AUTOTASK_BUDGET_WARN_PERCENT`, `AUTOTASK_BUDGET_REFUSE_PERCENT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetPercents {
    pub warn: u8,
    pub refuse: u8,
}

/// The defaults of the two percentages: warn from 75 %, refuse background reads from 90 %.
pub const DEFAULT_BUDGET_PERCENTS: BudgetPercents = BudgetPercents {
    warn: 75,
    refuse: 90,
};

impl Default for BudgetPercents {
    fn default() -> Self {
        DEFAULT_BUDGET_PERCENTS
    }
}

/// How much of the hourly budget is used, and what the server does about it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BudgetUsage {
    pub used: u64,
    pub limit: u64,
    pub remaining: u64,
    /// `used` as a percentage of `limit`, one decimal (100 when the limit is 0: nothing may be
    /// sent). Not capped: a tenant over its limit shows more than 100.
    pub percent: f64,
    /// `ok`, `warn` or `refuse` (serialised as `state`).
    #[serde(rename = "state")]
    pub level: BudgetLevel,
}

impl BudgetPercents {
    /// The usage of `used` requests out of `limit`.
    pub fn usage(self, used: u64, limit: u64) -> BudgetUsage {
        let level = if reached(used, limit, self.refuse) {
            BudgetLevel::Refuse
        } else if reached(used, limit, self.warn) {
            BudgetLevel::Warn
        } else {
            BudgetLevel::Ok
        };
        let percent = if limit == 0 {
            100.0
        } else {
            (used as f64 * 1000.0 / limit as f64).round() / 10.0
        };
        BudgetUsage {
            used,
            limit,
            remaining: limit.saturating_sub(used),
            percent,
            level,
        }
    }
}

/// True when `used` is at least `percent` % of `limit` (always, for a zero limit). Exact
/// integer arithmetic: no rounding decides a level.
fn reached(used: u64, limit: u64, percent: u8) -> bool {
    u128::from(used) * 100 >= u128::from(limit) * u128::from(percent)
}

/// How close the tenant is to its hourly limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BudgetLevel {
    Ok,
    Warn,
    Refuse,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_levels_follow_the_percents_exactly() {
        let p = DEFAULT_BUDGET_PERCENTS;
        let u = p.usage(124, 10_000);
        assert_eq!(
            (u.used, u.limit, u.remaining, u.percent, u.level),
            (124, 10_000, 9_876, 1.2, BudgetLevel::Ok)
        );
        assert_eq!(p.usage(7_499, 10_000).level, BudgetLevel::Ok);
        assert_eq!(p.usage(7_500, 10_000).level, BudgetLevel::Warn);
        // 89.999 % rounds to 90.0 for display, but the level is decided exactly.
        let almost = p.usage(89_999, 100_000);
        assert_eq!((almost.percent, almost.level), (90.0, BudgetLevel::Warn));
        assert_eq!(p.usage(9_000, 10_000).level, BudgetLevel::Refuse);
        let over = p.usage(20_000, 10_000);
        assert_eq!(
            (over.percent, over.remaining, over.level),
            (200.0, 0, BudgetLevel::Refuse)
        );
        let zero = p.usage(0, 0);
        assert_eq!((zero.percent, zero.level), (100.0, BudgetLevel::Refuse));
        let custom = BudgetPercents {
            warn: 10,
            refuse: 20,
        };
        assert_eq!(custom.usage(1_500, 10_000).level, BudgetLevel::Warn);
        assert_eq!(
            serde_json::to_value(p.usage(2_412, 10_000)).unwrap(),
            serde_json::json!({"used": 2412, "limit": 10000, "remaining": 7588, "percent": 24.1, "state": "ok"})
        );
    }
}
