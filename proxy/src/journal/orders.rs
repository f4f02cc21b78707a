//! Orders and their attempts (one per `requestId`, with the exact bizContent that was or
//! will be sent, so a re-send is the same request).

use pingpong_protocol::contract::Method;
use pingpong_protocol::contract::events::PAYMENT;
use pingpong_protocol::{Currency, PaymentStatus};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::events::push_event;
use super::refunds::refund_totals;
use crate::views;

/// Where the create call of an order stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CreateState {
    /// Journaled; no trustworthy answer yet (not sent, or sent with an unknown outcome).
    /// The next GET or retried POST completes it with the same `requestId`.
    Pending,
    /// PingPong answered with a status: the order exists upstream.
    Accepted,
    /// PingPong refused the request (an answer without a status): no order upstream.
    Refused,
}

impl CreateState {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            CreateState::Pending => "pending",
            CreateState::Accepted => "accepted",
            CreateState::Refused => "refused",
        }
    }

    pub(super) fn parse(text: &str) -> CreateState {
        match text {
            "accepted" => CreateState::Accepted,
            "refused" => CreateState::Refused,
            _ => CreateState::Pending,
        }
    }

    /// The state after `incoming`: an acceptance is never undone.
    pub(crate) fn merge(self, incoming: CreateState) -> CreateState {
        if self == CreateState::Accepted {
            self
        } else {
            incoming
        }
    }
}

pub(super) fn parse_status(text: &str) -> rusqlite::Result<PaymentStatus> {
    PaymentStatus::parse(text).ok_or_else(|| bad_value("payment status", text))
}

pub(super) fn bad_value(what: &str, text: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidParameterName(format!("unreadable {what} in the journal: {text:?}"))
}

pub(super) fn currency(text: &str) -> rusqlite::Result<Currency> {
    Currency::from_code(text).map_err(|_| bad_value("currency", text))
}

/// An order as journaled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OrderRow {
    pub merchant_transaction_id: String,
    pub store_id: String,
    pub cashier_device_id: String,
    pub amount_minor: u64,
    pub currency: Currency,
    pub method: Method,
    pub expires_in_seconds: u32,
    pub remark: Option<String>,
    /// What the register asked for, to tell a retry from a conflicting re-use of the id.
    pub fingerprint: String,
    pub create_state: CreateState,
    pub status: PaymentStatus,
    pub transaction_id: Option<String>,
    pub qr_code: Option<String>,
    pub qr_url: Option<String>,
    pub qr_code_expired_at: Option<u64>,
    pub result_code: Option<String>,
    pub result_description: Option<String>,
    pub late_success: bool,
    pub created_at: u64,
    pub updated_at: u64,
}

const ORDER_COLUMNS: &str = "merchant_transaction_id, store_id, cashier_device_id, amount_minor, \
    currency, method, expires_in_seconds, remark, fingerprint, create_state, status, \
    transaction_id, qr_code, qr_url, qr_code_expired_at, result_code, result_description, \
    late_success, created_at, updated_at";

fn order_from_row(r: &Row<'_>) -> rusqlite::Result<OrderRow> {
    let method: String = r.get(5)?;
    Ok(OrderRow {
        merchant_transaction_id: r.get(0)?,
        store_id: r.get(1)?,
        cashier_device_id: r.get(2)?,
        amount_minor: r.get(3)?,
        currency: currency(&r.get::<_, String>(4)?)?,
        method: Method::parse(&method).ok_or_else(|| bad_value("method", &method))?,
        expires_in_seconds: r.get(6)?,
        remark: r.get(7)?,
        fingerprint: r.get(8)?,
        create_state: CreateState::parse(&r.get::<_, String>(9)?),
        status: parse_status(&r.get::<_, String>(10)?)?,
        transaction_id: r.get(11)?,
        qr_code: r.get(12)?,
        qr_url: r.get(13)?,
        qr_code_expired_at: r.get(14)?,
        result_code: r.get(15)?,
        result_description: r.get(16)?,
        late_success: r.get(17)?,
        created_at: r.get(18)?,
        updated_at: r.get(19)?,
    })
}

/// An order about to be sent for the first time.
#[derive(Clone, Debug)]
pub(crate) struct NewOrder {
    pub row: OrderRow,
    pub request_id: String,
    pub biz_content: String,
}

/// Journals `order` and its first attempt, unless the id exists: then the existing order.
pub(crate) fn insert_order(
    tx: &Transaction<'_>,
    order: &NewOrder,
) -> rusqlite::Result<Option<OrderRow>> {
    let o = &order.row;
    if let Some(existing) = load_order(tx, &o.merchant_transaction_id)? {
        return Ok(Some(existing));
    }
    tx.execute(
        &format!("INSERT INTO orders ({ORDER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"),
        params![
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
        ],
    )?;
    tx.execute(
        "INSERT INTO attempts (request_id, merchant_transaction_id, biz_content, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![order.request_id, o.merchant_transaction_id, order.biz_content, o.created_at],
    )?;
    Ok(None)
}

/// The order with this id.
pub(crate) fn load_order(conn: &Connection, mtid: &str) -> rusqlite::Result<Option<OrderRow>> {
    conn.prepare_cached(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE merchant_transaction_id = ?1"
    ))?
    .query_row([mtid], order_from_row)
    .optional()
}

/// The bizContent of the order's latest attempt (what a re-send must repeat).
pub(crate) fn latest_attempt(conn: &Connection, mtid: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT biz_content FROM attempts WHERE merchant_transaction_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT 1",
    )?
    .query_row([mtid], |r| r.get(0))
    .optional()
}

/// The `requestId` of every attempt of the order, oldest first.
pub(crate) fn request_ids(conn: &Connection, mtid: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT request_id FROM attempts WHERE merchant_transaction_id = ?1 ORDER BY created_at, rowid",
    )?
    .query_map([mtid], |r| r.get(0))?
    .collect()
}

/// What was learned about a payment; `None` fields leave the journal as it is.
#[derive(Clone, Debug, Default)]
pub(crate) struct PaymentUpdate {
    pub status: Option<PaymentStatus>,
    pub create_state: Option<CreateState>,
    pub transaction_id: Option<String>,
    pub qr_code: Option<String>,
    pub qr_url: Option<String>,
    pub qr_code_expired_at: Option<u64>,
    pub result_code: Option<String>,
    pub result_description: Option<String>,
}

/// Applies `update` to the order (statuses only move forward: [`PaymentStatus::advance`])
/// and, when the status changed, adds a `payment` event for the order's store.
/// `None` when the order is unknown.
pub(crate) fn apply_payment(
    tx: &Transaction<'_>,
    mtid: &str,
    update: &PaymentUpdate,
    now: u64,
) -> rusqlite::Result<Option<OrderRow>> {
    let Some(old) = load_order(tx, mtid)? else {
        return Ok(None);
    };
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
    if new == old {
        return Ok(Some(old));
    }
    if status_changed {
        new.updated_at = now;
    }
    tx.execute(
        "UPDATE orders SET create_state = ?2, status = ?3, transaction_id = ?4, qr_code = ?5, \
         qr_url = ?6, qr_code_expired_at = ?7, result_code = ?8, result_description = ?9, \
         late_success = ?10, updated_at = ?11 WHERE merchant_transaction_id = ?1",
        params![
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
        ],
    )?;
    if status_changed {
        let totals = refund_totals(tx, mtid)?;
        let view = views::payment_view(&new, totals, now);
        let data = serde_json::to_string(&view).expect("views serialise");
        push_event(tx, &new.store_id, PAYMENT, mtid, None, &data, now)?;
    }
    Ok(Some(new))
}
