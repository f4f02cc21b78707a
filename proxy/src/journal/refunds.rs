//! Refunds, and the balance rules checked in the same transaction that journals a new one.

use pingpong_protocol::contract::events::REFUND;
use pingpong_protocol::{Currency, PaymentStatus, RefundStatus};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::events::push_event;
use super::orders::{CreateState, bad_value, currency, load_order};
use crate::views;

/// A refund as journaled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RefundRow {
    pub merchant_refund_id: String,
    pub merchant_transaction_id: String,
    pub cashier_device_id: String,
    pub amount_minor: u64,
    pub currency: Currency,
    pub remark: Option<String>,
    pub fingerprint: String,
    /// The exact bizContent of the refund request (a re-send repeats it).
    pub biz_content: String,
    pub create_state: CreateState,
    pub status: RefundStatus,
    pub refund_id: Option<String>,
    pub result_code: Option<String>,
    pub result_description: Option<String>,
    pub created_at: u64,
    pub updated_at: u64,
}

const REFUND_COLUMNS: &str = "merchant_refund_id, merchant_transaction_id, cashier_device_id, \
    amount_minor, currency, remark, fingerprint, biz_content, create_state, status, refund_id, \
    result_code, result_description, created_at, updated_at";

fn refund_from_row(r: &Row<'_>) -> rusqlite::Result<RefundRow> {
    let status: String = r.get(9)?;
    let state: String = r.get(8)?;
    Ok(RefundRow {
        merchant_refund_id: r.get(0)?,
        merchant_transaction_id: r.get(1)?,
        cashier_device_id: r.get(2)?,
        amount_minor: r.get(3)?,
        currency: currency(&r.get::<_, String>(4)?)?,
        remark: r.get(5)?,
        fingerprint: r.get(6)?,
        biz_content: r.get(7)?,
        create_state: CreateState::parse(&state),
        status: RefundStatus::parse(&status).ok_or_else(|| bad_value("refund status", &status))?,
        refund_id: r.get(10)?,
        result_code: r.get(11)?,
        result_description: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
    })
}

/// The refund with this id (of any order).
pub(crate) fn load_refund(conn: &Connection, mrid: &str) -> rusqlite::Result<Option<RefundRow>> {
    conn.prepare_cached(&format!(
        "SELECT {REFUND_COLUMNS} FROM refunds WHERE merchant_refund_id = ?1"
    ))?
    .query_row([mrid], refund_from_row)
    .optional()
}

/// Sums of an order's refunds, in minor units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RefundTotals {
    /// SUCCESS refunds.
    pub refunded: u64,
    /// Every refund that holds balance: all but FAILED (PROCESSING and unknown ones included).
    pub held: u64,
}

/// The order's refund sums.
pub(crate) fn refund_totals(conn: &Connection, mtid: &str) -> rusqlite::Result<RefundTotals> {
    conn.prepare_cached(
        "SELECT COALESCE(SUM(CASE WHEN status = 'SUCCESS' THEN amount_minor END), 0), \
                COALESCE(SUM(CASE WHEN status != 'FAILED' THEN amount_minor END), 0) \
         FROM refunds WHERE merchant_transaction_id = ?1",
    )?
    .query_row([mtid], |r| {
        Ok(RefundTotals {
            refunded: r.get(0)?,
            held: r.get(1)?,
        })
    })
}

/// Why a refund was refused before anything was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RefundRefusal {
    /// The order is unknown.
    NoOrder,
    /// The payment is not SUCCESS.
    NotRefundable(PaymentStatus),
    /// This refund of the order has not ended yet.
    InProgress(String),
    /// The amount is over what remains (minor units).
    ExceedsBalance {
        /// What may still be refunded.
        remaining: u64,
    },
    /// The refund id was taken meanwhile.
    IdTaken,
}

/// A refund about to be sent for the first time.
#[derive(Clone, Debug)]
pub(crate) struct NewRefundRow(pub RefundRow);

/// Checks the payment is SUCCESS, that no other refund of it is in flight and that the
/// amount fits the remaining balance (amount − SUCCESS − PROCESSING refunds), then journals
/// the refund as PROCESSING with its create pending — all in one transaction.
pub(crate) fn insert_refund(
    tx: &Transaction<'_>,
    refund: &NewRefundRow,
) -> rusqlite::Result<Result<RefundRow, RefundRefusal>> {
    let r = &refund.0;
    let Some(order) = load_order(tx, &r.merchant_transaction_id)? else {
        return Ok(Err(RefundRefusal::NoOrder));
    };
    if order.status != PaymentStatus::Success {
        return Ok(Err(RefundRefusal::NotRefundable(order.status)));
    }
    if load_refund(tx, &r.merchant_refund_id)?.is_some() {
        return Ok(Err(RefundRefusal::IdTaken));
    }
    let in_flight: Option<String> = tx
        .prepare_cached(
            "SELECT merchant_refund_id FROM refunds WHERE merchant_transaction_id = ?1 \
             AND status IN ('PROCESSING', 'ACCEPT_SUCCESS') ORDER BY created_at LIMIT 1",
        )?
        .query_row([&r.merchant_transaction_id], |row| row.get(0))
        .optional()?;
    if let Some(id) = in_flight {
        return Ok(Err(RefundRefusal::InProgress(id)));
    }
    let totals = refund_totals(tx, &r.merchant_transaction_id)?;
    let remaining = order.amount_minor.saturating_sub(totals.held);
    if r.amount_minor > remaining {
        return Ok(Err(RefundRefusal::ExceedsBalance { remaining }));
    }
    tx.execute(
        &format!(
            "INSERT INTO refunds ({REFUND_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
        ),
        params![
            r.merchant_refund_id,
            r.merchant_transaction_id,
            r.cashier_device_id,
            r.amount_minor,
            r.currency.code(),
            r.remark,
            r.fingerprint,
            r.biz_content,
            r.create_state.as_str(),
            r.status.as_str(),
            r.refund_id,
            r.result_code,
            r.result_description,
            r.created_at,
            r.updated_at,
        ],
    )?;
    Ok(Ok(r.clone()))
}

/// What was learned about a refund; `None` fields leave the journal as it is.
#[derive(Clone, Debug, Default)]
pub(crate) struct RefundUpdate {
    pub status: Option<RefundStatus>,
    pub create_state: Option<CreateState>,
    pub refund_id: Option<String>,
    pub result_code: Option<String>,
    pub result_description: Option<String>,
}

/// Applies `update` (SUCCESS and FAILED are final) and, when the status changed, adds a
/// `refund` event for the order's store. `None` when the refund is unknown.
pub(crate) fn apply_refund(
    tx: &Transaction<'_>,
    mrid: &str,
    update: &RefundUpdate,
    now: u64,
) -> rusqlite::Result<Option<RefundRow>> {
    let Some(old) = load_refund(tx, mrid)? else {
        return Ok(None);
    };
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
    if new == old {
        return Ok(Some(old));
    }
    tx.execute(
        "UPDATE refunds SET create_state = ?2, status = ?3, refund_id = ?4, result_code = ?5, \
         result_description = ?6, updated_at = ?7 WHERE merchant_refund_id = ?1",
        params![
            mrid,
            new.create_state.as_str(),
            new.status.as_str(),
            new.refund_id,
            new.result_code,
            new.result_description,
            new.updated_at,
        ],
    )?;
    if status_changed {
        let store: String = tx
            .prepare_cached("SELECT store_id FROM orders WHERE merchant_transaction_id = ?1")?
            .query_row([&new.merchant_transaction_id], |r| r.get(0))?;
        let data = serde_json::to_string(&views::refund_view(&new, now)).expect("views serialise");
        push_event(
            tx,
            &store,
            REFUND,
            &new.merchant_transaction_id,
            Some(mrid),
            &data,
            now,
        )?;
    }
    Ok(Some(new))
}
