//! The journal's tables. `PRAGMA user_version` numbers the schema; a newer file is refused.

use rusqlite::Connection;

/// The schema this build writes.
const VERSION: i64 = 1;

const SCHEMA_V1: &str = "
CREATE TABLE orders (
    merchant_transaction_id TEXT PRIMARY KEY,
    store_id                TEXT NOT NULL,
    cashier_device_id       TEXT NOT NULL,
    amount_minor            INTEGER NOT NULL,
    currency                TEXT NOT NULL,
    method                  TEXT NOT NULL,
    expires_in_seconds      INTEGER NOT NULL,
    remark                  TEXT,
    fingerprint             TEXT NOT NULL,
    create_state            TEXT NOT NULL,
    status                  TEXT NOT NULL,
    transaction_id          TEXT,
    qr_code                 TEXT,
    qr_url                  TEXT,
    qr_code_expired_at      INTEGER,
    result_code             TEXT,
    result_description      TEXT,
    late_success            INTEGER NOT NULL DEFAULT 0,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
);
CREATE TABLE attempts (
    request_id              TEXT PRIMARY KEY,
    merchant_transaction_id TEXT NOT NULL REFERENCES orders(merchant_transaction_id),
    biz_content             TEXT NOT NULL,
    created_at              INTEGER NOT NULL
);
CREATE INDEX attempts_by_order ON attempts(merchant_transaction_id, created_at);
CREATE TABLE refunds (
    merchant_refund_id      TEXT PRIMARY KEY,
    merchant_transaction_id TEXT NOT NULL REFERENCES orders(merchant_transaction_id),
    cashier_device_id       TEXT NOT NULL,
    amount_minor            INTEGER NOT NULL,
    currency                TEXT NOT NULL,
    remark                  TEXT,
    fingerprint             TEXT NOT NULL,
    biz_content             TEXT NOT NULL,
    create_state            TEXT NOT NULL,
    status                  TEXT NOT NULL,
    refund_id               TEXT,
    result_code             TEXT,
    result_description      TEXT,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
);
CREATE INDEX refunds_by_order ON refunds(merchant_transaction_id);
CREATE TABLE exchanges (
    id                      INTEGER PRIMARY KEY,
    at                      INTEGER NOT NULL,
    api                     TEXT NOT NULL,
    merchant_transaction_id TEXT,
    request                 TEXT NOT NULL,
    http_status             INTEGER,
    response                TEXT,
    outcome                 TEXT NOT NULL,
    duration_ms             INTEGER NOT NULL
);
CREATE TABLE notifications (
    id                      INTEGER PRIMARY KEY,
    received_at             INTEGER NOT NULL,
    dedup_key               TEXT NOT NULL UNIQUE,
    notify_type             TEXT NOT NULL,
    merchant_transaction_id TEXT,
    merchant_refund_id      TEXT,
    status                  TEXT,
    envelope                TEXT NOT NULL,
    deliveries              INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE events (
    seq                     INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id                TEXT NOT NULL,
    kind                    TEXT NOT NULL,
    merchant_transaction_id TEXT NOT NULL,
    merchant_refund_id      TEXT,
    data                    TEXT NOT NULL,
    at                      INTEGER NOT NULL
);
CREATE INDEX events_by_store ON events(store_id, seq);
";

/// Sets the connection up (WAL, full sync, foreign keys) and creates or checks the schema.
pub(super) fn prepare(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // A notification is acknowledged only once it is on disk.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    match version {
        0 => {
            let tx = conn.transaction()?;
            tx.execute_batch(SCHEMA_V1)?;
            tx.pragma_update(None, "user_version", VERSION)?;
            tx.commit()
        }
        VERSION => Ok(()),
        other => Err(rusqlite::Error::InvalidParameterName(format!(
            "the database has schema version {other}; this proxy knows {VERSION}: \
             use a newer proxy or another --database"
        ))),
    }
}
