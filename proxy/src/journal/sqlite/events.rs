//! Events: every status change, numbered (the SSE `id:`), kept per merchant and store so a
//! register that reconnects with `Last-Event-ID` misses nothing.

use rusqlite::{Connection, Transaction, params};

use crate::journal::model::StoredEvent;

/// Adds an event and returns its sequence number.
#[allow(clippy::too_many_arguments)]
pub(super) fn push_event(
    tx: &Transaction<'_>,
    merchant: &str,
    store: &str,
    kind: &str,
    mtid: &str,
    mrid: Option<&str>,
    data: &str,
    now: u64,
) -> rusqlite::Result<u64> {
    tx.prepare_cached(
        "INSERT INTO events (merchant_id, store_id, kind, merchant_transaction_id, \
         merchant_refund_id, data, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![merchant, store, kind, mtid, mrid, data, now])?;
    Ok(tx.last_insert_rowid() as u64)
}

/// Up to `limit` events of the merchant's `store` after sequence `after`, oldest first.
pub(super) fn events_after(
    conn: &Connection,
    merchant: &str,
    store: &str,
    after: u64,
    limit: u32,
) -> rusqlite::Result<Vec<StoredEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, kind, data FROM events WHERE merchant_id = ?1 AND store_id = ?2 \
         AND seq > ?3 ORDER BY seq LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![merchant, store, after, limit], |r| {
        Ok(StoredEvent {
            seq: r.get(0)?,
            kind: r.get(1)?,
            data: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// The highest event sequence so far (0 when there is none).
pub(super) fn last_seq(conn: &Connection) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM events")?
        .query_row([], |r| r.get(0))
}
