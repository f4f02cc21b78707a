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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

    /// How far along a payment is: INIT, then PROCESSING (or AUTH_SUCCESS), FAILED, CLOSED
    /// (or CANCEL), SUCCESS.
    fn progress(self) -> u8 {
        match self {
            PaymentStatus::Init => 0,
            PaymentStatus::Processing | PaymentStatus::AuthSuccess => 1,
            PaymentStatus::Failed => 2,
            PaymentStatus::Closed | PaymentStatus::Cancel => 3,
            PaymentStatus::Success => 4,
        }
    }

    /// The rule "a status only moves forward", for news that may arrive in any order (a
    /// create's answer, a query, a notification, an event): the status after news of
    /// `incoming` while `self` is known, and whether it is a late success (SUCCESS after
    /// CLOSED: the money was taken after the QR was reported closed). `None`: the news is
    /// stale or the same; keep `self`. A FAILED attempt is never re-opened by news (nobody
    /// re-attempts an order here: a register starts a new one), so PROCESSING after FAILED
    /// is stale.
    pub fn advance(self, incoming: PaymentStatus) -> Option<(PaymentStatus, bool)> {
        if incoming.progress() <= self.progress() {
            return None;
        }
        let late = self == PaymentStatus::Closed && incoming == PaymentStatus::Success;
        Some((incoming, late))
    }
}

/// The status of a refund.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

    /// "A status only moves forward", for refunds: the status after news of `incoming` while
    /// `self` is known; `None` to keep `self`. Only a final status (SUCCESS, FAILED) moves a
    /// refund, and only once.
    pub fn advance(self, incoming: RefundStatus) -> Option<RefundStatus> {
        (incoming.is_final() && !self.is_final()).then_some(incoming)
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
    fn payments_only_move_forward() {
        use PaymentStatus::*;
        assert_eq!(Init.advance(Processing), Some((Processing, false)));
        assert_eq!(Processing.advance(Success), Some((Success, false)));
        assert_eq!(Processing.advance(Closed), Some((Closed, false)));
        assert_eq!(Processing.advance(Failed), Some((Failed, false)));
        assert_eq!(Failed.advance(Closed), Some((Closed, false)));
        assert_eq!(Processing.advance(Processing), None);
        assert_eq!(Failed.advance(Processing), None);
        assert_eq!(Success.advance(Closed), None);
        assert_eq!(Success.advance(Failed), None);
        assert_eq!(Closed.advance(Processing), None);
        assert_eq!(Closed.advance(Failed), None);
        assert_eq!(Processing.advance(AuthSuccess), None);
        // Whatever order news of a paid order arrives in, it ends SUCCESS.
        for first in PaymentStatus::ALL {
            let end = first.advance(Success).map_or(first, |(s, _)| s);
            assert_eq!(end, Success, "{first:?}");
        }
    }

    #[test]
    fn success_after_closed_is_late() {
        use PaymentStatus::*;
        assert_eq!(Closed.advance(Success), Some((Success, true)));
        assert_eq!(Failed.advance(Success), Some((Success, false)));
        assert_eq!(Cancel.advance(Success), Some((Success, false)));
    }

    #[test]
    fn refunds_end_once() {
        use RefundStatus as R;
        assert_eq!(R::Processing.advance(R::Success), Some(R::Success));
        assert_eq!(R::AcceptSuccess.advance(R::Failed), Some(R::Failed));
        assert_eq!(R::Processing.advance(R::AcceptSuccess), None);
        assert_eq!(R::Success.advance(R::Failed), None);
        assert_eq!(R::Failed.advance(R::Success), None);
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
