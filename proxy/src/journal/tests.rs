use pingpong_protocol::contract::Method;
use pingpong_protocol::{Currency, PaymentStatus, RefundStatus};

use super::*;

fn order(mtid: &str, store: &str) -> NewOrder {
    NewOrder {
        row: OrderRow {
            merchant_transaction_id: mtid.into(),
            store_id: store.into(),
            cashier_device_id: "POS-1".into(),
            amount_minor: 1000,
            currency: Currency::from_code("USD").unwrap(),
            method: Method::Alipay,
            expires_in_seconds: 300,
            remark: None,
            fingerprint: "fp".into(),
            create_state: CreateState::Pending,
            status: PaymentStatus::Init,
            transaction_id: None,
            qr_code: None,
            qr_url: None,
            qr_code_expired_at: None,
            result_code: None,
            result_description: None,
            late_success: false,
            created_at: 1,
            updated_at: 1,
        },
        request_id: format!("RQ-{mtid}"),
        biz_content: format!("{{\"merchantTransactionId\":\"{mtid}\"}}"),
    }
}

fn refund(mrid: &str, mtid: &str, minor: u64) -> NewRefundRow {
    NewRefundRow(RefundRow {
        merchant_refund_id: mrid.into(),
        merchant_transaction_id: mtid.into(),
        cashier_device_id: "POS-1".into(),
        amount_minor: minor,
        currency: Currency::from_code("USD").unwrap(),
        remark: None,
        fingerprint: "fp".into(),
        biz_content: "{}".into(),
        create_state: CreateState::Pending,
        status: RefundStatus::Processing,
        refund_id: None,
        result_code: None,
        result_description: None,
        created_at: 2,
        updated_at: 2,
    })
}

fn status(s: PaymentStatus) -> PaymentUpdate {
    PaymentUpdate {
        status: Some(s),
        create_state: Some(CreateState::Accepted),
        ..PaymentUpdate::default()
    }
}

async fn open() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(&dir.path().join("j.sqlite")).unwrap();
    (dir, journal)
}

#[tokio::test]
async fn an_order_is_journaled_once_with_its_attempt() {
    let (_dir, j) = open().await;
    let o = order("M1", "S1");
    let first = o.clone();
    assert!(
        j.write(move |tx| insert_order(tx, &first))
            .await
            .unwrap()
            .is_none()
    );
    let again = o.clone();
    let existing = j.write(move |tx| insert_order(tx, &again)).await.unwrap();
    assert_eq!(existing.unwrap().merchant_transaction_id, "M1");
    let biz = j.read(|c| latest_attempt(c, "M1")).await.unwrap().unwrap();
    assert!(biz.contains("M1"));
}

#[tokio::test]
async fn status_changes_make_events_for_the_store_only() {
    let (_dir, j) = open().await;
    for (m, s) in [("M1", "S1"), ("M2", "S2")] {
        let o = order(m, s);
        j.write(move |tx| insert_order(tx, &o)).await.unwrap();
    }
    let mut wake = j.subscribe();
    let u = status(PaymentStatus::Processing);
    j.write(move |tx| apply_payment(tx, "M1", &u, 5))
        .await
        .unwrap();
    assert!(wake.has_changed().unwrap());
    wake.borrow_and_update();
    // The same news again changes nothing and adds no event.
    let u = status(PaymentStatus::Processing);
    j.write(move |tx| apply_payment(tx, "M1", &u, 6))
        .await
        .unwrap();
    assert!(!wake.has_changed().unwrap());
    let u = status(PaymentStatus::Success);
    let row = j
        .write(move |tx| apply_payment(tx, "M2", &u, 7))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, PaymentStatus::Success);
    let s1 = j.read(|c| events_after(c, "S1", 0, 10)).await.unwrap();
    assert_eq!(s1.len(), 1);
    assert_eq!(s1[0].kind, "payment");
    assert!(s1[0].data.contains("\"status\":\"PROCESSING\""));
    let s2 = j.read(|c| events_after(c, "S2", 0, 10)).await.unwrap();
    assert_eq!(s2.len(), 1);
    assert!(s2[0].seq > s1[0].seq);
    let after = s2[0].seq;
    let rest = j
        .read(move |c| events_after(c, "S2", after, 10))
        .await
        .unwrap();
    assert!(rest.is_empty());
}

#[tokio::test]
async fn closed_then_success_is_a_late_success() {
    let (_dir, j) = open().await;
    let o = order("M1", "S1");
    j.write(move |tx| insert_order(tx, &o)).await.unwrap();
    for s in [
        PaymentStatus::Processing,
        PaymentStatus::Closed,
        PaymentStatus::Success,
    ] {
        let u = status(s);
        j.write(move |tx| apply_payment(tx, "M1", &u, 9))
            .await
            .unwrap();
    }
    let row = j.read(|c| load_order(c, "M1")).await.unwrap().unwrap();
    assert_eq!(row.status, PaymentStatus::Success);
    assert!(row.late_success);
}

#[tokio::test]
async fn refunds_respect_status_flight_and_balance() {
    let (_dir, j) = open().await;
    let o = order("M1", "S1");
    j.write(move |tx| insert_order(tx, &o)).await.unwrap();
    let r = refund("R1", "M1", 100);
    let refused = j.write(move |tx| insert_refund(tx, &r)).await.unwrap();
    assert_eq!(
        refused,
        Err(RefundRefusal::NotRefundable(PaymentStatus::Init))
    );
    let u = status(PaymentStatus::Success);
    j.write(move |tx| apply_payment(tx, "M1", &u, 3))
        .await
        .unwrap();
    let r = refund("R1", "M1", 600);
    assert!(
        j.write(move |tx| insert_refund(tx, &r))
            .await
            .unwrap()
            .is_ok()
    );
    let r = refund("R2", "M1", 100);
    assert_eq!(
        j.write(move |tx| insert_refund(tx, &r)).await.unwrap(),
        Err(RefundRefusal::InProgress("R1".into()))
    );
    let done = RefundUpdate {
        status: Some(RefundStatus::Success),
        create_state: Some(CreateState::Accepted),
        ..RefundUpdate::default()
    };
    j.write(move |tx| apply_refund(tx, "R1", &done, 4))
        .await
        .unwrap();
    let r = refund("R2", "M1", 401);
    assert_eq!(
        j.write(move |tx| insert_refund(tx, &r)).await.unwrap(),
        Err(RefundRefusal::ExceedsBalance { remaining: 400 })
    );
    let r = refund("R2", "M1", 400);
    assert!(
        j.write(move |tx| insert_refund(tx, &r))
            .await
            .unwrap()
            .is_ok()
    );
    let failed = RefundUpdate {
        status: Some(RefundStatus::Failed),
        ..RefundUpdate::default()
    };
    j.write(move |tx| apply_refund(tx, "R2", &failed, 5))
        .await
        .unwrap();
    let totals = j.read(|c| refund_totals(c, "M1")).await.unwrap();
    assert_eq!(
        totals,
        RefundTotals {
            refunded: 600,
            held: 600
        }
    );
    let events = j.read(|c| events_after(c, "S1", 0, 10)).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["payment", "refund", "refund"]);
}

#[tokio::test]
async fn notifications_are_kept_once_and_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite");
    let n = NewNotification {
        dedup_key: "RECHARGE|M1|T1|R|SUCCESS".into(),
        notify_type: "RECHARGE".into(),
        merchant_transaction_id: Some("M1".into()),
        merchant_refund_id: None,
        status: Some("SUCCESS".into()),
        envelope: "{}".into(),
        received_at: 1,
    };
    {
        let j = Journal::open(&path).unwrap();
        let first = n.clone();
        assert!(
            j.write(move |tx| insert_notification(tx, &first))
                .await
                .unwrap()
        );
        let o = order("M1", "S1");
        j.write(move |tx| insert_order(tx, &o)).await.unwrap();
    }
    let j = Journal::open(&path).unwrap();
    assert!(
        !j.write(move |tx| insert_notification(tx, &n))
            .await
            .unwrap()
    );
    let deliveries: i64 = j
        .read(|c| c.query_row("SELECT deliveries FROM notifications", [], |r| r.get(0)))
        .await
        .unwrap();
    assert_eq!(deliveries, 2);
    assert!(j.read(|c| load_order(c, "M1")).await.unwrap().is_some());
}

#[tokio::test]
async fn concurrent_writes_commit_together_and_a_failing_one_is_undone_alone() {
    let (_dir, j) = open().await;
    let mut writes = Vec::new();
    for i in 0..40 {
        let j = j.clone();
        writes.push(tokio::spawn(async move {
            let o = order(&format!("G{i}"), "S1");
            j.write(move |tx| {
                insert_order(tx, &o)?;
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
            .read(move |c| load_order(c, &format!("G{i}")))
            .await
            .unwrap()
            .is_some();
        assert_eq!(kept, i % 4 == 0 || i % 4 == 3, "order G{i}");
    }
    // The writer goes on after failures.
    let o = order("AFTER", "S1");
    j.write(move |tx| insert_order(tx, &o)).await.unwrap();
    assert!(j.read(|c| load_order(c, "AFTER")).await.unwrap().is_some());
}

#[tokio::test]
async fn a_deferred_write_lands_with_the_next_write_and_fails_alone() {
    let (_dir, j) = open().await;
    let first = order("D1", "S1");
    j.write_deferred("a test order", move |tx| {
        insert_order(tx, &first).map(|_| ())
    });
    // Fails: undone alone, logged.
    j.write_deferred("a failing write", |tx| {
        tx.execute_batch("INSERT INTO no_such_table VALUES (1)")
    });
    let second = order("D2", "S1");
    j.write(move |tx| insert_order(tx, &second)).await.unwrap();
    // Queued before D2, so committed no later than D2 was.
    assert!(j.read(|c| load_order(c, "D1")).await.unwrap().is_some());
    assert!(j.read(|c| load_order(c, "D2")).await.unwrap().is_some());
}
