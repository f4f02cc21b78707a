//! What `pendingPayments()` and `history()` return: journal entries as the app sees them.

use pingpong_protocol::contract::{PaymentView, RefundView};
use pingpong_protocol::{PaymentStatus, RefundStatus};
use serde::Serialize;
use tsify::Tsify;

use crate::core::journal::{EntryState, PaymentEntry, RefundEntry};

/// A journaled payment that a reload must resume.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
#[tsify(missing_as_null)]
pub struct PendingPayment {
    /// The order number.
    pub merchant_transaction_id: String,
    /// `SENDING` (create not answered yet), `UNKNOWN` (sent, outcome unknown) or the last
    /// status.
    pub state: EntryState<PaymentStatus>,
    /// The amount asked for.
    pub amount: String,
    /// Its currency.
    pub currency: String,
    /// The wallet asked for.
    #[tsify(type = "Method")]
    pub method: String,
    /// When it was journaled (register clock, ms).
    pub created_at: u64,
    /// The last state the proxy reported, if any.
    #[tsify(type = "Payment | null")]
    pub payment: Option<PaymentView>,
    /// Its refunds still open.
    pub pending_refunds: Vec<String>,
}

/// A journaled payment with its refunds, as `history()` lists it.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
#[tsify(missing_as_null)]
pub struct HistoryEntry {
    /// The order number.
    pub merchant_transaction_id: String,
    /// `SENDING` (create not answered yet), `UNKNOWN` (sent, outcome unknown) or the last
    /// status.
    pub state: EntryState<PaymentStatus>,
    /// The amount asked for.
    pub amount: String,
    /// Its currency.
    pub currency: String,
    /// The wallet asked for.
    #[tsify(type = "Method")]
    pub method: String,
    /// When it was journaled (register clock, ms).
    pub created_at: u64,
    /// The last state the proxy reported, if any.
    #[tsify(type = "Payment | null")]
    pub payment: Option<PaymentView>,
    /// What can still be refunded now (the local ledger: paid less every refund that holds
    /// the balance, capped by the proxy's last figure), in the payment's currency; `"0.00"`
    /// unless SUCCESS; `null` when unreadable.
    pub refundable_amount: Option<String>,
    /// Its refunds, oldest first.
    pub refunds: Vec<HistoryRefund>,
}

/// A journaled refund, as `history()` lists it.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
#[tsify(missing_as_null)]
pub struct HistoryRefund {
    /// The refund number.
    pub merchant_refund_id: String,
    /// `SENDING`, `UNKNOWN` or the last status the proxy reported.
    pub state: EntryState<RefundStatus>,
    /// The amount asked for.
    pub amount: String,
    /// When it was journaled (register clock, ms).
    pub created_at: u64,
    /// The last state the proxy reported, if any.
    #[tsify(type = "Refund | null")]
    pub refund: Option<RefundView>,
}

impl PendingPayment {
    /// What `pendingPayments()` shows of `e`.
    pub fn of(e: PaymentEntry) -> PendingPayment {
        PendingPayment {
            state: e.state(),
            pending_refunds: e
                .refunds
                .iter()
                .filter(|r| r.is_pending())
                .map(|r| r.merchant_refund_id.clone())
                .collect(),
            merchant_transaction_id: e.merchant_transaction_id,
            amount: e.request.amount,
            currency: e.request.currency,
            method: e.request.method,
            created_at: e.created_at,
            payment: e.payment,
        }
    }
}

impl HistoryEntry {
    /// What `history()` shows of `e`, which can still refund `refundable`.
    pub fn of(e: PaymentEntry, refundable: Option<String>) -> HistoryEntry {
        HistoryEntry {
            state: e.state(),
            merchant_transaction_id: e.merchant_transaction_id,
            amount: e.request.amount,
            currency: e.request.currency,
            method: e.request.method,
            created_at: e.created_at,
            payment: e.payment,
            refundable_amount: refundable,
            refunds: e.refunds.into_iter().map(HistoryRefund::of).collect(),
        }
    }
}

impl HistoryRefund {
    fn of(r: RefundEntry) -> HistoryRefund {
        HistoryRefund {
            state: r.state(),
            merchant_refund_id: r.merchant_refund_id,
            amount: r.request.amount,
            created_at: r.created_at,
            refund: r.refund,
        }
    }
}
