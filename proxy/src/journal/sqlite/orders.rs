//! Orders and their attempts (one per `requestId`, with the exact bizContent that was or
//! will be sent, so a re-send is the same request), keyed by merchant.

use pingpong_protocol::contract::Method;
use pingpong_protocol::contract::events::PAYMENT;
use pingpong_protocol::{Currency, PaymentStatus};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::events::push_event;
use super::refunds::refund_totals;
use crate::journal::model::{CreateState, NewOrder, OrderRow, PaymentUpdate};
use crate::journal::rules::merge_payment;
use crate::views;

pub(super) fn bad_value(what: &str, text: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidParameterName(format!("unreadable {what} in the journal: {text:?}"))
}

pub(super) fn currency(text: &str) -> rusqlite::Result<Currency> {
    Currency::from_code(text).map_err(|_| bad_value("currency", text))
}

const ORDER_COLUMNS: &str = "merchant_id, merchant_transaction_id, store_id, cashier_device_id, \
    amount_minor, currency, method, expires_in_seconds, remark, fingerprint, create_state, \
    status, transaction_id, qr_code, qr_url, qr_code_expired_at, result_code, \
    result_description, late_success, created_at, updated_at";

fn order_from_row(r: &Row<'_>) -> rusqlite::Result<OrderRow> {
    let method: String = r.get(6)?;
    let status: String = r.get(11)?;
    Ok(OrderRow {
        merchant_id: r.get(0)?,
        merchant_transaction_id: r.get(1)?,
        store_id: r.get(2)?,
        cashier_device_id: r.get(3)?,
        amount_minor: r.get(4)?,
        currency: currency(&r.get::<_, String>(5)?)?,
        method: Method::parse(&method).ok_or_else(|| bad_value("method", &method))?,
        expires_in_seconds: r.get(7)?,
        remark: r.get(8)?,
        fingerprint: r.get(9)?,
        create_state: CreateState::parse(&r.get::<_, String>(10)?),
        status: PaymentStatus::parse(&status)
            .ok_or_else(|| bad_value("payment status", &status))?,
        transaction_id: r.get(12)?,
        qr_code: r.get(13)?,
        qr_url: r.get(14)?,
        qr_code_expired_at: r.get(15)?,
        result_code: r.get(16)?,
        result_description: r.get(17)?,
        late_success: r.get(18)?,
        created_at: r.get(19)?,
        updated_at: r.get(20)?,
    })
}

/// Journals `order` and its first attempt, unless the merchant has the id: then that order.
pub(super) fn insert_order(
    tx: &Transaction<'_>,
    order: &NewOrder,
) -> rusqlite::Result<Option<OrderRow>> {
    let o = &order.row;
    if let Some(existing) = load_order(tx, &o.merchant_id, &o.merchant_transaction_id)? {
        return Ok(Some(existing));
    }
    tx.prepare_cached(&format!(
        "INSERT INTO orders ({ORDER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, \
         ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)"
    ))?
    .execute(params![
        o.merchant_id,
        o.merchant_transaction_id,
        o.store_id,
        o.cashier_device_id,
        o.amount_minor,
        o.currency.code(),
        o.method.as_str(),
        o.expires_in_seconds,
        o.remark,
        o.fingerprint,
        o.create_state.as_str(),
        o.status.as_str(),
        o.transaction_id,
        o.qr_code,
        o.qr_url,
        o.qr_code_expired_at,
        o.result_code,
        o.result_description,
        o.late_success,
        o.created_at,
        o.updated_at,
    ])?;
    tx.prepare_cached(
        "INSERT INTO attempts (merchant_id, request_id, merchant_transaction_id, biz_content, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        o.merchant_id,
        order.request_id,
        o.merchant_transaction_id,
        order.biz_content,
        o.created_at
    ])?;
    Ok(None)
}

/// The merchant's order with this id.
pub(super) fn load_order(
    conn: &Connection,
    merchant: &str,
    mtid: &str,
) -> rusqlite::Result<Option<OrderRow>> {
    conn.prepare_cached(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE merchant_id = ?1 AND merchant_transaction_id = ?2"
    ))?
    .query_row([merchant, mtid], order_from_row)
    .optional()
}

/// The bizContent of the order's latest attempt.
pub(super) fn latest_attempt(
    conn: &Connection,
    merchant: &str,
    mtid: &str,
) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT biz_content FROM attempts WHERE merchant_id = ?1 AND merchant_transaction_id = ?2 \
         ORDER BY created_at DESC, rowid DESC LIMIT 1",
    )?
    .query_row([merchant, mtid], |r| r.get(0))
    .optional()
}

/// The `requestId` of every attempt of the order, oldest first.
pub(super) fn request_ids(
    conn: &Connection,
    merchant: &str,
    mtid: &str,
) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT request_id FROM attempts WHERE merchant_id = ?1 AND merchant_transaction_id = ?2 \
         ORDER BY created_at, rowid",
    )?
    .query_map([merchant, mtid], |r| r.get(0))?
    .collect()
}

/// Applies `update` and, when the status changed, adds a `payment` event for the order's
/// store. `None` when the order is unknown.
pub(super) fn apply_payment(
    tx: &Transaction<'_>,
    merchant: &str,
    mtid: &str,
    update: &PaymentUpdate,
    now: u64,
) -> rusqlite::Result<Option<OrderRow>> {
    let Some(old) = load_order(tx, merchant, mtid)? else {
        return Ok(None);
    };
    let Some((new, status_changed)) = merge_payment(&old, update, now) else {
        return Ok(Some(old));
    };
    tx.prepare_cached(
        "UPDATE orders SET create_state = ?3, status = ?4, transaction_id = ?5, qr_code = ?6, \
         qr_url = ?7, qr_code_expired_at = ?8, result_code = ?9, result_description = ?10, \
         late_success = ?11, updated_at = ?12 WHERE merchant_id = ?1 AND merchant_transaction_id = ?2",
    )?
    .execute(params![
        merchant,
        mtid,
        new.create_state.as_str(),
        new.status.as_str(),
        new.transaction_id,
        new.qr_code,
        new.qr_url,
        new.qr_code_expired_at,
        new.result_code,
        new.result_description,
        new.late_success,
        new.updated_at,
    ])?;
    if status_changed {
        let totals = refund_totals(tx, merchant, mtid)?;
        let view = views::payment_view(&new, totals, now);
        let data = serde_json::to_string(&view).expect("views serialise");
        push_event(tx, merchant, &new.store_id, PAYMENT, mtid, None, &data, now)?;
    }
    Ok(Some(new))
}
