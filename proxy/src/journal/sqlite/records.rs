//! The audit trail: upstream exchanges and received notifications, both stored without
//! their `sign` field (a whole signature is never kept) and never with the salt.

use rusqlite::{Connection, Transaction, params};

use super::orders::apply_payment;
use super::refunds::{apply_refund, load_refund};
use crate::journal::model::{Exchange, NewNotification, NotificationEffect};

/// Journals an exchange.
pub(super) fn insert_exchange(conn: &Connection, e: &Exchange) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO exchanges (merchant_id, at, api, merchant_transaction_id, request, \
         http_status, response, outcome, duration_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        e.merchant_id,
        e.at,
        e.api,
        e.merchant_transaction_id,
        e.request,
        e.http_status,
        e.response,
        e.outcome,
        e.duration_ms
    ])?;
    Ok(())
}

/// Journals a notification and, when it is fresh, applies its effect. `false` when the
/// same news was already held (its delivery count goes up instead).
pub(super) fn insert_notification(
    tx: &Transaction<'_>,
    n: &NewNotification,
    effect: &NotificationEffect,
) -> rusqlite::Result<bool> {
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO notifications (merchant_id, received_at, dedup_key, \
             notify_type, merchant_transaction_id, merchant_refund_id, status, envelope) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            n.merchant_id,
            n.received_at,
            n.dedup_key,
            n.notify_type,
            n.merchant_transaction_id,
            n.merchant_refund_id,
            n.status,
            n.envelope
        ])?;
    if inserted == 0 {
        tx.prepare_cached(
            "UPDATE notifications SET deliveries = deliveries + 1 \
             WHERE merchant_id = ?1 AND dedup_key = ?2",
        )?
        .execute([&n.merchant_id, &n.dedup_key])?;
        return Ok(false);
    }
    let merchant = n.merchant_id.as_str();
    match effect {
        NotificationEffect::Payment { mtid, update } => {
            apply_payment(tx, merchant, mtid, update, n.received_at)?;
        }
        NotificationEffect::Refund { mtid, mrid, update } => {
            // Only a refund of the order the notification names.
            if load_refund(tx, merchant, mrid)?.is_some_and(|r| &r.merchant_transaction_id == mtid)
            {
                apply_refund(tx, merchant, mrid, update, n.received_at)?;
            }
        }
        NotificationEffect::Nothing => {}
    }
    Ok(true)
}
