//! Counters of what the sandbox did, for tests that must prove something was (not) sent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Counts since the sandbox started. JSON in camelCase (`GET /control/stats`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Stats {
    /// v4 API requests received, per path (`/v4/payment/unifiedPay`, …), faulted ones included.
    pub requests: BTreeMap<String, u64>,
    /// Payment orders created (distinct `merchantTransactionId`s).
    pub orders: u64,
    /// Payment attempts (a first unifiedPay and each re-opening after a decline).
    pub attempts: u64,
    /// Refunds created (distinct `merchantRefundId`s).
    pub refunds: u64,
    /// Notifications produced (a duplicated one counts twice).
    pub notifications: u64,
    /// Notification delivery attempts (first sends and retries).
    pub deliveries: u64,
    /// Deliveries the receiver accepted (2xx, body not `FAIL`).
    pub delivered: u64,
}

impl Stats {
    /// Requests received on `path` (e.g. `/v4/payment/unifiedPay`); 0 when none.
    pub fn requests_to(&self, path: &str) -> u64 {
        self.requests.get(path).copied().unwrap_or(0)
    }

    /// All v4 API requests received.
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }
}
