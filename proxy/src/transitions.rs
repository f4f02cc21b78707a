//! Which status wins when news arrives from the create answer, a query or a notification,
//! in any order. Final statuses never move, except CLOSED → SUCCESS, which is kept and
//! flagged as a late success (the money was taken after the QR was reported closed).

use pingpong_protocol::{PaymentStatus, RefundStatus};

/// How far along a payment is: news may only move a payment forward.
fn payment_rank(s: PaymentStatus) -> u8 {
    match s {
        PaymentStatus::Init => 0,
        PaymentStatus::Processing | PaymentStatus::AuthSuccess => 1,
        PaymentStatus::Failed => 2,
        PaymentStatus::Closed | PaymentStatus::Cancel => 3,
        PaymentStatus::Success => 4,
    }
}

/// The status after `incoming` is learned while the journal holds `current`, and whether it
/// is a late success. `None`: keep `current` (stale or equal news).
///
/// The proxy never re-attempts a FAILED order (a register starts a new order instead), so a
/// PROCESSING after FAILED is stale news.
pub(crate) fn next_payment_status(
    current: PaymentStatus,
    incoming: PaymentStatus,
) -> Option<(PaymentStatus, bool)> {
    if payment_rank(incoming) <= payment_rank(current) {
        return None;
    }
    let late = current == PaymentStatus::Closed && incoming == PaymentStatus::Success;
    Some((incoming, late))
}

/// The refund status after `incoming` is learned while the journal holds `current`.
/// `None`: keep `current`. SUCCESS and FAILED are final.
pub(crate) fn next_refund_status(
    current: RefundStatus,
    incoming: RefundStatus,
) -> Option<RefundStatus> {
    let rank = |s: RefundStatus| u8::from(s.is_final());
    (rank(incoming) > rank(current)).then_some(incoming)
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentStatus::*;

    #[test]
    fn payments_only_move_forward() {
        assert_eq!(
            next_payment_status(Init, Processing),
            Some((Processing, false))
        );
        assert_eq!(
            next_payment_status(Processing, Success),
            Some((Success, false))
        );
        assert_eq!(
            next_payment_status(Processing, Closed),
            Some((Closed, false))
        );
        assert_eq!(
            next_payment_status(Processing, Failed),
            Some((Failed, false))
        );
        assert_eq!(next_payment_status(Failed, Closed), Some((Closed, false)));
        assert_eq!(next_payment_status(Processing, Processing), None);
        assert_eq!(next_payment_status(Failed, Processing), None);
        assert_eq!(next_payment_status(Success, Closed), None);
        assert_eq!(next_payment_status(Success, Failed), None);
        assert_eq!(next_payment_status(Closed, Processing), None);
        assert_eq!(next_payment_status(Closed, Failed), None);
    }

    #[test]
    fn success_after_closed_is_late() {
        assert_eq!(next_payment_status(Closed, Success), Some((Success, true)));
        assert_eq!(next_payment_status(Failed, Success), Some((Success, false)));
    }

    #[test]
    fn refunds_end_once() {
        use RefundStatus as R;
        assert_eq!(
            next_refund_status(R::Processing, R::Success),
            Some(R::Success)
        );
        assert_eq!(
            next_refund_status(R::AcceptSuccess, R::Failed),
            Some(R::Failed)
        );
        assert_eq!(next_refund_status(R::Processing, R::AcceptSuccess), None);
        assert_eq!(next_refund_status(R::Success, R::Failed), None);
        assert_eq!(next_refund_status(R::Failed, R::Success), None);
    }
}
