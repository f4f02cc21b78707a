//! Signed notifications at a real receiver: RECHARGE, REFUND and CLOSED, retries after a
//! `FAIL` body or an error status, giving up after the schedule, duplicates and drops.

mod common;

use std::time::Duration;

use common::*;
use pingpong_protocol::biz::{Notification, NotifyType};
use pingpong_protocol::{Envelope, PaymentStatus, RefundStatus};
use pingpong_sandbox::{Faults, NotificationOutcome, RETRY_SCHEDULE, SandboxConfig};
use serde_json::json;

/// Verifies a notification with the protocol crate and reads its bizContent.
fn read(h: &Harness, body: &str) -> (Envelope, Notification) {
    let env = Envelope::parse(body.as_bytes()).unwrap();
    env.verify(&h.account.salt)
        .expect("notifications are signed");
    let keys: Vec<_> = env.fields().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        [
            "accId",
            "bizContent",
            "clientId",
            "code",
            "description",
            "sign",
            "signType"
        ]
    );
    let n = Notification::parse(env.biz_content().unwrap()).unwrap();
    (env, n)
}

fn with_url(mut biz: serde_json::Value, url: &str) -> serde_json::Value {
    biz["notificationUrl"] = json!(url);
    biz
}

#[tokio::test]
async fn a_payment_notification_arrives_signed() {
    let h = start().await;
    let rx = Receiver::start(vec![Reply::Ok]).await;
    let a = h
        .create(&with_url(order("M-N1", "R-N1", "9.99"), &rx.url))
        .await;
    assert!(rx.bodies().is_empty(), "nothing is notified for PROCESSING");
    h.wallet(a.str("qrCode"), "pay").await;
    let bodies = rx.wait_for(1).await;
    let (env, n) = read(&h, &bodies[0]);
    assert_eq!(env.code(), Some("000000"));
    let Notification::Payment(p) = n else {
        panic!("RECHARGE expected")
    };
    assert_eq!(p.notify_type, NotifyType::Recharge);
    assert_eq!(
        (p.status, p.merchant_transaction_id.as_str()),
        (PaymentStatus::Success, "M-N1")
    );
    assert_eq!(
        (p.amount.as_str(), p.currency.as_str()),
        ("9.990000", "CNY")
    );
    assert_eq!(p.request_id.as_deref(), Some("R-N1"));
    assert_eq!(p.transaction_id, a.str("transactionId"));
    wait_until("the delivery is recorded", async || {
        h.sandbox.order("M-N1").unwrap().notifications[0].outcome == NotificationOutcome::Delivered
    })
    .await;
    let stats = h.sandbox.stats();
    assert_eq!(
        (stats.notifications, stats.deliveries, stats.delivered),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn a_decline_is_notified_as_failed() {
    let h = start().await;
    let rx = Receiver::start(vec![Reply::Ok]).await;
    let a = h
        .create(&with_url(order("M-N2", "R-N2", "1.00"), &rx.url))
        .await;
    h.wallet(a.str("qrCode"), "decline").await;
    let (env, n) = read(&h, &rx.wait_for(1).await[0]);
    assert_eq!(env.code(), Some("301099"));
    let Notification::Payment(p) = n else {
        panic!()
    };
    assert_eq!(
        (p.status, p.result_code.as_deref()),
        (PaymentStatus::Failed, Some("301099"))
    );
}

#[tokio::test]
async fn a_fail_body_or_an_error_status_is_retried_until_accepted() {
    let h = start().await;
    let rx = Receiver::start(vec![Reply::Fail, Reply::Status(500), Reply::Ok]).await;
    let a = h
        .create(&with_url(order("M-N3", "R-N3", "2.00"), &rx.url))
        .await;
    h.wallet(a.str("qrCode"), "pay").await;
    let bodies = rx.wait_for(3).await;
    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "a retry resends the same signed body"
    );
    wait_until("delivered", async || {
        h.sandbox.order("M-N3").unwrap().notifications[0].outcome == NotificationOutcome::Delivered
    })
    .await;
    let n = &h.sandbox.order("M-N3").unwrap().notifications[0];
    let details: Vec<_> = n
        .deliveries
        .iter()
        .map(|d| (d.attempt, d.accepted, d.detail.as_str()))
        .collect();
    assert_eq!(
        details,
        [
            (1, false, "200 body FAIL"),
            (2, false, "500"),
            (3, true, "200")
        ]
    );
    // The first success stops the retries.
    tokio::time::sleep(RETRY_SCHEDULE[2].mul_f64(0.001) * 2).await;
    assert_eq!(rx.bodies().len(), 3);
}

#[tokio::test]
async fn retries_follow_the_schedule_and_then_give_up() {
    let h = start_with(SandboxConfig {
        time_scale: 0.00005,
        ..fast_config()
    })
    .await;
    let rx = Receiver::start(vec![Reply::Status(503)]).await;
    let a = h
        .create(&with_url(order("M-N4", "R-N4", "2.00"), &rx.url))
        .await;
    h.wallet(a.str("qrCode"), "pay").await;
    wait_until("the schedule runs out", async || {
        h.sandbox.order("M-N4").unwrap().notifications[0].outcome == NotificationOutcome::GaveUp
    })
    .await;
    let n = &h.sandbox.order("M-N4").unwrap().notifications[0];
    assert_eq!(n.deliveries.len(), RETRY_SCHEDULE.len() + 1);
    assert_eq!(rx.bodies().len(), RETRY_SCHEDULE.len() + 1);
    // Each wait is at least the scaled schedule's (3 h × 0.00005 = 0.54 s for the last ones).
    for (i, pair) in n.deliveries.windows(2).enumerate() {
        let gap = Duration::from_millis(pair[1].at_ms - pair[0].at_ms);
        let floor = RETRY_SCHEDULE[i].mul_f64(0.00005);
        assert!(
            gap + Duration::from_millis(2) >= floor,
            "retry {i}: {gap:?} < {floor:?}"
        );
    }
}

#[tokio::test]
async fn duplicate_knob_sends_every_notification_twice() {
    let h = start().await;
    let rx = Receiver::start(vec![Reply::Ok]).await;
    h.sandbox.set_faults(Faults {
        duplicate_notifications: true,
        ..Faults::default()
    });
    let a = h
        .create(&with_url(order("M-N5", "R-N5", "2.00"), &rx.url))
        .await;
    h.wallet(a.str("qrCode"), "pay").await;
    let bodies = rx.wait_for(2).await;
    assert_eq!(bodies[0], bodies[1]);
    wait_until("both copies delivered", async || {
        let rec = h.sandbox.order("M-N5").unwrap();
        rec.notifications
            .iter()
            .all(|n| n.outcome == NotificationOutcome::Delivered)
    })
    .await;
    assert_eq!(h.sandbox.order("M-N5").unwrap().notifications.len(), 2);
    assert_eq!(rx.bodies().len(), 2, "twice, not more");
}

#[tokio::test]
async fn drop_knob_loses_the_next_notifications() {
    let h = start().await;
    let rx = Receiver::start(vec![Reply::Ok]).await;
    h.sandbox.set_faults(Faults {
        drop_notifications: 1,
        ..Faults::default()
    });
    let a = h
        .create(&with_url(order("M-N6", "R-N6", "2.00"), &rx.url))
        .await;
    h.wallet(a.str("qrCode"), "pay").await;
    let rec = h.sandbox.order("M-N6").unwrap();
    assert_eq!(rec.notifications[0].outcome, NotificationOutcome::Dropped);
    assert_eq!(
        h.sandbox.faults().drop_notifications,
        0,
        "the counter counts down"
    );
    // The next notification goes through (and proves the dropped one never came).
    let b = h
        .create(&with_url(order("M-N6b", "R-N6b", "2.00"), &rx.url))
        .await;
    h.wallet(b.str("qrCode"), "pay").await;
    let bodies = rx.wait_for(1).await;
    let (_, n) = read(&h, &bodies[0]);
    let Notification::Payment(p) = n else {
        panic!()
    };
    assert_eq!(p.merchant_transaction_id, "M-N6b");
    assert!(
        h.sandbox.order("M-N6").unwrap().notifications[0]
            .deliveries
            .is_empty()
    );
}

#[tokio::test]
async fn closed_is_notified_only_to_the_close_notification_url() {
    let h = start().await;
    let rx = Receiver::start(vec![Reply::Ok]).await;
    let close_rx = Receiver::start(vec![Reply::Ok]).await;
    let mut biz = with_url(order("M-N7", "R-N7", "2.00"), &rx.url);
    biz["closeNotificationUrl"] = json!(close_rx.url);
    h.create(&biz).await;
    h.sandbox.expire("M-N7").unwrap();
    let (env, n) = read(&h, &close_rx.wait_for(1).await[0]);
    assert_eq!(env.code(), Some("105000"));
    let Notification::Payment(p) = n else {
        panic!()
    };
    assert_eq!(p.status, PaymentStatus::Closed);
    // Without closeNotificationUrl nothing is sent on expiry.
    h.create(&with_url(order("M-N7b", "R-N7b", "2.00"), &rx.url))
        .await;
    let closed = h.sandbox.expire("M-N7b").unwrap();
    assert_eq!(closed.status, PaymentStatus::Closed);
    assert!(closed.notifications.is_empty());
}

#[tokio::test]
async fn refunds_are_notified_when_they_end() {
    let h = start().await;
    let rx = Receiver::start(vec![Reply::Ok]).await;
    h.paid_order("M-N8", "10.00").await;
    let mut r = refund("M-N8", "RF-N8", "4.00");
    r["notificationUrl"] = json!(rx.url);
    let a = h.call(REFUND, &r).await;
    assert_eq!(a.status(), Some("PROCESSING"));
    let (env, n) = read(&h, &rx.wait_for(1).await[0]);
    assert_eq!(env.code(), Some("000000"));
    let Notification::Refund(n) = n else {
        panic!("REFUND expected")
    };
    assert_eq!(
        (n.status, n.merchant_refund_id.as_str()),
        (RefundStatus::Success, "RF-N8")
    );
    assert_eq!(
        (n.amount.as_str(), n.refund_id.as_deref()),
        ("4.000000", Some(a.str("refundId")))
    );
    assert!(n.refund_ending_time.is_some());
}

#[tokio::test]
async fn a_failed_refund_is_notified_as_failed() {
    let h = start().await;
    let rx = Receiver::start(vec![Reply::Ok]).await;
    h.paid_order("M-N9", "10.00").await;
    h.sandbox.set_faults(Faults {
        refund_failure: true,
        ..Faults::default()
    });
    let mut r = refund("M-N9", "RF-N9", "3.00");
    r["notificationUrl"] = json!(rx.url);
    let a = h.call(REFUND, &r).await;
    assert_eq!(
        (a.code(), a.status()),
        ("002000", Some("PROCESSING")),
        "it fails later, not at once"
    );
    let bodies = rx.wait_for(1).await;
    let (env, n) = read(&h, &bodies[0]);
    assert_eq!(env.code(), Some("303000"));
    let Notification::Refund(n) = n else {
        panic!("REFUND expected")
    };
    assert_eq!(n.notify_type, NotifyType::Refund);
    assert_eq!(
        (
            n.status,
            n.merchant_refund_id.as_str(),
            n.merchant_transaction_id.as_str()
        ),
        (RefundStatus::Failed, "RF-N9", "M-N9")
    );
    assert_eq!(
        (n.amount.as_str(), n.refund_id.as_deref()),
        ("3.000000", Some(a.str("refundId")))
    );
    wait_until("the delivery is recorded", async || {
        h.sandbox.order("M-N9").unwrap().notifications[0].outcome == NotificationOutcome::Delivered
    })
    .await;
    let rec = h.sandbox.order("M-N9").unwrap();
    let note = &rec.notifications[0];
    assert_eq!(
        (
            note.notify_type,
            note.status.as_str(),
            note.merchant_refund_id.as_deref()
        ),
        (NotifyType::Refund, "FAILED", Some("RF-N9"))
    );
    assert_eq!(rec.refunds[0].status, RefundStatus::Failed);
    assert_eq!(rx.bodies().len(), 1, "accepted once, sent once");
}
