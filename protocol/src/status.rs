//! Payment and refund statuses as PingPong reports them (reference §5).

use serde::{Deserialize, Serialize};

/// Whether PingPong treats a FAILED payment as the end of its order (reference §5.1, S8).
///
/// By default a FAILED attempt leaves the order open: the same `merchantTransactionId` may be
/// paid again until it closes. "Failure final state" is a per-merchant option PingPong enables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailureMode {
    /// FAILED is not final (PingPong's default).
    #[default]
    Retryable,
    /// FAILED is final.
    Final,
}

/// The status of a payment order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub enum PaymentStatus {
    /// The order exists; nothing has happened yet.
    Init,
    /// In progress. For QR this only means the QR exists: keep waiting.
    Processing,
    /// Paid. Final.
    Success,
    /// The attempt failed (declined). Final only in [`FailureMode::Final`].
    Failed,
    /// Closed unpaid (the QR expired). Final.
    Closed,
    /// A pre-authorisation was voided (card only). Final.
    Cancel,
    /// Pre-authorised, capture pending (card only). Not final.
    AuthSuccess,
}

impl PaymentStatus {
    /// Whether the status can no longer change, in PingPong's default [`FailureMode`].
    pub fn is_final(self) -> bool {
        self.is_final_in(FailureMode::Retryable)
    }

    /// Whether the status can no longer change under `mode`.
    pub fn is_final_in(self, mode: FailureMode) -> bool {
        match self {
            PaymentStatus::Success | PaymentStatus::Closed | PaymentStatus::Cancel => true,
            PaymentStatus::Failed => mode == FailureMode::Final,
            PaymentStatus::Init | PaymentStatus::Processing | PaymentStatus::AuthSuccess => false,
        }
    }

    /// Whether a register should stop waiting: the status is final, or the attempt failed
    /// (a new attempt is the register's decision, not something to wait for).
    pub fn ends_attempt(self) -> bool {
        self.is_final() || self == PaymentStatus::Failed
    }

    /// The wire name, e.g. `"PROCESSING"`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Init => "INIT",
            PaymentStatus::Processing => "PROCESSING",
            PaymentStatus::Success => "SUCCESS",
            PaymentStatus::Failed => "FAILED",
            PaymentStatus::Closed => "CLOSED",
            PaymentStatus::Cancel => "CANCEL",
            PaymentStatus::AuthSuccess => "AUTH_SUCCESS",
        }
    }

    /// Every status, in the order above.
    pub const ALL: [PaymentStatus; 7] = [
        PaymentStatus::Init,
        PaymentStatus::Processing,
        PaymentStatus::Success,
        PaymentStatus::Failed,
        PaymentStatus::Closed,
        PaymentStatus::Cancel,
        PaymentStatus::AuthSuccess,
    ];

    /// Parses a wire name; `None` for anything unknown.
    pub fn parse(text: &str) -> Option<PaymentStatus> {
        PaymentStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The status of a refund.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub enum RefundStatus {
    /// Accepted by the acquirer, not yet done (the product page names it). Not final.
    AcceptSuccess,
    /// In progress. Not final.
    Processing,
    /// Refunded. Final.
    Success,
    /// Refused. Final; the amount is refundable again.
    Failed,
}

impl RefundStatus {
    /// Whether the status can no longer change.
    pub fn is_final(self) -> bool {
        matches!(self, RefundStatus::Success | RefundStatus::Failed)
    }

    /// Whether the refund's amount counts against the payment's refundable balance
    /// (everything but FAILED).
    pub fn holds_balance(self) -> bool {
        self != RefundStatus::Failed
    }

    /// The wire name, e.g. `"SUCCESS"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::AcceptSuccess => "ACCEPT_SUCCESS",
            RefundStatus::Processing => "PROCESSING",
            RefundStatus::Success => "SUCCESS",
            RefundStatus::Failed => "FAILED",
        }
    }

    /// Every status.
    pub const ALL: [RefundStatus; 4] = [
        RefundStatus::AcceptSuccess,
        RefundStatus::Processing,
        RefundStatus::Success,
        RefundStatus::Failed,
    ];

    /// Parses a wire name; `None` for anything unknown.
    pub fn parse(text: &str) -> Option<RefundStatus> {
        RefundStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finality_follows_the_reference() {
        use PaymentStatus::*;
        let finals: Vec<_> = PaymentStatus::ALL
            .into_iter()
            .filter(|s| s.is_final())
            .collect();
        assert_eq!(finals, [Success, Closed, Cancel]);
        assert!(!Failed.is_final());
        assert!(Failed.is_final_in(FailureMode::Final));
        assert!(Failed.ends_attempt());
        assert!(!Processing.ends_attempt());
        assert!(RefundStatus::Success.is_final() && RefundStatus::Failed.is_final());
        assert!(!RefundStatus::Processing.is_final() && !RefundStatus::AcceptSuccess.is_final());
    }

    #[test]
    fn wire_names_round_trip() {
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(s));
            let json = format!("\"{}\"", s.as_str());
            assert_eq!(serde_json::from_str::<PaymentStatus>(&json).unwrap(), s);
        }
        for s in RefundStatus::ALL {
            assert_eq!(RefundStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(PaymentStatus::parse("PAID"), None);
    }
}
