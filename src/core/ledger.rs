//! The refund ledger: what a payment can still refund, checked before any refund request,
//! counting refunds whose outcome is unknown as taken (they may have happened).

use pingpong_protocol::contract::CreateRefundRequest;
use pingpong_protocol::{Currency, ErrorCode, Money, PaymentStatus, RefundStatus};

use crate::core::error::Error;
use crate::core::journal::PaymentEntry;

fn wire_money(text: &str, currency: Currency) -> Result<Money, Error> {
    if let Ok(m) = Money::parse_wire(text, currency) {
        return Ok(m);
    }
    // Zero is a valid balance but not a valid amount to parse.
    if text.bytes().all(|b| b == b'0' || b == b'.') && !text.is_empty() {
        return Ok(Money::from_minor(0, currency));
    }
    Err(Error::new(
        ErrorCode::InvalidResponse,
        "the proxy reported an amount that is not a decimal",
    ))
}

/// The payment's currency, as journaled.
pub fn currency(entry: &PaymentEntry) -> Result<Currency, Error> {
    let code = entry
        .payment
        .as_ref()
        .map_or(entry.request.currency.as_str(), |p| p.currency.as_str());
    Currency::from_code(code).map_err(|_| {
        Error::new(
            ErrorCode::InvalidResponse,
            "the payment's currency is unknown",
        )
    })
}

/// What may still be refunded: the paid amount less every journaled refund that holds the
/// balance (SUCCESS, PROCESSING, or unanswered), and never more than the proxy's last
/// `refundableAmount` (which also counts refunds made elsewhere).
pub fn refundable(entry: &PaymentEntry) -> Result<Money, Error> {
    let currency = currency(entry)?;
    let Some(view) = entry
        .payment
        .as_ref()
        .filter(|p| p.status == PaymentStatus::Success)
    else {
        return Ok(Money::from_minor(0, currency));
    };
    let paid = wire_money(&view.amount, currency)?;
    let mut held = 0u64;
    for r in &entry.refunds {
        let holds = r.refund.as_ref().is_none_or(|v| v.status.holds_balance());
        if holds {
            let amount = match &r.refund {
                Some(v) => wire_money(&v.amount, currency)?,
                None => wire_money(&r.request.amount, currency)?,
            };
            held = held.saturating_add(amount.minor());
        }
    }
    let local = paid.minor().saturating_sub(held);
    let proxy = wire_money(&view.refundable_amount, currency)?.minor();
    Ok(Money::from_minor(local.min(proxy), currency))
}

/// Checks a refund request against the journal before anything is sent: the amount's format
/// (`INVALID_AMOUNT`, `INVALID_ID`, `INVALID_REMARK`), that the payment is SUCCESS
/// (`PAYMENT_NOT_REFUNDABLE`), that no other refund of it is still open (`REFUND_IN_PROGRESS`),
/// and the balance (`REFUND_EXCEEDS_BALANCE`).
pub fn check_refund(entry: &PaymentEntry, request: &CreateRefundRequest) -> Result<Money, Error> {
    let currency = currency(entry)?;
    let amount = request.validate(currency).map_err(Error::from)?.amount;
    if entry.status() != Some(PaymentStatus::Success) {
        return Err(Error::new(
            ErrorCode::PaymentNotRefundable,
            "only a SUCCESS payment can be refunded",
        ));
    }
    let same_id = |id: &str| request.merchant_refund_id.as_deref() == Some(id);
    let open = entry.refunds.iter().any(|r| {
        !same_id(&r.merchant_refund_id)
            && r.refund.as_ref().is_none_or(|v| {
                matches!(
                    v.status,
                    RefundStatus::Processing | RefundStatus::AcceptSuccess
                )
            })
    });
    if open {
        return Err(Error::new(
            ErrorCode::RefundInProgress,
            "another refund of this payment is still open: wait for it first",
        ));
    }
    let available = refundable(entry)?;
    if amount.minor() > available.minor() {
        let mut message = String::from("the refund exceeds what remains refundable (");
        message.push_str(&available.to_decimal());
        message.push(' ');
        message.push_str(currency.code());
        message.push(')');
        return Err(Error::new(ErrorCode::RefundExceedsBalance, message));
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::journal::tests::{refund_view, request, view};
    use crate::core::journal::{Phase, RefundEntry};

    fn paid() -> PaymentEntry {
        let mut e = PaymentEntry::new(request(), "PQ1".into(), 0);
        e.apply(view("PQ1", PaymentStatus::Success, 10), 10);
        e
    }

    fn req(amount: &str) -> CreateRefundRequest {
        CreateRefundRequest {
            amount: amount.into(),
            merchant_refund_id: Some("RFnew".into()),
            remark: None,
        }
    }

    fn code(e: &PaymentEntry, amount: &str) -> ErrorCode {
        check_refund(e, &req(amount)).unwrap_err().code
    }

    #[test]
    fn two_partial_refunds_then_an_over_refund_is_refused() {
        let mut e = paid();
        assert_eq!(check_refund(&e, &req("3.00")).unwrap().minor(), 300);
        e.apply_refund(refund_view("RF1", "3.00", RefundStatus::Success, 20), 20);
        assert_eq!(check_refund(&e, &req("2.00")).unwrap().minor(), 200);
        e.apply_refund(refund_view("RF2", "2.00", RefundStatus::Success, 30), 30);
        assert_eq!(refundable(&e).unwrap().minor(), 500);
        assert_eq!(code(&e, "6.00"), ErrorCode::RefundExceedsBalance);
        assert!(check_refund(&e, &req("5.00")).is_ok());
        let msg = check_refund(&e, &req("5.01")).unwrap_err().message;
        assert!(msg.contains("5.00 USD"), "{msg}");
    }

    #[test]
    fn unanswered_and_processing_refunds_hold_the_balance_failed_ones_do_not() {
        let mut e = paid();
        let mut unknown = RefundEntry::new(req("4.00"), "RF1".into(), 20);
        unknown.phase = Phase::Unknown;
        e.refunds.push(unknown);
        assert_eq!(refundable(&e).unwrap().minor(), 600);
        assert_eq!(code(&e, "1.00"), ErrorCode::RefundInProgress);
        e.apply_refund(refund_view("RF1", "4.00", RefundStatus::Failed, 30), 30);
        assert_eq!(refundable(&e).unwrap().minor(), 1000);
        assert!(check_refund(&e, &req("10.00")).is_ok());
    }

    #[test]
    fn answered_refunds_that_are_not_final_hold_the_balance() {
        // The proxy's last figure (10.00) has not caught up: the local ledger alone must hold
        // what a PROCESSING or ACCEPT_SUCCESS refund may still take.
        let mut e = paid();
        e.apply_refund(refund_view("RF1", "4.00", RefundStatus::Processing, 20), 20);
        assert_eq!(e.payment.as_ref().unwrap().refundable_amount, "10.00");
        assert_eq!(refundable(&e).unwrap().minor(), 600);
        e.apply_refund(
            refund_view("RF2", "1.50", RefundStatus::AcceptSuccess, 25),
            25,
        );
        assert_eq!(refundable(&e).unwrap().minor(), 450);
        e.refunds.retain(|r| r.merchant_refund_id != "RF2");
        assert_eq!(refundable(&e).unwrap().minor(), 600);
        // Its own id is a retry, not another refund in progress: only the balance decides.
        let mut over = req("6.01");
        over.merchant_refund_id = Some("RF1".into());
        assert_eq!(
            check_refund(&e, &over).unwrap_err().code,
            ErrorCode::RefundExceedsBalance
        );
        e.apply_refund(refund_view("RF1", "4.00", RefundStatus::Success, 30), 30);
        assert_eq!(refundable(&e).unwrap().minor(), 600);
        e.apply_refund(refund_view("RF3", "6.00", RefundStatus::Failed, 40), 40);
        assert_eq!(refundable(&e).unwrap().minor(), 600);
    }

    #[test]
    fn the_proxys_balance_caps_the_local_one() {
        let mut e = paid();
        // Another register refunded 7.00: the proxy says 3.00 remain.
        e.payment.as_mut().unwrap().refundable_amount = "3.000000".into();
        assert_eq!(refundable(&e).unwrap().minor(), 300);
        assert_eq!(code(&e, "3.01"), ErrorCode::RefundExceedsBalance);
        e.payment.as_mut().unwrap().refundable_amount = "0.00".into();
        assert_eq!(code(&e, "0.01"), ErrorCode::RefundExceedsBalance);
    }

    #[test]
    fn bad_amounts_and_unpaid_payments_are_refused_first() {
        let e = paid();
        assert_eq!(code(&e, "1.001"), ErrorCode::InvalidAmount);
        assert_eq!(code(&e, "-1"), ErrorCode::InvalidAmount);
        assert_eq!(code(&e, "0"), ErrorCode::InvalidAmount);
        let mut bad_id = req("1.00");
        bad_id.merchant_refund_id = Some("a b".into());
        assert_eq!(
            check_refund(&e, &bad_id).unwrap_err().code,
            ErrorCode::InvalidId
        );
        let mut open = PaymentEntry::new(request(), "PQ1".into(), 0);
        open.apply(view("PQ1", PaymentStatus::Processing, 10), 10);
        assert_eq!(code(&open, "1.00"), ErrorCode::PaymentNotRefundable);
    }

    #[test]
    fn retrying_the_same_refund_id_is_not_in_progress() {
        let mut e = paid();
        let mut r = RefundEntry::new(req("4.00"), "RFnew".into(), 20);
        r.phase = Phase::Unknown;
        e.refunds.push(r);
        // The same id is a retry, not a second refund in progress.
        assert!(check_refund(&e, &req("4.00")).is_ok());
        assert_eq!(code(&e, "6.01"), ErrorCode::RefundExceedsBalance);
    }
}
