//! The journal: one SQLite file (WAL) holding every order, attempt, refund, upstream
//! exchange (envelopes without `sign`), notification and event. A proxy restarted on the
//! same file knows everything the previous one knew.
//!
//! Each table has its own module with synchronous functions over a [`rusqlite::Connection`];
//! [`Journal`] runs them off the async runtime, one at a time, and wakes the event streams
//! when a write added events.

mod events;
mod orders;
mod records;
mod refunds;
mod schema;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::watch;

pub(crate) use events::{StoredEvent, events_after, last_seq};
pub(crate) use orders::{
    CreateState, NewOrder, OrderRow, PaymentUpdate, apply_payment, insert_order, latest_attempt,
    load_order,
};
pub(crate) use records::{Exchange, NewNotification, insert_exchange, insert_notification};
pub(crate) use refunds::{
    NewRefundRow, RefundRefusal, RefundRow, RefundTotals, RefundUpdate, apply_refund,
    insert_refund, load_refund, refund_totals,
};

/// A journal failure: the disk, the file, or a bug. Answered as `INTERNAL`.
#[derive(Debug)]
pub struct JournalError(String);

impl std::fmt::Display for JournalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "journal: {}", self.0)
    }
}

impl std::error::Error for JournalError {}

impl From<rusqlite::Error> for JournalError {
    fn from(e: rusqlite::Error) -> Self {
        JournalError(e.to_string())
    }
}

/// The journal handle: cheap to clone, shared by every request.
#[derive(Clone)]
pub(crate) struct Journal {
    conn: Arc<Mutex<Connection>>,
    latest_event: Arc<watch::Sender<u64>>,
}

impl Journal {
    /// Opens (or creates) the file and brings its schema up to date.
    pub(crate) fn open(path: &Path) -> Result<Journal, JournalError> {
        let mut conn = Connection::open(path)?;
        schema::prepare(&mut conn)?;
        let last = last_seq(&conn)?;
        Ok(Journal {
            conn: Arc::new(Mutex::new(conn)),
            latest_event: Arc::new(watch::Sender::new(last)),
        })
    }

    /// Wakes on every committed event; the value is the highest event sequence.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.latest_event.subscribe()
    }

    /// Runs `f` on the connection, off the async runtime.
    pub(crate) async fn read<R, F>(&self, f: F) -> Result<R, JournalError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&conn).map_err(JournalError::from)
        })
        .await
        .map_err(|e| JournalError(e.to_string()))?
    }

    /// Runs `f` in one immediate transaction and commits it; then wakes the event streams
    /// if it added events. Nothing of `f` is kept when it fails.
    pub(crate) async fn write<R, F>(&self, f: F) -> Result<R, JournalError>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<R> + Send + 'static,
    {
        let conn = self.conn.clone();
        let latest = self.latest_event.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().unwrap_or_else(|p| p.into_inner());
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            let last = last_seq(&conn)?;
            latest.send_if_modified(|v| {
                let changed = *v != last;
                *v = last;
                changed
            });
            Ok(out)
        })
        .await
        .map_err(|e| JournalError(e.to_string()))?
    }
}

#[cfg(test)]
mod tests;
