-- Version 1: the single-merchant journal (one PingPong account per proxy).
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
