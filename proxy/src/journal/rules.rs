//! The journal's rules as pure functions, so every backend applies the same ones inside its
//! own transaction: how news changes an order or a refund, and when a new refund is refused.

use pingpong_protocol::PaymentStatus;

use super::model::{OrderRow, PaymentUpdate, RefundRefusal, RefundRow, RefundTotals, RefundUpdate};

/// The order after `update` (statuses only move forward: [`PaymentStatus::advance`]) and
/// whether its status changed; `None` when nothing changes.
pub(crate) fn merge_payment(
    old: &OrderRow,
    update: &PaymentUpdate,
    now: u64,
) -> Option<(OrderRow, bool)> {
    let mut new = old.clone();
    let mut status_changed = false;
    if let Some((status, late)) = update
        .status
        .and_then(|incoming| old.status.advance(incoming))
    {
        new.status = status;
        new.late_success |= late;
        status_changed = true;
        // The result text belongs to the status it explains.
        new.result_code = update.result_code.clone().or(old.result_code.clone());
        new.result_description = update
            .result_description
            .clone()
            .or(old.result_description.clone());
    }
    if let Some(state) = update.create_state {
        new.create_state = old.create_state.merge(state);
    }
    let keep = |field: &Option<String>, incoming: &Option<String>| {
        incoming.clone().or_else(|| field.clone())
    };
    new.transaction_id = keep(&old.transaction_id, &update.transaction_id);
    if !old.status.is_final() {
        new.qr_code = keep(&old.qr_code, &update.qr_code);
        new.qr_url = keep(&old.qr_url, &update.qr_url);
        new.qr_code_expired_at = update.qr_code_expired_at.or(old.qr_code_expired_at);
    }
    if new == *old {
        return None;
    }
    if status_changed {
        new.updated_at = now;
    }
    Some((new, status_changed))
}

/// The refund after `update` (SUCCESS and FAILED are final:
/// [`RefundStatus::advance`](pingpong_protocol::RefundStatus::advance)) and whether its
/// status changed; `None` when nothing changes.
pub(crate) fn merge_refund(
    old: &RefundRow,
    update: &RefundUpdate,
    now: u64,
) -> Option<(RefundRow, bool)> {
    let mut new = old.clone();
    let mut status_changed = false;
    if let Some(status) = update.status.and_then(|s| old.status.advance(s)) {
        new.status = status;
        new.updated_at = now;
        status_changed = true;
        new.result_code = update.result_code.clone().or(old.result_code.clone());
        new.result_description = update
            .result_description
            .clone()
            .or(old.result_description.clone());
    }
    if let Some(state) = update.create_state {
        new.create_state = old.create_state.merge(state);
    }
    new.refund_id = update.refund_id.clone().or(old.refund_id.clone());
    (new != *old).then_some((new, status_changed))
}

/// Whether a refund of `amount` minor units may be journaled: the payment is SUCCESS, no
/// other refund of it is in flight (`in_flight`), and the amount fits what remains
/// (amount − SUCCESS − PROCESSING and unknown refunds).
pub(crate) fn check_refund(
    order: &OrderRow,
    totals: RefundTotals,
    in_flight: Option<String>,
    amount: u64,
) -> Result<(), RefundRefusal> {
    if order.status != PaymentStatus::Success {
        return Err(RefundRefusal::NotRefundable(order.status));
    }
    if let Some(id) = in_flight {
        return Err(RefundRefusal::InProgress(id));
    }
    let remaining = order.amount_minor.saturating_sub(totals.held);
    if amount > remaining {
        return Err(RefundRefusal::ExceedsBalance { remaining });
    }
    Ok(())
}
