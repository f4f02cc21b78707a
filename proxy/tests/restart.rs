//! A proxy restarted on the same SQLite file loses nothing: orders, refunds, and events
//! (served again after reconnecting with Last-Event-ID). The sandbox runs on its own
//! listener here, so it outlives the proxy like PingPong would.

mod common;

use common::*;
use pingpong_qr_proxy::start;
use pingpong_sandbox::Account;
use serde_json::json;

#[tokio::test]
async fn a_restart_on_the_same_file_loses_nothing() {
    let a = Account::sandbox_a();
    let upstream = StandaloneSandbox::start(vec![a.clone()]).await;
    let mut h = pingpong_harness(&upstream.sandbox, &upstream.url, &a, |_| {}).await;
    let addr = h.proxy().addr();

    // Before: a paid order with a refund, and an open order.
    let mut events = h.events(DEMO, None).await;
    let paid = h.paid_payment("10.00").await;
    let paid_id = paid["merchantTransactionId"].as_str().unwrap().to_owned();
    let r = h
        .post(
            &format!("/v1/payments/{paid_id}/refunds"),
            DEMO,
            json!({ "amount": "2.00", "merchantRefundId": "RF-R-1" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    h.await_refund(&paid_id, "RF-R-1", "SUCCESS").await;
    let open = h.usd_payment("4.00").await;
    let open_id = open["merchantTransactionId"].as_str().unwrap().to_owned();
    let mut seen = Vec::new();
    loop {
        let e = events.next().await;
        let done = e.data["merchantTransactionId"] == open_id.as_str();
        seen.push(e);
        if done {
            break;
        }
    }
    let last_seen = seen.last().unwrap().id;
    drop(events);
    h.shutdown().await;

    // While the proxy is down the open order is paid; PingPong's push cannot land.
    upstream
        .sandbox
        .pay(open["transactionId"].as_str().unwrap())
        .unwrap();

    // Same file, same address.
    let mut config = pingpong_config(h.dir.path(), &upstream.url, &a);
    config.listen = addr;
    let proxy = start(config).await.expect("restarts on the same file");
    h.proxy = Some(proxy);

    // It knows the orders and the refund without asking PingPong.
    let sent = h.upstream_requests();
    let got = h.get(&format!("/v1/payments/{paid_id}"), DEMO).await;
    assert_eq!(got.json["status"], "SUCCESS", "{}", got.text);
    assert_eq!(got.json["refundedAmount"], "2.00");
    assert_eq!(got.json["refundableAmount"], "8.00");
    let rf = h
        .get(&format!("/v1/payments/{paid_id}/refunds/RF-R-1"), DEMO)
        .await;
    assert_eq!(rf.json["status"], "SUCCESS");
    assert_eq!(h.upstream_requests(), sent);

    // Reconnecting with Last-Event-ID: the payment made while it was down arrives, by the
    // sandbox's retried push or by the GET below, and nothing before it is repeated.
    let mut resumed = h.events(DEMO, Some(last_seen)).await;
    let got = h.await_payment(DEMO, &open_id, "SUCCESS").await;
    assert_eq!(got["lateSuccess"], false);
    let e = resumed.next().await;
    assert!(e.id > last_seen);
    assert_eq!(e.data["merchantTransactionId"], open_id.as_str());
    assert_eq!(e.data["status"], "SUCCESS");

    // From the start: the same events, same ids, as before the restart.
    let mut replay = h.events(SECOND, Some(0)).await;
    for before in &seen {
        let again = replay.next().await;
        assert_eq!((again.id, &again.event), (before.id, &before.event));
        assert_eq!(again.data["status"], before.data["status"]);
        assert_eq!(
            again.data["merchantTransactionId"],
            before.data["merchantTransactionId"]
        );
    }

    // Refunds still follow the balance: 10.00 − 2.00 refunded, 8.00 left.
    let refunds = format!("/v1/payments/{paid_id}/refunds");
    let sent = h.upstream_requests();
    let over = h.post(&refunds, DEMO, json!({ "amount": "8.01" })).await;
    assert_eq!(over.code(), "REFUND_EXCEEDS_BALANCE");
    let dup = h
        .post(
            &refunds,
            DEMO,
            json!({ "amount": "2.00", "merchantRefundId": "RF-R-1" }),
        )
        .await;
    assert_eq!(dup.status, 200);
    assert_eq!(h.upstream_requests(), sent);
    let r2 = h.post(&refunds, DEMO, json!({ "amount": "8.00" })).await;
    assert_eq!(r2.status, 201, "{}", r2.text);
    let mrid = r2.json["merchantRefundId"].as_str().unwrap();
    h.await_refund(&paid_id, mrid, "SUCCESS").await;
    assert_eq!(upstream.sandbox.stats().refunds, 2);
    assert_eq!(upstream.sandbox.stats().orders, 2);
    h.shutdown().await;
}
