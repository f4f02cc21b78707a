//! Events: every status change, numbered (the SSE `id:`), kept per store so a register that
//! reconnects with `Last-Event-ID` misses nothing.

use rusqlite::{Connection, Transaction, params};

/// An event as journaled; `data` is the view JSON at the time of the change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoredEvent {
    pub seq: u64,
    /// `payment` or `refund`.
    pub kind: String,
    pub data: String,
}

/// Adds an event and returns its sequence number.
pub(super) fn push_event(
    tx: &Transaction<'_>,
    store: &str,
    kind: &str,
    mtid: &str,
    mrid: Option<&str>,
    data: &str,
    now: u64,
) -> rusqlite::Result<u64> {
    tx.prepare_cached(
        "INSERT INTO events (store_id, kind, merchant_transaction_id, merchant_refund_id, data, at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![store, kind, mtid, mrid, data, now])?;
    Ok(tx.last_insert_rowid() as u64)
}

/// Up to `limit` events of `store` after sequence `after`, oldest first.
pub(crate) fn events_after(
    conn: &Connection,
    store: &str,
    after: u64,
    limit: u32,
) -> rusqlite::Result<Vec<StoredEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, kind, data FROM events WHERE store_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![store, after, limit], |r| {
        Ok(StoredEvent {
            seq: r.get(0)?,
            kind: r.get(1)?,
            data: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// The highest event sequence so far (0 when there is none).
pub(crate) fn last_seq(conn: &Connection) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM events")?
        .query_row([], |r| r.get(0))
}
