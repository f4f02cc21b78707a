//! Refunds, keyed by merchant, and the balance rules checked in the same transaction that
//! journals a new one.

use pingpong_protocol::RefundStatus;
use pingpong_protocol::contract::events::REFUND;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::events::push_event;
use super::orders::{bad_value, currency, load_order};
use crate::journal::model::{CreateState, RefundRefusal, RefundRow, RefundTotals, RefundUpdate};
use crate::journal::rules::{check_refund, merge_refund};
use crate::views;

const REFUND_COLUMNS: &str = "merchant_id, merchant_refund_id, merchant_transaction_id, \
    cashier_device_id, amount_minor, currency, remark, fingerprint, biz_content, create_state, \
    status, refund_id, result_code, result_description, created_at, updated_at";

fn refund_from_row(r: &Row<'_>) -> rusqlite::Result<RefundRow> {
    let state: String = r.get(9)?;
    let status: String = r.get(10)?;
    Ok(RefundRow {
        merchant_id: r.get(0)?,
        merchant_refund_id: r.get(1)?,
        merchant_transaction_id: r.get(2)?,
        cashier_device_id: r.get(3)?,
        amount_minor: r.get(4)?,
        currency: currency(&r.get::<_, String>(5)?)?,
        remark: r.get(6)?,
        fingerprint: r.get(7)?,
        biz_content: r.get(8)?,
        create_state: CreateState::parse(&state),
        status: RefundStatus::parse(&status).ok_or_else(|| bad_value("refund status", &status))?,
        refund_id: r.get(11)?,
        result_code: r.get(12)?,
        result_description: r.get(13)?,
        created_at: r.get(14)?,
        updated_at: r.get(15)?,
    })
}

/// The merchant's refund with this id (of any of its orders).
pub(super) fn load_refund(
    conn: &Connection,
    merchant: &str,
    mrid: &str,
) -> rusqlite::Result<Option<RefundRow>> {
    conn.prepare_cached(&format!(
        "SELECT {REFUND_COLUMNS} FROM refunds WHERE merchant_id = ?1 AND merchant_refund_id = ?2"
    ))?
    .query_row([merchant, mrid], refund_from_row)
    .optional()
}

/// The order's refund sums.
pub(super) fn refund_totals(
    conn: &Connection,
    merchant: &str,
    mtid: &str,
) -> rusqlite::Result<RefundTotals> {
    conn.prepare_cached(
        "SELECT COALESCE(SUM(CASE WHEN status = 'SUCCESS' THEN amount_minor END), 0), \
                COALESCE(SUM(CASE WHEN status != 'FAILED' THEN amount_minor END), 0) \
         FROM refunds WHERE merchant_id = ?1 AND merchant_transaction_id = ?2",
    )?
    .query_row([merchant, mtid], |r| {
        Ok(RefundTotals {
            refunded: r.get(0)?,
            held: r.get(1)?,
        })
    })
}

/// Checks the refund against its order ([`check_refund`]) and journals it, in one
/// transaction.
pub(super) fn insert_refund(
    tx: &Transaction<'_>,
    r: &RefundRow,
) -> rusqlite::Result<Result<RefundRow, RefundRefusal>> {
    let merchant = r.merchant_id.as_str();
    let Some(order) = load_order(tx, merchant, &r.merchant_transaction_id)? else {
        return Ok(Err(RefundRefusal::NoOrder));
    };
    if load_refund(tx, merchant, &r.merchant_refund_id)?.is_some() {
        return Ok(Err(RefundRefusal::IdTaken));
    }
    let in_flight: Option<String> = tx
        .prepare_cached(
            "SELECT merchant_refund_id FROM refunds WHERE merchant_id = ?1 \
             AND merchant_transaction_id = ?2 AND status IN ('PROCESSING', 'ACCEPT_SUCCESS') \
             ORDER BY created_at LIMIT 1",
        )?
        .query_row([merchant, &r.merchant_transaction_id], |row| row.get(0))
        .optional()?;
    let totals = refund_totals(tx, merchant, &r.merchant_transaction_id)?;
    if let Err(refusal) = check_refund(&order, totals, in_flight, r.amount_minor) {
        return Ok(Err(refusal));
    }
    tx.prepare_cached(&format!(
        "INSERT INTO refunds ({REFUND_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
         ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    ))?
    .execute(params![
        r.merchant_id,
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
    ])?;
    Ok(Ok(r.clone()))
}

/// Applies `update` and, when the status changed, adds a `refund` event for the order's
/// store. `None` when the refund is unknown.
pub(super) fn apply_refund(
    tx: &Transaction<'_>,
    merchant: &str,
    mrid: &str,
    update: &RefundUpdate,
    now: u64,
) -> rusqlite::Result<Option<RefundRow>> {
    let Some(old) = load_refund(tx, merchant, mrid)? else {
        return Ok(None);
    };
    let Some((new, status_changed)) = merge_refund(&old, update, now) else {
        return Ok(Some(old));
    };
    tx.prepare_cached(
        "UPDATE refunds SET create_state = ?3, status = ?4, refund_id = ?5, result_code = ?6, \
         result_description = ?7, updated_at = ?8 WHERE merchant_id = ?1 AND merchant_refund_id = ?2",
    )?
    .execute(params![
        merchant,
        mrid,
        new.create_state.as_str(),
        new.status.as_str(),
        new.refund_id,
        new.result_code,
        new.result_description,
        new.updated_at,
    ])?;
    if status_changed {
        let store: String = tx
            .prepare_cached(
                "SELECT store_id FROM orders WHERE merchant_id = ?1 AND merchant_transaction_id = ?2",
            )?
            .query_row([merchant, &new.merchant_transaction_id], |r| r.get(0))?;
        let data = serde_json::to_string(&views::refund_view(&new, now)).expect("views serialise");
        push_event(
            tx,
            merchant,
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
