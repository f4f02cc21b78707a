//! The audit trail: upstream exchanges and received notifications, both stored without
//! their `sign` field (a whole signature is never kept) and never with the salt.

use rusqlite::{Connection, Transaction, params};

/// One HTTP exchange with PingPong.
#[derive(Clone, Debug)]
pub(crate) struct Exchange {
    pub at: u64,
    /// `unifiedPay`, `query`, `refund` or `refundQuery`.
    pub api: &'static str,
    pub merchant_transaction_id: String,
    /// The request envelope without `sign`.
    pub request: String,
    pub http_status: Option<u16>,
    /// The response envelope without `sign`, or a short note of what came back.
    pub response: Option<String>,
    /// `answered`, `refused`, `bad-signature`, `invalid`, `unavailable`, `not-sent`, `unknown`.
    pub outcome: &'static str,
    pub duration_ms: u64,
}

/// Journals an exchange.
pub(crate) fn insert_exchange(conn: &Connection, e: &Exchange) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO exchanges (at, api, merchant_transaction_id, request, http_status, response, outcome, duration_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
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

/// A verified notification.
#[derive(Clone, Debug)]
pub(crate) struct NewNotification {
    /// Kind + ids + status: the same news delivered twice has the same key.
    pub dedup_key: String,
    pub notify_type: String,
    pub merchant_transaction_id: Option<String>,
    pub merchant_refund_id: Option<String>,
    pub status: Option<String>,
    /// The envelope without `sign`.
    pub envelope: String,
    pub received_at: u64,
}

/// Journals a notification; `false` when the same news was already held (its delivery
/// count goes up instead).
pub(crate) fn insert_notification(
    tx: &Transaction<'_>,
    n: &NewNotification,
) -> rusqlite::Result<bool> {
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO notifications (received_at, dedup_key, notify_type, \
             merchant_transaction_id, merchant_refund_id, status, envelope) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
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
            "UPDATE notifications SET deliveries = deliveries + 1 WHERE dedup_key = ?1",
        )?
        .execute([&n.dedup_key])?;
    }
    Ok(inserted == 1)
}
