//! Journal rows as the register sees them: [`PaymentView`] and [`RefundView`].

use pingpong_protocol::contract::{PaymentView, RefundView};
use pingpong_protocol::{Money, PaymentStatus};

use crate::journal::{OrderRow, RefundRow, RefundTotals};

/// The payment as the contract shows it at `now` (ms). The QR is shown only while the
/// order is open; the refundable amount is zero unless the payment is SUCCESS.
pub(crate) fn payment_view(order: &OrderRow, totals: RefundTotals, now: u64) -> PaymentView {
    let money = |minor: u64| Money::from_minor(minor, order.currency).to_decimal();
    let open = matches!(
        order.status,
        PaymentStatus::Init | PaymentStatus::Processing
    );
    let refundable = if order.status == PaymentStatus::Success {
        order.amount_minor.saturating_sub(totals.held)
    } else {
        0
    };
    PaymentView {
        merchant_transaction_id: order.merchant_transaction_id.clone(),
        transaction_id: order.transaction_id.clone(),
        status: order.status,
        amount: money(order.amount_minor),
        currency: order.currency.code().to_owned(),
        method: order.method,
        qr_code: order.qr_code.clone().filter(|_| open),
        qr_url: order.qr_url.clone().filter(|_| open),
        qr_code_expired_at: order.qr_code_expired_at.filter(|_| open),
        refunded_amount: money(totals.refunded),
        refundable_amount: money(refundable),
        result_code: order.result_code.clone(),
        result_description: order.result_description.clone(),
        late_success: order.late_success,
        remark: order.remark.clone(),
        created_at: order.created_at,
        updated_at: order.updated_at,
        server_time: now,
    }
}

/// The refund as the contract shows it at `now` (ms).
pub(crate) fn refund_view(refund: &RefundRow, now: u64) -> RefundView {
    RefundView {
        merchant_transaction_id: refund.merchant_transaction_id.clone(),
        merchant_refund_id: refund.merchant_refund_id.clone(),
        refund_id: refund.refund_id.clone(),
        status: refund.status,
        amount: Money::from_minor(refund.amount_minor, refund.currency).to_decimal(),
        currency: refund.currency.code().to_owned(),
        result_code: refund.result_code.clone(),
        result_description: refund.result_description.clone(),
        created_at: refund.created_at,
        updated_at: refund.updated_at,
        server_time: now,
    }
}
