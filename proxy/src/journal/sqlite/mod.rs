//! The SQLite journal: one file in WAL mode, `synchronous=FULL`, schema migrations from
//! `proxy/migrations/sqlite/` applied on open.
//!
//! Writes are committed in groups: one writer thread takes every write waiting at that
//! moment, runs each inside its own savepoint of one transaction (a failing write is undone
//! alone), commits once, and only then answers each caller. Every write is as durable as
//! alone (on disk when its caller hears back), but concurrent requests share one fsync
//! instead of queueing for one each. The audit record of an upstream exchange is a
//! *deferred* write: nobody waits for it; it is committed with the next write (a group of
//! deferred writes alone lingers [`LINGER`] for one), so a create waits for two fsyncs, not
//! three. Reads use their own connection (WAL readers never wait for the writer's fsync).
//!
//! Another process (the command line) may change the directory in the same file: a watcher
//! thread reads `directory_version` every [`DIRECTORY_POLL`] and wakes the proxy's streams.

mod directory;
mod events;
mod orders;
mod records;
mod refunds;

use std::path::Path;
use std::sync::{Arc, Mutex, Weak, mpsc};
use std::time::Duration;

use async_trait::async_trait;
use pingpong_protocol::{MerchantId, RegisterId, StoreId};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use rusqlite_migration::{M, MigrationDefinitionError, Migrations};
use tokio::sync::{oneshot, watch};

use super::model::{
    DirectoryRefusal, Exchange, MerchantRecord, NewNotification, NewOrder, NotificationEffect,
    OrderRow, PaymentUpdate, RefundRefusal, RefundRow, RefundTotals, RefundUpdate, RegisterRecord,
    Resealer, StoreRecord, StoredEvent,
};
use super::{JResult, Journal, JournalError};

/// The schema migrations, in order; `PRAGMA user_version` counts those applied.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../../../migrations/sqlite/0001_initial.sql")),
    M::up(include_str!("../../../migrations/sqlite/0002_tenancy.sql")).foreign_key_check(),
];

/// The schema version this build writes.
pub(crate) const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Most writes committed together.
const MAX_GROUP: usize = 64;
/// How long a group of deferred writes alone waits for an awaited write to join it.
const LINGER: Duration = Duration::from_millis(2);
/// How often a change of the directory by another process is looked for.
const DIRECTORY_POLL: Duration = Duration::from_millis(200);

impl From<rusqlite::Error> for JournalError {
    fn from(e: rusqlite::Error) -> Self {
        JournalError(e.to_string())
    }
}

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

/// The SQLite journal: cheap to clone.
#[derive(Clone)]
pub(crate) struct SqliteJournal {
    reader: Arc<Mutex<Connection>>,
    writes: mpsc::Sender<Job>,
    latest_event: Arc<watch::Sender<u64>>,
    directory: Arc<watch::Sender<u64>>,
}

fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

/// Brings the file's schema up to date (refusing a newer one), then sets the connection up.
fn migrate(conn: &mut Connection) -> Result<(), JournalError> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    Migrations::from_slice(MIGRATIONS)
        .to_latest(conn)
        .map_err(|e| match e {
            rusqlite_migration::Error::MigrationDefinition(
                MigrationDefinitionError::DatabaseTooFarAhead,
            ) => JournalError(format!(
                "the database has a newer schema than this proxy knows (version \
                 {SCHEMA_VERSION}): use a newer proxy or another --database"
            )),
            other => JournalError(format!("cannot migrate the schema: {other}")),
        })
}

fn setup(conn: &Connection) -> rusqlite::Result<()> {
    // A notification is acknowledged only once it is on disk.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")
}

impl SqliteJournal {
    /// Opens (or creates) the file, migrates its schema, and starts the writer thread and
    /// the directory watcher (both end when the last handle is dropped).
    pub(crate) fn open(path: &Path) -> Result<SqliteJournal, JournalError> {
        let mut writer = connect(path)?;
        migrate(&mut writer)?;
        setup(&writer)?;
        let reader = connect(path)?;
        setup(&reader)?;
        let last = events::last_seq(&reader)?;
        let dir_version = directory::version(&reader)?;
        let latest_event = Arc::new(watch::Sender::new(last));
        let directory = Arc::new(watch::Sender::new(dir_version));
        let (writes, jobs) = mpsc::channel();
        let (l, d) = (latest_event.clone(), directory.clone());
        std::thread::Builder::new()
            .name("journal-writer".into())
            .spawn(move || write_groups(writer, &jobs, &l, &d))
            .map_err(|e| JournalError(format!("cannot start the writer thread: {e}")))?;
        let watcher = connect(path)?;
        let weak = Arc::downgrade(&directory);
        std::thread::Builder::new()
            .name("journal-directory".into())
            .spawn(move || watch_directory(&watcher, &weak))
            .map_err(|e| JournalError(format!("cannot start the directory watcher: {e}")))?;
        Ok(SqliteJournal {
            reader: Arc::new(Mutex::new(reader)),
            writes,
            latest_event,
            directory,
        })
    }

    /// Runs `f` on the read connection, off the async runtime.
    async fn read<R, F>(&self, f: F) -> JResult<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
    {
        let conn = self.reader.clone();
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
    async fn write<R, F>(&self, f: F) -> JResult<R>
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
    /// `what`.
    fn write_deferred<F>(&self, what: &'static str, f: F)
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
        let job = Job {
            awaited: false,
            run,
        };
        if self.writes.send(job).is_err() {
            tracing::error!("could not journal {what}: the journal writer stopped");
        }
    }

    /// Runs raw SQL on the read connection (tests look at the file's rows).
    #[cfg(test)]
    pub(crate) async fn query<R, F>(&self, f: F) -> JResult<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
    {
        self.read(f).await
    }

    /// Runs raw SQL in the writer's transaction (tests plant failures).
    #[cfg(test)]
    pub(crate) async fn execute<R, F>(&self, f: F) -> JResult<R>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<R> + Send + 'static,
    {
        self.write(f).await
    }
}

/// Sends `value` to `to` when it differs.
fn publish(to: &watch::Sender<u64>, value: u64) {
    to.send_if_modified(|v| {
        let changed = *v != value;
        *v = value;
        changed
    });
}

/// The writer thread: each group in one immediate transaction, each write in a savepoint.
fn write_groups(
    mut conn: Connection,
    jobs: &mpsc::Receiver<Job>,
    latest: &watch::Sender<u64>,
    directory_watch: &watch::Sender<u64>,
) {
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
        if committed.is_ok() {
            if let Ok(last) = events::last_seq(&conn) {
                publish(latest, last);
            }
            if let Ok(v) = directory::version(&conn) {
                publish(directory_watch, v);
            }
        }
        for complete in done {
            complete(committed.clone());
        }
    }
}

/// Publishes the directory's version while anyone holds the journal.
fn watch_directory(conn: &Connection, to: &Weak<watch::Sender<u64>>) {
    loop {
        std::thread::sleep(DIRECTORY_POLL);
        let Some(sender) = to.upgrade() else { return };
        if let Ok(v) = directory::version(conn) {
            publish(&sender, v);
        }
    }
}

fn owned(id: &impl AsRef<str>) -> String {
    id.as_ref().to_owned()
}

#[async_trait]
impl Journal for SqliteJournal {
    async fn create_order(&self, order: &NewOrder) -> JResult<Option<OrderRow>> {
        let order = order.clone();
        self.write(move |tx| orders::insert_order(tx, &order)).await
    }

    async fn order(
        &self,
        merchant: &MerchantId,
        mtid: &str,
    ) -> JResult<Option<(OrderRow, RefundTotals)>> {
        let (m, id) = (owned(merchant), mtid.to_owned());
        self.read(move |c| {
            let Some(order) = orders::load_order(c, &m, &id)? else {
                return Ok(None);
            };
            Ok(Some((order, refunds::refund_totals(c, &m, &id)?)))
        })
        .await
    }

    async fn latest_attempt(&self, merchant: &MerchantId, mtid: &str) -> JResult<Option<String>> {
        let (m, id) = (owned(merchant), mtid.to_owned());
        self.read(move |c| orders::latest_attempt(c, &m, &id)).await
    }

    async fn request_ids(&self, merchant: &MerchantId, mtid: &str) -> JResult<Vec<String>> {
        let (m, id) = (owned(merchant), mtid.to_owned());
        self.read(move |c| orders::request_ids(c, &m, &id)).await
    }

    async fn apply_payment(
        &self,
        merchant: &MerchantId,
        mtid: &str,
        update: &PaymentUpdate,
        now: u64,
    ) -> JResult<Option<OrderRow>> {
        let (m, id, u) = (owned(merchant), mtid.to_owned(), update.clone());
        self.write(move |tx| orders::apply_payment(tx, &m, &id, &u, now))
            .await
    }

    async fn create_refund(&self, refund: &RefundRow) -> JResult<Result<RefundRow, RefundRefusal>> {
        let r = refund.clone();
        self.write(move |tx| refunds::insert_refund(tx, &r)).await
    }

    async fn refund(&self, merchant: &MerchantId, mrid: &str) -> JResult<Option<RefundRow>> {
        let (m, id) = (owned(merchant), mrid.to_owned());
        self.read(move |c| refunds::load_refund(c, &m, &id)).await
    }

    async fn apply_refund(
        &self,
        merchant: &MerchantId,
        mrid: &str,
        update: &RefundUpdate,
        now: u64,
    ) -> JResult<Option<RefundRow>> {
        let (m, id, u) = (owned(merchant), mrid.to_owned(), update.clone());
        self.write(move |tx| refunds::apply_refund(tx, &m, &id, &u, now))
            .await
    }

    fn record_exchange(&self, exchange: Exchange) {
        // The audit trail must not turn a good answer into a failure, nor wait for its own
        // fsync: it is committed with the caller's next write (or logged if it fails).
        self.write_deferred("an upstream exchange", move |tx| {
            records::insert_exchange(tx, &exchange)
        });
    }

    async fn record_notification(
        &self,
        notification: &NewNotification,
        effect: &NotificationEffect,
    ) -> JResult<bool> {
        let (n, e) = (notification.clone(), effect.clone());
        self.write(move |tx| records::insert_notification(tx, &n, &e))
            .await
    }

    async fn events_after(
        &self,
        merchant: &MerchantId,
        store: &StoreId,
        after: u64,
        limit: u32,
    ) -> JResult<Vec<StoredEvent>> {
        let (m, s) = (owned(merchant), owned(store));
        self.read(move |c| events::events_after(c, &m, &s, after, limit))
            .await
    }

    async fn last_event(&self) -> JResult<u64> {
        self.read(events::last_seq).await
    }

    fn event_wakeups(&self) -> watch::Receiver<u64> {
        self.latest_event.subscribe()
    }

    fn directory_wakeups(&self) -> watch::Receiver<u64> {
        self.directory.subscribe()
    }

    async fn ping(&self) -> JResult<()> {
        self.read(|c| c.query_row("SELECT 1", [], |_| Ok(()))).await
    }

    async fn add_merchant(
        &self,
        merchant: &MerchantRecord,
    ) -> JResult<Result<(), DirectoryRefusal>> {
        let m = merchant.clone();
        self.write(move |tx| directory::add_merchant(tx, &m)).await
    }

    async fn put_startup_merchant(&self, merchant: &MerchantRecord) -> JResult<()> {
        let m = merchant.clone();
        self.write(move |tx| directory::put_startup_merchant(tx, &m))
            .await
    }

    async fn update_merchant(&self, merchant: &MerchantRecord) -> JResult<bool> {
        let m = merchant.clone();
        self.write(move |tx| directory::update_merchant(tx, &m))
            .await
    }

    async fn merchant(&self, id: &MerchantId) -> JResult<Option<MerchantRecord>> {
        let id = owned(id);
        self.read(move |c| directory::load_merchant(c, &id)).await
    }

    async fn merchants(&self) -> JResult<Vec<MerchantRecord>> {
        self.read(directory::list_merchants).await
    }

    async fn add_store(&self, store: &StoreRecord) -> JResult<Result<(), DirectoryRefusal>> {
        let s = store.clone();
        self.write(move |tx| directory::add_store(tx, &s)).await
    }

    async fn stores(&self, merchant: &MerchantId) -> JResult<Vec<StoreRecord>> {
        let m = owned(merchant);
        self.read(move |c| directory::list_stores(c, &m)).await
    }

    async fn add_register(
        &self,
        register: &RegisterRecord,
    ) -> JResult<Result<(), DirectoryRefusal>> {
        let r = register.clone();
        self.write(move |tx| directory::add_register(tx, &r)).await
    }

    async fn registers(
        &self,
        merchant: &MerchantId,
        store: Option<&StoreId>,
    ) -> JResult<Vec<RegisterRecord>> {
        let (m, s) = (owned(merchant), store.map(owned));
        self.read(move |c| directory::list_registers(c, &m, s.as_deref()))
            .await
    }

    async fn register(&self, id: &RegisterId) -> JResult<Option<(RegisterRecord, MerchantRecord)>> {
        let id = owned(id);
        self.read(move |c| {
            let Some(register) = directory::load_register(c, &id)? else {
                return Ok(None);
            };
            let merchant = directory::load_merchant(c, register.merchant_id.as_str())?;
            Ok(merchant.map(|m| (register, m)))
        })
        .await
    }

    async fn revoke_register(
        &self,
        merchant: &MerchantId,
        id: &RegisterId,
        now: u64,
    ) -> JResult<Option<RegisterRecord>> {
        let (m, id) = (owned(merchant), owned(id));
        self.write(move |tx| directory::revoke_register(tx, &m, &id, now))
            .await
    }

    async fn sealed_key(&self, name: &str) -> JResult<Option<Vec<u8>>> {
        let name = name.to_owned();
        self.read(move |c| directory::sealed_key(c, &name)).await
    }

    async fn add_sealed_key(&self, name: &str, sealed: &[u8], now: u64) -> JResult<Vec<u8>> {
        let (name, sealed) = (name.to_owned(), sealed.to_vec());
        self.write(move |tx| directory::add_sealed_key(tx, &name, &sealed, now))
            .await
    }

    async fn reseal(&self, reseal: Resealer) -> JResult<Result<usize, String>> {
        self.write(move |tx| directory::reseal(tx, &reseal)).await
    }
}

#[cfg(test)]
mod tests;
