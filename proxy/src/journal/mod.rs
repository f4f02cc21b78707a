//! The journal: one SQLite file (WAL) holding every order, attempt, refund, upstream
//! exchange (envelopes without `sign`), notification and event. A proxy restarted on the
//! same file knows everything the previous one knew.
//!
//! Each table has its own module with synchronous functions over a [`rusqlite::Connection`];
//! [`Journal`] runs them off the async runtime and wakes the event streams when a write added
//! events.
//!
//! Writes are committed in groups: one writer thread takes every write waiting at that
//! moment, runs each inside its own savepoint of one transaction (a failing write is undone
//! alone), commits once, and only then answers each caller. Every write is as durable as
//! before (WAL, `synchronous=FULL`: on disk when its caller hears back), but concurrent
//! requests share one fsync instead of queueing for one each. The audit record of an
//! upstream exchange is a *deferred* write: nobody waits for it; it is committed with the
//! next write (a group of deferred writes alone lingers [`LINGER`] for one), so a create
//! waits for two fsyncs, not three.

mod events;
mod orders;
mod records;
mod refunds;
mod schema;

use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::{oneshot, watch};

pub(crate) use events::{StoredEvent, events_after, last_seq};
pub(crate) use orders::{
    CreateState, NewOrder, OrderRow, PaymentUpdate, apply_payment, insert_order, latest_attempt,
    load_order, request_ids,
};
pub(crate) use records::{Exchange, NewNotification, insert_exchange, insert_notification};
pub(crate) use refunds::{
    NewRefundRow, RefundRefusal, RefundRow, RefundTotals, RefundUpdate, apply_refund,
    insert_refund, load_refund, refund_totals,
};

/// A journal failure: the disk, the file, or a bug. Answered as `INTERNAL`.
#[derive(Clone, Debug)]
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

/// Most writes committed together.
const MAX_GROUP: usize = 64;
/// How long a group of deferred writes alone waits for an awaited write to join it.
const LINGER: std::time::Duration = std::time::Duration::from_millis(2);

/// Tells a write's caller how its group's commit went.
type Completion = Box<dyn FnOnce(Result<(), JournalError>) + Send>;
/// Runs a write in the group's transaction: whether it succeeded, and its completion.
type Run = Box<dyn FnOnce(&Transaction<'_>) -> (bool, Completion) + Send>;
/// A write: runs inside the group's transaction; says whether it succeeded (else its
/// savepoint is rolled back) and how to answer its caller once the group is committed.
struct Job {
    /// Whether a caller waits for it (else it is deferred: committed with the next write).
    awaited: bool,
    run: Run,
}

/// The journal handle: cheap to clone, shared by every request.
#[derive(Clone)]
pub(crate) struct Journal {
    conn: Arc<Mutex<Connection>>,
    writes: mpsc::Sender<Job>,
    latest_event: Arc<watch::Sender<u64>>,
}

impl Journal {
    /// Opens (or creates) the file, brings its schema up to date, and starts the writer
    /// thread (it ends when the last handle is dropped).
    pub(crate) fn open(path: &Path) -> Result<Journal, JournalError> {
        let mut conn = Connection::open(path)?;
        schema::prepare(&mut conn)?;
        let last = last_seq(&conn)?;
        let conn = Arc::new(Mutex::new(conn));
        let latest_event = Arc::new(watch::Sender::new(last));
        let (writes, jobs) = mpsc::channel();
        let (c, l) = (conn.clone(), latest_event.clone());
        std::thread::Builder::new()
            .name("journal-writer".into())
            .spawn(move || write_groups(&c, &jobs, &l))
            .map_err(|e| JournalError(format!("cannot start the writer thread: {e}")))?;
        Ok(Journal {
            conn,
            writes,
            latest_event,
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

    /// Runs `f` atomically and durably: it is committed (with whatever other writes were
    /// waiting) before this returns, and nothing of it is kept when it fails. Then wakes the
    /// event streams if it added events.
    pub(crate) async fn write<R, F>(&self, f: F) -> Result<R, JournalError>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<R> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let run: Run = Box::new(move |tx: &Transaction<'_>| {
            let out = f(tx);
            let ok = out.is_ok();
            let complete: Completion = Box::new(move |committed| {
                let _ = answer.send(match (out, committed) {
                    (Err(e), _) => Err(JournalError::from(e)),
                    (Ok(_), Err(e)) => Err(e),
                    (Ok(r), Ok(())) => Ok(r),
                });
            });
            (ok, complete)
        });
        let stopped = || JournalError("the journal could not commit".into());
        let job = Job { awaited: true, run };
        self.writes.send(job).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }

    /// Queues `f` without waiting: it is committed with the next write (or alone after
    /// [`LINGER`]), atomically, before any write queued after it. A failure is logged as
    /// `what`. For records nobody acts on (the audit trail), whose loss in a crash between
    /// queueing and commit loses nothing else.
    pub(crate) fn write_deferred<F>(&self, what: &'static str, f: F)
    where
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<()> + Send + 'static,
    {
        let run: Run = Box::new(move |tx: &Transaction<'_>| {
            let out = f(tx).map_err(JournalError::from);
            let ok = out.is_ok();
            let complete: Completion = Box::new(move |committed| {
                if let Err(e) = out.and(committed) {
                    tracing::error!(error = %e, "could not journal {what}");
                }
            });
            (ok, complete)
        });
        if self
            .writes
            .send(Job {
                awaited: false,
                run,
            })
            .is_err()
        {
            tracing::error!("could not journal {what}: the journal writer stopped");
        }
    }
}

/// The writer thread: each group in one immediate transaction, each write in a savepoint.
fn write_groups(conn: &Mutex<Connection>, jobs: &mpsc::Receiver<Job>, latest: &watch::Sender<u64>) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        let mut lingered = false;
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                // Deferred writes alone wait a moment for the write that usually follows.
                Err(_) if !lingered && group.iter().all(|j| !j.awaited) => {
                    lingered = true;
                    match jobs.recv_timeout(LINGER) {
                        Ok(job) => group.push(job),
                        Err(_) => break,
                    }
                }
                Err(_) => break,
            }
        }
        let mut conn = conn.lock().unwrap_or_else(|p| p.into_inner());
        let mut done = Vec::with_capacity(group.len());
        // A job dropped unrun (the transaction failed first) answers its caller with an error.
        let committed = (|| -> Result<(), JournalError> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for job in group {
                tx.execute_batch("SAVEPOINT write")?;
                // A write that panics (a bug) is undone and its caller hears an error; the
                // others and the writer thread go on.
                let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (job.run)(&tx)));
                let ok = match ran {
                    Ok((ok, complete)) => {
                        done.push(complete);
                        ok
                    }
                    Err(_) => false,
                };
                if !ok {
                    tx.execute_batch("ROLLBACK TO write")?;
                }
                tx.execute_batch("RELEASE write")?;
            }
            tx.commit()?;
            Ok(())
        })();
        if committed.is_ok()
            && let Ok(last) = last_seq(&conn)
        {
            latest.send_if_modified(|v| {
                let changed = *v != last;
                *v = last;
                changed
            });
        }
        drop(conn);
        for complete in done {
            complete(committed.clone());
        }
    }
}

#[cfg(test)]
mod tests;
