//! The sandbox's state on disk (optional): a SQLite file that every change is written to
//! before the call that made it is answered, so a sandbox restarted on the same file (after
//! a crash or `kill -9` included) knows every order, attempt, refund, remembered answer and
//! notification it still owes, and picks its timers and deliveries up again.
//!
//! Orders are kept whole (the [`OrderRecord`] as JSON, with what is needed to sign for
//! them); the fault knobs, statistics and request log are not kept: they describe a run.

use std::collections::HashSet;
use std::path::Path;

use pingpong_protocol::{Currency, Money, SignType};
use rusqlite::{Connection, OptionalExtension, params};

use crate::records::OrderRecord;
use crate::store::{Job, Order};

/// The schema this build writes (`PRAGMA user_version`).
const VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE orders (
    transaction_id          TEXT PRIMARY KEY,
    acc_id                  TEXT NOT NULL,
    merchant_transaction_id TEXT NOT NULL,
    amount_minor            INTEGER NOT NULL,
    currency                TEXT NOT NULL,
    client_id               TEXT NOT NULL,
    sign_type               TEXT NOT NULL,
    record                  TEXT NOT NULL
);
CREATE TABLE replies (
    acc_id     TEXT NOT NULL,
    request_id TEXT NOT NULL,
    answer     TEXT NOT NULL,
    PRIMARY KEY (acc_id, request_id)
);
CREATE TABLE jobs (
    notification_id INTEGER PRIMARY KEY,
    transaction_id  TEXT NOT NULL,
    url             TEXT NOT NULL,
    body            TEXT NOT NULL
);
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
";

/// Why the file could not be used. The text says which file and what to do.
#[derive(Debug)]
pub struct PersistError(String);

impl std::fmt::Display for PersistError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PersistError {}

impl From<rusqlite::Error> for PersistError {
    fn from(e: rusqlite::Error) -> Self {
        PersistError(format!("the sandbox's database: {e}"))
    }
}

/// What changed since the last write, collected under the store's lock.
#[derive(Default)]
pub(crate) struct Changes {
    pub orders: HashSet<String>,
    pub replies: Vec<((String, String), String)>,
    pub jobs_owed: Vec<Job>,
    pub jobs_done: Vec<u64>,
    pub notification_seq: Option<u64>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
            && self.replies.is_empty()
            && self.jobs_owed.is_empty()
            && self.jobs_done.is_empty()
            && self.notification_seq.is_none()
    }
}

/// Everything a file holds, for [`crate::store::Store::restore`].
pub(crate) struct Saved {
    pub orders: Vec<Order>,
    pub replies: Vec<((String, String), String)>,
    pub jobs: Vec<Job>,
    pub notification_seq: u64,
}

/// The open file.
pub(crate) struct Disk {
    conn: Connection,
}

impl Disk {
    /// Opens (or creates) the file and reads what it holds.
    pub fn open(path: &Path) -> Result<(Disk, Saved), PersistError> {
        let mut conn = Connection::open(path)
            .map_err(|e| PersistError(format!("cannot open {}: {e}", path.display())))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // WAL with NORMAL: a killed process loses nothing committed (only a power cut can
        // lose the last writes), which is what a simulator needs.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        match version {
            0 => {
                let tx = conn.transaction()?;
                tx.execute_batch(SCHEMA)?;
                tx.pragma_update(None, "user_version", VERSION)?;
                tx.commit()?;
            }
            VERSION => {}
            other => {
                return Err(PersistError(format!(
                    "{} has sandbox schema {other}; this sandbox knows {VERSION}: use a newer \
                     one or another file",
                    path.display()
                )));
            }
        }
        let saved = read(&conn)?;
        Ok((Disk { conn }, saved))
    }

    /// Writes `changes` in one transaction; `orders` gives the current value of each order.
    pub fn write<'a>(
        &mut self,
        changes: Changes,
        order: impl Fn(&str) -> Option<&'a Order>,
    ) -> Result<(), PersistError> {
        let tx = self.conn.transaction()?;
        for txid in &changes.orders {
            let Some(o) = order(txid) else { continue };
            let record = serde_json::to_string(&o.rec).expect("records serialise");
            tx.prepare_cached(
                "INSERT INTO orders (transaction_id, acc_id, merchant_transaction_id, amount_minor, \
                 currency, client_id, sign_type, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (transaction_id) DO UPDATE SET record = excluded.record",
            )?
            .execute(params![
                o.rec.transaction_id,
                o.rec.acc_id,
                o.rec.merchant_transaction_id,
                o.money.minor(),
                o.money.currency().code(),
                o.client_id,
                o.sign_type.as_str(),
                record
            ])?;
        }
        for ((acc, request), answer) in &changes.replies {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO replies (acc_id, request_id, answer) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![acc, request, answer])?;
        }
        for job in &changes.jobs_owed {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO jobs (notification_id, transaction_id, url, body) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                job.notification_id,
                job.transaction_id,
                job.url,
                job.body
            ])?;
        }
        for id in &changes.jobs_done {
            tx.prepare_cached("DELETE FROM jobs WHERE notification_id = ?1")?
                .execute([id])?;
        }
        if let Some(seq) = changes.notification_seq {
            tx.prepare_cached(
                "INSERT INTO meta (key, value) VALUES ('notification_seq', ?1) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute([seq])?;
        }
        tx.commit()?;
        Ok(())
    }
}

fn bad(what: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidParameterName(format!("unreadable {what} in the sandbox's database"))
}

fn read(conn: &Connection) -> Result<Saved, PersistError> {
    let mut orders = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT amount_minor, currency, client_id, sign_type, record FROM orders ORDER BY rowid",
    )?;
    let rows = stmt.query_map([], |r| {
        let minor: u64 = r.get(0)?;
        let currency: String = r.get(1)?;
        let sign_type: String = r.get(3)?;
        let record: String = r.get(4)?;
        let currency = Currency::from_code(&currency).map_err(|_| bad("currency"))?;
        Ok(Order {
            rec: serde_json::from_str::<OrderRecord>(&record).map_err(|_| bad("order"))?,
            money: Money::from_minor(minor, currency),
            client_id: r.get(2)?,
            sign_type: SignType::parse(&sign_type).ok_or_else(|| bad("signType"))?,
        })
    })?;
    for order in rows {
        orders.push(order?);
    }
    let mut replies = Vec::new();
    let mut stmt = conn.prepare("SELECT acc_id, request_id, answer FROM replies")?;
    for row in stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))? {
        replies.push(row?);
    }
    let mut jobs = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT notification_id, transaction_id, url, body FROM jobs ORDER BY notification_id",
    )?;
    for row in stmt.query_map([], |r| {
        Ok(Job {
            notification_id: r.get(0)?,
            transaction_id: r.get(1)?,
            url: r.get(2)?,
            body: r.get(3)?,
            first_attempt: 0,
        })
    })? {
        jobs.push(row?);
    }
    let notification_seq: u64 = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'notification_seq'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    Ok(Saved {
        orders,
        replies,
        jobs,
        notification_seq,
    })
}
