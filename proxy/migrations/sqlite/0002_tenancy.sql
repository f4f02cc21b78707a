-- Version 2: tenancy. Merchants -> stores -> registers; every order, attempt, refund,
-- exchange, notification and event belongs to a merchant, and ids are unique per merchant
-- (two merchants may use the same merchantTransactionId). Rows of version 1 belong to the
-- merchant `default`: the one the proxy's start flags (or demo mode) define.

CREATE TABLE merchants (
    id                      TEXT PRIMARY KEY,
    name                    TEXT NOT NULL,
    acc_id                  TEXT NOT NULL,
    client_id               TEXT NOT NULL,
    -- XChaCha20-Poly1305 under a key derived from the master key, the merchant id as
    -- associated data. NULL: the salt is given to the proxy at start (merchant `default`).
    sealed_salt             BLOB,
    salt_fingerprint        TEXT NOT NULL,
    sign_type               TEXT NOT NULL,
    methods                 TEXT NOT NULL,
    failure_mode            TEXT NOT NULL,
    time_expire_format      TEXT NOT NULL,
    enabled                 INTEGER NOT NULL,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
);
CREATE TABLE stores (
    merchant_id             TEXT NOT NULL REFERENCES merchants(id),
    store_id                TEXT NOT NULL,
    name                    TEXT NOT NULL,
    created_at              INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, store_id)
);
CREATE TABLE registers (
    id                      TEXT PRIMARY KEY,
    merchant_id             TEXT NOT NULL,
    store_id                TEXT NOT NULL,
    cashier_device_id       TEXT NOT NULL,
    label                   TEXT NOT NULL,
    -- HMAC-SHA256 of the token's secret under the sealed token key: never the token.
    token_hash              BLOB NOT NULL,
    created_at              INTEGER NOT NULL,
    revoked_at              INTEGER,
    FOREIGN KEY (merchant_id, store_id) REFERENCES stores(merchant_id, store_id)
);
CREATE UNIQUE INDEX registers_active_device ON registers(merchant_id, cashier_device_id)
    WHERE revoked_at IS NULL;
CREATE INDEX registers_by_store ON registers(merchant_id, store_id);
-- Keys the proxy generates (the register-token key), sealed like salts.
CREATE TABLE sealed_keys (
    name                    TEXT PRIMARY KEY,
    sealed                  BLOB NOT NULL,
    created_at              INTEGER NOT NULL
);
-- Bumped by every change of merchants, stores or registers, so a running proxy notices a
-- change made by another process (the command line) and re-checks its open streams.
CREATE TABLE directory_version (
    id                      INTEGER PRIMARY KEY CHECK (id = 1),
    version                 INTEGER NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 0);

DROP INDEX attempts_by_order;
DROP INDEX refunds_by_order;
DROP INDEX events_by_store;
ALTER TABLE orders RENAME TO orders_v1;
ALTER TABLE attempts RENAME TO attempts_v1;
ALTER TABLE refunds RENAME TO refunds_v1;
ALTER TABLE exchanges RENAME TO exchanges_v1;
ALTER TABLE notifications RENAME TO notifications_v1;
ALTER TABLE events RENAME TO events_v1;

CREATE TABLE orders (
    merchant_id             TEXT NOT NULL,
    merchant_transaction_id TEXT NOT NULL,
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
    updated_at              INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, merchant_transaction_id)
);
INSERT INTO orders SELECT 'default', * FROM orders_v1;

CREATE TABLE attempts (
    merchant_id             TEXT NOT NULL,
    request_id              TEXT NOT NULL,
    merchant_transaction_id TEXT NOT NULL,
    biz_content             TEXT NOT NULL,
    created_at              INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, request_id),
    FOREIGN KEY (merchant_id, merchant_transaction_id)
        REFERENCES orders(merchant_id, merchant_transaction_id)
);
INSERT INTO attempts SELECT 'default', * FROM attempts_v1;
CREATE INDEX attempts_by_order ON attempts(merchant_id, merchant_transaction_id, created_at);

CREATE TABLE refunds (
    merchant_id             TEXT NOT NULL,
    merchant_refund_id      TEXT NOT NULL,
    merchant_transaction_id TEXT NOT NULL,
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
    updated_at              INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, merchant_refund_id),
    FOREIGN KEY (merchant_id, merchant_transaction_id)
        REFERENCES orders(merchant_id, merchant_transaction_id)
);
INSERT INTO refunds SELECT 'default', * FROM refunds_v1;
CREATE INDEX refunds_by_order ON refunds(merchant_id, merchant_transaction_id);

CREATE TABLE exchanges (
    id                      INTEGER PRIMARY KEY,
    merchant_id             TEXT NOT NULL,
    at                      INTEGER NOT NULL,
    api                     TEXT NOT NULL,
    merchant_transaction_id TEXT,
    request                 TEXT NOT NULL,
    http_status             INTEGER,
    response                TEXT,
    outcome                 TEXT NOT NULL,
    duration_ms             INTEGER NOT NULL
);
INSERT INTO exchanges (id, merchant_id, at, api, merchant_transaction_id, request,
                       http_status, response, outcome, duration_ms)
    SELECT id, 'default', at, api, merchant_transaction_id, request, http_status, response,
           outcome, duration_ms
    FROM exchanges_v1;

CREATE TABLE notifications (
    id                      INTEGER PRIMARY KEY,
    merchant_id             TEXT NOT NULL,
    received_at             INTEGER NOT NULL,
    dedup_key               TEXT NOT NULL,
    notify_type             TEXT NOT NULL,
    merchant_transaction_id TEXT,
    merchant_refund_id      TEXT,
    status                  TEXT,
    envelope                TEXT NOT NULL,
    deliveries              INTEGER NOT NULL DEFAULT 1,
    UNIQUE (merchant_id, dedup_key)
);
INSERT INTO notifications (id, merchant_id, received_at, dedup_key, notify_type,
                           merchant_transaction_id, merchant_refund_id, status, envelope,
                           deliveries)
    SELECT id, 'default', received_at, dedup_key, notify_type, merchant_transaction_id,
           merchant_refund_id, status, envelope, deliveries
    FROM notifications_v1;

CREATE TABLE events (
    seq                     INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id             TEXT NOT NULL,
    store_id                TEXT NOT NULL,
    kind                    TEXT NOT NULL,
    merchant_transaction_id TEXT NOT NULL,
    merchant_refund_id      TEXT,
    data                    TEXT NOT NULL,
    at                      INTEGER NOT NULL
);
INSERT INTO events (seq, merchant_id, store_id, kind, merchant_transaction_id,
                    merchant_refund_id, data, at)
    SELECT seq, 'default', store_id, kind, merchant_transaction_id, merchant_refund_id,
           data, at
    FROM events_v1;
CREATE INDEX events_by_store ON events(merchant_id, store_id, seq);

DROP TABLE attempts_v1;
DROP TABLE refunds_v1;
DROP TABLE orders_v1;
DROP TABLE exchanges_v1;
DROP TABLE notifications_v1;
DROP TABLE events_v1;
