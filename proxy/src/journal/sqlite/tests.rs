//! What only the SQLite backend does: group commit, deferred writes, the file across
//! reopenings and versions, and directory changes made by another process.

use std::time::Duration;

use pingpong_protocol::{PaymentStatus, RefundStatus, StoreId};
use rusqlite::Connection;

use super::*;
use crate::journal::tests::{merchant, mid, order, store};

fn open(dir: &tempfile::TempDir) -> SqliteJournal {
    SqliteJournal::open(&dir.path().join("j.sqlite")).unwrap()
}

#[tokio::test]
async fn concurrent_writes_commit_together_and_a_failing_one_is_undone_alone() {
    let dir = tempfile::tempdir().unwrap();
    let j = open(&dir);
    let mut writes = Vec::new();
    for i in 0..40 {
        let j = j.clone();
        writes.push(tokio::spawn(async move {
            let o = order("m1", &format!("G{i}"), "S1");
            j.execute(move |tx| {
                orders::insert_order(tx, &o)?;
                match i % 4 {
                    // Fails after writing: its order must not be kept.
                    1 => tx.execute_batch("INSERT INTO no_such_table VALUES (1)"),
                    // A bug: the write panics after writing.
                    2 => panic!("write {i} panics"),
                    _ => Ok(()),
                }
            })
            .await
        }));
    }
    for (i, w) in writes.into_iter().enumerate() {
        let result = w.await.unwrap();
        assert_eq!(
            result.is_ok(),
            i % 4 == 0 || i % 4 == 3,
            "write {i}: {result:?}"
        );
    }
    for i in 0..40 {
        let kept = j
            .order(&mid("m1"), &format!("G{i}"))
            .await
            .unwrap()
            .is_some();
        assert_eq!(kept, i % 4 == 0 || i % 4 == 3, "order G{i}");
    }
    // The writer goes on after failures.
    j.create_order(&order("m1", "AFTER", "S1")).await.unwrap();
    assert!(j.order(&mid("m1"), "AFTER").await.unwrap().is_some());
}

#[tokio::test]
async fn a_deferred_write_lands_with_the_next_write_and_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let j = open(&dir);
    let first = order("m1", "D1", "S1");
    j.write_deferred("a test order", move |tx| {
        orders::insert_order(tx, &first).map(|_| ())
    });
    // Fails: undone alone, logged.
    j.write_deferred("a failing write", |tx| {
        tx.execute_batch("INSERT INTO no_such_table VALUES (1)")
    });
    j.create_order(&order("m1", "D2", "S1")).await.unwrap();
    // Queued before D2, so committed no later than D2 was.
    assert!(j.order(&mid("m1"), "D1").await.unwrap().is_some());
    assert!(j.order(&mid("m1"), "D2").await.unwrap().is_some());
}

#[tokio::test]
async fn everything_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let j = open(&dir);
        j.create_order(&order("m1", "M1", "S1")).await.unwrap();
        j.add_merchant(&merchant("m1")).await.unwrap().unwrap();
    }
    let j = open(&dir);
    assert!(j.order(&mid("m1"), "M1").await.unwrap().is_some());
    assert!(j.merchant(&mid("m1")).await.unwrap().is_some());
}

/// A journal file as the single-merchant proxy (schema version 1) left it: an order paid
/// and partly refunded, its attempt, the exchanges, a notification and three events.
fn version_1_file(path: &std::path::Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(include_str!("../../../migrations/sqlite/0001_initial.sql"))
        .unwrap();
    conn.execute_batch(
        "PRAGMA user_version = 1;
         INSERT INTO orders VALUES ('OLD-1', 'DEMO-STORE', 'DEMO-POS-1', 1000, 'USD', 'ALIPAY',
             300, 'kept', 'v1|1000|USD|ALIPAY|300|kept', 'accepted', 'SUCCESS', 'T-1',
             'qr', 'qr-url', 5, '000000', 'ok', 0, 1, 4);
         INSERT INTO attempts VALUES ('RQ-OLD-1', 'OLD-1', '{\"merchantTransactionId\":\"OLD-1\"}', 1);
         INSERT INTO refunds VALUES ('RF-OLD-1', 'OLD-1', 'DEMO-POS-1', 250, 'USD', NULL,
             'v1|250|', '{}', 'accepted', 'SUCCESS', 'RID-1', NULL, NULL, 5, 6);
         INSERT INTO exchanges (at, api, merchant_transaction_id, request, http_status,
             response, outcome, duration_ms)
             VALUES (2, 'unifiedPay', 'OLD-1', '{}', 200, '{}', 'answered', 3);
         INSERT INTO notifications (received_at, dedup_key, notify_type,
             merchant_transaction_id, status, envelope)
             VALUES (3, 'RECHARGE|OLD-1|T-1|RQ-OLD-1|SUCCESS', 'RECHARGE', 'OLD-1', 'SUCCESS', '{}');
         INSERT INTO events (store_id, kind, merchant_transaction_id, merchant_refund_id, data, at)
             VALUES ('DEMO-STORE', 'payment', 'OLD-1', NULL, '{\"status\":\"PROCESSING\"}', 2),
                    ('DEMO-STORE', 'payment', 'OLD-1', NULL, '{\"status\":\"SUCCESS\"}', 3),
                    ('DEMO-STORE', 'refund', 'OLD-1', 'RF-OLD-1', '{\"status\":\"SUCCESS\"}', 6);",
    )
    .unwrap();
}

#[tokio::test]
async fn a_version_1_file_is_migrated_to_the_default_merchant() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    version_1_file(&path);
    let j = SqliteJournal::open(&path).unwrap();
    let default = mid("default");
    let (order, totals) = j.order(&default, "OLD-1").await.unwrap().unwrap();
    assert_eq!(order.merchant_id, "default");
    assert_eq!(
        (order.status, order.amount_minor, order.remark.as_deref()),
        (PaymentStatus::Success, 1000, Some("kept"))
    );
    assert_eq!((totals.refunded, totals.held), (250, 250));
    assert!(
        j.latest_attempt(&default, "OLD-1")
            .await
            .unwrap()
            .unwrap()
            .contains("OLD-1")
    );
    let refund = j.refund(&default, "RF-OLD-1").await.unwrap().unwrap();
    assert_eq!(refund.status, RefundStatus::Success);
    // Events keep their numbers (a register resumes with its Last-Event-ID) and new ones
    // continue after them.
    let store = StoreId::new("DEMO-STORE").unwrap();
    let seqs: Vec<u64> = j
        .events_after(&default, &store, 0, 10)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert_eq!(
        j.events_after(&default, &store, 2, 10).await.unwrap().len(),
        1
    );
    j.create_order(&crate::journal::tests::order(
        "default",
        "NEW-1",
        "DEMO-STORE",
    ))
    .await
    .unwrap();
    j.apply_payment(
        &default,
        "NEW-1",
        &crate::journal::tests::status(PaymentStatus::Processing),
        9,
    )
    .await
    .unwrap();
    assert_eq!(j.last_event().await.unwrap(), 4);
    // The old notification still counts as held for the default merchant.
    let n = NewNotification {
        merchant_id: "default".into(),
        dedup_key: "RECHARGE|OLD-1|T-1|RQ-OLD-1|SUCCESS".into(),
        notify_type: "RECHARGE".into(),
        merchant_transaction_id: Some("OLD-1".into()),
        merchant_refund_id: None,
        status: Some("SUCCESS".into()),
        envelope: "{}".into(),
        received_at: 10,
    };
    assert!(
        !j.record_notification(&n, &NotificationEffect::Nothing)
            .await
            .unwrap()
    );
    let (version, exchanges, merchant_ids): (i64, i64, String) = j
        .query(|c| {
            Ok((
                c.pragma_query_value(None, "user_version", |r| r.get(0))?,
                c.query_row("SELECT COUNT(*) FROM exchanges", [], |r| r.get(0))?,
                c.query_row(
                    "SELECT group_concat(DISTINCT merchant_id) FROM exchanges",
                    [],
                    |r| r.get(0),
                )?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(version as usize, SCHEMA_VERSION);
    assert_eq!((exchanges, merchant_ids.as_str()), (1, "default"));
    // Opened again: nothing to migrate, nothing lost.
    drop(j);
    let j = SqliteJournal::open(&path).unwrap();
    assert!(j.order(&default, "OLD-1").await.unwrap().is_some());
}

#[tokio::test]
async fn a_newer_schema_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite");
    drop(SqliteJournal::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION as i64 + 1)
        .unwrap();
    drop(conn);
    let e = SqliteJournal::open(&path).err().expect("refused");
    assert!(e.to_string().contains("newer schema"), "{e}");
}

#[tokio::test]
async fn a_directory_change_by_another_process_wakes_the_watchers() {
    let dir = tempfile::tempdir().unwrap();
    let proxy = open(&dir);
    let mut wake = proxy.directory_wakeups();
    wake.borrow_and_update();
    // The command line opens the same file and adds a store.
    let cli = open(&dir);
    cli.add_merchant(&merchant("m1")).await.unwrap().unwrap();
    cli.add_store(&store("m1", "S1")).await.unwrap().unwrap();
    drop(cli);
    tokio::time::timeout(Duration::from_secs(5), wake.changed())
        .await
        .expect("woken within the poll interval")
        .unwrap();
    assert_eq!(proxy.stores(&mid("m1")).await.unwrap().len(), 1);
}
